// Script conversion speed (publish/variants.h) on the perf pages: for each variant, every
// page's extracted article (title, byline, body text) converted as the build converts it,
// and the raw HTML converted as one string. Reports MB/s of input per CPU second (and per
// wall second, which depends on the machine's load).
//   build/opencc_bench [/path/to/datasets/perf-pages] [rounds]
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "clean/clean.h"
#include "extract/extract.h"
#include "html/serialize.h"
#include "publish/variants.h"

namespace {

namespace fs = std::filesystem;
using samizdat::publish::TextConverter;

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Timing {
  double bytes = 0, cpu = 0, wall = 0;
};

template <typename Fn>
Timing Time(int rounds, double bytes_per_round, Fn fn) {
  double cpu0 = CpuSeconds();
  auto wall0 = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) fn();
  return {bytes_per_round * rounds, CpuSeconds() - cpu0,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count()};
}

void Print(const char* tag, const char* what, const Timing& t) {
  std::printf("%-8s %-14s %8.2f MB  cpu %7.3f s  %7.2f MB/s cpu  %7.2f MB/s wall\n", tag, what,
              t.bytes / 1e6, t.cpu, t.bytes / 1e6 / t.cpu, t.bytes / 1e6 / t.wall);
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = argc > 1 ? argv[1] : SAMIZDAT_SOURCE_DIR "/../shared/datasets/perf-pages";
  int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  std::vector<std::string> pages;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".html") pages.push_back(Read(e.path()));
  if (pages.empty()) {
    std::fprintf(stderr, "no .html pages in %s\n", dir.c_str());
    return 2;
  }
  double html_bytes = 0, article_bytes = 0;
  std::vector<samizdat::extract::Article> articles;
  for (const auto& p : pages) {
    html_bytes += p.size();
    samizdat::extract::ExtractOptions eo;
    eo.url = "https://news.example.org/a/b.html";
    articles.push_back(samizdat::extract::Extract(p, eo));
    samizdat::clean::CleanArticle(articles.back(), {});
    if (articles.back().body)
      article_bytes += samizdat::html::InnerHtml(articles.back().body).size();
  }
  std::printf("%zu pages: %.2f MB of HTML, %.2f MB of article bodies; %d rounds\n", pages.size(),
              html_bytes / 1e6, article_bytes / 1e6, rounds);
  for (const char* tag : {"zh-Hant", "zh-TW", "zh-HK"}) {
    auto converter = TextConverter::Open(*samizdat::publish::FindVariant(tag));
    if (!converter.ok()) {
      std::fprintf(stderr, "%s\n", converter.status().ToString().c_str());
      return 2;
    }
    const TextConverter& c = **converter;
    Print(tag, "raw HTML", Time(rounds, html_bytes, [&] {
            for (const auto& p : pages) c.Convert(p);
          }));
    // The build's path: every text node and alt/title of the article, in place.
    Print(tag, "article tree", Time(1, article_bytes, [&] {
            for (auto& a : articles) samizdat::publish::ConvertArticle(c, a);
          }));
  }
  return 0;
}
