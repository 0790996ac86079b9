// Article ids in a real SQLite store: safe, unique, and never moved once given.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/store.h"
#include "test_util.h"
#include "util/ids.h"

namespace samizdat::store {
namespace {

using testing::TempDir;

ArticleInput Input(const std::string& url, const std::string& id, const std::string& channel,
                   const std::string& title = "t") {
  ArticleInput in;
  in.canonical_url = url;
  in.article_id = id;
  in.memberships = {{channel, "s"}};
  in.title = title;
  in.html = "<p>" + title + "</p>";
  return in;
}

std::string IdOf(Store& store, const std::string& url) {
  auto a = store.FindArticle(url).value();
  return a ? a->article_id : "<missing>";
}

TEST(StoreIds, SameStemGetsAHashSuffixAndTheFirstKeepsItsIdForever) {
  TempDir dir;
  std::string err;
  const std::string a = "https://example.com/a/story.html", b = "https://example.com/b/story.html",
                    c = "https://example.com/c/Story.html";
  {
    auto store = Store::Open(dir.File("s.db"), &err);
    ASSERT_TRUE(store) << err;
    ASSERT_EQ(store->SaveArticle(Input(a, "story", "ch1"), 1).status().ToString(), "ok");
    ASSERT_EQ(store->SaveArticle(Input(b, "story", "ch2"), 2).status().ToString(), "ok");
    ASSERT_EQ(store->SaveArticle(Input(c, "Story", "ch1"), 3).status().ToString(),
              "ok");  // case-folded
    EXPECT_EQ(IdOf(*store, a), "story");
    EXPECT_EQ(IdOf(*store, b), "story-" + ShortUrlHash(b));
    EXPECT_EQ(IdOf(*store, c), "Story-" + ShortUrlHash(c));
  }
  // Re-synced with new content, in a reopened store: new revisions, the same ids.
  auto store = Store::Open(dir.File("s.db"), &err);
  ASSERT_TRUE(store) << err;
  EXPECT_EQ(*store->SaveArticle(Input(b, "story", "ch2", "new"), 4), SaveOutcome::kChanged);
  EXPECT_EQ(*store->SaveArticle(Input(a, "story", "ch1", "new"), 5), SaveOutcome::kChanged);
  EXPECT_EQ(IdOf(*store, a), "story");
  EXPECT_EQ(IdOf(*store, b), "story-" + ShortUrlHash(b));
  EXPECT_EQ(store->CountRevisions().value(), 5);
}

TEST(StoreIds, UnsafeIdsNeverEnterTheStore) {
  TempDir dir;
  std::string err;
  auto store = Store::Open(dir.File("s.db"), &err);
  ASSERT_TRUE(store) << err;
  const std::string url = "https://example.com/x";
  for (const std::string& bad : {std::string("../x"), std::string("/etc/passwd"),
                                 std::string(300, 'y'), std::string("NUL"), std::string("")}) {
    std::string u = url + std::to_string(bad.size()) + bad.substr(0, 3);
    ASSERT_EQ(store->SaveArticle(Input(u, bad, "ch"), 1).status().ToString(), "ok");
    EXPECT_TRUE(IsSafeId(IdOf(*store, u))) << IdOf(*store, u);
  }
  // The schema refuses a second page at one path, even written around SaveArticle.
  ASSERT_EQ(store->SaveArticle(Input(url, "page", "ch"), 1).status().ToString(), "ok");
  char* msg = nullptr;
  int rc = sqlite3_exec(store->db(),
                        "INSERT INTO articles(canonical_url, article_id, first_seen_at, "
                        "updated_at, feed_published, feed_updated, home_channel) "
                        "VALUES('https://example.com/other', 'PAGE', 0, 0, '', '', 'ch')",
                        nullptr, nullptr, &msg);
  EXPECT_NE(rc, SQLITE_OK);
  sqlite3_free(msg);
}

void Exec(sqlite3* db, const std::string& sql) {
  char* msg = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg), SQLITE_OK) << msg << "\n" << sql;
}

std::string RawArticle(int id, const std::string& url, const std::string& article_id,
                       const std::string& home) {
  return "INSERT INTO articles(id, canonical_url, article_id, first_seen_at, updated_at, "
         "feed_published, feed_updated, home_channel) VALUES(" +
         std::to_string(id) + ", '" + url + "', '" + article_id + "', 0, 0, '', '', '" + home +
         "');";
}

TEST(StoreIds, MigrationToVersion3RepairsDuplicatesAndUnsafeIdsOfAVersion2Store) {
  TempDir dir;
  std::string path = dir.File("v2.db"), err;
  {
    // A version 2 store: the same tables, no uniqueness of ids, rows as old builds stored.
    auto store = Store::Open(path, &err);
    ASSERT_TRUE(store) << err;
    sqlite3* db = store->db();
    Exec(db,
         "DROP TABLE article_search; DROP VIEW search_documents; DROP INDEX articles_page; "
         "DROP INDEX articles_duplicate_of; DROP INDEX articles_first_seen; DROP TABLE "
         "near_duplicate_bands; ALTER TABLE "
         "articles DROP COLUMN duplicate_of; ALTER TABLE articles DROP COLUMN checked_at; "
         "PRAGMA user_version=2;");
    Exec(db, RawArticle(1, "https://e.com/a/story.html", "story", "ch1") +
                 RawArticle(2, "https://e.com/b/story.html", "story", "ch1") +
                 RawArticle(3, "https://e.com/c/story.html", "STORY", "ch1") +
                 RawArticle(4, "https://e.com/d/story.html", "story", "ch2") +
                 RawArticle(5, "https://e.com/e/x", "../x", "ch1") +
                 RawArticle(6, "https://e.com/f/x", "orphan", "") +
                 RawArticle(7, "https://e.com/g/x", "orphan", "ch3"));
  }
  auto store = Store::Open(path, &err);
  ASSERT_TRUE(store) << err;
  EXPECT_EQ(store->schema_version().value(), Store::kSchemaVersion);
  EXPECT_EQ(store->IntegrityCheck(), "ok");
  // The first stored keeps its id; later ones with the same page get the hash suffix.
  EXPECT_EQ(IdOf(*store, "https://e.com/a/story.html"), "story");
  EXPECT_EQ(IdOf(*store, "https://e.com/b/story.html"),
            "story-" + ShortUrlHash("https://e.com/b/story.html"));
  EXPECT_EQ(IdOf(*store, "https://e.com/c/story.html"),
            "STORY-" + ShortUrlHash("https://e.com/c/story.html"));
  // Another home channel never shared its page: its published link stays.
  EXPECT_EQ(IdOf(*store, "https://e.com/d/story.html"), "story");
  EXPECT_EQ(IdOf(*store, "https://e.com/e/x"), SafeArticleId("../x", "https://e.com/e/x"));
  // An article without a home may get any home later, so it shares no id.
  EXPECT_EQ(IdOf(*store, "https://e.com/f/x"), "orphan");
  EXPECT_EQ(IdOf(*store, "https://e.com/g/x"), "orphan-" + ShortUrlHash("https://e.com/g/x"));
  // New articles after the upgrade are unique across the whole store.
  ASSERT_EQ(store->SaveArticle(Input("https://e.com/h/story.html", "story", "ch9"), 9)
                .status()
                .ToString(),
            "ok");
  EXPECT_EQ(IdOf(*store, "https://e.com/h/story.html"),
            "story-" + ShortUrlHash("https://e.com/h/story.html"));
}

}  // namespace
}  // namespace samizdat::store
