// Sync over the whole fault matrix, in memory and deterministic: a scripted HTTP client
// (tests/fake_http_client.h) serves each fault, a real SQLite store in a temp dir keeps the
// result, and a FakeClock (SyncOptions::clock) sets the time of each run. Each test asserts both
// the report and what the store holds afterwards. The real loopback server stays for the end-to-end
// tests (sync_test.cc).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fake_http_client.h"
#include "sync/sync.h"
#include "test_util.h"

namespace samizdat::sync {
namespace {

using testing::FakeHttpClient;
using testing::HttpError;
using testing::NotModified;
using testing::Ok;
using testing::Oversize;
using testing::RefusedAddress;
using testing::TempDir;
using testing::TransportError;
using testing::Truncated;

constexpr int64_t kT0 = 1'800'000'000;  // 2027-01-15, a fixed "now"
constexpr char kAtomType[] = "application/atom+xml";
constexpr char kRssType[] = "application/rss+xml";
constexpr char kEmptyPage[] = "<html><head><title>空页</title></head><body></body></html>";

std::string FeedUrl(const std::string& name) { return "https://news.example/" + name + ".xml"; }
std::string ArticleUrl(const std::string& name) {
  return "https://news.example/a/" + name + ".htm";
}

// A page the extractor finds an article in: a heading and four long paragraphs.
std::string ArticlePage(const std::string& title, const std::string& text = "正文") {
  std::string paras;
  for (int i = 0; i < 4; ++i)
    paras += "<p>" + text + " 第" + std::to_string(i + 1) +
             "段，这一段的文字足够长，包含逗号，也包含句号。</p>";
  return "<html><head><meta charset=\"utf-8\"><title>" + title + "</title></head><body>" +
         "<div class=\"nav\"><a href=\"/\">首页</a></div><article><h1>" + title + "</h1>" + paras +
         "</article></body></html>";
}

struct Item {
  std::string title;
  std::string link;
  std::string updated;  // RFC 3339 (Atom) or RFC 822 (RSS)
};

std::string Atom(const std::vector<Item>& items) {
  std::string out = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>";
  for (const auto& i : items)
    out += "<entry><title>" + i.title + "</title><link href=\"" + i.link + "\"/><id>" + i.link +
           "</id><updated>" + i.updated + "</updated></entry>";
  return out + "</feed>";
}

std::string Rss(const std::vector<Item>& items) {
  std::string out = "<rss version=\"2.0\"><channel><title>t</title>";
  for (const auto& i : items)
    out += "<item><title>" + i.title + "</title><link>" + i.link + "</link><pubDate>" + i.updated +
           "</pubDate></item>";
  return out + "</channel></rss>";
}

std::string Sitemap(const std::vector<std::string>& locs, const std::string& tag) {
  std::string out = "<" + tag + " xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">";
  const char* entry = tag == "sitemapindex" ? "sitemap" : "url";
  for (const auto& l : locs)
    out += std::string("<") + entry + "><loc>" + l + "</loc><lastmod>2026-09-18</lastmod></" +
           entry + ">";
  return out + "</" + tag + ">";
}

// One [[sources]] table of samizdat.toml.
std::string Source(const std::string& id, const std::string& kind, const std::string& url,
                   const std::string& channels = "\"c1\"", const std::string& extra = "") {
  return "[[sources]]\nid = \"" + id + "\"\nkind = \"" + kind + "\"\nurl = \"" + url +
         "\"\nchannels = [" + channels + "]\n" + extra;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> Urls(const std::vector<fetch::Request>& requests) {
  std::vector<std::string> out;
  for (const auto& r : requests) out.push_back(r.url);
  return out;
}

// Every row of every table, as text: equal dumps mean the sync wrote nothing.
std::string DumpStore(sqlite3* db) {
  std::string out;
  for (const char* table : {"sources", "fetch_log", "validators", "raw_pages", "articles",
                            "revisions", "memberships"}) {
    out += std::string("# ") + table + "\n";
    sqlite3_stmt* st = nullptr;
    std::string sql = std::string("SELECT * FROM ") + table + " ORDER BY rowid";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      out += "prepare failed\n";
      continue;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const void* bytes = sqlite3_column_blob(st, c);
        if (bytes) out.append(static_cast<const char*>(bytes), sqlite3_column_bytes(st, c));
        out += '|';
      }
      out += '\n';
    }
    sqlite3_finalize(st);
  }
  return out;
}

class SyncFaultMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    store_ = store::Store::Open(dir_.File("store.db"), &error);
    ASSERT_TRUE(store_) << error;
  }

  void TearDown() override {
    // Every request the sync made was one the test scripted.
    EXPECT_EQ(http_.unscripted(), std::vector<std::string>{});
    EXPECT_EQ(store_->IntegrityCheck(), "ok");
  }

  void Configure(const std::string& sources) {
    std::string text =
        "[[channels]]\nid = \"c1\"\n[[channels]]\nid = \"c2\"\n"
        "[[channels]]\nid = \"c3\"\n" +
        sources;
    std::string error;
    auto parsed = config::ParseConfig(text, "samizdat.toml", dir_.path(), &error);
    ASSERT_TRUE(parsed) << error;
    config_ = std::move(*parsed);
  }

  SyncReport Sync(int64_t now, bool dry_run = false) {
    FakeClock clock(now);
    SyncOptions options;
    options.clock = &clock;
    options.dry_run = dry_run;
    return RunSync(config_, *store_, http_, extract::ProfileSet::BuiltIn(), options);
  }

  // The memberships of an article: "channel/source" in channel order.
  std::vector<std::string> Memberships(const std::string& url) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(store_->db(),
                       "SELECT m.channel, m.source_id FROM memberships m JOIN articles a ON "
                       "m.article=a.id WHERE a.canonical_url=? ORDER BY m.channel",
                       -1, &st, nullptr);
    sqlite3_bind_text(st, 1, url.c_str(), -1, SQLITE_TRANSIENT);
    std::vector<std::string> out;
    while (sqlite3_step(st) == SQLITE_ROW)
      out.push_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) + "/" +
                    reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
    sqlite3_finalize(st);
    return out;
  }

  // The titles of an article's revisions, oldest first.
  std::vector<std::string> RevisionTitles(const std::string& url) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(store_->db(),
                       "SELECT r.title FROM revisions r JOIN articles a ON r.article=a.id "
                       "WHERE a.canonical_url=? ORDER BY r.number",
                       -1, &st, nullptr);
    sqlite3_bind_text(st, 1, url.c_str(), -1, SQLITE_TRANSIENT);
    std::vector<std::string> out;
    while (sqlite3_step(st) == SQLITE_ROW)
      out.push_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  config::Config config_;
  FakeHttpClient http_;
};

