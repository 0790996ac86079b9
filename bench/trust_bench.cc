// Sizes of the trust and offline artefacts on a synthetic mirror (in-process, no network):
// manifest.json bytes per 1,000 pages (signed build of N articles), the EPUB of 100
// articles (text only: images add their own bytes), and the CPU time of signing and verifying.
//   build/trust_bench [ARTICLES]
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "config/config.h"
#include "publish/build.h"
#include "publish/bundle.h"
#include "publish/manifest.h"
#include "store/store.h"
#include "test_util.h"

namespace {

double CpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

void Fill(samizdat::store::Store& store, int count) {
  for (int i = 0; i < count; ++i) {
    samizdat::store::ArticleInput in;
    in.canonical_url = "https://news.example.org/" + std::to_string(i) + ".html";
    in.article_id = "n" + std::to_string(100000 + i);
    in.memberships = {{"ch" + std::to_string(i % 10), "s"}};
    in.title = "第" + std::to_string(i) + "篇：合成的新闻标题，用于测量";
    in.html = "<p>这是第" + std::to_string(i) +
              "篇合成文章的第一段，内容足够长，带有逗号，也带有句号。</p><h2>小标题</h2>"
              "<p>第二段，<b>粗体</b>。</p><p>第三段。</p>";
    if (!store.SaveArticle(in, 1'780'000'000 + i * 600).ok()) std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace samizdat;
  int articles = argc > 1 ? std::atoi(argv[1]) : 5000;
  testing::TempDir dir;
  std::string err;
  auto store = store::Store::Open(dir.File("store.db"), &err);
  if (!store) return 1;
  Fill(*store, articles);
  trust::SecretKey key = trust::GenerateKey();
  testing::WriteFile(dir.File("key"), trust::FormatSecretKeyFile(key, ""));
  std::string toml = "[sign]\nsecret_key = \"key\"\n[site]\noutput = \"site\"\n";
  for (int c = 0; c < 10; ++c)
    toml += "[[channels]]\nid = \"ch" + std::to_string(c) + "\"\nname = \"频道\"\n";
  auto cfg = config::ParseConfig(toml, "samizdat.toml", dir.path(), &err);
  if (!cfg) return 1;
  double t0 = CpuSeconds();
  publish::BuildReport r = publish::BuildSite(*cfg, *store, *Env::Default());
  if (!r.error.empty()) return 1;
  double t1 = CpuSeconds();
  std::string manifest = testing::ReadFile(dir.File("site/manifest.json"));
  auto m = publish::ParseSiteManifest(manifest);
  size_t files = m.ok() ? m->files.size() : 0;
  publish::VerifyOptions vo;
  vo.key = key.Public();
  double t2 = CpuSeconds();
  publish::VerifyReport v = publish::VerifySite(
      *Env::Default(), publish::DirectoryReader(*Env::Default(), cfg->output_dir), vo);
  double t3 = CpuSeconds();
  std::printf(
      "signed build of %d articles: %zu files, manifest.json %zu bytes = %.0f bytes per "
      "1,000 files; build+sign %.2f s CPU, verify %.2f s CPU (%s)\n",
      articles, files, manifest.size(), 1000.0 * manifest.size() / files, t1 - t0, t3 - t2,
      v.ok() ? "ok" : "FAILED");
  publish::BundleSelection sel;
  sel.since = 1'780'000'000 + static_cast<int64_t>(articles - 100) * 600;
  publish::BundleStats stats;
  auto epub = publish::MakeEpubBundle(*cfg, *store, *Env::Default(), sel, &stats);
  if (!epub.ok()) return 1;
  std::printf("EPUB of %d articles (text only): %zu bytes\n", stats.articles, epub->size());
  return 0;
}
