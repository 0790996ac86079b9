// The whole pipeline against a loopback site: sync -> build -> publish.
#include <git2.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "http_server.h"
#include "publish/build.h"
#include "publish/git_publish.h"
#include "publish/images.h"
#include "render/gfm_check.h"
#include "sync/sync.h"
#include "test_util.h"

namespace samizdat::publish {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;
using testing::ReadFile;
using testing::StaticSite;
using testing::TempDir;
namespace fs = std::filesystem;

const std::string kJpeg = std::string("\xFF\xD8\xFF\xE0", 4) + std::string(600, 'j');
const std::string kPng = std::string("\x89PNG\r\n\x1A\n", 8) + std::string(300, 'p');

TEST(Pipeline, SyncBuildPublish) {
  StaticSite site;
  HttpServer server([&](const HttpRequest& r) { return site.Handle(r); });
  std::string u = server.Url("");
  auto article = [&](int n, const std::string& img) {
    // Two different stories (the same text twice would be stored as a near-duplicate).
    const char* story = n == 1 ? "城东新建的图书馆周末开放，市民排队借书，馆长说藏书三十万册"
                               : "港口的集装箱吞吐量创下新高，货运公司增开航线，码头连夜作业";
    std::string paras;
    for (int p = 0; p < 4; ++p)
      paras += "<p>第" + std::to_string(n) + "篇第" + std::to_string(p) + "段：" + story +
               "，有逗号，也有句号。</p>";
    return "<html><head><meta charset=utf-8><title>文章" + std::to_string(n) +
           "</title>"
           "<meta property=\"og:image\" content=\"" +
           u + "/img/lead.jpg\"></head><body><h1>文章" + std::to_string(n) +
           "</h1><div class=\"article-body\">" + paras + "<p><img src=\"" + img +
           "\" alt=\"图\"></p></div></body></html>";
  };
  site.Put("/a/1.htm", article(1, "/img/photo.png"));
  site.Put("/a/2.htm", article(2, "/img/missing.jpg"));  // a broken image keeps its URL
  site.Put("/img/lead.jpg", kJpeg, "image/jpeg");
  site.Put("/img/photo.png", kPng, "image/png");
  site.Put("/feed.xml",
           "<rss version=\"2.0\"><channel><title>t</title><item><title>文章2</title><link>" + u +
               "/a/2.htm</link><pubDate>Sun, 20 Sep 2026 11:00:00 "
               "+0800</pubDate></item><item><title>文章1</title><link>" +
               u +
               "/a/1.htm</link><pubDate>Sun, 20 Sep 2026 10:00:00 "
               "+0800</pubDate></item></channel></rss>",
           "application/rss+xml");
  TempDir dir;
  std::string text = ReadFile(std::string(SAMIZDAT_SOURCE_DIR) + "/demo/samizdat.toml");
  text = std::regex_replace(text, std::regex("\\[site\\]"), "[site]\noutput = \"site\"");
  text = "store = \"store.db\"\n" + text + R"(
[fetch]
allow_loopback = true
per_host_delay_ms = 0
[[channels]]
id = "news"
name = "新闻"
group = "中国新闻"
[[sources]]
id = "feed"
kind = "rss"
url = ")" +
         u + R"(/feed.xml"
channels = ["news"]
[publish]
author_name = "Mirror"
author_email = "mirror@example.org"
[[publish.remotes]]
name = "origin"
url = ")" +
         dir.File("origin.git") + "\"\n";
  std::string err;
  auto cfg = config::ParseConfig(text, "samizdat.toml", dir.path(), &err);
  ASSERT_TRUE(cfg) << err;
  auto store = store::Store::Open(cfg->store_path, &err);
  ASSERT_TRUE(store) << err;
  auto http = fetch::NewCurlHttpClient(cfg->fetch);
  sync::SyncReport sr = sync::RunSync(*cfg, *store, *http, extract::ProfileSet::BuiltIn(), {});
  ASSERT_FALSE(sr.AnyFailed());
  EXPECT_EQ(store->CountArticles().value(), 2);

  BuildReport br = BuildSite(*cfg, *store, *Env::Default(), http.get());
  ASSERT_TRUE(br.error.empty()) << br.error;
  EXPECT_EQ(br.images_downloaded, 2);  // lead.jpg once for both pages, photo.png
  EXPECT_GE(br.images_failed, 1);      // missing.jpg
  std::string out = cfg->output_dir;
  std::string page1 = ReadFile(out + "/pages/news/1.md");
  std::string page2 = ReadFile(out + "/pages/news/2.md");
  // The seed's format: title, rule, menu tagged with the id, lead block, body, footer.
  EXPECT_EQ(page1.rfind("### 文章1\n\n---\n\n#### [首页](../../../..?1)", 0), 0u) << page1;
  EXPECT_NE(page1.find("\n原文链接（需翻墙）：" + u + "/a/1.htm\n"), std::string::npos);
  EXPECT_EQ(render::CheckGfm(page1).html_blocks, 1);
  // Images: re-hosted by content (the lead image stored once), broken one left alone.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      page1, m,
      std::regex(
          "<img alt=\"[^\"]*\" src=\"\\.\\./\\.\\./(images/[0-9a-f]{2}/[0-9a-f]{32}\\.jpg)\"/>")))
      << page1;
  EXPECT_EQ(ReadFile(out + "/" + m[1].str()), kJpeg);
  EXPECT_NE(page2.find(m[1].str()), std::string::npos);  // same lead image, same file
  EXPECT_NE(page1.find(".png\" alt=\"图\"/>"), std::string::npos) << page1;
  EXPECT_NE(page2.find("src=\"" + u + "/img/missing.jpg\""), std::string::npos) << page2;
  int image_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(out + "/images"))
    if (e.is_regular_file()) {
      ++image_files;
      EXPECT_FALSE(ImageType(ReadFile(e.path().string())).empty()) << e.path();
    }
  EXPECT_EQ(image_files, 2);
  // The index lists both, newest first.
  std::string index = ReadFile(out + "/indexes/news/README.md");
  size_t newer = index.find("[文章2]"), older = index.find("[文章1]");
  ASSERT_NE(newer, std::string::npos) << index;
  ASSERT_NE(older, std::string::npos) << index;
  EXPECT_LT(newer, older) << index;

  git_libgit2_init();
  git_repository* bare = nullptr;
  ASSERT_EQ(git_repository_init(&bare, dir.File("origin.git").c_str(), 1), 0);
  git_repository_free(bare);
  PublishReport pr = Publish(out, cfg->publish, 1790000000);
  ASSERT_TRUE(pr.error.empty()) << pr.error;
  ASSERT_EQ(pr.remotes.size(), 1u);
  EXPECT_TRUE(pr.remotes[0].ok) << pr.remotes[0].error;
  EXPECT_GE(pr.added, 6);
  // The image that failed is tried again by the next build, and the page picks it up.
  site.Put("/img/missing.jpg", kJpeg + "x", "image/jpeg");
  BuildReport again = BuildSite(*cfg, *store, *Env::Default(), http.get());
  EXPECT_EQ(again.images_downloaded, 1);
  EXPECT_EQ(again.pages_rendered, 1);
  EXPECT_EQ(ReadFile(out + "/pages/news/2.md").find(u + "/img/missing.jpg"), std::string::npos);
}

}  // namespace
}  // namespace samizdat::publish
