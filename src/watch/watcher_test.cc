// The watch schedule and cycle on a fake clock against a real HTTP server on 127.0.0.1:
// interval and jitter, backoff after failures, Retry-After as a floor, build only after a
// change, reload keeps schedules, and the metrics pass Prometheus' own checker.
#include "watch/watcher.h"
#include "store/store.h"

#include <gtest/gtest.h>

#include "http_server.h"
#include "test_util.h"

namespace samizdat::watch {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;
using testing::StaticSite;
using testing::TempDir;

constexpr int64_t kMinute = 60 * 1000;

TEST(WatchSchedule, IntervalJitterBackoffAndRetryAfter) {
  ScheduleOptions o{10 * kMinute, kMinute, 60 * kMinute};
  SeededRandom random(7);
  for (int i = 0; i < 20; ++i) {
    int64_t d = NextDelayMs(o, 0, 0, 0, random);
    EXPECT_GE(d, 10 * kMinute);
    EXPECT_LE(d, 11 * kMinute);
  }
  o.jitter_ms = 0;
  EXPECT_EQ(NextDelayMs(o, 5 * kMinute, 0, 0, random), 5 * kMinute);  // the source's own
  EXPECT_EQ(NextDelayMs(o, 0, 1, 0, random), 10 * kMinute);
  EXPECT_EQ(NextDelayMs(o, 0, 2, 0, random), 20 * kMinute);
  EXPECT_EQ(NextDelayMs(o, 0, 3, 0, random), 40 * kMinute);
  EXPECT_EQ(NextDelayMs(o, 0, 4, 0, random), 60 * kMinute);             // capped
  EXPECT_EQ(NextDelayMs(o, 0, 1000, 0, random), 60 * kMinute);          // no overflow
  EXPECT_EQ(NextDelayMs(o, 0, 1, 90 * kMinute, random), 90 * kMinute);  // Retry-After
}

TEST(WatchSchedule, RetryAfterInTheFetchError) {
  EXPECT_EQ(RetryAfterInError("HTTP 503 (Retry-After 3600 s exceeds the limit)"), 3600);
  EXPECT_EQ(RetryAfterInError("HTTP 503"), -1);
}

std::string Article(const std::string& title) {
  std::string paras;
  for (int i = 0; i < 4; ++i)
    paras += "<p>" + title + "，这一段的文字足够长，包含逗号，也包含句号。</p>";
  return "<html><head><title>" + title + "</title></head><body><article><h1>" + title + "</h1>" +
         paras + "</article></body></html>";
}

class WatchCycle : public ::testing::Test {
 protected:
  WatchCycle()
      : server_([this](const HttpRequest& r) {
          if (r.path == "/down.xml") {
            HttpResponse down;
            down.status = 503;
            down.headers = {{"Retry-After", std::to_string(retry_after_s_)}};
            return down;
          }
          return site_.Handle(r);
        }) {
    site_.Put("/a1.html", Article("第一篇"));
    PutFeed({"a1"});
  }

  void PutFeed(const std::vector<std::string>& items) {
    std::string rss = "<rss version=\"2.0\"><channel><title>t</title>";
    for (const auto& i : items)
      rss += "<item><title>" + i + "</title><link>" + server_.Url("/" + i + ".html") +
             "</link></item>";
    site_.Put("/feed.xml", rss + "</channel></rss>", "application/rss+xml");
  }

  void SetUp() override {
    std::string err;
    std::string text =
        "store = \"store.db\"\n[fetch]\nallow_loopback = true\n"
        "per_host_delay_ms = 0\nmax_retries = 1\nmax_retry_after_s = 60\n"
        "[[channels]]\nid = \"c\"\n"
        "[[sources]]\nid = \"up\"\nkind = \"rss\"\nchannels = [\"c\"]\nurl = \"" +
        server_.Url("/feed.xml") +
        "\"\n[[sources]]\nid = \"down\"\nkind = \"rss\"\nchannels = [\"c\"]\nurl = \"" +
        server_.Url("/down.xml") + "\"\n";
    cfg_ = config::ParseConfig(text, "samizdat.toml", dir_.path(), &err);
    ASSERT_TRUE(cfg_) << err;
    store_ = store::Store::Open(dir_.File("store.db"), &err);
    ASSERT_TRUE(store_) << err;
    http_ = fetch::NewCurlHttpClient(cfg_->fetch, nullptr, &clock_, &random_);
    WatchContext ctx;
    ctx.store = store_.get();
    ctx.http = http_.get();
    ctx.profiles = &extract::ProfileSet::BuiltIn();
    ctx.clock = &clock_;
    ctx.random = &random_;
    ctx.metrics = &metrics_;
    ctx.schedule = {10 * kMinute, 0, 60 * kMinute};
    ctx.log = [this](const std::string&, const std::string& event,
                     const std::vector<std::pair<std::string, std::string>>&) {
      events_.push_back(event);
    };
    ctx.build_and_publish = [this] {
      ++builds_;
      return true;
    };
    watcher_ = std::make_unique<Watcher>(std::move(ctx));
    watcher_->SetConfig(*cfg_);
  }