const SourceReport& Report(const SyncReport& report, const std::string& id) {
  for (const auto& s : report.sources)
    if (s.id == id) return s;
  static const SourceReport missing;
  ADD_FAILURE() << "no report for source " << id;
  return missing;
}

// A source whose report says nothing was fetched, stored or failed.
void ExpectNoArticleCounts(const SourceReport& s) {
  EXPECT_EQ(s.new_articles, 0) << s.id;
  EXPECT_EQ(s.changed, 0) << s.id;
  EXPECT_EQ(s.unchanged, 0) << s.id;
  EXPECT_EQ(s.failed, 0) << s.id;
}

// --- The fake itself ------------------------------------------------------------------------

TEST(FakeHttpClient, ServesScriptsInOrderHonoursValidatorsAndRecordsEveryBatch) {
  FakeHttpClient http;
  http.Script("https://x.example/a",
              {HttpError(500), Ok("body", "text/html; charset=GBK", "\"e\"")});
  http.SetHandler([](const fetch::Request& r) { return Ok("handled " + r.url); });
  fetch::Request a{"https://x.example/a", "", "", "socks5h://127.0.0.1:1080", "src"};
  auto first = http.FetchAll({a, {"https://x.example/other", "", "", "", "t"}});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_FALSE(first[0].ok);
  EXPECT_EQ(first[0].status, 500);
  EXPECT_EQ(first[0].error, "https://x.example/a: HTTP 500");
  EXPECT_EQ(first[0].tag, "src");
  EXPECT_EQ(first[1].body, "handled https://x.example/other");
  EXPECT_EQ(http.unscripted(), std::vector<std::string>{"https://x.example/other"});
  // The last response of a script repeats; matching validators turn it into a 304.
  auto second = http.FetchAll({a});
  EXPECT_TRUE(second[0].ok);
  EXPECT_EQ(second[0].body, "body");
  EXPECT_EQ(second[0].charset, "gbk");
  a.etag = "\"e\"";
  auto third = http.FetchAll({a, a});
  EXPECT_TRUE(third[0].not_modified);
  EXPECT_EQ(third[0].status, 304);
  EXPECT_TRUE(third[0].body.empty());
  http.HonourValidators(false);
  EXPECT_FALSE(http.FetchAll({a})[0].not_modified);
  ASSERT_EQ(http.batches().size(), 4u);
  EXPECT_EQ(http.batches()[2].size(), 2u);
  auto seen = http.RequestsFor("https://x.example/a");
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0].proxy, "socks5h://127.0.0.1:1080");
  EXPECT_EQ(seen[0].etag, "");
  EXPECT_EQ(seen[2].etag, "\"e\"");
  // Unscripted without a handler: 404.
  FakeHttpClient bare;
  EXPECT_EQ(bare.FetchAll({{"https://y.example/", "", "", "", ""}})[0].status, 404);
}

// --- The source's own fetch -----------------------------------------------------------------

TEST_F(SyncFaultMatrix, FeedFetchFaultsFailOnlyTheirSource) {
  struct Fault {
    std::string id;
    fetch::Response response;
    std::string reason;
  };
  const std::vector<Fault> faults = {
      {"timeout", TransportError("timed out (Operation timed out after 60000 milliseconds)"),
       "timed out"},
      {"e500", HttpError(500), "HTTP 500"},
      {"e404", HttpError(404), "HTTP 404"},
      {"refused", RefusedAddress("10.1.2.3"), "refused to connect to non-public address 10.1.2.3"},
      {"oversize", Oversize(1 << 20), "body exceeds 1048576 bytes"},
      {"truncated", Truncated(), "transfer closed"},
  };
  std::string sources;
  for (const auto& f : faults) {
    sources += Source(f.id, "atom", FeedUrl(f.id));
    http_.Set(FeedUrl(f.id), f.response);
  }
  sources += Source("good", "atom", FeedUrl("good"), "\"c2\"");
  ASSERT_NO_FATAL_FAILURE(Configure(sources));
  http_.Set(FeedUrl("good"), Ok(Atom({{"好文章", ArticleUrl("good"), "2026-09-20T10:00:00Z"}}),
                                kAtomType, "\"g1\""));
  http_.Set(ArticleUrl("good"), Ok(ArticlePage("好文章")));

  SyncReport report = Sync(kT0);
  EXPECT_TRUE(report.AnyFailed());
  for (const auto& f : faults) {
    SCOPED_TRACE(f.id);
    const SourceReport& s = Report(report, f.id);
    EXPECT_TRUE(s.due);
    EXPECT_TRUE(s.source_failed);
    EXPECT_FALSE(s.healthy);
    EXPECT_TRUE(Contains(s.health_note, f.reason)) << s.health_note;
    ASSERT_EQ(s.failures.size(), 1u);
    EXPECT_TRUE(Contains(s.failures[0], FeedUrl(f.id))) << s.failures[0];
    EXPECT_TRUE(Contains(s.failures[0], f.reason)) << s.failures[0];
    ExpectNoArticleCounts(s);
    auto health = store_->GetSourceHealth(f.id).value();
    ASSERT_TRUE(health);
    EXPECT_FALSE(health->healthy);
    EXPECT_EQ(health->note, s.health_note);
    EXPECT_EQ(health->consecutive_failures, 1);
    EXPECT_EQ(health->last_attempt_at, kT0);
    EXPECT_EQ(health->last_success_at, 0);
    EXPECT_FALSE(store_->GetValidators(FeedUrl(f.id)).value());
  }
  // The good source went on as if nothing else had happened.
  const SourceReport& good = Report(report, "good");
  EXPECT_FALSE(good.source_failed);
  EXPECT_TRUE(good.healthy) << good.health_note;
  EXPECT_EQ(good.new_articles, 1);
  EXPECT_EQ(good.failed, 0);
  EXPECT_EQ(good.failures, std::vector<std::string>{});
  auto article = store_->FindArticle(ArticleUrl("good")).value();
  ASSERT_TRUE(article);
  EXPECT_EQ(article->channels, std::vector<std::string>{"c2"});
  ASSERT_TRUE(store_->GetValidators(FeedUrl("good")).value());
  EXPECT_EQ(store_->GetValidators(FeedUrl("good")).value()->etag, "\"g1\"");
  EXPECT_EQ(store_->GetSourceHealth("good").value()->last_success_at, kT0);
  EXPECT_EQ(store_->CountArticles().value(), 1);
  // Seven feeds in one batch, then the one article: nothing asked of a failed source.
  ASSERT_EQ(http_.batches().size(), 2u);
  EXPECT_EQ(http_.batches()[0].size(), 7u);
  EXPECT_EQ(Urls(http_.batches()[1]), std::vector<std::string>{ArticleUrl("good")});
  EXPECT_EQ(store_->CountFetches().value(), 8);

  // Failing again: the count of consecutive failures grows; the good source stays good.
  SyncReport second = Sync(kT0 + 600);
  for (const auto& f : faults) {
    EXPECT_TRUE(Report(second, f.id).source_failed) << f.id;
    EXPECT_EQ(store_->GetSourceHealth(f.id).value()->consecutive_failures, 2) << f.id;
  }
  EXPECT_TRUE(Report(second, "good").not_modified);
  EXPECT_EQ(store_->GetSourceHealth("good").value()->consecutive_failures, 0);
}

