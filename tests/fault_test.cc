// Crash and fail at every step (ctest label `fault`): the real samizdat binary runs a sync, a
// build and a publish with a shim (tests/fault_preload.c) that kills it, or fails the call
// with EIO or ENOSPC, at the k-th mutating file-system operation, for every k up to the
// number a clean run makes. After each fault:
// - the store passes integrity_check and every article stored before is still there, as it
//   was or as the finished run leaves it;
// - every page of the site is the old one or the new one, byte for byte, never a mix;
// - the remote's branch is the old commit or the new one and passes `git fsck`;
// and a clean rerun completes: the store, the site and the remote then equal those of a
// run that never failed, and no temporary file survives.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "http_server.h"
#include "store/store.h"
#include "test_util.h"
#include "util/env.h"

namespace samizdat {
namespace {

namespace fs = std::filesystem;
using testing::HttpRequest;
using testing::HttpServer;
using testing::StaticSite;
using testing::TempDir;

struct Outcome {
  int exit_code = -1;  // -1 when killed
  int signal = 0;
};

// Runs samizdat `args` under the shim. `fault_at` 0 runs clean; `count_file` receives the
// number of operations.
Outcome RunFaulted(const std::vector<std::string>& args, long fault_at, const char* mode,
                   const std::string& count_file = "", const std::string& log = "/dev/null") {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(devnull, 1);
    dup2(devnull, 2);
    setenv("LD_PRELOAD", SAMIZDAT_FAULT_PRELOAD, 1);
    setenv("ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0", 1);
    if (fault_at > 0) setenv("SAMIZDAT_FAULT_AT", std::to_string(fault_at).c_str(), 1);
    setenv("SAMIZDAT_FAULT_MODE", mode, 1);
    if (!count_file.empty()) setenv("SAMIZDAT_FAULT_COUNT", count_file.c_str(), 1);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  Outcome o;
  if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
  return o;
}

long CountOperations(const std::vector<std::string>& args, const std::string& count_file) {
  Outcome o = RunFaulted(args, 0, "crash", count_file);
  EXPECT_EQ(o.exit_code, 0);
  return std::stol(testing::ReadFile(count_file));
}

// Article URL -> title and body of its current revision.
using StoreSnapshot = std::map<std::string, std::pair<std::string, std::string>>;

StoreSnapshot SnapshotStore(const std::string& path, std::string* integrity) {
  std::string error;
  auto store = store::Store::Open(path, &error);
  StoreSnapshot snap;
  if (!store) {
    *integrity = "cannot open: " + error;
    return snap;
  }
  *integrity = store->IntegrityCheck();
  Status read = store->ForEachCurrentArticle([&](const store::CurrentArticle& a) {
    snap[a.canonical_url] = {a.title, a.html};
  });
  if (!read.ok()) *integrity = "cannot read: " + read.message();
  return snap;
}

// Relative path -> bytes, for every file under `root` but git's and samizdat's own folders.
std::map<std::string, std::string> SnapshotTree(const std::string& root) {
  std::map<std::string, std::string> files;
  if (!fs::exists(root)) return files;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    std::string rel = fs::relative(it->path(), root).string();
    if (rel == ".git" || rel == ".samizdat") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) files[rel] = testing::ReadFile(it->path().string());
  }
  return files;
}

std::vector<std::string> TempFiles(const std::string& root) {
  std::vector<std::string> found;
  if (!fs::exists(root)) return found;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (IsTempFileName(e.path().filename().string())) found.push_back(e.path().string());
  return found;
}

void CopyTree(const std::string& from, const std::string& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
}

std::string Git(const std::string& args) {
  std::string cmd = "git " + args + " 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[512];
  while (p && fgets(buf, sizeof buf, p)) out += buf;
  int rc = p ? pclose(p) : -1;
  return rc == 0 ? out : "FAILED(" + std::to_string(rc) + "): " + out;
}

class FaultTest : public ::testing::Test {
 public:
  FaultTest() : server_([this](const HttpRequest& r) { return site_.Handle(r); }) {}

  // Version 1: three articles. Version 2: two more, and article 1 rewritten.
  void PutFeed(int version) {
    std::string items;
    int count = version == 1 ? 3 : 5;
    for (int i = 1; i <= count; ++i) {
      std::string n = std::to_string(i);
      std::string v = (i == 1 && version == 2) ? "rewritten" : "first";
      std::string body;
      for (int p = 0; p < 4; ++p)
        body += "<p>Story " + n + " (" + v + "), paragraph " + std::to_string(p) +
                ": words enough, with commas, clauses and detail, to read as an article.</p>";
      site_.Put("/a/" + n + ".htm", "<html><head><title>Story " + n + " " + v +
                                        "</title></head><body><article><h1>Story " + n + " " + v +
                                        "</h1>" + body + "</article></body></html>");
      items += "<item><title>Story " + n + " " + v + "</title><link>" +
               server_.Url("/a/" + n + ".htm") + "</link><pubDate>Sun, 0" + n +
               " Nov 2026 10:00:00 +0000</pubDate><atom:updated "
               "xmlns:atom=\"http://www.w3.org/2005/Atom\">2026-11-0" +
               n + (i == 1 && version == 2 ? "T20:00:00Z" : "T10:00:00Z") +
               "</atom:updated></item>";
    }
    site_.Put("/feed.xml",
              "<rss version=\"2.0\"><channel><title>f</title>" + items + "</channel></rss>",
              "application/rss+xml");
  }

