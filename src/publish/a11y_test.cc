// Accessibility: axe-core in real Chromium (tests/a11y/axe.mjs, installed by
// tests/a11y/install.sh) finds no serious or critical violation on the html theme's pages,
// in light and dark mode. Other page kinds join by adding their path to kPages.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "publish/build.h"
#include "test_util.h"

namespace samizdat::publish {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const std::string kA11yDir = std::string(SAMIZDAT_SOURCE_DIR) + "/tests/a11y";

// The pages checked, relative to the built site.
const std::vector<std::string> kPages = {
    "pages/ch1/n1.html",          // an article, with its share block
    "indexes/ch1/index.html",     // a channel index
    "index.html",                 // the home page
    "zh-Hant/pages/ch1/n1.html",  // an article in the variant tree
    "pages/ch1/n1.history.html",  // a history page (n1 was edited)
    "changes.html",               // the recently-changed page
    "search.html",                // the static search page
};

TEST(A11y, PagesHaveNoSeriousOrCriticalViolations) {
  if (!fs::exists(kA11yDir + "/node_modules/axe-core/axe.min.js") ||
      !fs::exists(kA11yDir + "/node_modules/puppeteer-core") || !fs::exists("/usr/bin/chromium"))
    GTEST_SKIP() << "axe-core, puppeteer-core or chromium missing: run tests/a11y/install.sh";
  TempDir dir;
  std::string err;
  auto store = store::Store::Open(dir.File("store.db"), &err);
  ASSERT_TRUE(store) << err;
  for (int n = 1; n <= 3; ++n) {
    store::ArticleInput in;
    in.canonical_url = "https://news.example/gb/n" + std::to_string(n) + ".htm";
    in.article_id = "n" + std::to_string(n);
    in.memberships.push_back({"ch1", "s"});
    in.title = "新闻标题" + std::to_string(n);
    in.byline = "记者";
    in.published = "2026-09-0" + std::to_string(n) + "T08:00:00+08:00";
    in.html =
        "<p>正文第一段，<a href=\"https://news.example/x\">链接</a>。</p><blockquote>引用"
        "</blockquote><pre>code\n  block</pre><h2>小标题</h2><p>第二段。</p>";
    ASSERT_EQ(store->SaveArticle(in, 1000 + n).status().ToString(), "ok");
    if (n == 1) {  // an edit: n1 gets a history page
      in.html = "<p>正文第一段，已更正。</p><p>第二段。</p>";
      in.text = "正文第一段，已更正。\n第二段。";
      ASSERT_EQ(store->SaveArticle(in, 2000).status().ToString(), "ok");
    }
  }
  auto cfg = config::ParseConfig(
      "[site]\ntitle = \"新闻镜像\"\ntheme = \"html\"\nrehost_images = false\n"
      "variants = [\"zh-Hant\"]\npublic_urls = [\"https://mirror.example/news/\"]\n"
      "[[channels]]\nid = \"ch1\"\nname = \"国际\"\n",
      "samizdat.toml", dir.path(), &err);
  ASSERT_TRUE(cfg) << err;
  cfg->output_dir = dir.File("site");
  BuildReport r = BuildSite(*cfg, *store, *Env::Default());
  ASSERT_TRUE(r.error.empty()) << r.error;
  std::string command = "node '" + kA11yDir + "/axe.mjs'";
  for (const auto& p : kPages) command += " '" + cfg->output_dir + "/" + p + "'";
  std::string out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  ASSERT_TRUE(pipe);
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  int status = pclose(pipe);
  EXPECT_EQ(status, 0) << out;
}

}  // namespace
}  // namespace samizdat::publish
