#include "fetch/fetcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "http_server.h"
#include "test_util.h"
#include "util/clock.h"

namespace samizdat::fetch {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;

// A fake clock that records each sleep and may be read from the server's threads (to stamp
// the fake time at which each request arrived). Time moves only when the fetcher sleeps.
class RecordingClock final : public Clock {
 public:
  int64_t MonotonicMs() override { return mono_ms_.load(); }
  int64_t UnixSeconds() override { return kUnixStart + mono_ms_.load() / 1000; }
  void SleepMs(int64_t ms) override {
    if (ms <= 0) return;
    std::lock_guard<std::mutex> lock(mu_);
    sleeps_.push_back(ms);
    mono_ms_ += ms;
  }
  bool IsFake() const override { return true; }
  std::vector<int64_t> sleeps() {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }
  static constexpr int64_t kUnixStart = 1'780'000'000;

 private:
  std::atomic<int64_t> mono_ms_{0};
  std::mutex mu_;
  std::vector<int64_t> sleeps_;
};

// The fake time at which each request reached the server, per path.
class ArrivalLog {
 public:
  explicit ArrivalLog(Clock* clock) : clock_(clock) {}
  void Note(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    at_[path].push_back(clock_->MonotonicMs());
  }
  std::vector<int64_t> At(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    return at_[path];
  }

 private:
  Clock* clock_;
  std::mutex mu_;
  std::map<std::string, std::vector<int64_t>> at_;
};

FetchOptions TestOptions() {
  FetchOptions o;
  o.allow_loopback = true;  // the test server lives on 127.0.0.1
  o.backoff_base_ms = 20;
  o.per_host_delay_ms = 0;
  o.total_timeout_ms = 3000;
  o.connect_timeout_ms = 2000;
  o.low_speed_time_s = 1;
  o.low_speed_bytes_per_sec = 1000;
  o.max_retries = 2;
  return o;
}

// Fetches on a fake clock: retries never wait in real time.
Response FetchOne(const FetchOptions& o, Request r) {
  FakeClock clock;
  SeededRandom random(1);
  auto client = NewCurlHttpClient(o, nullptr, &clock, &random);
  return client->FetchAll({std::move(r)})[0];
}

TEST(Fetcher, ConditionalRequestsAndHeaders) {
  HttpServer server([](const HttpRequest& req) {
    HttpResponse r;
    if (req.Header("if-none-match") == "\"v1\"") {
      r.status = 304;
      return r;
    }
    r.headers = {{"ETag", "\"v1\""},
                 {"Last-Modified", "Sun, 20 Sep 2026 02:00:00 GMT"},
                 {"Content-Type", "application/rss+xml; charset=GBK"}};
    r.body = "feed";
    return r;
  });
  Response first = FetchOne(TestOptions(), {server.Url("/feed.xml")});
  ASSERT_TRUE(first.ok) << first.error;
  EXPECT_EQ(first.body, "feed");
  EXPECT_EQ(first.etag, "\"v1\"");
  EXPECT_EQ(first.charset, "gbk");
  Response second =
      FetchOne(TestOptions(), {server.Url("/feed.xml"), first.etag, first.last_modified});
  EXPECT_TRUE(second.ok);
  EXPECT_TRUE(second.not_modified);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_NE(reqs[0].Header("user-agent").find("samizdat"), std::string::npos);
  EXPECT_EQ(reqs[1].Header("if-modified-since"), "Sun, 20 Sep 2026 02:00:00 GMT");
}

TEST(Fetcher, ServerErrorsAreRetriedThenReported) {
  std::atomic<int> calls{0};
  HttpServer server([&](const HttpRequest&) {
    HttpResponse r;
    r.status = ++calls < 3 ? 503 : 200;
    r.body = "ok";
    return r;
  });
  Response ok = FetchOne(TestOptions(), {server.Url("/flaky")});
  EXPECT_TRUE(ok.ok) << ok.error;
  EXPECT_EQ(ok.attempts, 3);
  HttpServer broken([](const HttpRequest&) { return HttpResponse{500, {}, "boom"}; });
  Response bad = FetchOne(TestOptions(), {broken.Url("/down")});
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.status, 500);
  EXPECT_NE(bad.error.find("HTTP 500"), std::string::npos) << bad.error;
  EXPECT_EQ(bad.attempts, 3);
}

