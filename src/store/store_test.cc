// The store against real SQLite files: the schema, migration from a database written by
// an older samizdat, revisions, and readers that keep their snapshot while a writer commits.
#include "store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "test_util.h"

namespace samizdat::store {
namespace {

using testing::TempDir;

// The schema as samizdat created it at version 1, verbatim (the first migration as it
// shipped); a database file made from it is what an upgrade meets.
constexpr const char* kSchemaV1 = R"SQL(
CREATE TABLE sources (
  id TEXT PRIMARY KEY,
  healthy INTEGER NOT NULL DEFAULT 1,
  note TEXT NOT NULL DEFAULT '',
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  last_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_success_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE fetch_log (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  source_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  status INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  elapsed_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT NOT NULL
);
CREATE INDEX fetch_log_source ON fetch_log(source_id, at);
CREATE TABLE validators (
  url TEXT PRIMARY KEY,
  etag TEXT NOT NULL,
  last_modified TEXT NOT NULL
);
CREATE TABLE raw_pages (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  fetched_at INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  charset TEXT NOT NULL,
  size INTEGER NOT NULL,
  body BLOB NOT NULL          -- zlib-compressed
);
CREATE TABLE articles (
  id INTEGER PRIMARY KEY,
  canonical_url TEXT NOT NULL UNIQUE,
  article_id TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  feed_published TEXT NOT NULL,
  feed_updated TEXT NOT NULL,
  current_revision INTEGER
);
CREATE INDEX articles_article_id ON articles(article_id);
CREATE TABLE revisions (
  id INTEGER PRIMARY KEY,
  article INTEGER NOT NULL REFERENCES articles(id),
  number INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  title TEXT NOT NULL,
  byline TEXT NOT NULL,
  published TEXT NOT NULL,
  modified TEXT NOT NULL,
  lead_image TEXT NOT NULL,   -- JSON {src, alt, caption} or ''
  html TEXT NOT NULL,
  text TEXT NOT NULL,
  raw_page INTEGER REFERENCES raw_pages(id),
  UNIQUE (article, number)
);
CREATE TABLE memberships (
  article INTEGER NOT NULL REFERENCES articles(id),
  channel TEXT NOT NULL,
  source_id TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (article, channel)
);
CREATE INDEX memberships_channel ON memberships(channel, added_at);
)SQL";

// Runs SQL on a raw connection; the test fails with SQLite's message otherwise.
void ExecOrFail(sqlite3* db, const std::string& sql) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg);
  EXPECT_EQ(rc, SQLITE_OK) << (msg ? msg : "") << "\n" << sql;
  sqlite3_free(msg);
}

int64_t QueryInt(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

// A version-1 database with one article: two revisions, in two channels (ch2 joined first).
void WriteVersion1Store(const std::string& path) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ExecOrFail(db, "PRAGMA journal_mode=WAL");
  ExecOrFail(db, kSchemaV1);
  std::string hash = Store::ContentHash("新标题", "<p>新</p>");
  ExecOrFail(db,
             "INSERT INTO articles VALUES (1, 'https://ex.org/a/1.htm', 'n1', 100, 200, "
             "'2026-09-20T02:00:00Z', '', 2);"
             "INSERT INTO revisions VALUES (1, 1, 1, 100, 'old', '旧标题', '', '', '', '', "
             "'<p>旧</p>', '旧', NULL);"
             "INSERT INTO revisions VALUES (2, 1, 2, 200, '" +
                 hash +
                 "', '新标题', '', '', '', '', '<p>新</p>', '新', NULL);"
                 "INSERT INTO memberships VALUES (1, 'ch2', 's', 100);"
                 "INSERT INTO memberships VALUES (1, 'ch9', 's', 150);"
                 "INSERT INTO sources (id, last_success_at) VALUES ('s', 200);"
                 "INSERT INTO validators VALUES ('https://ex.org/feed', 'W/\"e1\"', '');"
                 "PRAGMA user_version=1;");
  sqlite3_close(db);
}

ArticleInput Input(const std::string& url, const std::string& title, const std::string& html) {
  ArticleInput in;
  in.canonical_url = url;
  in.article_id = "n" + std::to_string(std::hash<std::string>()(url) % 100000);
  in.memberships = {{"ch1", "s"}};
  in.title = title;
  in.html = html;
  in.text = title;
  in.raw_body = "<html>" + html + "</html>";
  in.content_type = "text/html";
  in.charset = "utf-8";
  in.fetched_url = url;
  return in;
}

