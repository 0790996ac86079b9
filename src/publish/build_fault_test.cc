// Fail and crash a build at every file-system step (ctest label `fault`), in process through
// a FaultInjectionEnv. A small site is built (the old site), the store and configuration
// change, and a counting rebuild gives N mutating operations and the new site. Then for
// every step k:
// - the k-th operation of each kind fails with ENOSPC: the build reports it, throws nothing,
//   and every file of the site is the old version or the new one (or absent where one of
//   them lacks it), never a mix;
// - the process "crashes" at mutation k and the power goes (DropUnsyncedData): the same
//   holds, and no page comes back empty or cut short;
// and after each, a clean rebuild gives exactly the new site, with no temporary file left.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "publish/build.h"
#include "test_util.h"
#include "util/fault_injection_env.h"

namespace samizdat::publish {
namespace {

namespace fs = std::filesystem;
using Op = FaultInjectionEnv::Op;
using SiteFiles = std::map<std::string, std::string>;  // tree-relative path -> bytes

class BuildFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    store_ = store::Store::Open(dir_.File("store.db"), &err);
    ASSERT_TRUE(store_) << err;
    std::string text =
        testing::ReadFile(std::string(SAMIZDAT_SOURCE_DIR) + "/demo/samizdat.toml") + R"(
[[channels]]
id = "ch1"
name = "One"
[[channels]]
id = "ch2"
name = "Two"
[[channels]]
id = "ch3"
name = "Three"
)";
    text = std::regex_replace(text, std::regex("\\[site\\]"), "[site]\nindex_page_size = 2");
    auto cfg = config::ParseConfig(text, "samizdat.toml", dir_.path(), &err);
    ASSERT_TRUE(cfg) << err;
    cfg_ = *cfg;
  }

  void Add(int n, const std::vector<std::string>& channels, int64_t now, const std::string& words) {
    store::ArticleInput in;
    in.canonical_url = "https://news.example/a/n" + std::to_string(n) + ".htm";
    in.article_id = "n" + std::to_string(n);
    for (const auto& ch : channels) in.memberships.push_back({ch, "s"});
    in.title = "Title " + std::to_string(n);
    in.html = "<p>Article " + std::to_string(n) + ": " + words + "</p><h2>Part</h2><p>More.</p>";
    ASSERT_EQ(store_->SaveArticle(in, now).status().ToString(), "ok");
  }

  BuildReport Build(const std::string& out, Env& env) {
    config::Config c = cfg_;
    c.output_dir = out;
    return BuildSite(c, *store_, env);
  }

  static SiteFiles Files(const std::string& root, bool* temp_file_seen = nullptr) {
    SiteFiles files;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (!e.is_regular_file()) continue;
      std::string rel = fs::relative(e.path(), root).string();
      if (IsTempFileName(e.path().filename().string())) {
        if (temp_file_seen) *temp_file_seen = true;
        continue;
      }
      files[rel] = testing::ReadFile(e.path().string());
    }
    return files;
  }

  // A fresh copy of the old site to fault a rebuild in.
  std::string FreshOldSite(const std::string& name) {
    std::string out = dir_.File(name);
    fs::remove_all(out);
    fs::copy(old_root_, out, fs::copy_options::recursive);
    return out;
  }

  // Every file is the old or the new version, byte for byte; a missing file is one that
  // the old or the new site lacks.
  void ExpectOldOrNew(const std::string& out, const std::string& what) {
    SiteFiles now = Files(out);
    std::set<std::string> paths;
    for (const auto* files : {&old_, &new_, &now})
      for (const auto& [p, bytes] : *files) paths.insert(p);
    for (const auto& p : paths) {
      if (p.rfind(".samizdat/", 0) == 0) continue;  // bookkeeping, checked after the rebuild
      auto o = old_.find(p), n = new_.find(p), x = now.find(p);
      if (x == now.end()) {
        EXPECT_TRUE(o == old_.end() || n == new_.end()) << what << ": " << p << " lost";
        continue;
      }
      bool is_old = o != old_.end() && o->second == x->second;
      bool is_new = n != new_.end() && n->second == x->second;
      EXPECT_TRUE(is_old || is_new)
          << what << ": " << p << " is neither version (" << x->second.size() << " bytes)";
    }
  }

  // A clean rebuild repairs whatever the fault left: exactly the new site, no temp file.
  void ExpectRebuildGivesNewSite(const std::string& out, const std::string& what) {
    BuildReport r = Build(out, *Env::Default());
    EXPECT_TRUE(r.error.empty()) << what << ": " << r.error;
    bool temp = false;
    SiteFiles now = Files(out, &temp);
    for (const auto& [p, bytes] : now) {
      auto n = new_.find(p);
      EXPECT_TRUE(n != new_.end() && n->second == bytes) << what << ": " << p << " differs";
    }
    for (const auto& [p, bytes] : new_) EXPECT_TRUE(now.count(p)) << what << ": " << p << " lost";
    EXPECT_FALSE(temp) << what;
  }

  // Builds the old site, changes the store and configuration, and records the new site and
  // the counts of a rebuild.
  void PrepareChange() {
    Add(1, {"ch1"}, 1001, "first");
    Add(2, {"ch1", "ch2"}, 1002, "second");
    Add(3, {"ch2"}, 1003, "third");
    Add(4, {"ch3"}, 1004, "fourth");
    old_root_ = dir_.File("old");
    ASSERT_TRUE(Build(old_root_, *Env::Default()).error.empty());
    old_ = Files(old_root_);
    // The change: a new article, a revised one, a channel gone (its files are stale).
    Add(5, {"ch1"}, 2005, "fifth");
    Add(2, {"ch1", "ch2"}, 2006, "second, revised");
    cfg_.channels.pop_back();
    std::string ref = FreshOldSite("reference");
    FaultInjectionEnv counting(Env::Default());
    ASSERT_TRUE(Build(ref, counting).error.empty());
    new_ = Files(ref);
    ASSERT_NE(new_, old_);
    mutations_ = counting.mutations();
    for (int op = 0; op < static_cast<int>(Op::kCount); ++op)
      counts_[static_cast<Op>(op)] = counting.count(static_cast<Op>(op));
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  config::Config cfg_;
  std::string old_root_;
  SiteFiles old_, new_;
  int64_t mutations_ = 0;
  std::map<Op, int64_t> counts_;
};

