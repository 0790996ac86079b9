// Sync throughput of the real `samizdat sync` binary (a child process) against a site on
// 127.0.0.1 that answers every request after 20 ms with a ~78 KB news page.
//
// Each run syncs ARTICLES new articles (one feed) into a fresh store, pinned with taskset
// to one core and then to two; then a second sync of a many-feed site that changed nothing
// (conditional requests only). Prints one table: wall time, articles per second, the
// child's CPU time per article and its peak RSS. The wall figures depend on what else the
// machine runs; the CPU time per article much less.
//   build/sync_bench [ARTICLES] [RUNS]     (defaults: 600 articles, 1 run per core count)
// SAMIZDAT_BENCH_BINARY=/path/to/samizdat measures another build of the binary.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "http_server.h"
#include "test_util.h"

using samizdat::testing::ChildRun;
using samizdat::testing::HttpRequest;
using samizdat::testing::HttpResponse;
using samizdat::testing::HttpServer;
using samizdat::testing::StaticSite;

namespace {

constexpr int kResponseDelayMs = 20;

std::string Binary() {
  const char* other = std::getenv("SAMIZDAT_BENCH_BINARY");
  return other && *other ? other : SAMIZDAT_BINARY;
}

std::string LoadAverage() {
  char buf[64] = "?";
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (!std::fgets(buf, sizeof buf, f)) buf[0] = 0;
    std::fclose(f);
  }
  std::string s = buf;
  return s.substr(0, s.find('\n'));
}

// A news page of about 78 KB: scripts and styles in the head, a navigation bar, the article
// (headline, byline, lead figure, ~40 paragraphs with inline links), related links, footer.
std::string NewsPage(int n) {
  std::string id = std::to_string(n);
  std::string page =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Story " + id +
      " | The Daily Bench</title><meta property=\"og:title\" content=\"Story " + id +
      "\"><meta name=\"author\" content=\"A. Writer\"><style>";
  for (int i = 0; i < 200; ++i)
    page +=
        ".c" + std::to_string(i) + "{margin:0 auto;padding:4px 8px;color:#333;font:14px/1.4 serif}";
  page += "</style><script>window.dataLayer=[";
  for (int i = 0; i < 150; ++i)
    page += "{\"event\":\"view\",\"slot\":" + std::to_string(i) + ",\"kind\":\"banner\"},";
  page += "{}];</script></head><body><header><nav><ul>";
  for (int i = 0; i < 160; ++i)
    page += "<li class=\"nav-item\"><a href=\"/section/" + std::to_string(i) + "\">Section " +
            std::to_string(i) + "</a></li>";
  page += "</ul></nav></header><main><article><h1>Story " + id +
          "</h1><p class=\"byline\">By A. Writer</p><time datetime=\"2026-09-20T10:00:00Z\">20 "
          "September 2026</time><figure><img src=\"/img/" +
          id + ".jpg\" alt=\"A picture\"><figcaption>The caption of story " + id +
          ".</figcaption></figure>";
  for (int p = 0; p < 82; ++p)
    page += "<p>Paragraph " + std::to_string(p) + " of story " + id +
            ", with enough words to read like reporting: officials said on Tuesday that the "
            "plan, which had been <a href=\"/story/" +
            std::to_string(p) +
            "\">debated for months</a>, would go ahead, although <em>critics</em> warned "
            "that costs, delays and the weather could still change it; residents, for "
            "their part, asked for more detail about the timetable.</p>";
  page += "</article><aside><h2>Related</h2><ul>";
  for (int i = 0; i < 250; ++i)
    page += "<li><a href=\"/related/" + std::to_string(i) + "\">A related headline number " +
            std::to_string(i) + "</a></li>";
  page += "</ul></aside></main><footer>";
  for (int i = 0; i < 60; ++i)
    page += "<a href=\"/about/" + std::to_string(i) + "\">About " + std::to_string(i) + "</a> ";
  page += "</footer></body></html>";
  return page;
}

struct SyncRunFigures {
  int cores = 0;
  int articles = 0;
  ChildRun run;
};

