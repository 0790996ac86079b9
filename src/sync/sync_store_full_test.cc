// A store that cannot be written (here: full, through PRAGMA max_page_count) stops the sync
// at the first failed save: nothing more is fetched and nothing half-written is left.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "http_server.h"
#include "sync/sync.h"
#include "test_util.h"

namespace samizdat::sync {
namespace {

constexpr int kArticles = 60;
constexpr int kBatch = 16;  // sync fetches max(16, 4 × max_concurrency) articles at a time

std::string BigArticle(int n) {
  std::string paras;
  for (int i = 0; i < 40; ++i)
    paras += "<p>Paragraph " + std::to_string(i) + " of article " + std::to_string(n) +
             ", with commas, clauses, and enough words to be taken as the body of a story.</p>";
  return "<html><head><meta charset=\"utf-8\"><title>Article " + std::to_string(n) +
         "</title></head><body><article><h1>Article " + std::to_string(n) + "</h1>" + paras +
         "</article></body></html>";
}

int64_t Pragma(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

TEST(SyncStoreFull, StopsAtTheFirstFailedSaveAndFetchesNoMore) {
  testing::StaticSite site;
  testing::HttpServer server([&](const testing::HttpRequest& r) { return site.Handle(r); });
  std::string items;
  for (int i = 0; i < kArticles; ++i) {
    std::string path = "/a/" + std::to_string(i) + ".html";
    site.Put(path, BigArticle(i));
    items += "<item><title>Article " + std::to_string(i) + "</title><link>" + server.Url(path) +
             "</link></item>";
  }
  site.Put("/feed.xml",
           "<rss version=\"2.0\"><channel><title>Feed</title>" + items + "</channel></rss>",
           "application/rss+xml");
  testing::TempDir dir;
  std::string error;
  auto cfg = config::ParseConfig(
      "store = \"store.db\"\n[fetch]\nallow_loopback = true\nconcurrency = 2\nper_host_delay_ms = "
      "0\n"
      "[[channels]]\nid = \"news\"\n[[sources]]\nid = \"feed\"\nkind = \"rss\"\nurl = \"" +
          server.Url("/feed.xml") + "\"\nchannels = [\"news\"]\n",
      "samizdat.toml", dir.path(), &error);
  ASSERT_TRUE(cfg) << error;
  auto store = store::Store::Open(dir.File("store.db"), &error);
  ASSERT_TRUE(store) << error;
  // The database may not grow by a single page: the first article cannot be saved.
  int64_t pages = Pragma(store->db(), "PRAGMA page_count");
  ASSERT_GT(pages, 0);
  ASSERT_EQ(Pragma(store->db(), "PRAGMA max_page_count=" + std::to_string(pages)), pages);

  auto http = fetch::NewCurlHttpClient(cfg->fetch);
  SyncReport report = RunSync(*cfg, *store, *http, extract::ProfileSet::BuiltIn(), {});

  EXPECT_TRUE(report.store_error.IsNoSpace()) << report.store_error.ToString();
  EXPECT_NE(report.store_error.message().find("full"), std::string::npos)
      << report.store_error.ToString();
  int article_requests = 0;
  for (const auto& r : server.requests()) article_requests += r.path.rfind("/a/", 0) == 0;
  EXPECT_GT(article_requests, 0);
  EXPECT_LE(article_requests, kBatch) << "sync went on fetching after the store was full";
  ASSERT_EQ(report.sources.size(), 1u);
  EXPECT_EQ(report.sources[0].failed, 1) << "it stopped at the first failure";
  EXPECT_TRUE(report.AnyFailed());
  EXPECT_EQ(store->CountArticles().value(), 0);
  EXPECT_EQ(store->CountRevisions().value(), 0);
  EXPECT_EQ(store->IntegrityCheck(), "ok");
}

}  // namespace
}  // namespace samizdat::sync
