#include "fetch/fetcher.h"

#include <gtest/gtest.h>

#include <atomic>

#include "http_server.h"
#include "test_util.h"

namespace samizdat::fetch {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;

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

Response FetchOne(const FetchOptions& o, Request r) {
  auto client = NewCurlHttpClient(o);
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

TEST(Fetcher, TooManyRequestsHonoursRetryAfter) {
  std::atomic<int> calls{0};
  HttpServer server([&](const HttpRequest&) {
    HttpResponse r;
    if (++calls == 1) {
      r.status = 429;
      r.headers = {{"Retry-After", "1"}};
    } else {
      r.body = "finally";
    }
    return r;
  });
  auto t0 = std::chrono::steady_clock::now();
  Response r = FetchOne(TestOptions(), {server.Url("/rate")});
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.body, "finally");
  // Behaviour, not speed: the retry came after the server's Retry-After.
  EXPECT_GE(waited, std::chrono::milliseconds(950));
  HttpServer later([](const HttpRequest&) {
    return HttpResponse{429, {{"Retry-After", "86400"}}, ""};
  });
  Response giveup = FetchOne(TestOptions(), {later.Url("/rate")});
  EXPECT_FALSE(giveup.ok);
  EXPECT_NE(giveup.error.find("Retry-After"), std::string::npos) << giveup.error;
}

TEST(Fetcher, TimeoutSlowDripTruncationAndSize) {
  HttpServer server([](const HttpRequest& req) {
    HttpResponse r;
    r.body = std::string(20000, 'x');
    if (req.path == "/hang") r.delay_ms = 4000;
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