// Serves ARTICLES new articles in one feed and syncs them into a fresh store, the child
// pinned to the first `cores` CPUs.
SyncRunFigures SyncArticles(int articles, int cores, size_t* page_bytes) {
  StaticSite site;
  HttpServer server([&](const HttpRequest& r) {
    HttpResponse resp = site.Handle(r);
    resp.delay_ms = kResponseDelayMs;
    return resp;
  });
  samizdat::testing::TempDir dir;
  std::string items;
  for (int i = 0; i < articles; ++i) {
    std::string path = "/a/" + std::to_string(i) + ".htm";
    std::string page = NewsPage(i);
    *page_bytes = page.size();
    site.Put(path, page);
    items += "<item><title>Story " + std::to_string(i) + "</title><link>" + server.Url(path) +
             "</link><pubDate>Sun, 20 Sep 2026 10:00:00 +0000</pubDate></item>";
  }
  site.Put("/feed.xml",
           "<rss version=\"2.0\"><channel><title>F</title>" + items + "</channel></rss>",
           "application/rss+xml");
  samizdat::testing::WriteFile(
      dir.File("samizdat.toml"),
      "store = \"store.db\"\n[fetch]\nallow_loopback = true\nper_host_delay_ms = 0\n"
      "per_host_concurrency = 8\n[[channels]]\nid = \"c\"\n[[sources]]\nid = \"f\"\nkind = "
      "\"rss\"\nurl = \"" +
          server.Url("/feed.xml") + "\"\nchannels = [\"c\"]\n");
  std::string cpus = cores == 1 ? "0" : "0-" + std::to_string(cores - 1);
  SyncRunFigures f;
  f.cores = cores;
  f.articles = articles;
  f.run = samizdat::testing::RunChild({"/usr/bin/taskset", "-c", cpus, Binary(), "sync", "--config",
                                       dir.File("samizdat.toml"), "--json"});
  return f;
}

// A second sync of `feeds` unchanged feeds (3 small articles each): conditional requests
// only, nothing written.
ChildRun NoChangeSync(int feeds, size_t* requests, size_t* conditional) {
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
      site.Put(path, NewsPage(f * 3 + i));
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
  std::vector<std::string> cmd = {Binary(), "sync", "--config", dir.File("samizdat.toml"),
                                  "--json"};
  samizdat::testing::RunChild(cmd);
  server.ClearRequests();
  ChildRun second = samizdat::testing::RunChild(cmd);
  for (const auto& r : server.requests()) {
    ++*requests;
    if (!r.Header("if-none-match").empty()) ++*conditional;
  }
  return second;
}

}  // namespace

int main(int argc, char** argv) {
  int articles = argc > 1 ? std::atoi(argv[1]) : 600;
  int runs = argc > 2 ? std::atoi(argv[2]) : 1;
  int max_cores = std::min(2, static_cast<int>(std::thread::hardware_concurrency()));
  size_t page_bytes = 0;
  std::vector<SyncRunFigures> figures;
  for (int r = 0; r < runs; ++r)
    for (int cores = 1; cores <= max_cores; ++cores)
      figures.push_back(SyncArticles(articles, cores, &page_bytes));
  std::printf("%s: sync of %d new articles, %.1f KB pages, %d ms per response, load average %s\n",
              Binary().c_str(), articles, page_bytes / 1000.0, kResponseDelayMs,
              LoadAverage().c_str());
  std::printf("| cores | exit | wall s | articles/s | CPU s | CPU ms/article | peak RSS MiB |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  double rate[3] = {0, 0, 0};
  for (const auto& f : figures) {
    double per_s = f.run.wall_s > 0 ? f.articles / f.run.wall_s : 0;
    rate[f.cores] = std::max(rate[f.cores], per_s);
    std::printf("| %d | %d | %.2f | %.1f | %.2f | %.2f | %.1f |\n", f.cores, f.run.status,
                f.run.wall_s, per_s, f.run.cpu_s, 1000.0 * f.run.cpu_s / f.articles,
                f.run.max_rss_mib);
  }
  if (rate[1] > 0 && rate[2] > 0)
    std::printf("two-core / one-core rate: %.2f\n", rate[2] / rate[1]);
  size_t requests = 0, conditional = 0;
  ChildRun idle = NoChangeSync(100, &requests, &conditional);
  std::printf(
      "no-change sync of 100 feeds: %zu requests (%zu conditional), exit %d, %.3f s CPU, %.3f s "
      "wall, peak RSS %.1f MiB\n",
      requests, conditional, idle.status, idle.cpu_s, idle.wall_s, idle.max_rss_mib);
  return 0;
}