TEST_F(SyncFaultMatrix, FeedNotModifiedMakesNoArticleRequests) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("news", "atom", FeedUrl("news"))));
  const std::string last_modified = "Sun, 20 Sep 2026 10:00:00 GMT";
  http_.Script(FeedUrl("news"), {Ok(Atom({{"一", ArticleUrl("1"), "2026-09-19T10:00:00Z"},
                                          {"二", ArticleUrl("2"), "2026-09-20T10:00:00Z"}}),
                                    kAtomType, "\"f1\"", last_modified),
                                 NotModified()});
  http_.Set(ArticleUrl("1"), Ok(ArticlePage("一")));
  http_.Set(ArticleUrl("2"), Ok(ArticlePage("二")));
  SyncReport first = Sync(kT0);
  EXPECT_EQ(Report(first, "news").new_articles, 2);
  EXPECT_EQ(store_->CountArticles().value(), 2);
  std::string before = DumpStore(store_->db());

  http_.ClearRequests();
  SyncReport second = Sync(kT0 + 3600);
  // One request, conditional with both stored validators; no article is asked for.
  ASSERT_EQ(http_.requests().size(), 1u);
  EXPECT_EQ(http_.requests()[0].url, FeedUrl("news"));
  EXPECT_EQ(http_.requests()[0].etag, "\"f1\"");
  EXPECT_EQ(http_.requests()[0].last_modified, last_modified);
  EXPECT_EQ(http_.requests()[0].tag, "news");
  EXPECT_EQ(second.requests, 1);
  EXPECT_EQ(second.conditional_requests, 1);
  const SourceReport& s = Report(second, "news");
  EXPECT_TRUE(s.not_modified);
  EXPECT_FALSE(s.source_failed);
  EXPECT_TRUE(s.healthy) << s.health_note;
  EXPECT_EQ(s.entries, 0);
  ExpectNoArticleCounts(s);
  EXPECT_FALSE(second.AnyFailed());
  // A run in which nothing changed writes nothing.
  EXPECT_EQ(DumpStore(store_->db()), before);
}

TEST_F(SyncFaultMatrix, FeedThatIsAnHtmlPageIsUnhealthyWithANote) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("news", "rss", FeedUrl("news"))));
  http_.Set(FeedUrl("news"), Ok("<!DOCTYPE html><html><head><title>Bad gateway</title></head>"
                                "<body><p>Upstream error</p></body></html>",
                                "text/html", "\"h1\""));
  SyncReport report = Sync(kT0);
  const SourceReport& s = Report(report, "news");
  EXPECT_TRUE(s.source_failed);
  EXPECT_FALSE(s.healthy);
  EXPECT_TRUE(Contains(s.health_note, FeedUrl("news"))) << s.health_note;
  EXPECT_TRUE(Contains(s.health_note, "HTML page")) << s.health_note;
  EXPECT_EQ(s.failures, std::vector<std::string>{s.health_note});
  ExpectNoArticleCounts(s);
  EXPECT_EQ(Urls(http_.requests()), std::vector<std::string>{FeedUrl("news")});
  auto health = store_->GetSourceHealth("news").value();
  ASSERT_TRUE(health);
  EXPECT_FALSE(health->healthy);
  EXPECT_EQ(health->note, s.health_note);
  EXPECT_EQ(health->consecutive_failures, 1);
  // Not remembered: the next run must not be answered "not modified" for an error page.
  EXPECT_FALSE(store_->GetValidators(FeedUrl("news")).value());
  EXPECT_EQ(store_->CountArticles().value(), 0);
}

TEST_F(SyncFaultMatrix, FeedWithNoItemsIsUnhealthy) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("news", "atom", FeedUrl("news"))));
  http_.Set(FeedUrl("news"), Ok(Atom({}), kAtomType, "\"e1\""));
  SyncReport report = Sync(kT0);
  const SourceReport& s = Report(report, "news");
  EXPECT_FALSE(s.source_failed);
  EXPECT_FALSE(s.healthy);
  EXPECT_EQ(s.health_note, FeedUrl("news") + ": no items");
  EXPECT_EQ(s.entries, 0);
  ExpectNoArticleCounts(s);
  EXPECT_EQ(Urls(http_.requests()), std::vector<std::string>{FeedUrl("news")});
  auto health = store_->GetSourceHealth("news").value();
  ASSERT_TRUE(health);
  EXPECT_FALSE(health->healthy);
  EXPECT_EQ(health->note, s.health_note);
  EXPECT_EQ(health->consecutive_failures, 0);
}