  // The remote publish pushes to: a bare repository in `dir`, or the same served over
  // git:// by a real git daemon (set by the publish test), so that a killed publish is a
  // killed client, as with any hosted remote.
  std::string RemoteUrl(const std::string& dir) const {
    return git_port_ ? "git://127.0.0.1:" + std::to_string(git_port_) + "/remote.git"
                     : dir + "/remote.git";
  }
  void WriteConfig(const std::string& dir) const {
    testing::WriteFile(dir + "/samizdat.toml", R"(store = "store.db"
[site]
output = "site"
theme = "classic"
rehost_images = false
[fetch]
allow_loopback = true
per_host_delay_ms = 0
max_retries = 0
[[channels]]
id = "news"
name = "News"
[[sources]]
id = "feed"
kind = "rss"
url = ")" + server_.Url("/feed.xml") +
                                                   R"("
channels = ["news"]
[publish]
author_name = "Mirror Bot"
author_email = "bot@example.org"
[[publish.remotes]]
name = "origin"
url = ")" + RemoteUrl(dir) + R"("
)");
  }

  std::vector<std::string> Cmd(const std::string& dir, const std::string& verb) {
    return {SAMIZDAT_BINARY, verb, "--config", dir + "/samizdat.toml"};
  }

  StaticSite site_;
  HttpServer server_;
  TempDir tmp_;
  int git_port_ = 0;
};

// Runs `verb` in a fresh copy of `pristine` for every k and mode, checks `after_fault`, then
// reruns clean and checks `after_rerun`.
template <typename AfterFault, typename AfterRerun>
void ForEveryStep(FaultTest* t, const std::string& pristine, const std::string& work,
                  const std::vector<std::string>& cmd, long operations, AfterFault after_fault,
                  AfterRerun after_rerun) {
  for (const char* mode : {"crash", "enospc"}) {
    long faulted = 0;  // runs that saw the fault: proof the shim reached the operation
    for (long k = 1; k <= operations; ++k) {
      SCOPED_TRACE(std::string(mode) + " at operation " + std::to_string(k) + " of " +
                   std::to_string(operations));
      CopyTree(pristine, work);
      t->WriteConfig(work);  // paths in the config (the remote) point into the copy
      Outcome o = RunFaulted(cmd, k, mode, "", work + ".faulted.log");
      if (o.signal == SIGKILL || o.exit_code != 0) ++faulted;
      if (std::string(mode) == "crash")
        EXPECT_TRUE(o.signal == SIGKILL || o.exit_code >= 0);
      else
        EXPECT_EQ(o.signal, 0) << "a failed write must never crash samizdat";
      after_fault();
      // A run that reports success despite the failed call (a library retried, or the
      // call was a best-effort cleanup) must have done all of its work.
      if (o.exit_code == 0) after_rerun();
      std::string log = work + ".log";
      Outcome rerun = RunFaulted(cmd, 0, "crash", "", log);
      EXPECT_EQ(rerun.exit_code, 0) << "a clean rerun completes: " << testing::ReadFile(log);
      after_rerun();
      if (::testing::Test::HasFailure()) return;  // one broken step is enough to read
    }
    // Nearly every crash kills: a run may make an operation or two fewer than the counted
    // one (when SQLite checkpoints, how libgit2 negotiates), and such a run, like one that
    // absorbed a failed call (SQLite and libgit2 ignore a failed unlink of a file they no
    // longer need), reported success and was checked above to have done all its work.
    if (std::string(mode) == "crash")
      EXPECT_GE(faulted, operations * 9 / 10);
    else
      EXPECT_GT(faulted, 0);
    std::printf("%s: %ld of %ld operations faulted the run\n", mode, faulted, operations);
  }
}

TEST_F(FaultTest, SyncSurvivesAFaultAtEveryOperation) {
  std::string pristine = tmp_.File("pristine"), work = tmp_.File("work");
  fs::create_directories(pristine);
  WriteConfig(pristine);
  PutFeed(1);
  ASSERT_EQ(RunFaulted(Cmd(pristine, "sync"), 0, "crash").exit_code, 0);
  std::string integrity;
  StoreSnapshot before = SnapshotStore(pristine + "/store.db", &integrity);
  ASSERT_EQ(before.size(), 3u);
  PutFeed(2);
  // The reference: the same sync, never failing.
  CopyTree(pristine, work);
  long operations = CountOperations(Cmd(work, "sync"), tmp_.File("count"));
  StoreSnapshot reference = SnapshotStore(work + "/store.db", &integrity);
  ASSERT_EQ(reference.size(), 5u);
  ASSERT_GT(operations, 10);
  ForEveryStep(
      this, pristine, work, Cmd(work, "sync"), operations,
      [&] {
        std::string check;
        StoreSnapshot now = SnapshotStore(work + "/store.db", &check);
        EXPECT_EQ(check, "ok");
        for (const auto& [url, content] : before) {
          auto it = now.find(url);
          ASSERT_NE(it, now.end()) << "lost " << url;
          EXPECT_TRUE(it->second == content || it->second == reference.at(url)) << url;
        }
        for (const auto& [url, content] : now) {
          if (before.count(url)) continue;
          ASSERT_TRUE(reference.count(url)) << "unexpected article " << url;
          EXPECT_EQ(content, reference.at(url)) << url;  // a new article is whole or absent
        }
      },
      [&] {
        std::string check;
        EXPECT_EQ(SnapshotStore(work + "/store.db", &check), reference);
        EXPECT_EQ(check, "ok");
      });
}