TEST(Store, NewStoreHasTheCurrentSchema) {
  TempDir dir;
  std::string err;
  auto s = Store::Open(dir.File("s.db"), &err);
  ASSERT_TRUE(s) << err;
  EXPECT_EQ(s->schema_version().value(), Store::kSchemaVersion);
  for (const char* table :
       {"sources", "fetch_log", "validators", "raw_pages", "articles", "revisions", "memberships"})
    EXPECT_EQ(QueryInt(s->db(), std::string("SELECT count(*) FROM sqlite_master WHERE type='table' "
                                            "AND name='") +
                                    table + "'"),
              1)
        << table;
  EXPECT_EQ(QueryInt(s->db(),
                     "SELECT count(*) FROM pragma_table_info('articles') WHERE name IN "
                     "('home_channel', 'title')"),
            2);
  EXPECT_EQ(s->IntegrityCheck(), "ok");
}

TEST(Store, Version1FileMigratesAndKeepsItsData) {
  TempDir dir;
  std::string path = dir.File("old.db");
  WriteVersion1Store(path);
  std::string err;
  auto s = Store::Open(path, &err);
  ASSERT_TRUE(s) << err;
  EXPECT_EQ(s->schema_version().value(), Store::kSchemaVersion);
  EXPECT_EQ(s->IntegrityCheck(), "ok");
  auto a = s->FindArticle("https://ex.org/a/1.htm").value();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->article_id, "n1");
  EXPECT_EQ(a->feed_published, "2026-09-20T02:00:00Z");
  EXPECT_EQ(a->title, "新标题");  // filled from the current revision by the migration
  EXPECT_EQ(a->revisions, 2);
  EXPECT_EQ(a->channels, (std::vector<std::string>{"ch2", "ch9"}));
  EXPECT_EQ(s->CountRevisions().value(), 2);
  auto paths = s->ArticlePaths().value();
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(paths[0].home_channel, "ch2");  // the earliest membership
  auto index = s->ChannelIndex("ch9").value();
  ASSERT_EQ(index.size(), 1u);
  EXPECT_EQ(index[0].title, "新标题");
  auto v = s->GetValidators("https://ex.org/feed").value();
  ASSERT_TRUE(v);
  EXPECT_EQ(v->etag, "W/\"e1\"");
  auto h = s->GetSourceHealth("s").value();
  ASSERT_TRUE(h);
  EXPECT_EQ(h->last_success_at, 200);
  // The migrated article is the same article: unchanged content adds no revision.
  auto same = s->SaveArticle(Input("https://ex.org/a/1.htm", "新标题", "<p>新</p>"), 300);
  ASSERT_TRUE(same) << same.status().ToString();
  EXPECT_EQ(*same, SaveOutcome::kUnchanged);
  EXPECT_EQ(s->CountRevisions().value(), 2);
}

TEST(Store, ANewerSchemaIsRefused) {
  TempDir dir;
  std::string path = dir.File("future.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ExecOrFail(db, "PRAGMA user_version=" + std::to_string(Store::kSchemaVersion + 1));
    sqlite3_close(db);
  }
  std::string err;
  EXPECT_FALSE(Store::Open(path, &err));
  EXPECT_FALSE(err.empty());
}

TEST(Store, RevisionsAreKeptAndOnlyChangesAddOne) {
  TempDir dir;
  std::string err;
  auto s = Store::Open(dir.File("s.db"), &err);
  ASSERT_TRUE(s) << err;
  const std::string url = "https://ex.org/a/2.htm";
  auto first = s->SaveArticle(Input(url, "一", "<p>一</p>"), 100);
  ASSERT_TRUE(first) << first.status().ToString();
  EXPECT_EQ(*first, SaveOutcome::kNew);
  auto again = s->SaveArticle(Input(url, "一", "<p>一</p>"), 110);
  ASSERT_TRUE(again) << again.status().ToString();
  EXPECT_EQ(*again, SaveOutcome::kUnchanged);
  auto changed = s->SaveArticle(Input(url, "一（更正）", "<p>一，更正</p>"), 120);
  ASSERT_TRUE(changed) << changed.status().ToString();
  EXPECT_EQ(*changed, SaveOutcome::kChanged);
  auto a = s->FindArticle(url).value();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->revisions, 2);
  EXPECT_EQ(a->title, "一（更正）");
  EXPECT_EQ(a->content_hash, Store::ContentHash("一（更正）", "<p>一，更正</p>"));
  // The first revision is still there, numbered 1, with its own text.
  EXPECT_EQ(QueryInt(s->db(), "SELECT count(*) FROM revisions WHERE number=1 AND html='<p>一</p>'"),
            1);
  EXPECT_FALSE(s->FindArticle("https://ex.org/none.htm").value());
}

