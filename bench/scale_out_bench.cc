// Scale-out: `samizdat sync --worker` throughput with 1, 2 and 4 workers (the real binary,
// as child processes) against loopback sites that answer every request after a fixed
// latency, on a real PostgreSQL 15 (tests/pg_server.h); and the store's per-article write
// cost, SQLite against PostgreSQL. Prints the tables of bench/SCALE_OUT.md.
//   build/scale_out_bench [ARTICLES_PER_HOST] [HOSTS] [LATENCY_MS]

#include <sys/resource.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "http_server.h"
#include "pg_server.h"
#include "store/article_store.h"
#include "test_util.h"

using samizdat::testing::HttpRequest;
using samizdat::testing::HttpResponse;
using samizdat::testing::HttpServer;
using samizdat::testing::PgServer;
using samizdat::testing::StaticSite;
using samizdat::testing::TempDir;

namespace {

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

double ChildrenCpuSeconds() {
  struct rusage ru {};
  getrusage(RUSAGE_CHILDREN, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

std::string Page(const std::string& name) {
  std::string paras;
  for (int p = 0; p < 4; ++p)
    paras += "<p>" + name + ", paragraph " + std::to_string(p) +
             ": a paragraph with words, commas, and some detail to extract.</p>";
  return "<html><head><title>" + name + "</title></head><body><article><h1>" + name + "</h1>" +
         paras + "</article></body></html>";
}

// One loopback host: a feed of `n` articles; every response waits `latency_ms` first.
struct Site {
  StaticSite pages;
  int latency_ms;
  HttpServer server;
  Site(int host, int n, int latency)
      : latency_ms(latency), server([this](const HttpRequest& r) {
          HttpResponse resp = pages.Handle(r);
          resp.delay_ms = latency_ms;
          return resp;
        }) {
    std::string items;
    for (int i = 0; i < n; ++i) {
      std::string name = "h" + std::to_string(host) + "-" + std::to_string(i);
      pages.Put("/a/" + name + ".htm", Page(name));
      items += "<item><title>" + name + "</title><link>" + server.Url("/a/" + name + ".htm") +
               "</link></item>";
    }
    pages.Put("/feed.xml",
              "<rss version=\"2.0\"><channel><title>f</title>" + items + "</channel></rss>",
              "application/rss+xml");
  }
};

void RunWorkers(PgServer& pg, std::vector<std::unique_ptr<Site>>& sites, int workers,
                int articles) {
  std::string why;
  std::string uri = pg.NewDatabase(&why);
  TempDir dir;
  std::string toml = "store = \"" + uri +
                     "\"\n[fetch]\nallow_loopback = true\nper_host_delay_ms = 0\n"
                     "[[channels]]\nid = \"c\"\n";
  for (size_t k = 0; k < sites.size(); ++k)
    toml += "[[sources]]\nid = \"s" + std::to_string(k) + "\"\nkind = \"rss\"\nurl = \"" +
            sites[k]->server.Url("/feed.xml") + "\"\nchannels = [\"c\"]\n";
  samizdat::testing::WriteFile(dir.File("samizdat.toml"), toml);
  const double cpu0 = ChildrenCpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  std::vector<int> pids;
  for (int w = 0; w < workers; ++w)
    pids.push_back(samizdat::testing::SpawnChild(
        {SAMIZDAT_BINARY, "sync", "--worker", "--config", dir.File("samizdat.toml")}));
  for (int pid : pids) waitpid(pid, nullptr, 0);
  const double wall = Seconds(std::chrono::steady_clock::now() - t0);
  const double cpu = ChildrenCpuSeconds() - cpu0;
  std::string error;
  auto store = samizdat::store::OpenStore(uri, &error);
  samizdat::Result<int64_t> count =
      store ? store->CountArticles() : samizdat::Result<int64_t>(samizdat::Status::IoError(error));
  const int64_t stored = count.ok() ? *count : -1;
  std::printf("| %d | %d | %lld | %.2f | %.1f | %.2f |\n", workers, articles,
              static_cast<long long>(stored), wall, stored / wall, cpu);
}

void WriteCost(const std::string& name, const std::string& location, int n) {
  std::string error;
  auto store = samizdat::store::OpenStore(location, &error);
  if (!store) {
    std::printf("| %s | cannot open: %s |\n", name.c_str(), error.c_str());
    return;
  }
  const double cpu0 = ProcessCpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    samizdat::store::ArticleInput in;
    in.canonical_url = "https://bench.test/a/" + std::to_string(i);
    in.article_id = "a" + std::to_string(i);
    in.memberships = {{"c", "s"}};
    in.title = "Article " + std::to_string(i);
    in.html = Page(in.title);
    in.text = in.title;
    in.raw_body = Page(in.title);
    (void)store->SaveArticle(in, 1000 + i);
  }
  const double wall = Seconds(std::chrono::steady_clock::now() - t0);
  const double cpu = ProcessCpuSeconds() - cpu0;
  std::printf("| %s | %d | %.3f | %.1f | %.3f |\n", name.c_str(), n, wall * 1000 / n, n / wall,
              cpu * 1000 / n);
}

}  // namespace

int main(int argc, char** argv) {
  const int per_host = argc > 1 ? std::atoi(argv[1]) : 50;
  const int hosts = argc > 2 ? std::atoi(argv[2]) : 8;
  const int latency = argc > 3 ? std::atoi(argv[3]) : 20;
  std::string why;
  std::unique_ptr<PgServer> pg = PgServer::Start(&why, /*durable=*/true);
  if (!pg) {
    std::fprintf(stderr, "scale_out_bench: %s\n", why.c_str());
    return 1;
  }
  std::vector<std::unique_ptr<Site>> sites;
  for (int h = 0; h < hosts; ++h) sites.push_back(std::make_unique<Site>(h, per_host, latency));
  std::printf("Workers against %d loopback hosts, %d ms per response, per-host delay 0:\n\n", hosts,
              latency);
  std::printf("| workers | articles | stored | wall s | articles/s | workers' CPU s |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (int workers : {1, 2, 4}) RunWorkers(*pg, sites, workers, hosts * per_host);
  std::printf("\nStore write cost, one connection, SaveArticle of a new article:\n\n");
  std::printf("| store | articles | wall ms/article | articles/s | client CPU ms/article |\n");
  std::printf("|---|---|---|---|---|\n");
  TempDir dir;
  WriteCost("SQLite (WAL, synchronous=FULL)", dir.File("bench.db"), 500);
  WriteCost("PostgreSQL 15 (Unix socket, fsync on)", pg->NewDatabase(&why), 500);
  return 0;
}