TEST_F(FaultTest, BuildSurvivesAFaultAtEveryOperation) {
  std::string pristine = tmp_.File("pristine"), work = tmp_.File("work");
  fs::create_directories(pristine);
  WriteConfig(pristine);
  PutFeed(1);
  ASSERT_EQ(RunFaulted(Cmd(pristine, "sync"), 0, "crash").exit_code, 0);
  ASSERT_EQ(RunFaulted(Cmd(pristine, "build"), 0, "crash").exit_code, 0);
  auto old_site = SnapshotTree(pristine + "/site");
  PutFeed(2);
  ASSERT_EQ(RunFaulted(Cmd(pristine, "sync"), 0, "crash").exit_code, 0);
  CopyTree(pristine, work);
  long operations = CountOperations(Cmd(work, "build"), tmp_.File("count"));
  auto new_site = SnapshotTree(work + "/site");
  ASSERT_NE(old_site, new_site);
  ForEveryStep(
      this, pristine, work, Cmd(work, "build"), operations,
      [&] {
        for (const auto& [path, bytes] : SnapshotTree(work + "/site")) {
          if (IsTempFileName(fs::path(path).filename().string())) continue;
          bool is_old = old_site.count(path) && old_site.at(path) == bytes;
          bool is_new = new_site.count(path) && new_site.at(path) == bytes;
          EXPECT_TRUE(is_old || is_new) << path << " is neither the old page nor the new one";
        }
      },
      [&] {
        EXPECT_EQ(SnapshotTree(work + "/site"), new_site);
        EXPECT_EQ(TempFiles(work + "/site"), std::vector<std::string>{});
      });
}

TEST_F(FaultTest, PublishSurvivesAFaultAtEveryOperation) {
  std::string pristine = tmp_.File("pristine"), work = tmp_.File("work");
  fs::create_directories(work);
  git_port_ = testing::FreeLoopbackPort();
  testing::ChildProcess daemon({"/usr/lib/git-core/git-daemon", "--reuseaddr", "--listen=127.0.0.1",
                                "--port=" + std::to_string(git_port_), "--base-path=" + work,
                                "--export-all", "--enable=receive-pack", work},
                               tmp_.File("git-daemon.log"));
  ASSERT_TRUE(daemon.WaitUntilAccepting(git_port_))
      << testing::ReadFile(tmp_.File("git-daemon.log"));
  // Set up in `work` (where the daemon serves the remote), then keep a pristine copy.
  WriteConfig(work);
  ASSERT_EQ(Git("init -q --bare " + work + "/remote.git"), "");
  std::string remote = "--git-dir=" + work + "/remote.git ";
  PutFeed(1);
  for (const char* verb : {"sync", "build", "publish"})
    ASSERT_EQ(RunFaulted(Cmd(work, verb), 0, "crash").exit_code, 0) << verb;
  std::string old_head = Git(remote + "rev-parse main");
  PutFeed(2);
  for (const char* verb : {"sync", "build"})
    ASSERT_EQ(RunFaulted(Cmd(work, verb), 0, "crash").exit_code, 0) << verb;
  CopyTree(work, pristine);
  long operations = CountOperations(Cmd(work, "publish"), tmp_.File("count"));
  std::string new_tree = Git(remote + "rev-parse main^{tree}");
  ASSERT_NE(Git(remote + "rev-parse main"), old_head);
  ForEveryStep(
      this, pristine, work, Cmd(work, "publish"), operations,
      [&] {
        std::string head = Git(remote + "rev-parse main");
        EXPECT_TRUE(head == old_head || Git(remote + "rev-parse main^{tree}") == new_tree) << head;
        EXPECT_EQ(Git(remote + "fsck --no-progress").find("FAILED"), std::string::npos);
      },
      [&] {
        EXPECT_EQ(Git(remote + "rev-parse main^{tree}"), new_tree);
        EXPECT_EQ(Git("--git-dir=" + work + "/site/.git fsck --no-progress").find("FAILED"),
                  std::string::npos);
        EXPECT_EQ(TempFiles(work + "/site"), std::vector<std::string>{});
      });
}

}  // namespace
}  // namespace samizdat
