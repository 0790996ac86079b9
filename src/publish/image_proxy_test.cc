// Re-hosted images go through the proxy of the source their article came from: for a
// blocked site, a direct download would be a direct connection to the blocked host. The
// proxy here is a loopback HTTP proxy (it receives absolute URLs); the proxied image's
// host does not resolve, so only the proxy can have served it.
#include <gtest/gtest.h>

#include "fetch/fetcher.h"
#include "http_server.h"
#include "publish/build.h"
#include "test_util.h"

namespace samizdat::publish {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;
using testing::TempDir;

const std::string kPng = std::string("\x89PNG\r\n\x1A\n", 8) + "pixels";

TEST(ImageProxy, EachImageGoesThroughItsArticleSourceProxy) {
  HttpServer proxy([](const HttpRequest&) { return HttpResponse{200, {}, kPng + " proxied"}; });
  HttpServer origin([](const HttpRequest&) { return HttpResponse{200, {}, kPng + " direct"}; });
  std::string text =
      "[site]\nrehost_images = true\n[fetch]\nallow_loopback = true\n"
      "per_host_delay_ms = 0\nmax_retries = 0\n"
      "[[channels]]\nid = \"c\"\nname = \"C\"\n"
      "[[sources]]\nid = \"blocked\"\nkind = \"rss\"\n"
      "url = \"http://blocked.invalid/feed.xml\"\nchannels = [\"c\"]\n"
      "proxy = \"http://127.0.0.1:" +
      std::to_string(proxy.port()) +
      "\"\n"
      "[[sources]]\nid = \"open\"\nkind = \"rss\"\n"
      "url = \"" +
      origin.Url("/feed.xml") + "\"\nchannels = [\"c\"]\n";
  TempDir dir;
  std::string err;
  auto cfg = config::ParseConfig(text, "samizdat.toml", dir.path(), &err);
  ASSERT_TRUE(cfg) << err;
  cfg->output_dir = dir.File("site");
  auto store = store::Store::Open(dir.File("store.db"), &err);
  ASSERT_TRUE(store) << err;
  auto add = [&](const std::string& source, const std::string& url, const std::string& img) {
    store::ArticleInput in;
    in.canonical_url = url;
    in.article_id = source;
    in.memberships = {{"c", source}};
    in.title = "From " + source;
    in.html = "<p>An article with a picture.</p><p><img src=\"" + img + "\" alt=\"x\"></p>";
    auto saved = store->SaveArticle(in, 1000);
    ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  };
  add("blocked", "http://blocked.invalid/a.htm", "http://blocked.invalid/pic.png");
  add("open", origin.Url("/b.htm"), origin.Url("/pic.png"));
  auto http = fetch::NewCurlHttpClient(cfg->fetch);
  BuildReport report = BuildSite(*cfg, *store, *Env::Default(), http.get());
  EXPECT_EQ(report.images_downloaded, 2);
  EXPECT_EQ(report.images_failed, 0);
  auto via_proxy = proxy.requests();
  ASSERT_EQ(via_proxy.size(), 1u);
  EXPECT_EQ(via_proxy[0].path, "http://blocked.invalid/pic.png");
  // The other source has no proxy: its image is fetched directly, and never via the proxy.
  auto direct = origin.requests();
  ASSERT_EQ(direct.size(), 1u);
  EXPECT_EQ(direct[0].path, "/pic.png");
}

}  // namespace
}  // namespace samizdat::publish