// WAL: a reader inside a transaction keeps its snapshot while a writer commits, is never
// blocked by it, and sees the commit once it starts a new transaction.
TEST(Store, ReadersKeepTheirSnapshotWhileAWriterCommits) {
  TempDir dir;
  std::string err;
  auto writer = Store::Open(dir.File("s.db"), &err);
  ASSERT_TRUE(writer) << err;
  ASSERT_EQ(writer->SaveArticle(Input("https://ex.org/1", "一", "<p>1</p>"), 1).status().ToString(),
            "ok");
  auto reader1 = Store::Open(dir.File("s.db"), &err);
  ASSERT_TRUE(reader1) << err;
  auto reader2 = Store::Open(dir.File("s.db"), &err);
  ASSERT_TRUE(reader2) << err;
  for (Store* r : {reader1.get(), reader2.get()}) {
    ExecOrFail(r->db(), "BEGIN");
    EXPECT_EQ(QueryInt(r->db(), "SELECT count(*) FROM articles"), 1);
  }
  auto saved = writer->SaveArticle(Input("https://ex.org/2", "二", "<p>2</p>"), 2);
  ASSERT_TRUE(saved) << saved.status().ToString();  // not blocked by the open read transactions
  EXPECT_EQ(writer->CountArticles().value(), 2);
  for (Store* r : {reader1.get(), reader2.get()}) {
    EXPECT_EQ(QueryInt(r->db(), "SELECT count(*) FROM articles"), 1);  // the old snapshot
    EXPECT_EQ(QueryInt(r->db(), "SELECT count(*) FROM revisions"), 1);
    ExecOrFail(r->db(), "COMMIT");
    EXPECT_EQ(r->CountArticles().value(), 2);
    EXPECT_TRUE(r->FindArticle("https://ex.org/2").value());
  }
  EXPECT_EQ(writer->IntegrityCheck(), "ok");
}

}  // namespace
}  // namespace samizdat::store

namespace samizdat::store {
namespace {

// "Not found" is a value; a failing database is an error that names the step and the URL.
TEST(StoreErrors, NotFoundIsAValueAndAnSqliteErrorIsAStatus) {
  TempDir dir;
  std::string err;
  auto s = Store::Open(dir.File("s.db"), &err);
  ASSERT_TRUE(s) << err;
  Result<std::optional<StoredArticle>> none = s->FindArticle("https://ex.org/none.htm");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none.value());
  Result<std::optional<Validators>> no_validators = s->GetValidators("https://ex.org/feed");
  ASSERT_TRUE(no_validators.ok());
  EXPECT_FALSE(no_validators.value());

  ExecOrFail(s->db(), "ALTER TABLE articles RENAME TO gone");
  Result<std::optional<StoredArticle>> broken = s->FindArticle("https://ex.org/none.htm");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), Status::Code::kIoError);
  EXPECT_NE(broken.status().message().find("cannot read article for https://ex.org/none.htm"),
            std::string::npos)
      << broken.status().ToString();
  EXPECT_FALSE(s->CountArticles().ok());
  EXPECT_FALSE(s->ChannelIndex("ch1").ok());
  EXPECT_FALSE(s->ArticlePaths().ok());
}

// A full database is NoSpace, with the step and the article in the message, and the
// failed save leaves nothing behind.
TEST(StoreErrors, AFullDatabaseIsNoSpace) {
  TempDir dir;
  std::string err;
  auto s = Store::Open(dir.File("s.db"), &err);
  ASSERT_TRUE(s) << err;
  int64_t pages = QueryInt(s->db(), "PRAGMA page_count");
  ASSERT_EQ(QueryInt(s->db(), "PRAGMA max_page_count=" + std::to_string(pages)), pages);
  std::string big;
  for (int i = 0; i < 4000; ++i) big += "<p>段落 " + std::to_string(i) + "，足够长的文字。</p>";
  Result<SaveOutcome> saved = s->SaveArticle(Input("https://ex.org/big.htm", "大", big), 1);
  ASSERT_FALSE(saved.ok());
  EXPECT_TRUE(saved.status().IsNoSpace()) << saved.status().ToString();
  EXPECT_NE(saved.status().message().find("https://ex.org/big.htm"), std::string::npos)
      << saved.status().ToString();
  EXPECT_EQ(s->CountArticles().value(), 0);
  EXPECT_EQ(s->IntegrityCheck(), "ok");
}

}  // namespace
}  // namespace samizdat::store
