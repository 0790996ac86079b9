// `samizdat sync --worker` for real: worker processes of the built binary, a real
// PostgreSQL 15 (tests/pg_server.h) and loopback sites. Four workers share 2,000 articles
// on four hosts; one of them is killed with SIGKILL while it holds a lease. Every article
// must be stored exactly once with one revision, none lost, and no host may ever see two
// requests closer together than its configured delay (checked on the server's clock).
#include "sync/worker.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>

#include "http_server.h"
#include "pg_server.h"
#include "store/pg_store.h"
#include "test_util.h"

namespace samizdat::sync {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;
using testing::PgServer;
using testing::StaticSite;
using testing::TempDir;

constexpr int kHosts = 4;
constexpr int kArticlesPerHost = 500;
constexpr int kDelayMs = 5;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ArticlePage(const std::string& name) {
  std::string paras;
  for (int p = 0; p < 4; ++p)
    paras += "<p>" + name + ", paragraph " + std::to_string(p) +
             ": enough words, with commas, clauses, and detail to read as an article body.</p>";
  return "<html><head><title>" + name + "</title></head><body><article><h1>" + name + "</h1>" +
         paras + "</article></body></html>";
}

// A loopback site: a feed of `n` articles, every request's arrival time recorded, and one
// path (`trap`) whose first request blocks until Release(), so a test can kill the worker
// waiting on it.
class RecordingSite {
 public:
  RecordingSite(int host, int n, std::string trap)
      : trap_(std::move(trap)), server_([this](const HttpRequest& r) { return Handle(r); }) {
    std::string items;
    for (int i = 0; i < n; ++i) {
      const std::string name = "h" + std::to_string(host) + "-" + std::to_string(i);
      site_.Put("/a/" + name + ".htm", ArticlePage(name));
      items = "<item><title>" + name + "</title><link>" + server_.Url("/a/" + name + ".htm") +
              "</link></item>" + items;
    }
    site_.Put("/feed.xml",
              "<rss version=\"2.0\"><channel><title>f</title>" + items + "</channel></rss>",
              "application/rss+xml");
  }
  ~RecordingSite() { Release(); }
  std::string Url(const std::string& path) const { return server_.Url(path); }
  std::vector<int64_t> Arrivals() {
    std::lock_guard<std::mutex> lock(mu_);
    return arrivals_;
  }
  void WaitForTrap() {
    while (!trapped_.load()) trapped_.wait(false);
  }
  void Release() {
    released_ = true;
    released_.notify_all();
  }

 private:
  HttpResponse Handle(const HttpRequest& r) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      arrivals_.push_back(NowMicros());
    }
    if (!trap_.empty() && r.path == trap_ && !trapped_.exchange(true)) {
      trapped_.notify_all();
      while (!released_.load()) released_.wait(false);
    }
    return site_.Handle(r);
  }

  std::string trap_;
  StaticSite site_;
  std::mutex mu_;
  std::vector<int64_t> arrivals_;
  std::atomic<bool> trapped_{false}, released_{false};
  HttpServer server_;
};

std::string WorkerConfig(const std::string& store, const std::vector<std::string>& feeds,
                         int delay_ms) {
  std::string toml = "store = \"" + store + "\"\n[fetch]\nallow_loopback = true\n" +
                     "per_host_delay_ms = " + std::to_string(delay_ms) +
                     "\nmax_retries = 0\n[[channels]]\nid = \"news\"\n";
  for (size_t k = 0; k < feeds.size(); ++k)
    toml += "[[sources]]\nid = \"s" + std::to_string(k) + "\"\nkind = \"rss\"\nurl = \"" +
            feeds[k] + "\"\nchannels = [\"news\"]\ninterval_minutes = 60\n";
  return toml;
}

int64_t Scalar(store::PgStore& pg, const std::string& sql,
               const std::vector<store::PgParam>& p = {}) {
  Result<store::PgRows> r = pg.Query("test", "", sql, p);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() && !r->empty() ? r->Int(0, 0) : -1;
}

