#include "publish/retention.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "publish/git_publish.h"
#include "test_util.h"

namespace samizdat::publish {
namespace {

using testing::TempDir;
using testing::WriteFile;

TEST(RepoSize, PublishReportsObjectsAndTheLargestFiles) {
  TempDir dir;
  std::mt19937 rng(7);
  std::string noise(300'000, '\0');
  for (char& c : noise) c = static_cast<char>(rng());  // incompressible
  for (const char* d : {"site/images", "site/pages", "site/.samizdat"})
    std::filesystem::create_directories(dir.File(d));
  WriteFile(dir.File("site/images/big.png"), noise);
  WriteFile(dir.File("site/pages/a.md"), std::string(2000, 'a'));
  WriteFile(dir.File("site/README.md"), "home\n");
  WriteFile(dir.File("site/.samizdat/build-manifest.tsv"), std::string(500'000, 'x'));
  PublishConfig cfg;
  PublishReport r = Publish(dir.File("site"), cfg, 1'780'000'000);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.size.head_files, 3);
  EXPECT_EQ(r.size.head_bytes, 300'000 + 2000 + 5);
  ASSERT_EQ(r.size.largest.size(), 3u);
  EXPECT_EQ(r.size.largest[0], (std::pair<std::string, int64_t>{"images/big.png", 300'000}));
  EXPECT_EQ(r.size.largest[1].first, "pages/a.md");
  // Compressed objects: the noise stays ~300 KB, the repetitive page shrinks.
  EXPECT_GT(r.size.object_bytes, 300'000);
  EXPECT_LT(r.size.object_bytes, 310'000);
  EXPECT_EQ(HumanBytes(1'234'567), "1.2 MB");
}

}  // namespace
}  // namespace samizdat::publish
