// Robustness over the third-party pages in ../shared/datasets (skipped when absent, failed
// when absent under CI):
// every page gives non-empty text with no U+FFFD, and nothing crashes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "clean/clean.h"
#include "extract/extract.h"
#include "render/markdown.h"
#include "test_util.h"

namespace samizdat::extract {
namespace {

// Under CI (CI=true) the datasets are provided, so a missing one fails the test; elsewhere
// it is skipped.
bool RequireDatasets() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

void CheckFolder(const std::string& relative, size_t expected_pages) {
  std::string dir = std::string(SAMIZDAT_SHARED_DIR) + "/" + relative;
  if (!std::filesystem::is_directory(dir)) {
    if (RequireDatasets()) GTEST_FAIL() << dir << " absent, and CI=true requires it";
    GTEST_SKIP() << dir << " absent";
  }
  size_t pages = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".html") continue;
    ++pages;
    Article a = Extract(testing::ReadFile(e.path().string()), {});
    clean::CleanArticle(a, {});
    std::string text = render::ToText(a.body);
    std::string md = render::ToMarkdown(a.body);
    EXPECT_FALSE(text.empty()) << e.path();
    EXPECT_EQ(text.find("\xEF\xBF\xBD"), std::string::npos)
        << e.path() << " charset " << a.charset.charset;
    EXPECT_EQ(a.title.value_or("").find("\xEF\xBF\xBD"), std::string::npos) << e.path();
    EXPECT_FALSE(md.empty()) << e.path();
  }
  EXPECT_EQ(pages, expected_pages);
}

TEST(Datasets, GneChineseNewsPages) { CheckFolder("datasets/extraction/gne-zh-unlabelled", 60); }
TEST(Datasets, PerfPages) { CheckFolder("datasets/perf-pages", 94); }

}  // namespace
}  // namespace samizdat::extract