TEST_F(SyncFaultMatrix, FeedWithNoItemsStaysUnhealthyOnTheNextRun) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("news", "atom", FeedUrl("news"))));
  http_.Set(FeedUrl("news"), Ok(Atom({}), kAtomType, "\"e1\""));
  Sync(kT0);
  ASSERT_FALSE(store_->GetSourceHealth("news").value()->healthy);
  // An unhealthy source keeps no validators: a 304 next time would say nothing about it.
  EXPECT_FALSE(store_->GetValidators(FeedUrl("news")).value());
  SyncReport second = Sync(kT0 + 3600);
  ASSERT_EQ(http_.RequestsFor(FeedUrl("news")).size(), 2u);
  EXPECT_EQ(http_.RequestsFor(FeedUrl("news"))[1].etag, "");
  const SourceReport& s = Report(second, "news");
  EXPECT_FALSE(s.not_modified);
  EXPECT_FALSE(s.healthy);
  EXPECT_EQ(s.health_note, FeedUrl("news") + ": no items");
  auto health = store_->GetSourceHealth("news").value();
  ASSERT_TRUE(health);
  EXPECT_FALSE(health->healthy);
  EXPECT_EQ(health->note, FeedUrl("news") + ": no items");

  // Once the feed has items, the source is healthy and its validators are kept.
  http_.Set(FeedUrl("news"),
            Ok(Atom({{"一", ArticleUrl("1"), "2026-09-19T10:00:00Z"}}), kAtomType, "\"e2\""));
  http_.Set(ArticleUrl("1"), Ok(ArticlePage("一")));
  EXPECT_TRUE(Report(Sync(kT0 + 7200), "news").healthy);
  EXPECT_TRUE(store_->GetSourceHealth("news").value()->healthy);
  ASSERT_TRUE(store_->GetValidators(FeedUrl("news")).value());
  EXPECT_EQ(store_->GetValidators(FeedUrl("news")).value()->etag, "\"e2\"");
}

// --- Articles --------------------------------------------------------------------------------

TEST_F(SyncFaultMatrix, FailedArticlesAreCountedTheRestStoredAndTheFeedReReadNextRun) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("news", "atom", FeedUrl("news"))));
  struct Fault {
    std::string name;
    fetch::Response response;
    std::string reason;
  };
  const std::vector<Fault> faults = {
      {"timeout", TransportError("timed out (Operation timed out after 60000 milliseconds)"),
       "timed out"},
      {"e500", HttpError(500), "HTTP 500"},
      {"e404", HttpError(404), "HTTP 404"},
      {"refused", RefusedAddress("192.168.1.1"), "non-public address 192.168.1.1"},
      {"oversize", Oversize(1 << 20), "body exceeds"},
      {"truncated", Truncated(), "transfer closed"},
  };
  std::vector<Item> items = {{"好一", ArticleUrl("good1"), "2026-09-10T10:00:00Z"}};
  for (size_t i = 0; i < faults.size(); ++i) {
    const Fault& f = faults[i];
    items.push_back({f.name, ArticleUrl(f.name), "2026-09-1" + std::to_string(i + 1) + "T10:00Z"});
    // Fails in the first run, succeeds in the next.
    http_.Script(ArticleUrl(f.name), {f.response, Ok(ArticlePage(f.name))});
  }
  items.push_back({"好二", ArticleUrl("good2"), "2026-09-19T10:00:00Z"});
  http_.Set(FeedUrl("news"), Ok(Atom(items), kAtomType, "\"f1\""));
  http_.Set(ArticleUrl("good1"), Ok(ArticlePage("好一"), "text/html", "\"a1\""));
  http_.Set(ArticleUrl("good2"), Ok(ArticlePage("好二")));

  SyncReport first = Sync(kT0);
  const SourceReport& s = Report(first, "news");
  EXPECT_FALSE(s.source_failed);
  EXPECT_TRUE(s.healthy) << s.health_note;
  EXPECT_EQ(s.entries, 8);
  EXPECT_EQ(s.new_articles, 2);
  EXPECT_EQ(s.failed, 6);
  ASSERT_EQ(s.failures.size(), faults.size());
  for (size_t i = 0; i < faults.size(); ++i) {
    // Oldest first, so the failures come in feed date order.
    EXPECT_TRUE(Contains(s.failures[i], ArticleUrl(faults[i].name))) << s.failures[i];
    EXPECT_TRUE(Contains(s.failures[i], faults[i].reason)) << s.failures[i];
    EXPECT_FALSE(store_->FindArticle(ArticleUrl(faults[i].name)).value()) << faults[i].name;
  }
  EXPECT_TRUE(first.AnyFailed());
  EXPECT_EQ(store_->CountArticles().value(), 2);
  EXPECT_TRUE(store_->FindArticle(ArticleUrl("good1")).value());
  EXPECT_TRUE(store_->FindArticle(ArticleUrl("good2")).value());
  ASSERT_TRUE(store_->GetValidators(ArticleUrl("good1")).value());
  EXPECT_EQ(store_->GetValidators(ArticleUrl("good1")).value()->etag, "\"a1\"");
  // The source's validators wait until every article is stored: a 304 next time would
  // otherwise hide the six articles that failed.
  EXPECT_FALSE(store_->GetValidators(FeedUrl("news")).value());
  EXPECT_EQ(store_->GetSourceHealth("news").value()->last_success_at, kT0);

  // Next run: the feed is re-read unconditionally and only the failed articles are asked for.
  http_.ClearRequests();
  SyncReport second = Sync(kT0 + 3600);
  ASSERT_FALSE(http_.requests().empty());
  EXPECT_EQ(http_.requests()[0].url, FeedUrl("news"));
  EXPECT_EQ(http_.requests()[0].etag, "");
  EXPECT_EQ(http_.requests()[0].last_modified, "");
  std::vector<std::string> retried;
  for (const auto& f : faults) retried.push_back(ArticleUrl(f.name));
  ASSERT_EQ(http_.batches().size(), 2u);
  EXPECT_EQ(Urls(http_.batches()[1]), retried);
  const SourceReport& s2 = Report(second, "news");
  EXPECT_EQ(s2.new_articles, 6);
  EXPECT_EQ(s2.unchanged, 2);
  EXPECT_EQ(s2.failed, 0);
  EXPECT_EQ(s2.failures, std::vector<std::string>{});
  EXPECT_EQ(store_->CountArticles().value(), 8);
  ASSERT_TRUE(store_->GetValidators(FeedUrl("news")).value());
  EXPECT_EQ(store_->GetValidators(FeedUrl("news")).value()->etag, "\"f1\"");

  // Then: conditional with the stored ETag, answered 304, and nothing else asked.
  http_.ClearRequests();
  SyncReport third = Sync(kT0 + 7200);
  ASSERT_EQ(http_.requests().size(), 1u);
  EXPECT_EQ(http_.requests()[0].etag, "\"f1\"");
  EXPECT_TRUE(Report(third, "news").not_modified);
}

