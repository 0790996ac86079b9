// End to end against a real HTTP server on 127.0.0.1: listing pages, RSS, Atom and a
// sitemap; UTF-8 and GBK articles; one article in two channels; faults of every kind.
#include "sync/sync.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <map>
#include <optional>

#include "http_server.h"
#include "test_util.h"

namespace samizdat::sync {
namespace {

// Options for a run at the fake clock's time.
SyncOptions AtFakeTime(FakeClock& clock) {
  SyncOptions options;
  options.clock = &clock;
  return options;
}

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;
using testing::StaticSite;
using testing::TempDir;

std::string ArticlePage(const std::string& title, const std::string& body,
                        const std::string& charset = "utf-8") {
  std::string paras;
  for (int i = 0; i < 4; ++i)
    paras += "<p>" + body + " 第" + std::to_string(i + 1) +
             "段，这一段的文字足够长，包含逗号，也包含句号。</p>";
  return "<html><head><meta charset=\"" + charset + "\"><title>" + title +
         "</title></head><body>"
         "<div class=\"nav\"><a href=\"/\">首页</a></div><h1>" +
         title +
         "</h1>"
         "<div class=\"article-body\">" +
         paras + "</div><div class=\"footer\">版权所有</div></body></html>";
}

class SyncEndToEnd : public ::testing::Test {
 protected:
  SyncEndToEnd() : server_([this](const HttpRequest& r) { return site_.Handle(r); }) {
    std::string u = server_.Url("");
    site_.Put("/gb/a1.htm", ArticlePage("第一篇：城市新闻", "城市里发生了一件新鲜事"));
    site_.Put("/gb/a2.htm", ArticlePage("第二篇：两个频道都有", "这篇文章同时出现在两个频道"));
    site_.Put("/gb/a3.htm", ArticlePage("第三篇：会被修改", "原来的版本说的是这件事"));
    site_.Put(
        "/gb/a4.htm",
        testing::EncodeCharset(
            ArticlePage("第四篇：GBK编码的文章", "这是用国标码编码的朱镕基讲话", "gbk"), "GB18030"),
        "text/html");
    site_.Put("/gb/a5.htm", ArticlePage("第五篇：来自站点地图", "站点地图里列出的文章"));
    site_.Put("/gb/ch1.htm",
              "<html><body><div class=\"post_list\"><div class=\"title\"><a "
              "href=\"/gb/a2.htm\">第二篇</a></div>"
              "<div class=\"title\"><a href=\"/gb/a1.htm\">第一篇</a></div></div></body></html>");
    PutRss("Sun, 20 Sep 2026 10:00:00 +0800");
    site_.Put(
        "/ch3.atom",
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>三</title><entry><title>第四篇</title>"
        "<link href=\"" +
            u + "/gb/a4.htm\"/><id>a4</id><updated>2026-09-19T02:00:00Z</updated></entry></feed>",
        "application/atom+xml");
    site_.Put("/sitemap.xml",
              "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>" + u +
                  "/gb/a5.htm</loc><lastmod>2026-09-18</lastmod></url></urlset>",
              "application/xml");
    config_text_ = R"(
store = "store.db"
[fetch]
allow_loopback = true
per_host_delay_ms = 0
backoff_base_ms = 10
[[channels]]
id = "ch1"
[[channels]]
id = "ch2"
[[channels]]
id = "ch3"
[[channels]]
id = "ch4"
[[sources]]
id = "listing"
kind = "listing"
url = ")" + u + R"(/gb/ch1.htm"
selector = "div.post_list div.title a"
channels = ["ch1"]
[[sources]]
id = "rss"
kind = "rss"
url = ")" + u + R"(/ch2.xml"
channels = ["ch2"]
[[sources]]
id = "atom"
kind = "atom"
url = ")" + u + R"(/ch3.atom"
channels = ["ch3"]
[[sources]]
id = "sitemap"
kind = "sitemap"
url = ")" + u + R"(/sitemap.xml"
channels = ["ch4"]
)";
  }

  void PutRss(const std::string& a3_updated) {
    std::string u = server_.Url("");
    site_.Put("/ch2.xml",
              "<rss version=\"2.0\"><channel><title>二</title><language>zh-cn</language>"
              "<item><title>第三篇</title><link>" +
                  u + "/gb/a3.htm</link><pubDate>" + a3_updated +
                  "</pubDate></item>"
                  "<item><title>第二篇</title><link>" +
                  u +
                  "/gb/a2.htm</link>"
                  "<pubDate>Sat, 19 Sep 2026 10:00:00 +0800</pubDate></item></channel></rss>",
              "application/rss+xml");
  }

