// Throughput of the core pipeline over ../shared/datasets/perf-pages (94 real pages):
//   BM_GumboParse           gumbo's parse alone (the reference floor)
//   BM_ParseToDom           gumbo + conversion into the arena DOM
//   BM_ExtractCleanMarkdown charset + parse + extract + clean + Markdown
// Run with --pipeline-rss to process the pages once, one at a time from disk, and print
// MB/s and peak RSS for the full pipeline alone (what a user's process would see).
// Pin to one core for per-core figures: taskset -c 0 build/extract_bench
#include <benchmark/benchmark.h>
#include <gumbo.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "clean/clean.h"
#include "extract/extract.h"
#include "html/charset.h"
#include "html/parser.h"
#include "render/markdown.h"

namespace {

std::string PagesDir() {
  if (const char* env = std::getenv("SAMIZDAT_PERF_PAGES")) return env;
  return std::string(SAMIZDAT_SOURCE_DIR) + "/../shared/datasets/perf-pages";
}

std::vector<std::string> PagePaths() {
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(PagesDir(), ec))
    if (e.path().extension() == ".html") paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::vector<std::string>& Pages() {
  static std::vector<std::string> pages = [] {
    std::vector<std::string> out;
    for (const auto& p : PagePaths()) out.push_back(ReadAll(p));
    return out;
  }();
  return pages;
}

const std::vector<std::string>& Utf8Pages() {
  static std::vector<std::string> pages = [] {
    std::vector<std::string> out;
    for (const auto& p : Pages()) out.push_back(samizdat::html::DecodeHtml(p).utf8);
    return out;
  }();
  return pages;
}

size_t TotalBytes() {
  size_t n = 0;
  for (const auto& p : Pages()) n += p.size();
  return n;
}

std::string ProcessOne(const std::string& bytes) {
  samizdat::extract::ExtractOptions eo;
  auto a = samizdat::extract::Extract(bytes, eo);
  samizdat::clean::CleanArticle(a, {});
  return samizdat::render::ToMarkdown(a.body);
}

void BM_GumboParse(benchmark::State& state) {
  if (Pages().empty()) return state.SkipWithError("perf-pages not found");
  for (auto _ : state) {
    for (const auto& p : Utf8Pages()) {
      GumboOptions o = kGumboDefaultOptions;
      o.max_errors = 0;
      GumboOutput* out = gumbo_parse_with_options(&o, p.data(), p.size());
      benchmark::DoNotOptimize(out);
      gumbo_destroy_output(&o, out);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes()));
}
BENCHMARK(BM_GumboParse)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ParseToDom(benchmark::State& state) {
  if (Pages().empty()) return state.SkipWithError("perf-pages not found");
  for (auto _ : state) {
    for (const auto& p : Utf8Pages()) {
      auto doc = samizdat::html::ParseHtml(p);
      benchmark::DoNotOptimize(doc.get());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes()));
}
BENCHMARK(BM_ParseToDom)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ExtractCleanMarkdown(benchmark::State& state) {
  if (Pages().empty()) return state.SkipWithError("perf-pages not found");
  for (auto _ : state) {
    for (const auto& p : Pages()) benchmark::DoNotOptimize(ProcessOne(p));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes()));
}
BENCHMARK(BM_ExtractCleanMarkdown)->Unit(benchmark::kMillisecond)->UseRealTime();

int PipelineRss() {
  auto paths = PagePaths();
  if (paths.empty()) {
    std::printf("perf-pages not found at %s; nothing measured\n", PagesDir().c_str());
    return 0;
  }
  size_t bytes = 0, md_bytes = 0;
  auto start = std::chrono::steady_clock::now();
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  for (const auto& path : paths) {
    std::string page = ReadAll(path);
    bytes += page.size();
    md_bytes += ProcessOne(page).size();
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  double cpu = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) +
               (after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e6 +
               (after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
               (after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6;
  std::printf(
      "pipeline: %zu pages, %.1f MB in %.3f s wall, %.3f s CPU: %.1f MB/s per core; "
      "peak RSS %.1f MiB; %zu bytes of Markdown\n",
      paths.size(), bytes / 1e6, seconds, cpu, bytes / 1e6 / cpu, after.ru_maxrss / 1024.0,
      md_bytes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--pipeline-rss") == 0) return PipelineRss();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS (whole benchmark process, pages held in memory): %.1f MiB\n",
              ru.ru_maxrss / 1024.0);
  return 0;
}