TEST(Fetcher, TooManyRequestsWaitsExactlyTheRetryAfterSeconds) {
  RecordingClock clock;
  SeededRandom random(1);
  ArrivalLog log(&clock);
  std::atomic<int> calls{0};
  HttpServer server([&](const HttpRequest& req) {
    log.Note(req.path);
    HttpResponse r;
    if (++calls == 1) {
      r.status = 429;
      r.headers = {{"Retry-After", "7"}};
    } else {
      r.body = "finally";
    }
    return r;
  });
  FetchOptions o = TestOptions();
  o.backoff_base_ms = 500;  // backoff (500 + up to 500 of jitter) is shorter than 7 s
  auto rs = NewCurlHttpClient(o, nullptr, &clock, &random)->FetchAll({{server.Url("/rate")}});
  EXPECT_TRUE(rs[0].ok) << rs[0].error;
  EXPECT_EQ(rs[0].body, "finally");
  EXPECT_EQ(rs[0].attempts, 2);
  EXPECT_EQ(log.At("/rate"), (std::vector<int64_t>{0, 7000}));
  EXPECT_EQ(clock.sleeps(), (std::vector<int64_t>{7000}));
  EXPECT_EQ(rs[0].elapsed_ms, 7000);
}

TEST(Fetcher, RetryAfterAsAnHttpDateIsMeasuredOnTheClock) {
  RecordingClock clock;
  SeededRandom random(1);
  ArrivalLog log(&clock);
  std::atomic<int> calls{0};
  // 30 s after the fake clock's start: a real clock would read it as long past.
  std::string when = "Thu, 28 May 2026 20:27:10 GMT";
  ASSERT_EQ(ParseRetryAfter(when, RecordingClock::kUnixStart), 30);
  HttpServer server([&](const HttpRequest& req) {
    log.Note(req.path);
    if (++calls == 1) return HttpResponse{503, {{"Retry-After", when}}, ""};
    return HttpResponse{200, {}, "back"};
  });
  auto rs = NewCurlHttpClient(TestOptions(), nullptr, &clock, &random)
                ->FetchAll({{server.Url("/maintenance")}});
  EXPECT_TRUE(rs[0].ok) << rs[0].error;
  EXPECT_EQ(log.At("/maintenance"), (std::vector<int64_t>{0, 30000}));
}

TEST(Fetcher, RetryAfterBeyondTheLimitIsReportedNotWaitedFor) {
  RecordingClock clock;
  SeededRandom random(1);
  HttpServer later([](const HttpRequest&) {
    return HttpResponse{429, {{"Retry-After", "86400"}}, ""};
  });
  auto rs =
      NewCurlHttpClient(TestOptions(), nullptr, &clock, &random)->FetchAll({{later.Url("/rate")}});
  EXPECT_FALSE(rs[0].ok);
  EXPECT_NE(rs[0].error.find("Retry-After 86400 s exceeds the limit"), std::string::npos)
      << rs[0].error;
  EXPECT_EQ(rs[0].attempts, 1);
  EXPECT_TRUE(clock.sleeps().empty());
  EXPECT_EQ(later.requests().size(), 1u);
}

TEST(Fetcher, BackoffDoublesWithSeededJitter) {
  RecordingClock clock;
  SeededRandom random(42);
  ArrivalLog log(&clock);
  HttpServer server([&](const HttpRequest& req) {
    log.Note(req.path);
    return HttpResponse{503, {}, "busy"};
  });
  FetchOptions o = TestOptions();
  o.backoff_base_ms = 500;
  o.max_retries = 3;
  auto rs = NewCurlHttpClient(o, nullptr, &clock, &random)->FetchAll({{server.Url("/busy")}});
  EXPECT_FALSE(rs[0].ok);
  EXPECT_EQ(rs[0].attempts, 4);
  EXPECT_NE(rs[0].error.find("HTTP 503 (after 4 attempts)"), std::string::npos) << rs[0].error;
  // The same seed draws the same jitter: 500·2^k plus a draw from [0, 500] per retry.
  SeededRandom same(42);
  std::vector<int64_t> expected;
  for (int k = 0; k < 3; ++k) expected.push_back((int64_t{500} << k) + same.Uniform(0, 500));
  EXPECT_EQ(clock.sleeps(), expected);
  std::vector<int64_t> arrivals{0};
  for (int64_t d : expected) arrivals.push_back(arrivals.back() + d);
  EXPECT_EQ(log.At("/busy"), arrivals);
}

