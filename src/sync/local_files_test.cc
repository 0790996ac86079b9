// Sync never reads a local file because fetched content points at one: feeds served over
// HTTP (on 127.0.0.1) whose items or sitemap index entries are file:// URLs, and file://
// sources outside the file root. A local source under the root, whose items are local
// pages (as in the bundled demo), still works.
#include <gtest/gtest.h>

#include <filesystem>

#include "http_server.h"
#include "sync/sync.h"
#include "test_util.h"

namespace samizdat::sync {
namespace {

using testing::HttpServer;
using testing::StaticSite;
using testing::TempDir;

// An article page that extraction accepts, so a file that were read would be stored.
std::string SecretArticle() {
  std::string paras;
  for (int i = 0; i < 4; ++i)
    paras += "<p>TOP-SECRET paragraph " + std::to_string(i) +
             ": long enough to count as article text, with commas, and full stops.</p>";
  return "<html><head><title>Secret</title></head><body><h1>Secret</h1>"
         "<div class=\"article-body\">" +
         paras + "</div></body></html>";
}

std::string Rss(const std::vector<std::string>& links) {
  std::string items;
  for (const auto& l : links) items += "<item><title>t</title><link>" + l + "</link></item>";
  return "<rss version=\"2.0\"><channel><title>c</title>" + items + "</channel></rss>";
}

class SyncLocalFiles : public ::testing::Test {
 protected:
  SyncLocalFiles() : server_([this](const testing::HttpRequest& r) { return site_.Handle(r); }) {
    // Under the config's directory (the default file root) and outside it: neither may be
    // read because of a link in fetched content.
    testing::WriteFile(config_dir_.File("inside.html"), SecretArticle());
    testing::WriteFile(outside_.File("outside.html"), SecretArticle());
  }

  SyncReport Sync(const std::string& sources) {
    std::string text =
        "store = \"store.db\"\n[fetch]\nallow_loopback = true\n"
        "per_host_delay_ms = 0\nmax_retries = 0\n"
        "[[channels]]\nid = \"ch\"\n" +
        sources;
    std::string err;
    auto cfg = config::ParseConfig(text, "samizdat.toml", config_dir_.path(), &err);
    EXPECT_TRUE(cfg) << err;
    if (!cfg) return {};
    store_ = store::Store::Open(config_dir_.File("store.db"), &err);
    EXPECT_TRUE(store_) << err;
    auto http = fetch::NewCurlHttpClient(cfg->fetch);
    return RunSync(*cfg, *store_, *http, extract::ProfileSet::BuiltIn(), {});
  }

  static std::string Source(const std::string& kind, const std::string& url) {
    return "[[sources]]\nid = \"s\"\nkind = \"" + kind + "\"\nurl = \"" + url +
           "\"\nchannels = [\"ch\"]\n";
  }

  // Every failure line of the report, joined.
  static std::string Failures(const SyncReport& r) {
    std::string all;
    for (const auto& s : r.sources)
      for (const auto& f : s.failures) all += f + "\n";
    return all;
  }

  bool Stored(const std::string& url) { return store_->FindArticle(url).value().has_value(); }