TEST_F(SyncFaultMatrix, ArticleNotModifiedOnRecheckIsUnchanged) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("news", "atom", FeedUrl("news"))));
  http_.Set(FeedUrl("news"),
            Ok(Atom({{"一", ArticleUrl("1"), "2026-09-19T10:00:00Z"}}), kAtomType, "\"f1\""));
  http_.Set(ArticleUrl("1"),
            Ok(ArticlePage("一"), "text/html", "\"a1\"", "Sat, 19 Sep 2026 10:00:00 GMT"));
  Sync(kT0);
  ASSERT_TRUE(store_->FindArticle(ArticleUrl("1")).value());

  // The feed says the article was updated; the article's server says it was not.
  http_.Set(FeedUrl("news"),
            Ok(Atom({{"一", ArticleUrl("1"), "2026-09-20T10:00:00Z"}}), kAtomType, "\"f2\""));
  http_.ClearRequests();
  SyncReport second = Sync(kT0 + 3600);
  auto asked = http_.RequestsFor(ArticleUrl("1"));
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].etag, "\"a1\"");
  EXPECT_EQ(asked[0].last_modified, "Sat, 19 Sep 2026 10:00:00 GMT");
  EXPECT_EQ(second.conditional_requests, 2);  // the feed and the article
  const SourceReport& s = Report(second, "news");
  EXPECT_EQ(s.unchanged, 1);
  EXPECT_EQ(s.new_articles, 0);
  EXPECT_EQ(s.changed, 0);
  EXPECT_EQ(s.failed, 0);
  EXPECT_TRUE(s.healthy) << s.health_note;
  EXPECT_EQ(store_->FindArticle(ArticleUrl("1")).value()->revisions, 1);
  EXPECT_EQ(store_->CountRevisions().value(), 1);
  EXPECT_EQ(store_->GetValidators(FeedUrl("news")).value()->etag, "\"f2\"");
}

TEST_F(SyncFaultMatrix, ArticlePageWithoutContentFailsAndIsRetried) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("news", "atom", FeedUrl("news"))));
  http_.Set(FeedUrl("news"), Ok(Atom({{"一", ArticleUrl("1"), "2026-09-19T10:00:00Z"},
                                      {"空", ArticleUrl("empty"), "2026-09-20T10:00:00Z"}}),
                                kAtomType, "\"f1\""));
  http_.Set(ArticleUrl("1"), Ok(ArticlePage("一")));
  http_.Script(ArticleUrl("empty"), {Ok(""), Ok(kEmptyPage), Ok(ArticlePage("有了"))});
  SyncReport first = Sync(kT0);
  const SourceReport& s = Report(first, "news");
  EXPECT_EQ(s.new_articles, 1);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.failures, std::vector<std::string>{ArticleUrl("empty") + ": no article found"});
  EXPECT_TRUE(s.healthy) << s.health_note;  // one of two came out empty, not every one
  EXPECT_FALSE(store_->FindArticle(ArticleUrl("empty")).value());
  EXPECT_EQ(store_->CountArticles().value(), 1);
  EXPECT_FALSE(store_->GetValidators(FeedUrl("news")).value());

  // A page with markup but no content fails the same way; then it comes and is stored.
  SyncReport second = Sync(kT0 + 3600);
  EXPECT_EQ(Report(second, "news").failures,
            std::vector<std::string>{ArticleUrl("empty") + ": no article found"});
  SyncReport third = Sync(kT0 + 7200);
  EXPECT_EQ(Report(third, "news").new_articles, 1);
  EXPECT_EQ(Report(third, "news").failed, 0);
  EXPECT_EQ(store_->CountArticles().value(), 2);
  EXPECT_EQ(http_.RequestsFor(ArticleUrl("empty")).size(), 3u);
  EXPECT_EQ(http_.RequestsFor(ArticleUrl("1")).size(), 1u);
}

TEST_F(SyncFaultMatrix, EveryArticleEmptyMakesTheSourceUnhealthy) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("news", "atom", FeedUrl("news")) +
                                    Source("other", "atom", FeedUrl("other"), "\"c2\"")));
  http_.Set(FeedUrl("news"), Ok(Atom({{"一", ArticleUrl("1"), "2026-09-19T10:00:00Z"},
                                      {"二", ArticleUrl("2"), "2026-09-20T10:00:00Z"}}),
                                kAtomType));
  http_.Set(ArticleUrl("1"), Ok(kEmptyPage));
  http_.Set(ArticleUrl("2"), Ok(kEmptyPage));
  http_.Set(FeedUrl("other"),
            Ok(Atom({{"三", ArticleUrl("3"), "2026-09-20T10:00:00Z"}}), kAtomType));
  http_.Set(ArticleUrl("3"), Ok(ArticlePage("三")));
  SyncReport report = Sync(kT0);
  const SourceReport& s = Report(report, "news");
  EXPECT_FALSE(s.source_failed);
  EXPECT_FALSE(s.healthy);
  EXPECT_EQ(s.health_note, "every article page came out empty (2)");
  EXPECT_EQ(s.failed, 2);
  EXPECT_EQ(s.failures.size(), 2u);
  EXPECT_EQ(s.new_articles, 0);
  auto health = store_->GetSourceHealth("news").value();
  ASSERT_TRUE(health);
  EXPECT_FALSE(health->healthy);
  EXPECT_EQ(health->note, s.health_note);
  EXPECT_TRUE(Report(report, "other").healthy);
  EXPECT_TRUE(store_->GetSourceHealth("other").value()->healthy);
  EXPECT_EQ(store_->CountArticles().value(), 1);
  EXPECT_FALSE(store_->FindArticle(ArticleUrl("1")).value());
}

