// A source's own fetch limits reach every request sync makes for it: its feed and its
// articles. Two sources share one scripted loopback server that always answers 503; the
// one with max_retries = 0 is asked once per URL while the other retries. Retries wait on
// a fake clock, so the test takes no real time beyond the transfers.
#include <gtest/gtest.h>

#include "http_server.h"
#include "sync/sync.h"
#include "test_util.h"
#include "util/clock.h"

namespace samizdat::sync {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;
using testing::TempDir;

std::string Rss(const std::string& article_url) {
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>"
         "<item><title>An article</title><link>" +
         article_url + "</link></item></channel></rss>";
}

int Count(const std::vector<HttpRequest>& requests, const std::string& path) {
  int n = 0;
  for (const auto& r : requests) n += r.path == path;
  return n;
}

TEST(SourceOverrides, MaxRetriesOfOneSourceLimitsOnlyItsOwnRequests) {
  HttpServer* self = nullptr;
  HttpServer server([&](const HttpRequest& req) {
    if (req.path == "/strict.xml") return HttpResponse{200, {}, Rss(self->Url("/strict.htm"))};
    if (req.path == "/patient.xml") return HttpResponse{200, {}, Rss(self->Url("/patient.htm"))};
    return HttpResponse{503, {}, "busy"};  // articles and the *-down feeds
  });
  self = &server;
  std::string text =
      "[fetch]\nallow_loopback = true\nper_host_delay_ms = 0\nmax_retries = 2\n"
      "[[channels]]\nid = \"c\"\n";
  auto source = [&](const std::string& id, const std::string& extra) {
    return "[[sources]]\nid = \"" + id + "\"\nkind = \"rss\"\nurl = \"" +
           server.Url("/" + id + ".xml") + "\"\nchannels = [\"c\"]\n" + extra;
  };
  text += source("strict", "max_retries = 0\n") + source("strict-down", "max_retries = 0\n") +
          source("patient", "") + source("patient-down", "");
  TempDir dir;
  std::string err;
  auto cfg = config::ParseConfig(text, "samizdat.toml", dir.path(), &err);
  ASSERT_TRUE(cfg) << err;
  auto store = store::Store::Open(dir.File("store.db"), &err);
  ASSERT_TRUE(store) << err;
  FakeClock clock;
  SeededRandom random(7);
  auto http = fetch::NewCurlHttpClient(cfg->fetch, nullptr, &clock, &random);
  SyncReport report = RunSync(*cfg, *store, *http, extract::ProfileSet::BuiltIn(), {});
  EXPECT_TRUE(report.AnyFailed());
  auto requests = server.requests();
  EXPECT_EQ(Count(requests, "/strict-down.xml"), 1);
  EXPECT_EQ(Count(requests, "/strict.htm"), 1);
  EXPECT_EQ(Count(requests, "/patient-down.xml"), 3);
  EXPECT_EQ(Count(requests, "/patient.htm"), 3);
  EXPECT_GT(clock.slept_ms(), 0);  // the retries waited, on the fake clock
}

}  // namespace
}  // namespace samizdat::sync
