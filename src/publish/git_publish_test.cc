#include "publish/git_publish.h"

#include <git2.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace samizdat::publish {
namespace {

using testing::TempDir;
using testing::WriteFile;
namespace fs = std::filesystem;

void InitBare(const std::string& path) {
  git_libgit2_init();
  git_repository* repo = nullptr;
  ASSERT_EQ(git_repository_init(&repo, path.c_str(), 1), 0);
  git_repository_free(repo);
}

// The commit messages on `branch` of the repository at `path`, newest first.
std::vector<std::string> Log(const std::string& path, const std::string& branch = "main") {
  std::vector<std::string> out;
  git_repository* repo = nullptr;
  if (git_repository_open(&repo, path.c_str()) != 0) return out;
  git_revwalk* walk = nullptr;
  git_revwalk_new(&walk, repo);
  if (git_revwalk_push_ref(walk, ("refs/heads/" + branch).c_str()) == 0) {
    git_oid oid;
    while (git_revwalk_next(&oid, walk) == 0) {
      git_commit* c = nullptr;
      git_commit_lookup(&c, repo, &oid);
      out.push_back(git_commit_message(c));
      git_commit_free(c);
    }
  }
  git_revwalk_free(walk);
  git_repository_free(repo);
  return out;
}

TEST(Publish, PushesToGoodRemotesAndRetriesTheBadOneNextRun) {
  TempDir dir;
  std::string site = dir.File("site");
  fs::create_directories(site + "/pages/ch1");
  fs::create_directories(site + "/.samizdat");
  WriteFile(site + "/README.md", "## home\n");
  WriteFile(site + "/pages/ch1/n1.md", "### one\n");
  WriteFile(site + "/.samizdat/build-manifest.json", "{}");
  InitBare(dir.File("good.git"));
  PublishConfig cfg;
  cfg.author_name = "Mirror Bot";
  cfg.author_email = "bot@example.org";
  cfg.remotes = {{"good", dir.File("good.git")},
                 {"flaky", dir.File("flaky.git")}};  // flaky: not there yet

  PublishReport first = Publish(site, cfg, 1790000000);
  ASSERT_TRUE(first.error.empty()) << first.error;
  EXPECT_TRUE(first.committed);
  EXPECT_EQ(first.added, 2);  // README.md and the page; never .samizdat/
  ASSERT_EQ(first.remotes.size(), 2u);
  EXPECT_TRUE(first.remotes[0].ok) << first.remotes[0].error;
  EXPECT_FALSE(first.remotes[1].ok);
  EXPECT_NE(first.remotes[1].error.find("flaky"), std::string::npos) << first.remotes[1].error;
  EXPECT_EQ(Log(dir.File("good.git")),
            (std::vector<std::string>{"samizdat: 2 added, 0 changed, 0 removed"}));

  // The bad remote comes back; one page changes, one is removed.
  InitBare(dir.File("flaky.git"));
  WriteFile(site + "/README.md", "## home, updated\n");
  fs::remove(site + "/pages/ch1/n1.md");
  PublishReport second = Publish(site, cfg, 1790000600);
  ASSERT_TRUE(second.error.empty()) << second.error;
  EXPECT_TRUE(second.committed);
  EXPECT_EQ(second.modified, 1);
  EXPECT_EQ(second.deleted, 1);
  for (const auto& r : second.remotes) EXPECT_TRUE(r.ok) << r.name << ": " << r.error;
  std::vector<std::string> expected = {"samizdat: 0 added, 1 changed, 1 removed",
                                       "samizdat: 2 added, 0 changed, 0 removed"};
  EXPECT_EQ(Log(dir.File("good.git")), expected);
  EXPECT_EQ(Log(dir.File("flaky.git")), expected);

  // Nothing changed: no new commit, remotes still in step.
  PublishReport third = Publish(site, cfg, 1790001200);
  EXPECT_FALSE(third.committed);
  EXPECT_EQ(third.commit, second.commit);
  EXPECT_EQ(Log(dir.File("good.git")).size(), 2u);
}

}  // namespace
}  // namespace samizdat::publish
