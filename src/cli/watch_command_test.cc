// `samizdat watch` as operators run it: the real binary against a real HTTP server on
// 127.0.0.1, its metrics checked by promtool, one instance per store, SIGHUP reloads,
// SIGTERM exits 0.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "fetch/fetcher.h"
#include "http_server.h"
#include "test_util.h"

namespace samizdat {
namespace {

using testing::HttpRequest;
using testing::HttpServer;
using testing::StaticSite;
using testing::TempDir;

// Waits (polling) until `done` holds or `limit_ms` passes; whether it held. A bound on a
// wait for the daemon, not a timing assertion.
bool WaitUntil(const std::function<bool()>& done, int limit_ms = 20000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(limit_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

fetch::Response Get(const std::string& url) {
  fetch::FetchOptions fo;
  fo.allow_loopback = fo.allow_private = true;
  fo.max_retries = 0;
  return fetch::NewCurlHttpClient(fo)->FetchAll({{url}})[0];
}

std::string Article(const std::string& title) {
  std::string paras;
  for (int i = 0; i < 4; ++i)
    paras += "<p>" + title + "，这一段的文字足够长，包含逗号，也包含句号。</p>";
  return "<html><head><title>" + title + "</title></head><body><article><h1>" + title + "</h1>" +
         paras + "</article></body></html>";
}

class WatchDaemon : public ::testing::Test {
 protected:
  WatchDaemon() : server_([this](const HttpRequest& r) { return site_.Handle(r); }) {
    site_.Put("/a1.html", Article("第一篇"));
    site_.Put("/feed.xml",
              "<rss version=\"2.0\"><channel><title>t</title><item><title>a1</title><link>" +
                  server_.Url("/a1.html") + "</link></item></channel></rss>",
              "application/rss+xml");
    config_ = dir_.File("samizdat.toml");
    testing::WriteFile(config_,
                       "store = \"store.db\"\n[site]\noutput = \"site\"\n[fetch]\n"
                       "allow_loopback = true\nper_host_delay_ms = 0\n[[channels]]\nid = \"c\"\n"
                       "[[sources]]\nid = \"news\"\nkind = \"rss\"\nchannels = [\"c\"]\nurl = \"" +
                           server_.Url("/feed.xml") + "\"\n");
    port_ = testing::FreeLoopbackPort();
    metrics_ = "http://127.0.0.1:" + std::to_string(port_);
  }

  std::unique_ptr<testing::ChildProcess> Start() {
    return std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{SAMIZDAT_BINARY, "watch", "--config", config_, "--metrics",
                                 "127.0.0.1:" + std::to_string(port_), "--no-publish", "--jitter",
                                 "0"},
        dir_.File("watch.log"));
  }

  std::string Log() const { return testing::ReadFile(dir_.File("watch.log")); }

  StaticSite site_;
  HttpServer server_;
  TempDir dir_;
  std::string config_, metrics_;
  int port_ = 0;
};

TEST_F(WatchDaemon, SyncsServesMetricsReloadsAndStopsCleanly) {
  auto daemon = Start();
  ASSERT_TRUE(daemon->WaitUntilAccepting(port_)) << Log();
  ASSERT_TRUE(WaitUntil([&] { return Get(metrics_ + "/healthz").status == 200; })) << Log();
  fetch::Response metrics = Get(metrics_ + "/metrics");
  ASSERT_TRUE(metrics.ok) << metrics.error;
  EXPECT_NE(metrics.body.find("samizdat_source_articles_total{source=\"news\",change=\"new\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("samizdat_build_runs_total 1"), std::string::npos) << metrics.body;
  std::string promtool = testing::FindProgram("promtool");
  if (!promtool.empty()) {
    testing::WriteFile(dir_.File("metrics.txt"), metrics.body);
    auto check = testing::RunChild({"/bin/sh", "-c",
                                    promtool + " check metrics < " + dir_.File("metrics.txt") +
                                        " > " + dir_.File("promtool.txt") + " 2>&1"});
    EXPECT_EQ(check.status, 0) << testing::ReadFile(dir_.File("promtool.txt"));
  }

  // One instance per store: the second names the pid that holds it.
  testing::RunResult second = testing::RunSamizdat("watch --config " + config_);
  EXPECT_EQ(second.status, 75) << second.err;
  EXPECT_NE(second.err.find(std::to_string(daemon->pid())), std::string::npos) << second.err;

  ASSERT_EQ(kill(daemon->pid(), SIGHUP), 0);
  EXPECT_TRUE(WaitUntil([&] { return Log().find("\"event\":\"reloaded\"") != std::string::npos; }))
      << Log();
  EXPECT_FALSE(daemon->Exited());

  ASSERT_EQ(kill(daemon->pid(), SIGTERM), 0);
  ASSERT_TRUE(WaitUntil([&] { return daemon->Exited(); }, 10000)) << Log();
  EXPECT_EQ(daemon->status(), 0) << Log();
  EXPECT_NE(Log().find("\"event\":\"stopped\""), std::string::npos) << Log();
  for (const char* event : {"started", "source_synced", "built"})
    EXPECT_NE(Log().find(std::string("\"event\":\"") + event + "\""), std::string::npos) << event;
}

}  // namespace
}  // namespace samizdat