  // The configuration and the store every test of the fixture needs; a test stops here
  // when either cannot be made.
  void SetUp() override {
    std::string err;
    cfg_ = config::ParseConfig(config_text_, "samizdat.toml", dir_.path(), &err);
    ASSERT_TRUE(cfg_) << err;
    store_ = store::Store::Open(dir_.File("store.db"), &err);
    ASSERT_TRUE(store_) << err;
  }

  // Each run is an hour after the one before, on a fake clock.
  SyncReport Sync(store::Store& store, SyncOptions options = {}) {
    auto http = fetch::NewCurlHttpClient(cfg_->fetch);
    clock_.Advance(3600 * 1000);
    options.clock = &clock_;
    return RunSync(*cfg_, store, *http, extract::ProfileSet::BuiltIn(), options);
  }

  FakeClock clock_;

  StaticSite site_;
  HttpServer server_;
  TempDir dir_;
  std::string config_text_;
  std::optional<config::Config> cfg_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(SyncEndToEnd, StoresOnceSkipsUnchangedAndKeepsRevisions) {
  auto& store = store_;
  SyncReport first = Sync(*store);
  EXPECT_FALSE(first.AnyFailed());
  for (const auto& s : first.sources) {
    EXPECT_TRUE(s.healthy) << s.id << ": " << s.health_note;
    for (const auto& f : s.failures) ADD_FAILURE() << s.id << ": " << f;
  }
  EXPECT_EQ(store->CountArticles().value(), 5);
  EXPECT_EQ(store->CountRevisions().value(), 5);
  auto a2 = store->FindArticle(server_.Url("/gb/a2.htm")).value();
  ASSERT_TRUE(a2);
  EXPECT_EQ(a2->channels, (std::vector<std::string>{"ch1", "ch2"}));
  EXPECT_EQ(a2->revisions, 1);
  auto a4 = store->FindArticle(server_.Url("/gb/a4.htm")).value();
  ASSERT_TRUE(a4);
  EXPECT_EQ(a4->title, "第四篇：GBK编码的文章");
  {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(
        store->db(),
        "SELECT text FROM revisions r JOIN articles a ON r.article=a.id WHERE a.canonical_url=?",
        -1, &st, nullptr);
    std::string url = server_.Url("/gb/a4.htm");
    sqlite3_bind_text(st, 1, url.c_str(), -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    std::string text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    EXPECT_NE(text.find("朱镕基讲话"), std::string::npos) << text;
    sqlite3_finalize(st);
  }

  // Second run: only conditional requests, and nothing written.
  server_.ClearRequests();
  int before = sqlite3_total_changes(store->db());
  SyncReport second = Sync(*store);
  EXPECT_FALSE(second.AnyFailed());
  auto reqs = server_.requests();
  EXPECT_EQ(reqs.size(), 4u);  // the four sources, nothing else
  for (const auto& r : reqs) EXPECT_FALSE(r.Header("if-none-match").empty()) << r.path;
  EXPECT_EQ(sqlite3_total_changes(store->db()), before);
  for (const auto& s : second.sources) EXPECT_TRUE(s.not_modified) << s.id;

  // The source corrects an article: a second revision, the first kept.
  site_.Put("/gb/a3.htm", ArticlePage("第三篇：会被修改（更新）", "修改后的版本说的是另一件事"));
  PutRss("Sun, 20 Sep 2026 12:00:00 +0800");
  SyncReport third = Sync(*store);
  EXPECT_FALSE(third.AnyFailed());
  auto a3 = store->FindArticle(server_.Url("/gb/a3.htm")).value();
  ASSERT_TRUE(a3);
  EXPECT_EQ(a3->revisions, 2);
  EXPECT_EQ(a3->title, "第三篇：会被修改（更新）");
  EXPECT_EQ(store->CountArticles().value(), 5);
  EXPECT_EQ(store->CountRevisions().value(), 6);
  int changed = 0;
  for (const auto& s : third.sources) changed += s.changed;
  EXPECT_EQ(changed, 1);
  EXPECT_EQ(store->IntegrityCheck(), "ok");
}

TEST_F(SyncEndToEnd, DryRunWritesNothing) {
  auto& store = store_;
  SyncOptions o;
  o.dry_run = true;
  int before = sqlite3_total_changes(store->db());
  SyncReport r = Sync(*store, o);
  int fresh = 0;
  for (const auto& s : r.sources) fresh += s.new_articles;
  EXPECT_EQ(fresh, 5);
  EXPECT_EQ(store->CountArticles().value(), 0);
  EXPECT_EQ(sqlite3_total_changes(store->db()), before);
}

TEST(SyncFaults, EveryFaultIsReportedAndTheRunGoesOn) {
  std::string bomb = testing::GzipOfZeros(64 << 20);
  std::string good_article = ArticlePage("好文章", "这篇文章没有问题");
  std::string mislabelled = ArticlePage("标错字符集的文章", "服务器说这是西欧字符集");
  HttpServer* self = nullptr;
  std::atomic<int> requests_for_429{0};  // this test's own count, fresh each run
  HttpServer server([&](const HttpRequest& req) {
    HttpResponse r;
    std::string u = self->Url("");
    auto rss = [&](const std::string& link) {
      return "<rss version=\"2.0\"><channel><title>t</title><item><title>x</title><link>" + u +
             link + "</link></item></channel></rss>";
    };
    if (req.path == "/500.xml")
      r.status = 500;
    else if (req.path == "/429.xml") {
      if (++requests_for_429 == 1) {
        r.status = 429;
        r.headers = {{"Retry-After", "0"}};
      } else {
        r.body = rss("/good.htm");
      }
    } else if (req.path == "/truncated.xml")
      r.body = rss("/good.htm"), r.truncate = true;
    else if (req.path == "/huge.xml")
      r.body = std::string(3 << 20, 'x');
    else if (req.path == "/loop.xml")
      r.status = 302, r.headers = {{"Location", "/loop.xml"}};
    else if (req.path == "/html.xml")
      r.body = "<!DOCTYPE html><html><body>Gateway error</body></html>",
      r.headers = {{"Content-Type", "text/html"}};
    else if (req.path == "/bomb.xml")
      r.body = bomb, r.headers = {{"Content-Encoding", "gzip"}};
    else if (req.path == "/mislabelled.xml")
      r.body = rss("/mislabelled.htm");
    else if (req.path == "/mislabelled.htm")
      r.body = mislabelled, r.headers = {{"Content-Type", "text/html; charset=iso-8859-1"}};
    else if (req.path == "/good.xml")
      r.body = rss("/good.htm");
    else if (req.path == "/good.htm")
      r.body = good_article;
    else
      r.status = 404;
    return r;
  });
  self = &server;
  std::string cfg_text = R"(
[fetch]
allow_loopback = true
per_host_delay_ms = 0
per_host_concurrency = 8
backoff_base_ms = 10
max_retries = 1
total_timeout_ms = 2000
min_bytes_per_sec = 100
min_rate_window_s = 1
max_body_bytes = 1048576
[[channels]]
id = "c"
)";
  for (const char* name :
       {"500", "429", "truncated", "huge", "loop", "html", "bomb", "mislabelled", "good"})
    cfg_text += std::string("[[sources]]\nid = \"") + name + "\"\nkind = \"rss\"\nurl = \"" +
                server.Url(std::string("/") + name + ".xml") + "\"\nchannels = [\"c\"]\n";
  cfg_text +=
      "[[sources]]\nid = \"dns\"\nkind = \"rss\"\nurl = "
      "\"http://no-such-host.invalid/feed.xml\"\nchannels = [\"c\"]\n";
  TempDir dir;
  std::string err;
  auto cfg = config::ParseConfig(cfg_text, "faults.toml", dir.path(), &err);
  ASSERT_TRUE(cfg) << err;
  auto store = store::Store::Open(dir.File("s.db"), &err);
  ASSERT_TRUE(store) << err;
  auto http = fetch::NewCurlHttpClient(cfg->fetch);
  FakeClock clock;
  SyncReport r = RunSync(*cfg, *store, *http, extract::ProfileSet::BuiltIn(), AtFakeTime(clock));
  EXPECT_TRUE(r.AnyFailed());
  std::map<std::string, SourceReport> by_id;
  for (const auto& s : r.sources) by_id[s.id] = s;
  // Every source is reported: a missing one must not read as a default, healthy report.
  ASSERT_EQ(by_id.size(), 10u);
  auto failed_with = [&](const std::string& id, const std::string& reason) {
    const SourceReport& s = by_id.at(id);
    EXPECT_TRUE(s.source_failed) << id;
    EXPECT_FALSE(s.healthy) << id;
    ASSERT_FALSE(s.failures.empty()) << id;
    EXPECT_NE(s.failures[0].find(reason), std::string::npos) << id << ": " << s.failures[0];
  };
  failed_with("500", "HTTP 500");
  failed_with("huge", "body exceeds");
  failed_with("bomb", "body exceeds");
  failed_with("loop", "redirects");
  failed_with("html", "HTML page");
  failed_with("dns", "resolve");
  EXPECT_TRUE(by_id.at("truncated").source_failed);
  // Recovered or correct despite the fault: the 429 was answered and the feed fetched
  // again, and read; the wrong charset label does not garble the article.
  EXPECT_EQ(requests_for_429.load(), 2);
  EXPECT_FALSE(by_id.at("429").source_failed);
  EXPECT_TRUE(by_id.at("429").failures.empty());
  EXPECT_FALSE(by_id.at("mislabelled").source_failed);
  EXPECT_EQ(by_id.at("mislabelled").new_articles, 1);
  auto mis = store->FindArticle(server.Url("/mislabelled.htm")).value();
  ASSERT_TRUE(mis);
  EXPECT_EQ(mis->title, "标错字符集的文章");
  // The run went on: the good article is stored exactly once, in its channel.
  auto good = store->FindArticle(server.Url("/good.htm")).value();
  ASSERT_TRUE(good);
  EXPECT_EQ(good->channels, (std::vector<std::string>{"c"}));
  EXPECT_EQ(store->CountArticles().value(), 2);
  auto health = store->GetSourceHealth("html").value();
  ASSERT_TRUE(health);
  EXPECT_FALSE(health->healthy);
  EXPECT_EQ(health->consecutive_failures, 1);
}

}  // namespace
}  // namespace samizdat::sync