bool Mutates(Op op) { return op != Op::kRead && op != Op::kList && op != Op::kStat; }

TEST_F(BuildFaultTest, EveryFailedOperationIsReportedAndLeavesOldOrNewFiles) {
  PrepareChange();
  ASSERT_GT(mutations_, 20);
  for (const auto& [op, count] : counts_) {
    for (int64_t k = 1; k <= count; ++k) {
      std::string what = "op " + std::to_string(static_cast<int>(op)) + " #" + std::to_string(k);
      std::string out = FreshOldSite("faulted");
      FaultInjectionEnv env(Env::Default());
      env.FailNth(op, k, ENOSPC);
      BuildReport r = Build(out, env);
      // An unreported failure must have changed nothing (removing a directory that still
      // holds files fails anyway).
      if (Mutates(op) && r.error.empty()) {
        EXPECT_EQ(Files(out), new_) << what << " was not reported";
      }
      ExpectOldOrNew(out, what);
      ExpectRebuildGivesNewSite(out, what);
    }
  }
}

TEST_F(BuildFaultTest, PowerLossAtEveryStepLeavesOldOrNewPages) {
  PrepareChange();
  for (int64_t k = 1; k <= mutations_; ++k) {
    std::string what = "crash at mutation " + std::to_string(k);
    std::string out = FreshOldSite("crashed");
    FaultInjectionEnv env(Env::Default());
    env.CrashAt(k);
    Build(out, env);
    EXPECT_TRUE(env.crashed()) << what;
    Status dropped = env.DropUnsyncedData();
    ASSERT_TRUE(dropped.ok()) << what << ": " << dropped.ToString();
    ExpectOldOrNew(out, what);
    ExpectRebuildGivesNewSite(out, what);
  }
}

}  // namespace
}  // namespace samizdat::publish