  FakeClock clock_;
  SeededRandom random_{1};
  StaticSite site_;
  HttpServer server_;
  int retry_after_s_ = 0;
  TempDir dir_;
  std::optional<config::Config> cfg_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<fetch::HttpClient> http_;
  WatchMetrics metrics_;
  std::unique_ptr<Watcher> watcher_;
  std::vector<std::string> events_;
  int builds_ = 0;
};

TEST_F(WatchCycle, SyncsDueSourcesAndBuildsOnlyAfterAChange) {
  int64_t start = clock_.MonotonicMs();
  CycleResult first = watcher_->RunCycle();
  EXPECT_EQ(first.sources_synced, 2);
  EXPECT_EQ(first.articles_stored, 1);
  EXPECT_EQ(builds_, 1);
  EXPECT_GE(watcher_->DueMs("up"), start + 10 * kMinute);
  EXPECT_LE(watcher_->DueMs("up"), clock_.MonotonicMs() + 10 * kMinute);

  EXPECT_EQ(watcher_->RunCycle().sources_synced, 0);  // nothing due yet
  clock_.Advance(10 * kMinute);
  CycleResult unchanged = watcher_->RunCycle();
  EXPECT_EQ(unchanged.articles_stored, 0);
  EXPECT_EQ(builds_, 1);  // no change, no build

  site_.Put("/a2.html", Article("第二篇"));
  PutFeed({"a1", "a2"});
  clock_.Advance(10 * kMinute);
  EXPECT_EQ(watcher_->RunCycle().articles_stored, 1);
  EXPECT_EQ(builds_, 2);
}

TEST_F(WatchCycle, AFailingSourceBacksOffExponentially) {
  int64_t previous_wait = 0;
  for (int failures = 1; failures <= 4; ++failures) {
    watcher_->RunCycle();  // "down" syncs last, so the clock is where it was scheduled
    EXPECT_EQ(watcher_->Failures("down"), failures);
    int64_t wait = watcher_->DueMs("down") - clock_.MonotonicMs();
    EXPECT_EQ(wait, std::min<int64_t>(10 * kMinute << (failures - 1), 60 * kMinute));
    EXPECT_GE(wait, previous_wait);
    previous_wait = wait;
    clock_.Advance(watcher_->DueMs("down") - clock_.MonotonicMs());
  }
  EXPECT_EQ(watcher_->Failures("up"), 0);
}

TEST_F(WatchCycle, ALongRetryAfterIsHonoured) {
  retry_after_s_ = 7200;  // beyond max_retry_after_s: the fetcher gives up and reports it
  watcher_->RunCycle();
  EXPECT_EQ(watcher_->DueMs("down") - clock_.MonotonicMs(), 7200 * 1000);
}

TEST_F(WatchCycle, ReloadKeepsSchedulesAndAddsNewSourcesDueNow) {
  watcher_->RunCycle();
  int64_t up_due = watcher_->DueMs("up");
  config::Config next = *cfg_;
  next.sources.erase(next.sources.begin() + 1);  // "down" goes
  next.sources.push_back(next.sources[0]);
  next.sources.back().id = "again";
  watcher_->SetConfig(next);
  EXPECT_EQ(watcher_->DueMs("up"), up_due);
  EXPECT_EQ(watcher_->DueMs("again"), clock_.MonotonicMs());
  EXPECT_EQ(watcher_->NextDueMs(), clock_.MonotonicMs());
  EXPECT_THROW(watcher_->DueMs("down"), std::out_of_range);
}

TEST_F(WatchCycle, MetricsPassPromtool) {
  watcher_->RunCycle();
  metrics_.RecordBuild(1500, true);
  metrics_.SetStoreSize(4096);
  std::string text = metrics_.Render();
  EXPECT_NE(text.find("samizdat_source_fetches_total{source=\"up\"} "), std::string::npos);
  EXPECT_NE(text.find("samizdat_source_errors_total{source=\"down\",kind=\"http\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("samizdat_source_articles_total{source=\"up\",change=\"new\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("samizdat_source_healthy{source=\"up\"} 1"), std::string::npos);
  EXPECT_NE(text.find("samizdat_store_size_bytes 4096"), std::string::npos);
  std::string promtool = testing::FindProgram("promtool");
  if (promtool.empty()) GTEST_SKIP() << "promtool not installed (scripts/install-deps.sh)";
  testing::WriteFile(dir_.File("metrics.txt"), text);
  auto run = testing::RunChild({"/bin/sh", "-c",
                                promtool + " check metrics < " + dir_.File("metrics.txt") + " > " +
                                    dir_.File("promtool.txt") + " 2>&1"});
  EXPECT_EQ(run.status, 0) << testing::ReadFile(dir_.File("promtool.txt")) << text;
}

}  // namespace
}  // namespace samizdat::watch