  TempDir config_dir_, outside_;
  StaticSite site_;
  HttpServer server_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(SyncLocalFiles, FeedItemLinksToLocalFilesAreNotRead) {
  const std::string inside = "file://" + config_dir_.File("inside.html");
  const std::string outside = "file://" + outside_.File("outside.html");
  site_.Put("/feed.xml", Rss({inside, outside, "file:///etc/passwd"}), "application/rss+xml");
  SyncReport r = Sync(Source("rss", server_.Url("/feed.xml")));
  ASSERT_EQ(r.sources.size(), 1u);
  EXPECT_TRUE(r.AnyFailed());
  EXPECT_EQ(r.sources[0].failed, 3);
  EXPECT_EQ(r.sources[0].new_articles, 0);
  EXPECT_FALSE(Stored(inside));
  EXPECT_FALSE(Stored(outside));
  EXPECT_FALSE(Stored("file:///etc/passwd"));
  std::string failures = Failures(r);
  EXPECT_NE(failures.find(inside + ": refused"), std::string::npos) << failures;
  EXPECT_NE(failures.find(outside + ": refused"), std::string::npos) << failures;
  EXPECT_NE(failures.find("file:///etc/passwd: refused"), std::string::npos) << failures;
}

TEST_F(SyncLocalFiles, SitemapIndexEntriesToLocalFilesAreNotRead) {
  // The child sitemap would list the secret page; it must not even be read.
  testing::WriteFile(outside_.File("child.xml"),
                     "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>"
                     "file://" +
                         outside_.File("outside.html") + "</loc></url></urlset>");
  const std::string child = "file://" + outside_.File("child.xml");
  site_.Put("/sitemap.xml",
            "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>" +
                child + "</loc></sitemap></sitemapindex>",
            "application/xml");
  SyncReport r = Sync(Source("sitemap", server_.Url("/sitemap.xml")));
  ASSERT_EQ(r.sources.size(), 1u);
  EXPECT_TRUE(r.AnyFailed());
  EXPECT_FALSE(Stored("file://" + outside_.File("outside.html")));
  std::string failures = Failures(r);
  EXPECT_NE(failures.find(child + ": refused"), std::string::npos) << failures;
}

TEST_F(SyncLocalFiles, LocalSourceOutsideTheRootIsRefused) {
  testing::WriteFile(outside_.File("feed.xml"), Rss({"file://" + outside_.File("outside.html")}));
  const std::string url = "file://" + outside_.File("feed.xml");
  SyncReport r = Sync(Source("rss", url));
  ASSERT_EQ(r.sources.size(), 1u);
  EXPECT_TRUE(r.sources[0].source_failed);
  EXPECT_NE(r.sources[0].health_note.find(url + ": refused"), std::string::npos)
      << r.sources[0].health_note;
  EXPECT_NE(r.sources[0].health_note.find("outside [fetch] file_root"), std::string::npos)
      << r.sources[0].health_note;
  EXPECT_FALSE(Stored("file://" + outside_.File("outside.html")));
}

// As in the bundled demo: a local feed under the root, whose items are local pages.
TEST_F(SyncLocalFiles, LocalSourceUnderTheRootAndItsLocalItemsAreRead) {
  std::filesystem::create_directories(config_dir_.File("site"));
  testing::WriteFile(config_dir_.File("site/feed.xml"), Rss({"../inside.html"}));
  SyncReport r = Sync(Source("rss", "file://" + config_dir_.File("site/feed.xml")));
  ASSERT_EQ(r.sources.size(), 1u);
  EXPECT_FALSE(r.AnyFailed()) << Failures(r);
  EXPECT_EQ(r.sources[0].new_articles, 1);
  EXPECT_TRUE(Stored("file://" + config_dir_.File("inside.html")));
}

// A local feed is the operator's, but an http(s) page it names is not: links found there
// do not read local files.
TEST_F(SyncLocalFiles, LocalSitemapIndexWithANetworkChildReadsNoFile) {
  site_.Put("/child.xml",
            "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>file://" +
                config_dir_.File("inside.html") + "</loc></url></urlset>",
            "application/xml");
  testing::WriteFile(config_dir_.File("index.xml"),
                     "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
                     "<sitemap><loc>" +
                         server_.Url("/child.xml") + "</loc></sitemap></sitemapindex>");
  SyncReport r = Sync(Source("sitemap", "file://" + config_dir_.File("index.xml")));
  ASSERT_EQ(r.sources.size(), 1u);
  EXPECT_EQ(r.sources[0].failed, 1) << Failures(r);
  EXPECT_FALSE(Stored("file://" + config_dir_.File("inside.html")));
}

}  // namespace
}  // namespace samizdat::sync