TEST(Fetcher, PerHostDelaySpacesTheStartsOnAHost) {
  RecordingClock clock;
  SeededRandom random(1);
  ArrivalLog log(&clock);
  HttpServer a([&](const HttpRequest& req) {
    log.Note("a" + req.path);
    return HttpResponse{200, {}, "a"};
  });
  FetchOptions o = TestOptions();
  o.per_host_delay_ms = 250;
  o.per_host_concurrency = 1;
  auto rs = NewCurlHttpClient(o, nullptr, &clock, &random)
                ->FetchAll({{a.Url("/1")}, {a.Url("/2")}, {a.Url("/3")}});
  for (const auto& r : rs) EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(log.At("a/1"), std::vector<int64_t>{0});
  EXPECT_EQ(log.At("a/2"), std::vector<int64_t>{250});
  EXPECT_EQ(log.At("a/3"), std::vector<int64_t>{500});
  EXPECT_EQ(clock.sleeps(), (std::vector<int64_t>{250, 250}));
}

TEST(Fetcher, SourceMaxRetriesOverridesTheOption) {
  RecordingClock clock;
  SeededRandom random(1);
  HttpServer server([](const HttpRequest&) { return HttpResponse{503, {}, "down"}; });
  Request strict{server.Url("/strict")};
  strict.overrides.max_retries = 0;
  Request patient{server.Url("/patient")};  // the option: 2 retries
  auto rs = NewCurlHttpClient(TestOptions(), nullptr, &clock, &random)->FetchAll({strict, patient});
  EXPECT_EQ(rs[0].attempts, 1);
  EXPECT_EQ(rs[1].attempts, 3);
  int strict_calls = 0, patient_calls = 0;
  for (const auto& req : server.requests()) {
    strict_calls += req.path == "/strict";
    patient_calls += req.path == "/patient";
  }
  EXPECT_EQ(strict_calls, 1);
  EXPECT_EQ(patient_calls, 3);
}

TEST(Fetcher, SourcePerHostDelayOverridesTheOption) {
  RecordingClock clock;
  SeededRandom random(1);
  ArrivalLog log(&clock);
  HttpServer server([&](const HttpRequest& req) {
    log.Note(req.path);
    return HttpResponse{200, {}, "ok"};
  });
  FetchOptions o = TestOptions();
  o.per_host_delay_ms = 250;
  o.per_host_concurrency = 1;
  Request slow{server.Url("/slow")};
  slow.overrides.per_host_delay_ms = 1000;
  Request eager{server.Url("/eager")};
  eager.overrides.per_host_delay_ms = 0;
  auto rs = NewCurlHttpClient(o, nullptr, &clock, &random)
                ->FetchAll({{server.Url("/first")}, slow, {server.Url("/plain")}, eager});
  for (const auto& r : rs) EXPECT_TRUE(r.ok) << r.error;
  // Each request waits its own delay after the previous start on the host, so one that
  // needs no delay goes first, and the one that needs the longest goes last.
  EXPECT_EQ(log.At("/first"), std::vector<int64_t>{0});
  EXPECT_EQ(log.At("/eager"), std::vector<int64_t>{0});
  EXPECT_EQ(log.At("/plain"), std::vector<int64_t>{250});
  EXPECT_EQ(log.At("/slow"), std::vector<int64_t>{1250});
  EXPECT_EQ(clock.sleeps(), (std::vector<int64_t>{250, 1000}));
}

TEST(Fetcher, SourceTotalTimeoutOverridesTheOption) {
  HttpServer server([](const HttpRequest&) {
    HttpResponse r;
    r.delay_ms = 600;
    r.body = "late";
    return r;
  });
  FetchOptions o = TestOptions();
  o.max_retries = 0;
  o.total_timeout_ms = 10000;
  Request hurried{server.Url("/hurried")};
  hurried.overrides.total_timeout_ms = 100;
  FakeClock clock;
  SeededRandom random(1);
  auto rs =
      NewCurlHttpClient(o, nullptr, &clock, &random)->FetchAll({hurried, {server.Url("/patient")}});
  EXPECT_FALSE(rs[0].ok);
  EXPECT_NE(rs[0].error.find("timed out"), std::string::npos) << rs[0].error;
  EXPECT_TRUE(rs[1].ok) << rs[1].error;
  EXPECT_EQ(rs[1].body, "late");
}

