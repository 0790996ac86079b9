// `samizdat build` over a store of synthetic articles (default 100,000 in 10 channels):
// a full build into an empty directory, a build with nothing new, and an incremental
// build after 100 new articles. Each build runs the real binary as a child process;
// its wall time, CPU time and peak RSS are printed in a table, with the goals for a store
// of 1,000,000 articles (peak RSS of the full build <= 256 MiB, a rebuild with nothing new
// <= 2 s); a smaller store gives the per-article figures to extrapolate from.
//   build/build_bench [ARTICLES] [DIR]
// SAMIZDAT_BENCH_BINARY=/path/to/samizdat measures another build of the binary.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "store/store.h"
#include "test_util.h"

namespace {

void Fill(samizdat::store::Store& store, int from, int to, int64_t now) {
  sqlite3_exec(store.db(), "PRAGMA synchronous=OFF", nullptr, nullptr, nullptr);  // set-up only
  for (int i = from; i < to; ++i) {
    samizdat::store::ArticleInput in;
    in.canonical_url = "https://news.example.org/" + std::to_string(i) + ".html";
    in.article_id = "n" + std::to_string(i);
    in.memberships = {{"ch" + std::to_string(i % 10), "s"}};
    if (i % 7 == 0) in.memberships.push_back({"ch" + std::to_string((i + 3) % 10), "s"});
    in.title = "第" + std::to_string(i) + "篇：合成的新闻标题，用于测量";
    in.html = "<p>这是第" + std::to_string(i) +
              "篇合成文章的第一段，内容足够长，带有逗号，也带有句号。</p><p>第二段，<a "
              "href=\"https://news.example.org/" +
              std::to_string(i / 2) + ".html\">相关文章</a>。</p><h2>小标题</h2><p>第三段。</p>";
    in.raw_body = in.html;
    samizdat::Result<samizdat::store::SaveOutcome> saved = store.SaveArticle(in, now + i);
    if (!saved.ok()) {
      std::fprintf(stderr, "%s\n", saved.status().ToString().c_str());
      std::exit(1);
    }
  }
}

std::string Binary() {
  const char* other = std::getenv("SAMIZDAT_BENCH_BINARY");
  return other && *other ? other : SAMIZDAT_BINARY;
}

void PrintRow(const char* what, const samizdat::testing::ChildRun& r) {
  std::printf("| %s | %d | %.2f | %.2f | %.1f |\n", what, r.status, r.wall_s, r.cpu_s,
              r.max_rss_mib);
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  std::string dir = argc > 2
                        ? argv[2]
                        : std::filesystem::temp_directory_path().string() + "/samizdat-build-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string config =
      "store = \"store.db\"\n[site]\ntitle = \"bench\"\ntheme = \"classic\"\noutput = \"site\"\n"
      "link_policy = \"neutralize\"\nheading_shift = 2\nmenu = \"#### [首页](../../../..)\"\n";
  for (int c = 0; c < 10; ++c)
    config += "[[channels]]\nid = \"ch" + std::to_string(c) + "\"\nname = \"频道" +
              std::to_string(c) + "\"\ngroup = \"新闻\"\n";
  samizdat::testing::WriteFile(dir + "/samizdat.toml", config);
  {
    std::string err;
    auto store = samizdat::store::Store::Open(dir + "/store.db", &err);
    auto t0 = std::chrono::steady_clock::now();
    Fill(*store, 0, n, 1790000000);
    std::printf("set-up: %d articles stored in %.1f s\n", n,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::vector<std::string> cmd = {Binary(), "build", "--config", dir + "/samizdat.toml"};
  auto full = samizdat::testing::RunChild(cmd);
  auto idle = samizdat::testing::RunChild(cmd);
  {
    std::string err;
    auto store = samizdat::store::Store::Open(dir + "/store.db", &err);
    Fill(*store, n, n + 100, 1790000000 + n + 1000);
  }
  auto inc = samizdat::testing::RunChild(cmd);
  std::printf("%s: build of %d articles\n", Binary().c_str(), n);
  std::printf("| build | exit | wall s | CPU s | peak RSS MiB |\n|---|---|---|---|---|\n");
  PrintRow("full", full);
  PrintRow("nothing new", idle);
  PrintRow("100 new articles", inc);
  double scale = 1e6 / n;
  std::printf(
      "scaled to 1,000,000 articles (linear): full build peak RSS ~%.0f MiB (goal <= 256), "
      "rebuild with nothing new ~%.1f s CPU (goal <= 2 s)\n",
      full.max_rss_mib * scale, idle.cpu_s * scale);
  return 0;
}