TEST_F(SyncFaultMatrix, ChangedArticleGetsANewRevisionAndKeepsTheOld) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("news", "atom", FeedUrl("news"))));
  auto feed = [&](const std::string& updated) {
    http_.Set(FeedUrl("news"), Ok(Atom({{"一", ArticleUrl("1"), updated}}), kAtomType));
  };
  feed("2026-09-19T10:00:00Z");
  http_.Set(ArticleUrl("1"), Ok(ArticlePage("原来的标题", "原来的版本")));
  Sync(kT0);
  ASSERT_EQ(store_->FindArticle(ArticleUrl("1")).value()->revisions, 1);

  feed("2026-09-20T10:00:00Z");
  http_.Set(ArticleUrl("1"), Ok(ArticlePage("修改后的标题", "修改后的版本")));
  SyncReport second = Sync(kT0 + 3600);
  const SourceReport& s = Report(second, "news");
  EXPECT_EQ(s.changed, 1);
  EXPECT_EQ(s.new_articles, 0);
  EXPECT_EQ(s.unchanged, 0);
  auto article = store_->FindArticle(ArticleUrl("1")).value();
  ASSERT_TRUE(article);
  EXPECT_EQ(article->revisions, 2);
  EXPECT_EQ(article->title, "修改后的标题");
  EXPECT_EQ(article->feed_updated, "2026-09-20T10:00:00Z");
  EXPECT_EQ(RevisionTitles(ArticleUrl("1")),
            (std::vector<std::string>{"原来的标题", "修改后的标题"}));
  EXPECT_EQ(store_->CountArticles().value(), 1);

  // A newer feed date with the same content: fetched, unchanged, no third revision.
  feed("2026-09-21T10:00:00Z");
  SyncReport third = Sync(kT0 + 7200);
  EXPECT_EQ(Report(third, "news").unchanged, 1);
  EXPECT_EQ(Report(third, "news").changed, 0);
  EXPECT_EQ(http_.RequestsFor(ArticleUrl("1")).size(), 3u);
  EXPECT_EQ(store_->CountRevisions().value(), 2);
}

TEST_F(SyncFaultMatrix, ArticleInTwoSourcesIsStoredOnceWithBothMemberships) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("rss", "rss", FeedUrl("rss"), "\"c1\"") +
                                    Source("atom", "atom", FeedUrl("atom"), "\"c2\"")));
  // The RSS link carries tracking parameters and a fragment; both name one article.
  http_.Set(FeedUrl("rss"),
            Ok(Rss({{"共享", ArticleUrl("shared") + "?utm_source=rss&utm_medium=feed#top",
                     "Sun, 20 Sep 2026 10:00:00 +0800"}}),
               kRssType));
  http_.Set(FeedUrl("atom"),
            Ok(Atom({{"共享", ArticleUrl("shared"), "2026-09-20T02:00:00Z"}}), kAtomType));
  http_.Set(ArticleUrl("shared"), Ok(ArticlePage("共享")));
  SyncReport first = Sync(kT0);
  EXPECT_EQ(http_.RequestsFor(ArticleUrl("shared")).size(), 1u);
  EXPECT_EQ(Report(first, "rss").new_articles + Report(first, "atom").new_articles, 1);
  EXPECT_FALSE(first.AnyFailed());
  EXPECT_EQ(store_->CountArticles().value(), 1);
  EXPECT_EQ(store_->CountRevisions().value(), 1);
  auto article = store_->FindArticle(ArticleUrl("shared")).value();
  ASSERT_TRUE(article);
  EXPECT_EQ(article->channels, (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(Memberships(ArticleUrl("shared")).size(), 2u);

  // A third source lists it later: a membership is added without fetching it again.
  ASSERT_NO_FATAL_FAILURE(Configure(Source("rss", "rss", FeedUrl("rss"), "\"c1\"") +
                                    Source("atom", "atom", FeedUrl("atom"), "\"c2\"") +
                                    Source("late", "atom", FeedUrl("late"), "\"c3\"")));
  http_.Set(FeedUrl("late"),
            Ok(Atom({{"共享", ArticleUrl("shared"), "2026-09-20T02:00:00Z"}}), kAtomType));
  SyncReport second = Sync(kT0 + 3600);
  EXPECT_EQ(http_.RequestsFor(ArticleUrl("shared")).size(), 1u);
  int unchanged = 0;
  for (const auto& s : second.sources) unchanged += s.unchanged;
  EXPECT_EQ(unchanged, 1);
  EXPECT_EQ(store_->FindArticle(ArticleUrl("shared")).value()->channels,
            (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_EQ(store_->CountArticles().value(), 1);
  EXPECT_EQ(store_->CountRevisions().value(), 1);
}

TEST_F(SyncFaultMatrix, MembershipNamesTheSourceThatListedTheArticleInThatChannel) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("rss", "rss", FeedUrl("rss"), "\"c1\"") +
                                    Source("atom", "atom", FeedUrl("atom"), "\"c2\"")));
  http_.Set(FeedUrl("rss"),
            Ok(Rss({{"共享", ArticleUrl("shared"), "Sun, 20 Sep 2026 10:00:00 +0800"}}), kRssType));
  http_.Set(FeedUrl("atom"),
            Ok(Atom({{"共享", ArticleUrl("shared"), "2026-09-20T02:00:00Z"}}), kAtomType));
  http_.Set(ArticleUrl("shared"), Ok(ArticlePage("共享")));
  SyncReport first = Sync(kT0);
  EXPECT_EQ(Memberships(ArticleUrl("shared")), (std::vector<std::string>{"c1/rss", "c2/atom"}));
  // Stored once, so counted once: as new for the source that met it first.
  EXPECT_EQ(Report(first, "rss").new_articles, 1);
  EXPECT_EQ(Report(first, "atom").new_articles, 0);

  // A source that lists the stored article later adds its channel under its own name.
  ASSERT_NO_FATAL_FAILURE(Configure(Source("rss", "rss", FeedUrl("rss"), "\"c1\"") +
                                    Source("atom", "atom", FeedUrl("atom"), "\"c2\"") +
                                    Source("late", "atom", FeedUrl("late"), "\"c3\"")));
  http_.Set(FeedUrl("late"),
            Ok(Atom({{"共享", ArticleUrl("shared"), "2026-09-20T02:00:00Z"}}), kAtomType));
  Sync(kT0 + 3600);
  EXPECT_EQ(Memberships(ArticleUrl("shared")),
            (std::vector<std::string>{"c1/rss", "c2/atom", "c3/late"}));
}