TEST(Worker, FourWorkersOneKilledStoreEveryArticleOncePolitely) {
  std::string why;
  PgServer* server = PgServer::Shared(&why);
  if (!server) GTEST_SKIP() << why;
  const std::string uri = server->NewDatabase(&why);
  ASSERT_FALSE(uri.empty()) << why;
  std::vector<std::unique_ptr<RecordingSite>> sites;
  std::vector<std::string> feeds;
  for (int h = 0; h < kHosts; ++h) {
    sites.push_back(std::make_unique<RecordingSite>(
        h, kArticlesPerHost,
        h == 0 ? "/a/h0-" + std::to_string(kArticlesPerHost / 2) + ".htm" : ""));
    feeds.push_back(sites.back()->Url("/feed.xml"));
  }
  TempDir dir;
  testing::WriteFile(dir.File("samizdat.toml"), WorkerConfig(uri, feeds, kDelayMs));
  std::vector<int> pids;
  for (int w = 0; w < 4; ++w)
    pids.push_back(testing::SpawnChild({SAMIZDAT_BINARY, "sync", "--worker", "--config",
                                        dir.File("samizdat.toml"), "--lease-seconds", "3"}));
  // The worker that fetches the trap holds its lease; it dies there.
  sites[0]->WaitForTrap();
  std::string err;
  auto pg = store::PgStore::Open(uri, &err);
  ASSERT_TRUE(pg) << err;
  Result<store::PgRows> owner =
      pg->Query("test", "", "SELECT lease_owner FROM fetch_jobs WHERE url=$1 AND state='leased'",
                {sites[0]->Url("/a/h0-" + std::to_string(kArticlesPerHost / 2) + ".htm")});
  ASSERT_TRUE(owner.ok() && !owner->empty());
  const std::string& name = owner->rows[0][0];
  const int victim = std::stoi(name.substr(name.rfind(':') + 1));
  ASSERT_NE(std::find(pids.begin(), pids.end(), victim), pids.end()) << name;
  ASSERT_EQ(kill(victim, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(victim, &status, 0), victim);
  EXPECT_TRUE(WIFSIGNALED(status));
  sites[0]->Release();
  for (int pid : pids) {
    if (pid == victim) continue;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "worker " << pid;
  }
  const int total = kHosts * kArticlesPerHost;
  EXPECT_EQ(pg->CountArticles().value(), total);
  EXPECT_EQ(pg->CountRevisions().value(), total);  // each revision recorded once
  EXPECT_EQ(Scalar(*pg, "SELECT COUNT(*) FROM memberships"), total);
  EXPECT_EQ(Scalar(*pg, "SELECT COUNT(*) FROM fetch_jobs WHERE state<>'done'"), 0);
  EXPECT_EQ(Scalar(*pg, "SELECT COUNT(*) FROM fetch_jobs WHERE kind='article'"), total);
  // The killed worker's job went to another worker once its lease ran out.
  EXPECT_EQ(Scalar(*pg, "SELECT attempts FROM fetch_jobs WHERE url LIKE $1",
                   {"%/a/h0-" + std::to_string(kArticlesPerHost / 2) + ".htm"}),
            2);
  EXPECT_EQ(pg->IntegrityCheck(), "ok");
  for (int h = 0; h < kHosts; ++h) {
    std::vector<int64_t> at = sites[h]->Arrivals();
    std::sort(at.begin(), at.end());
    EXPECT_EQ(at.size(), static_cast<size_t>(kArticlesPerHost + 1 + (h == 0 ? 1 : 0)))
        << "host " << h << ": one feed and each article once (the trap twice)";
    for (size_t k = 1; k < at.size(); ++k)
      ASSERT_GE(at[k] - at[k - 1], kDelayMs * 1000) << "host " << h << ", request " << k;
  }
}

// sync --worker into PostgreSQL, then the single-process sync and build on the same
// store: the site holds every article.
TEST(Worker, BuildReadsAPostgresStore) {
  std::string why;
  PgServer* server = PgServer::Shared(&why);
  if (!server) GTEST_SKIP() << why;
  const std::string uri = server->NewDatabase(&why);
  ASSERT_FALSE(uri.empty()) << why;
  RecordingSite site(0, 5, "");
  TempDir dir;
  testing::WriteFile(dir.File("samizdat.toml"), WorkerConfig(uri, {site.Url("/feed.xml")}, 0) +
                                                    "[site]\noutput = \"" + dir.File("site") +
                                                    "\"\n");
  testing::RunResult worker =
      testing::RunSamizdat("sync --worker --config " + dir.File("samizdat.toml"));
  ASSERT_EQ(worker.status, 0) << worker.err;
  // The single-process sync runs on the same store (its sources are not due: nothing to do).
  testing::RunResult plain = testing::RunSamizdat("sync --config " + dir.File("samizdat.toml"));
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_NE(plain.out.find("(5 articles, 5 revisions)"), std::string::npos) << plain.out;
  testing::RunResult build = testing::RunSamizdat("build --config " + dir.File("samizdat.toml"));
  ASSERT_EQ(build.status, 0) << build.err;
  EXPECT_NE(build.out.find("5 articles"), std::string::npos) << build.out;
  // A second worker finds the sources read this hour and nothing to do.
  testing::RunResult again =
      testing::RunSamizdat("sync --worker --json --config " + dir.File("samizdat.toml"));
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("\"jobs\": 0"), std::string::npos) << again.out;
}

TEST(Worker, RefusesAnSqliteStore) {
  TempDir dir;
  testing::WriteFile(dir.File("samizdat.toml"), "store = \"s.db\"\n");
  testing::RunResult r =
      testing::RunSamizdat("sync --worker --config " + dir.File("samizdat.toml"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("PostgreSQL"), std::string::npos) << r.err;
}

TEST(Worker, PolitenessHostIsTheUrlAuthority) {
  EXPECT_EQ(PolitenessHost("https://News.Example/a?b"), "news.example");
  EXPECT_EQ(PolitenessHost("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
  EXPECT_EQ(PolitenessHost("http://user@host.test/x"), "host.test");
}

}  // namespace
}  // namespace samizdat::sync
