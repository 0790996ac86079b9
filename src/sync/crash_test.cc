// Kill -9 at random points during `samizdat sync` (the real binary, against a loopback
// site): after every kill the store passes integrity_check, holds no article twice and no
// article without its revision, and the next sync completes the set.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <chrono>
#include <random>
#include <thread>

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

int64_t Scalar(sqlite3* db, const char* sql) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
  int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  return v;
}

TEST(Crash, KillNineNeverCorruptsOrDuplicates) {
  StaticSite site;
  HttpServer server([&](const HttpRequest& r) {
    HttpResponse resp = site.Handle(r);
    if (r.path.rfind("/a/", 0) == 0) resp.delay_ms = 5;  // spread the run out a little
    return resp;
  });
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
  TempDir dir;
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
  std::mt19937 rng(20261124);
  // Calibrate: one complete run (the first, on an empty store) sets the kill window, so
  // kills land anywhere from start-up through fetching to the stream of commits.
  auto t0 = std::chrono::steady_clock::now();
  {
    pid_t pid = testing::SpawnChild(
        {SAMIZDAT_BINARY, "sync", "--config", dir.File("samizdat.toml"), "--json"});
    int st = 0;
    waitpid(pid, &st, 0);
  }
  int full_run_ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count());
  // Later runs redo as much work as the first, but machine load varies: kill within the
  // first 70 % of the calibrated time so that most trials land mid-run.
  std::uniform_int_distribution<int> delay_ms(0, std::max(50, full_run_ms * 7 / 10));
  int killed_midway = 0;
  for (int trial = 0; trial < 20; ++trial) {
    publish(trial + 1);
    pid_t pid = testing::SpawnChild(
        {SAMIZDAT_BINARY, "sync", "--config", dir.File("samizdat.toml"), "--json"});
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) ++killed_midway;
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
  EXPECT_GE(killed_midway, 5);  // the trials really did interrupt runs
  // The next sync completes: every article once, in both channels, one revision each.
  pid_t pid = testing::SpawnChild(
      {SAMIZDAT_BINARY, "sync", "--config", dir.File("samizdat.toml"), "--json"});
  int status = 0;
  waitpid(pid, &status, 0);
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