TEST(Fetcher, TimeoutSlowDripTruncationAndSize) {
  HttpServer server([](const HttpRequest& req) {
    HttpResponse r;
    r.body = std::string(20000, 'x');
    if (req.path == "/hang") r.delay_ms = 2000;
    if (req.path == "/drip") {
      r.drip_bytes = 10;
      r.drip_interval_ms = 200;
    }
    if (req.path == "/cut") r.truncate = true;
    if (req.path == "/reset") r.reset = true;
    return r;
  });
  FetchOptions o = TestOptions();
  o.max_retries = 0;
  o.max_body_bytes = 10000;
  o.total_timeout_ms = 1500;  // /hang answers later; /drip falls below the rate before
  auto client = NewCurlHttpClient(o);
  auto rs = client->FetchAll({{server.Url("/hang")},
                              {server.Url("/drip")},
                              {server.Url("/cut")},
                              {server.Url("/big")},
                              {server.Url("/reset")}});
  for (const auto& r : rs) EXPECT_FALSE(r.ok) << r.url;
  EXPECT_NE(rs[0].error.find("timed out"), std::string::npos) << rs[0].error;
  EXPECT_NE(rs[1].error.find("timed out"), std::string::npos) << rs[1].error;
  EXPECT_FALSE(rs[2].error.empty());
  EXPECT_NE(rs[3].error.find("body exceeds 10000 bytes"), std::string::npos) << rs[3].error;
  EXPECT_FALSE(rs[4].error.empty());
}

TEST(Fetcher, GzipBombStopsAtTheSizeLimit) {
  std::string bomb = testing::GzipOfZeros(64 << 20);
  HttpServer server([&](const HttpRequest&) {
    return HttpResponse{200, {{"Content-Encoding", "gzip"}, {"Content-Type", "text/xml"}}, bomb};
  });
  FetchOptions o = TestOptions();
  o.max_body_bytes = 1 << 20;
  Response r = FetchOne(o, {server.Url("/bomb.xml")});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("body exceeds"), std::string::npos) << r.error;
  EXPECT_TRUE(r.body.empty());
}

TEST(Fetcher, RedirectLoopDnsFailureAndTheAddressGuard) {
  HttpServer server([](const HttpRequest& req) {
    HttpResponse r;
    r.status = 302;
    r.headers = {{"Location", req.path == "/a" ? "/b" : "/a"}};
    return r;
  });
  Response loop = FetchOne(TestOptions(), {server.Url("/a")});
  EXPECT_FALSE(loop.ok);
  EXPECT_NE(loop.error.find("redirects"), std::string::npos) << loop.error;
  Response dns = FetchOne(TestOptions(), {"http://no-such-host.invalid/feed"});
  EXPECT_FALSE(dns.ok);
  EXPECT_NE(dns.error.find("resolve"), std::string::npos) << dns.error;
  FetchOptions strict = TestOptions();
  strict.allow_loopback = false;
  Response refused = FetchOne(strict, {server.Url("/a")});
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.error.find("non-public address 127.0.0.1"), std::string::npos) << refused.error;
  EXPECT_EQ(server.requests().size(), 6u);  // 1 + 5 redirects; the refused one never arrived
}

TEST(Fetcher, PerHostLimitsStillFetchEverything) {
  std::atomic<int> concurrent{0}, peak{0};
  HttpServer server([&](const HttpRequest& req) {
    int now = ++concurrent;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    --concurrent;
    return HttpResponse{200, {}, req.path};
  });
  FetchOptions o = TestOptions();
  o.per_host_concurrency = 2;
  std::vector<Request> reqs;
  for (int i = 0; i < 10; ++i) reqs.push_back({server.Url("/p" + std::to_string(i))});
  auto rs = NewCurlHttpClient(o)->FetchAll(reqs);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(rs[i].body, "/p" + std::to_string(i));
  EXPECT_LE(peak.load(), 2);
}

TEST(Fetcher, RetryAfterValues) {
  EXPECT_EQ(ParseRetryAfter("120", 0), 120);
  EXPECT_EQ(ParseRetryAfter("Sun, 20 Sep 2026 02:00:30 GMT", 1789869600), 30);
  EXPECT_EQ(ParseRetryAfter("soon", 0), -1);
}

}  // namespace
}  // namespace samizdat::fetch