namespace samizdat::sync {
namespace {

TEST(SyncListing, BackfillOnceOldestFirstAndSourceProxies) {
  StaticSite site;
  HttpServer server([&](const HttpRequest& r) { return site.Handle(r); });
  std::string u = server.Url("");
  auto page = [](const std::string& title) {
    std::string p;
    for (int i = 0; i < 4; ++i)
      p += "<p>" + title + "，这一段足够长，有逗号，也有句号，可以当作正文。</p>";
    return "<html><head><title>" + title + "</title></head><body><article><h1>" + title + "</h1>" +
           p + "</article></body></html>";
  };
  auto listing = [](const std::string& href) {
    return "<html><body><div class=\"post_list\"><div class=\"title\"><a href=\"" + href +
           "\">x</a></div></div></body></html>";
  };
  site.Put("/gb/ch.htm", listing("/gb/a3.htm"));  // the newest page
  site.Put("/gb/ch_1.htm", listing("/gb/a2.htm"));
  site.Put("/gb/ch_2.htm", listing("/gb/a1.htm"));  // the oldest page
  for (int i = 1; i <= 3; ++i)
    site.Put("/gb/a" + std::to_string(i) + ".htm", page("第" + std::to_string(i) + "篇"));
  // A source behind an HTTP proxy: the proxy (our server) sees absolute-form requests for
  // a host that does not resolve here.
  site.Put("http://feeds.example.invalid/p.xml",
           "<rss version=\"2.0\"><channel><title>p</title><item><title>代理</title>"
           "<link>http://feeds.example.invalid/p1.htm</link></item></channel></rss>",
           "application/rss+xml");
  site.Put("http://feeds.example.invalid/p1.htm", page("经代理的文章"));
  TempDir dir;
  std::string err;
  auto cfg = config::ParseConfig(R"(
[fetch]
allow_loopback = true
per_host_delay_ms = 0
[[channels]]
id = "c"
[[sources]]
id = "list"
kind = "listing"
url = ")" + u + R"(/gb/ch.htm"
selector = "div.post_list div.title a"
page_url_pattern = ")" + u + R"(/gb/ch_{n}.htm"
backfill_pages = 2
channels = ["c"]
[[sources]]
id = "proxied"
kind = "rss"
url = "http://feeds.example.invalid/p.xml"
proxy = ")" + u + R"("
channels = ["c"]
)",
                                 "samizdat.toml", dir.path(), &err);
  ASSERT_TRUE(cfg) << err;
  auto store = store::Store::Open(dir.File("s.db"), &err);
  ASSERT_TRUE(store) << err;
  auto http = fetch::NewCurlHttpClient(cfg->fetch);
  FakeClock clock;
  SyncReport first =
      RunSync(*cfg, *store, *http, extract::ProfileSet::BuiltIn(), AtFakeTime(clock));
  for (const auto& s : first.sources)
    for (const auto& f : s.failures) ADD_FAILURE() << s.id << ": " << f;
  EXPECT_EQ(store->CountArticles().value(), 4);
  // Oldest first: the backfill's last page is stored first.
  auto paths = store->ArticlePaths().value();
  ASSERT_EQ(paths.size(), 4u);
  EXPECT_EQ(paths[0].canonical_url, u + "/gb/a1.htm");
  EXPECT_EQ(paths[1].canonical_url, u + "/gb/a2.htm");
  EXPECT_EQ(paths[2].canonical_url, u + "/gb/a3.htm");
  EXPECT_TRUE(store->FindArticle("http://feeds.example.invalid/p1.htm").value().has_value());
  int proxied = 0;
  for (const auto& r : server.requests())
    proxied += r.path.rfind("http://feeds.example.invalid/", 0) == 0;
  EXPECT_EQ(proxied, 2);  // the feed and its article, both through the proxy

