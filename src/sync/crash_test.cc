// Kill -9 during `samizdat sync` (the real binary, against a loopback site), at a
// deterministic point: the loopback server kills the child when it receives the run's k-th
// request, k moving through the run from trial to trial (the feeds, then each batch of
// articles). After every kill the store passes integrity_check, holds no article twice and
// no article without its revision, and the next sync completes the set. Kills inside a
// commit, at every file operation, are the fault test's (tests/fault_test.cc).
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <atomic>

#include "http_server.h"
#include "store/store.h"
#include "test_util.h"

namespace samizdat::sync {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;
using testing::StaticSite;
using testing::TempDir;

constexpr int kArticles = 40;
constexpr int kRequestsPerRun = 2 + kArticles;  // two feeds, then every article (all changed)
constexpr int kTrials = 20;

int64_t Scalar(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
  int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  return v;
}

TEST(Crash, KillNineNeverCorruptsOrDuplicates) {
  TempDir dir;
  StaticSite site;
  std::atomic<int> requests_seen{0};
  std::atomic<int> kill_at{0};  // the request that kills the child; 0 for none
  std::atomic<pid_t> child{0};
  HttpServer server([&](const HttpRequest& r) {
    HttpResponse resp = site.Handle(r);
    if (++requests_seen == kill_at.load()) {
      pid_t pid;
      while ((pid = child.load()) == 0) child.wait(0);  // set as soon as the spawn returns
      kill(pid, SIGKILL);
    }
    return resp;
  });
  // Runs `samizdat sync`; returns its wait status.
  auto run_sync = [&](int kill_at_request) {
    requests_seen = 0;
    kill_at = kill_at_request;
    child = 0;
    pid_t pid = testing::SpawnChild(
        {SAMIZDAT_BINARY, "sync", "--config", dir.File("samizdat.toml"), "--json"});
    child = pid;
    child.notify_all();
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
  };
  // Every trial publishes a new version of every article, so each run has real work.
  auto publish = [&](int version) {
    std::string items;
    std::string v = std::to_string(version);
    for (int i = 0; i < kArticles; ++i) {
      std::string n = std::to_string(i);
      std::string paras;
      for (int p = 0; p < 5; ++p)
        paras += "<p>Article " + n + " version " + v + ", paragraph " + std::to_string(p) +
                 ": enough words, with commas, clauses, and detail to read as an article body.</p>";
      site.Put("/a/" + n + ".htm", "<html><head><title>Story " + n + " v" + v +
                                       "</title></head><body><article><h1>Story " + n + " v" + v +
                                       "</h1>" + paras + "</article></body></html>");
      char date[64];
      std::snprintf(date, sizeof date, "2026-09-%02dT%02d:%02d:00Z", 1 + version % 28, i / 60,
                    i % 60);
      items += "<item><title>Story " + n + "</title><link>" + server.Url("/a/" + n + ".htm") +
               "</link><pubDate>Sun, 20 Sep 2026 10:00:00 +0000</pubDate>"
               "<atom:updated xmlns:atom=\"http://www.w3.org/2005/Atom\">" +
               std::string(date) + "</atom:updated></item>";
    }
    site.Put("/feed.xml",
             "<rss version=\"2.0\"><channel><title>f</title>" + items + "</channel></rss>",
             "application/rss+xml");
    site.Put("/feed2.xml",
             "<rss version=\"2.0\"><channel><title>g</title>" + items + "</channel></rss>",
             "application/rss+xml");
  };
  publish(0);
  testing::WriteFile(dir.File("samizdat.toml"), R"(
store = "store.db"
[fetch]
allow_loopback = true
per_host_delay_ms = 0
per_host_concurrency = 4
[[channels]]
id = "one"
[[channels]]
id = "two"
[[sources]]
id = "feed"
kind = "rss"
url = ")" + server.Url("/feed.xml") + R"("
channels = ["one"]
[[sources]]
id = "feed2"
kind = "rss"
url = ")" + server.Url("/feed2.xml") + R"("
channels = ["two"]
)");
  // A first complete run fills the store; every trial then has all articles to re-fetch.
  ASSERT_TRUE(WIFEXITED(run_sync(0)));
  for (int trial = 0; trial < kTrials; ++trial) {
    publish(trial + 1);
    const int k = 1 + trial * (kRequestsPerRun - 1) / (kTrials - 1);  // 1 .. kRequestsPerRun
    int status = run_sync(k);
    EXPECT_TRUE(WIFSIGNALED(status)) << "trial " << trial << " ended before request " << k;
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.File("store.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr);
    if (sqlite3_step(st) == SQLITE_ROW) {  // the store may not exist yet after an early kill
      EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "ok")
          << "trial " << trial;
    }
    sqlite3_finalize(st);
    int64_t articles = Scalar(db, "SELECT COUNT(*) FROM articles");
    if (articles >= 0) {
      EXPECT_LE(articles, kArticles);
      EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM articles WHERE current_revision IS NULL"), 0);
      // Revisions are numbered 1..n per article with no gap or duplicate.
      EXPECT_EQ(Scalar(db,
                       "SELECT COUNT(*) FROM (SELECT article FROM revisions GROUP BY article "
                       "HAVING MIN(number)<>1 OR MAX(number)<>COUNT(*))"),
                0)
          << "trial " << trial;
      EXPECT_EQ(Scalar(db,
                       "SELECT COUNT(*) FROM (SELECT canonical_url FROM articles GROUP BY "
                       "canonical_url HAVING COUNT(*)>1)"),
                0);
    }
    sqlite3_close(db);
  }
  // The next sync completes: every article once, in both channels, one revision each.
  int status = run_sync(0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::string err;
  auto store = store::Store::Open(dir.File("store.db"), &err);
  ASSERT_TRUE(store) << err;
  EXPECT_EQ(store->IntegrityCheck(), "ok");
  EXPECT_EQ(store->CountArticles().value(), kArticles);
  EXPECT_GE(store->CountRevisions().value(), kArticles);
  // Every article holds the last published version.
  EXPECT_EQ(Scalar(store->db(),
                   "SELECT COUNT(*) FROM articles a JOIN revisions r ON r.id=a.current_revision "
                   "WHERE r.title LIKE '% v20'"),
            kArticles);
  EXPECT_EQ(Scalar(store->db(), "SELECT COUNT(*) FROM memberships"), 2 * kArticles);
}

}  // namespace
}  // namespace samizdat::sync