TEST_F(SyncFaultMatrix, SharedArticleThatFailedOnceIsStoredInEveryChannelOnRetry) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("rss", "rss", FeedUrl("rss"), "\"c1\"") +
                                    Source("atom", "atom", FeedUrl("atom"), "\"c2\"")));
  http_.Set(FeedUrl("rss"),
            Ok(Rss({{"共享", ArticleUrl("shared"), "Sun, 20 Sep 2026 10:00:00 +0800"}}), kRssType,
               "\"r1\""));
  http_.Set(FeedUrl("atom"), Ok(Atom({{"共享", ArticleUrl("shared"), "2026-09-20T02:00:00Z"}}),
                                kAtomType, "\"t1\""));
  http_.Script(ArticleUrl("shared"), {HttpError(503), Ok(ArticlePage("共享"))});
  SyncReport first = Sync(kT0);
  EXPECT_EQ(Report(first, "rss").failed, 1);
  EXPECT_EQ(Report(first, "atom").failed, 1);
  EXPECT_FALSE(store_->FindArticle(ArticleUrl("shared")).value());
  // Both sources listed the article that failed: neither may be answered 304 next time,
  // or the channel of the one that is loses the article.
  EXPECT_FALSE(store_->GetValidators(FeedUrl("atom")).value());
  EXPECT_FALSE(store_->GetValidators(FeedUrl("rss")).value());
  SyncReport second = Sync(kT0 + 3600);
  EXPECT_FALSE(Report(second, "rss").not_modified);
  EXPECT_FALSE(Report(second, "atom").not_modified);
  auto article = store_->FindArticle(ArticleUrl("shared")).value();
  ASSERT_TRUE(article);
  EXPECT_EQ(article->channels, (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(Memberships(ArticleUrl("shared")), (std::vector<std::string>{"c1/rss", "c2/atom"}));
}

// --- Store errors ------------------------------------------------------------------------------

// Any store write that fails stops the run, not only an article's save: a lost fetch-log row
// or health row means the disk is failing, and nothing after it may be written.
TEST_F(SyncFaultMatrix, AFailedStoreWriteOfAnyKindStopsTheRun) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("news", "atom", FeedUrl("news"))));
  http_.Set(FeedUrl("news"),
            Ok(Atom({{"一", ArticleUrl("1"), "2026-09-19T10:00:00Z"}}), kAtomType, "\"f1\""));
  http_.Set(ArticleUrl("1"), Ok(ArticlePage("一")));
  auto exec = [&](const std::string& sql) {
    ASSERT_EQ(sqlite3_exec(store_->db(), sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  };
  // The fetch log refuses the article's row.
  exec("CREATE TRIGGER refuse BEFORE INSERT ON fetch_log WHEN NEW.url='" + ArticleUrl("1") +
       "' BEGIN SELECT RAISE(FAIL, 'refused'); END");
  SyncReport first = Sync(kT0);
  EXPECT_FALSE(first.store_error.ok());
  EXPECT_TRUE(Contains(first.store_error.message(), "source news")) << first.store_error.message();
  EXPECT_TRUE(Contains(first.store_error.message(), "cannot log the fetch for " + ArticleUrl("1")))
      << first.store_error.message();
  EXPECT_TRUE(first.AnyFailed());
  EXPECT_EQ(store_->CountArticles().value(), 0);
  EXPECT_FALSE(store_->GetValidators(FeedUrl("news")).value());
  EXPECT_FALSE(store_->GetSourceHealth("news").value());

  // The source's health cannot be saved: the run says so, and keeps no validators.
  exec("DROP TRIGGER refuse");
  exec("CREATE TRIGGER refuse BEFORE INSERT ON sources BEGIN SELECT RAISE(FAIL, 'refused'); END");
  SyncReport second = Sync(kT0 + 3600);
  EXPECT_FALSE(second.store_error.ok());
  EXPECT_TRUE(Contains(second.store_error.message(), "cannot save source health for news"))
      << second.store_error.message();
  EXPECT_EQ(store_->CountArticles().value(), 1);
  EXPECT_FALSE(store_->GetSourceHealth("news").value());
}

// --- Runs that must not write, sitemaps, due times -------------------------------------------

TEST_F(SyncFaultMatrix, DryRunLeavesTheStoreUnchanged) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("news", "atom", FeedUrl("news")) +
                                    Source("broken", "atom", FeedUrl("broken")) +
                                    Source("second", "atom", FeedUrl("second"), "\"c2\"")));
  http_.Set(FeedUrl("news"),
            Ok(Atom({{"一", ArticleUrl("1"), "2026-09-19T10:00:00Z"}}), kAtomType, "\"f1\""));
  http_.Set(ArticleUrl("1"), Ok(ArticlePage("一", "第一版")));
  http_.Set(FeedUrl("broken"), HttpError(503));
  http_.Set(FeedUrl("second"), Ok(Atom({}), kAtomType));
  Sync(kT0);
  ASSERT_EQ(store_->CountArticles().value(), 1);

  // Everything that would write: a changed article, a new one, a failing one, a new
  // membership for a stored one, new validators, and changes of health.
  http_.Set(FeedUrl("news"), Ok(Atom({{"一", ArticleUrl("1"), "2026-09-20T10:00:00Z"},
                                      {"二", ArticleUrl("2"), "2026-09-20T11:00:00Z"},
                                      {"三", ArticleUrl("3"), "2026-09-20T12:00:00Z"}}),
                                kAtomType, "\"f2\""));
  http_.Set(ArticleUrl("1"), Ok(ArticlePage("一", "第二版"), "text/html", "\"a1\""));
  http_.Set(ArticleUrl("2"), Ok(ArticlePage("二"), "text/html", "\"a2\""));
  http_.Set(ArticleUrl("3"), HttpError(500));
  http_.Set(FeedUrl("broken"),
            Ok(Atom({{"四", ArticleUrl("4"), "2026-09-20T10:00:00Z"}}), kAtomType, "\"b1\""));
  http_.Set(ArticleUrl("4"), Ok(ArticlePage("四")));
  http_.Set(FeedUrl("second"),
            Ok(Atom({{"一", ArticleUrl("1"), "2026-09-20T10:00:00Z"}}), kAtomType, "\"s1\""));
  const std::string before = DumpStore(store_->db());
  const int changes_before = sqlite3_total_changes(store_->db());
  const int64_t articles = store_->CountArticles().value(),
                revisions = store_->CountRevisions().value(),
                fetches = store_->CountFetches().value();

  SyncReport dry = Sync(kT0 + 3600, /*dry_run=*/true);
  const SourceReport& news = Report(dry, "news");
  EXPECT_EQ(news.new_articles, 1);
  EXPECT_EQ(news.changed, 1);
  EXPECT_EQ(news.failed, 1);
  EXPECT_EQ(Report(dry, "broken").new_articles, 1);
  EXPECT_EQ(store_->CountArticles().value(), articles);
  EXPECT_EQ(store_->CountRevisions().value(), revisions);
  EXPECT_EQ(store_->CountFetches().value(), fetches);
  EXPECT_EQ(sqlite3_total_changes(store_->db()), changes_before);
  EXPECT_EQ(DumpStore(store_->db()), before);
  EXPECT_EQ(store_->FindArticle(ArticleUrl("1")).value()->channels, std::vector<std::string>{"c1"});
}