  // Backfill happens once: the next sync reads the first page again, and only it.
  server.ClearRequests();
  SyncReport second =
      RunSync(*cfg, *store, *http, extract::ProfileSet::BuiltIn(), AtFakeTime(clock));
  EXPECT_FALSE(second.AnyFailed());
  int first_page = 0;
  for (const auto& r : server.requests()) {
    first_page += r.path == "/gb/ch.htm";
    EXPECT_EQ(r.path.find("/gb/ch_"), std::string::npos) << r.path;
  }
  EXPECT_EQ(first_page, 1);
}

}  // namespace
}  // namespace samizdat::sync

namespace samizdat::sync {
namespace {

// A story edited in place keeps its feed entry: only re-fetching its page finds the edit.
// Re-checks come once the interval has passed, and stop once the article is older than the
// window.
TEST_F(SyncEndToEnd, RecentArticlesEditedInPlaceAreRecheckedOnSchedule) {
  ASSERT_FALSE(Sync(*store_).AnyFailed());  // first seen at hour 1
  site_.Put("/gb/a1.htm", ArticlePage("第一篇：城市新闻", "城市里发生了另外一件事"));
  for (int hour = 2; hour <= 6; ++hour) {
    SyncReport early = Sync(*store_);
    EXPECT_EQ(early.recheck_requests, 0) << "hour " << hour;
  }
  SyncReport due = Sync(*store_);  // hour 7: six hours after the last fetch
  EXPECT_FALSE(due.AnyFailed());
  EXPECT_EQ(due.recheck_requests, 5);  // every stored article is recent
  EXPECT_EQ(due.recheck_changed, 1);
  auto a1 = store_->FindArticle(server_.Url("/gb/a1.htm")).value();
  ASSERT_TRUE(a1);
  EXPECT_EQ(a1->revisions, 2);
  auto revisions = store_->Revisions(a1->id).value();
  ASSERT_EQ(revisions.size(), 2u);
  EXPECT_NE(revisions[1].text.find("另外一件事"), std::string::npos);
  EXPECT_EQ(Sync(*store_).recheck_requests, 0);  // hour 8: all checked at hour 7
  clock_.Advance(int64_t{4} * 86400 * 1000);     // past the three-day window
  EXPECT_EQ(Sync(*store_).recheck_requests, 0);
}

// The same story under a second URL is stored, and linked to the first copy.
TEST_F(SyncEndToEnd, ASecondCopyOfAStoryIsLinkedAsANearDuplicate) {
  std::string story;
  for (const char* sentence :
       {"港口管理局周一宣布，新的集装箱码头将于明年春季投入使用。", "该码头耗资约四十亿元，",
        "设计年吞吐量为三百万标准箱。", "管理局表示，码头启用后将缓解现有港区的拥堵，",
        "并为周边地区创造约两千个就业岗位。", "环保团体则对填海工程对红树林的影响表示担忧。"})
    story += sentence;
  site_.Put("/gb/port.htm", ArticlePage("新码头明年启用", story));
  site_.Put("/gb/port-copy.htm", ArticlePage("转载：新码头明年启用", story));
  site_.Put("/gb/ch1.htm",
            "<html><body><div class=\"post_list\"><div class=\"title\"><a "
            "href=\"/gb/port-copy.htm\">转载</a></div><div class=\"title\"><a "
            "href=\"/gb/port.htm\">原文</a></div></div></body></html>");
  SyncReport report = Sync(*store_);
  EXPECT_FALSE(report.AnyFailed());
  EXPECT_EQ(report.near_duplicates, 1);
  auto links = store_->NearDuplicates().value();
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].canonical_url, server_.Url("/gb/port-copy.htm"));
  auto original = store_->FindArticle(server_.Url("/gb/port.htm")).value();
  ASSERT_TRUE(original);
  EXPECT_EQ(links[0].duplicate_of, original->id);
}

}  // namespace
}  // namespace samizdat::sync
