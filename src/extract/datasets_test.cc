// Robustness over the third-party pages in ../shared/datasets (skipped when absent):
// every page gives non-empty text with no U+FFFD, and nothing crashes.
#include <gtest/gtest.h>

#include <filesystem>

#include "clean/clean.h"
#include "extract/extract.h"
#include "render/markdown.h"
#include "test_util.h"

namespace samizdat::extract {
namespace {

void CheckFolder(const std::string& relative, size_t expected_pages) {
  std::string shared = testing::SharedDir();
  if (shared.empty()) GTEST_SKIP() << "../shared absent";
  std::string dir = shared + "/" + relative;
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << dir << " absent";
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