TEST_F(SyncFaultMatrix, SitemapIndexWithAFailingChildCountsItAndRereadsTheIndex) {
  ASSERT_NO_FATAL_FAILURE(Configure(Source("map", "sitemap", FeedUrl("index"))));
  const std::string s1 = FeedUrl("sitemap-1"), s2 = FeedUrl("sitemap-2");
  http_.Set(FeedUrl("index"), Ok(Sitemap({s1, s2}, "sitemapindex"), "application/xml", "\"i1\""));
  http_.Set(s1, Ok(Sitemap({ArticleUrl("1")}, "urlset"), "application/xml"));
  http_.Script(s2, {HttpError(500), Ok(Sitemap({ArticleUrl("2")}, "urlset"), "application/xml")});
  http_.Set(ArticleUrl("1"), Ok(ArticlePage("一")));
  http_.Set(ArticleUrl("2"), Ok(ArticlePage("二")));

  SyncReport first = Sync(kT0);
  const SourceReport& s = Report(first, "map");
  EXPECT_FALSE(s.source_failed);
  EXPECT_EQ(s.new_articles, 1);
  EXPECT_EQ(s.failed, 1);
  ASSERT_EQ(s.failures.size(), 1u);
  EXPECT_TRUE(Contains(s.failures[0], s2)) << s.failures[0];
  EXPECT_TRUE(Contains(s.failures[0], "HTTP 500")) << s.failures[0];
  EXPECT_TRUE(first.AnyFailed());
  EXPECT_TRUE(store_->FindArticle(ArticleUrl("1")).value());
  EXPECT_FALSE(store_->FindArticle(ArticleUrl("2")).value());
  EXPECT_FALSE(store_->GetValidators(FeedUrl("index")).value());
  // The index, then both children in one batch, then the one article.
  ASSERT_EQ(http_.batches().size(), 3u);
  EXPECT_EQ(Urls(http_.batches()[1]), (std::vector<std::string>{s1, s2}));
  EXPECT_EQ(Urls(http_.batches()[2]), std::vector<std::string>{ArticleUrl("1")});

  // Next run: the index is read again in full, so the failed child is retried.
  http_.ClearRequests();
  SyncReport second = Sync(kT0 + 3600);
  ASSERT_FALSE(http_.requests().empty());
  EXPECT_EQ(http_.requests()[0].url, FeedUrl("index"));
  EXPECT_EQ(http_.requests()[0].etag, "");
  EXPECT_EQ(Report(second, "map").new_articles, 1);
  EXPECT_EQ(Report(second, "map").failed, 0);
  EXPECT_TRUE(store_->FindArticle(ArticleUrl("2")).value());
  EXPECT_EQ(store_->GetValidators(FeedUrl("index")).value()->etag, "\"i1\"");
}

TEST_F(SyncFaultMatrix, SourceIsNotDueBeforeItsIntervalHasPassed) {
  ASSERT_NO_FATAL_FAILURE(
      Configure(Source("hourly", "atom", FeedUrl("hourly"), "\"c1\"", "interval_minutes = 60\n") +
                Source("flaky", "atom", FeedUrl("flaky"), "\"c1\"", "interval_minutes = 60\n") +
                Source("always", "atom", FeedUrl("always"), "\"c2\"")));
  http_.Set(FeedUrl("hourly"),
            Ok(Atom({{"一", ArticleUrl("1"), "2026-09-19T10:00:00Z"}}), kAtomType, "\"h1\""));
  http_.Set(ArticleUrl("1"), Ok(ArticlePage("一")));
  http_.Script(FeedUrl("flaky"),
               {TransportError("timed out (connect)"),
                Ok(Atom({{"三", ArticleUrl("3"), "2026-09-19T10:00:00Z"}}), kAtomType)});
  http_.Set(ArticleUrl("3"), Ok(ArticlePage("三")));
  http_.Set(FeedUrl("always"),
            Ok(Atom({{"二", ArticleUrl("2"), "2026-09-19T10:00:00Z"}}), kAtomType, "\"w1\""));
  http_.Set(ArticleUrl("2"), Ok(ArticlePage("二")));
  Sync(kT0);
  ASSERT_EQ(store_->GetSourceHealth("hourly").value()->last_success_at, kT0);
  const auto hourly_health = *store_->GetSourceHealth("hourly").value();

  // 59 minutes later: the hourly source is not due and is not asked; a source that failed
  // last time is retried at once; a source without interval is always due.
  http_.ClearRequests();
  SyncReport early = Sync(kT0 + 59 * 60);
  const SourceReport& hourly = Report(early, "hourly");
  EXPECT_FALSE(hourly.due);
  EXPECT_FALSE(hourly.source_failed);
  ExpectNoArticleCounts(hourly);
  EXPECT_TRUE(http_.RequestsFor(FeedUrl("hourly")).empty());
  EXPECT_EQ(http_.RequestsFor(FeedUrl("flaky")).size(), 1u);
  EXPECT_EQ(http_.RequestsFor(FeedUrl("always")).size(), 1u);
  EXPECT_TRUE(Report(early, "flaky").due);
  EXPECT_TRUE(Report(early, "always").due);
  auto after = store_->GetSourceHealth("hourly").value();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->last_success_at, hourly_health.last_success_at);
  EXPECT_EQ(after->last_attempt_at, hourly_health.last_attempt_at);

  // Once the hour has passed it is due again, and asked conditionally.
  http_.ClearRequests();
  SyncReport later = Sync(kT0 + 60 * 60);
  EXPECT_TRUE(Report(later, "hourly").due);
  auto asked = http_.RequestsFor(FeedUrl("hourly"));
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].etag, "\"h1\"");
  EXPECT_TRUE(Report(later, "hourly").not_modified);
}

}  // namespace
}  // namespace samizdat::sync
