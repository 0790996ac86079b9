// A no-change sync of 100 feeds served on 127.0.0.1: the second `samizdat sync` (the real
// binary, as a child process) should make conditional requests only and write nothing.
// Prints the child's CPU time, wall time and peak RSS, and what the server saw.
//   build/sync_bench [FEEDS]

#include <cstdio>
#include <string>

#include "http_server.h"
#include "test_util.h"

using samizdat::testing::HttpRequest;
using samizdat::testing::HttpServer;
using samizdat::testing::StaticSite;

int main(int argc, char** argv) {
  int feeds = argc > 1 ? std::atoi(argv[1]) : 100;
  StaticSite site;
  HttpServer server([&](const HttpRequest& r) { return site.Handle(r); });
  samizdat::testing::TempDir dir;
  std::string config =
      "store = \"store.db\"\n[fetch]\nallow_loopback = true\nper_host_delay_ms = 0\n"
      "per_host_concurrency = 8\n[[channels]]\nid = \"c\"\n";
  for (int f = 0; f < feeds; ++f) {
    std::string items;
    for (int i = 0; i < 3; ++i) {
      std::string path = "/f" + std::to_string(f) + "/a" + std::to_string(i) + ".htm";
      std::string paras;
      for (int p = 0; p < 4; ++p)
        paras += "<p>Feed " + std::to_string(f) + " story " + std::to_string(i) +
                 ", a paragraph with words, commas, and some detail to extract.</p>";
      site.Put(path, "<html><head><title>Story</title></head><body><article><h1>Story</h1>" +
                         paras + "</article></body></html>");
      items += "<item><title>Story " + std::to_string(i) + "</title><link>" + server.Url(path) +
               "</link><pubDate>Sun, 20 Sep 2026 10:00:00 +0000</pubDate></item>";
    }
    std::string feed_path = "/f" + std::to_string(f) + "/feed.xml";
    site.Put(feed_path,
             "<rss version=\"2.0\"><channel><title>F</title>" + items + "</channel></rss>",
             "application/rss+xml");
    config += "[[sources]]\nid = \"f" + std::to_string(f) + "\"\nkind = \"rss\"\nurl = \"" +
              server.Url(feed_path) + "\"\nchannels = [\"c\"]\n";
  }
  samizdat::testing::WriteFile(dir.File("samizdat.toml"), config);
  auto sync = [&] {
    return samizdat::testing::RunChild(
        {SAMIZDAT_BINARY, "sync", "--config", dir.File("samizdat.toml"), "--json"});
  };
  samizdat::testing::ChildRun first = sync();
  size_t first_requests = server.requests().size();
  server.ClearRequests();
  samizdat::testing::ChildRun second = sync();
  auto reqs = server.requests();
  size_t conditional = 0;
  for (const auto& r : reqs)
    if (!r.Header("if-none-match").empty()) ++conditional;
  std::printf(
      "first sync:  %d feeds, %zu requests, exit %d, %.3f s CPU, %.3f s wall, peak RSS %.1f MiB\n",
      feeds, first_requests, first.status, first.cpu_s, first.wall_s, first.max_rss_mib);
  std::printf(
      "no-change sync: %zu requests (%zu conditional), exit %d, %.3f s CPU, %.3f s wall, peak RSS "
      "%.1f MiB\n",
      reqs.size(), conditional, second.status, second.cpu_s, second.wall_s, second.max_rss_mib);
  return 0;
}
