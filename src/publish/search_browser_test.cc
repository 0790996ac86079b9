// The static search page in real Chromium (Debian's, driven by puppeteer-core from
// tests/browser/install.sh): a Chinese query typed into the page under its CSP finds the
// right articles, and the first result opens the article's page.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "publish/build.h"
#include "publish/serve.h"
#include "test_util.h"

namespace samizdat::publish {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string RunAndCapture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

void SaveArticle(store::Store& store, const std::string& id, const std::string& title,
                 const std::string& text, int64_t now) {
  store::ArticleInput in;
  in.canonical_url = "https://news.example.org/a/" + id + ".html";
  in.article_id = id;
  in.memberships = {{"world", "s"}};
  in.title = title;
  in.published = "2026-09-0" + std::to_string(now % 9 + 1) + "T08:30:00+08:00";
  in.html = "<p>" + text + "</p>";
  in.text = text;
  ASSERT_EQ(store.SaveArticle(in, now).status().ToString(), "ok");
}

TEST(SearchBrowser, TypedChineseQueryFindsTheArticlesUnderTheCsp) {
  const std::string chromium = "/usr/bin/chromium";
  const std::string driver = std::string(SAMIZDAT_SOURCE_DIR) + "/tests/browser/search_type.mjs";
  if (!fs::exists(chromium)) GTEST_SKIP() << "chromium not installed (scripts/install-deps.sh)";
  if (!fs::exists(std::string(SAMIZDAT_SOURCE_DIR) + "/tests/browser/node_modules/puppeteer-core"))
    GTEST_SKIP() << "puppeteer-core not installed: run tests/browser/install.sh";
  TempDir dir;
  std::string err;
  auto store = store::Store::Open(dir.File("store.db"), &err);
  ASSERT_TRUE(store) << err;
  SaveArticle(*store, "hk1", "香港警察巡逻", "香港警察今天在中环巡逻。", 1001);
  SaveArticle(*store, "sh1", "上海港口", "上海港的吞吐量增长，警察维持秩序。", 1002);
  SaveArticle(*store, "hk2", "香港天气", "今天香港天气晴朗。", 1003);
  for (int i = 0; i < 150; ++i)  // fillers: more than one segment and one details chunk
    SaveArticle(*store, "f" + std::to_string(i), "其他新闻" + std::to_string(i),
                "广州的天气和交通" + std::to_string(i), 2000 + i);
  SaveArticle(*store, "hk3", "又一篇", "文章末尾提到香港。", 3000);
  auto cfg = config::ParseConfig(
      "[site]\ntitle = \"示例镜像\"\ntheme = \"html\"\noutput = \"site\"\n"
      "[[channels]]\nid = \"world\"\nname = \"国际\"\n",
      "samizdat.toml", dir.path(), &err);
  ASSERT_TRUE(cfg) << err;
  BuildReport br = BuildSite(*cfg, *store, *Env::Default());
  ASSERT_TRUE(br.error.empty()) << br.error;

  SiteServer server;
  ASSERT_TRUE(server.Start(cfg->output_dir, 0, &err)) << err;
  std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
  std::string out = RunAndCapture("node '" + driver + "' " + chromium + " " + origin + " 香港");
  server.Stop();
  nlohmann::json r = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << out;
  EXPECT_EQ(r["csp"], "script-src 'self'");
  EXPECT_TRUE(r["inlineBlocked"].get<bool>()) << out;
  EXPECT_EQ(r["probeViolations"].size(), 1u) << out;
  EXPECT_TRUE(r["cspViolations"].empty()) << out;
  EXPECT_TRUE(r["errors"].empty()) << out;
  EXPECT_NE(r["url"].get<std::string>().find("search.html?q="), std::string::npos) << out;
  // Exactly the three articles holding 香港, newest first; 港 alone (上海港) is no match.
  ASSERT_EQ(r["results"].size(), 3u) << out;
  EXPECT_EQ(r["results"][0]["href"], origin + "/pages/world/hk3.html");
  EXPECT_EQ(r["results"][1]["text"], "香港天气");
  EXPECT_EQ(r["results"][2]["text"], "香港警察巡逻");
  EXPECT_EQ(r["landed"]["url"], origin + "/pages/world/hk3.html") << out;
  EXPECT_EQ(r["landed"]["h1"], "又一篇") << out;
  for (const auto& url : r["requests"])
    EXPECT_EQ(url.get<std::string>().rfind(origin + "/", 0), 0u) << url;
}

}  // namespace
}  // namespace samizdat::publish
