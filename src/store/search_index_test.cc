// The store's full-text index on real SQLite files: kept in step by SaveArticle, built by
// the migration for articles already stored, and exact for Chinese queries of any length.
#include "store/search_index.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "search/tokenizer.h"
#include "store/store.h"
#include "test_util.h"

namespace samizdat::store {
namespace {

using testing::TempDir;

ArticleInput Article(const std::string& id, const std::string& title, const std::string& text,
                     const std::string& channel = "news") {
  ArticleInput in;
  in.canonical_url = "https://example.org/" + id + ".html";
  in.article_id = id;
  in.memberships = {{channel, "src"}};
  in.title = title;
  in.byline = "记者";
  in.published = "2026-01-0" + std::to_string(1 + id.size() % 9) + "T00:00:00Z";
  in.html = "<p>" + text + "</p>";
  in.text = text;
  in.raw_body = in.html;
  return in;
}

std::vector<std::string> Ids(Store& store, const std::string& query, SearchOptions options = {}) {
  Result<std::vector<SearchHit>> hits = SearchArticles(store, query, options);
  EXPECT_TRUE(hits.ok()) << hits.status().message();
  std::vector<std::string> ids;
  if (hits.ok())
    for (const auto& h : *hits) ids.push_back(h.article_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

class SearchIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    store_ = Store::Open(dir_.File("s.db"), &error);
    ASSERT_TRUE(store_) << error;
  }
  void Save(const ArticleInput& in, int64_t now = 100) {
    Result<SaveOutcome> r = store_->SaveArticle(in, now);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SearchIndexTest, ChineseQueriesOfOneTwoAndFourCharactersAreExact) {
  Save(Article("a", "香港新闻", "香港警察今天在街头巡逻。"));
  Save(Article("b", "港口", "上海港的吞吐量增长，警察局长发言。"));
  Save(Article("c", "天气", "今天香港天气晴朗，街头的警察很多。"));
  EXPECT_EQ(Ids(*store_, "港"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Ids(*store_, "香港"), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(Ids(*store_, "香港警察"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Ids(*store_, "警察 天气"), (std::vector<std::string>{"c"}));
  EXPECT_TRUE(Ids(*store_, "港警").size() == 1);
  EXPECT_TRUE(Ids(*store_, "，。").empty());
}

TEST_F(SearchIndexTest, HitsCarryTitleDateSnippetAndChannelFilter) {
  Save(Article("a", "Police report", "The police said 香港 was calm.", "world"));
  Save(Article("b", "Weather", "Sunny; no police in sight.", "local"));
  SearchOptions options;
  options.mark_open = "[";
  options.mark_close = "]";
  Result<std::vector<SearchHit>> hits = SearchArticles(*store_, "POLICE", options);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].article_id, "a");  // the title match ranks first (bm25, title weighted)
  EXPECT_EQ((*hits)[0].title, "Police report");
  EXPECT_EQ((*hits)[0].home_channel, "world");
  EXPECT_FALSE((*hits)[0].date.empty());
  EXPECT_NE((*hits)[0].snippet.find("[Police]"), std::string::npos) << (*hits)[0].snippet;
  options.channel = "local";
  EXPECT_EQ(Ids(*store_, "police", options), (std::vector<std::string>{"b"}));
  options.channel.clear();
  options.limit = 1;
  EXPECT_EQ(Ids(*store_, "police", options).size(), 1u);
}

TEST_F(SearchIndexTest, ANewRevisionReplacesTheOldTextInTheIndex) {
  Save(Article("a", "旧标题", "旧的内容讲述北京"), 100);
  EXPECT_EQ(Ids(*store_, "北京"), (std::vector<std::string>{"a"}));
  Save(Article("a", "新标题", "新的内容讲述广州"), 200);
  EXPECT_TRUE(Ids(*store_, "北京").empty());
  EXPECT_TRUE(Ids(*store_, "旧标题").empty());
  EXPECT_EQ(Ids(*store_, "广州"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Ids(*store_, "新标题"), (std::vector<std::string>{"a"}));
  Save(Article("a", "新标题", "新的内容讲述广州"), 300);  // unchanged: indexed once
  Result<std::vector<SearchHit>> hits = SearchArticles(*store_, "广州", {});
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 1u);
  std::string error;
  EXPECT_EQ(store_->IntegrityCheck(), "ok");
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(store_->db(),
                               "INSERT INTO article_search(article_search, rank) "
                               "VALUES('integrity-check', 1)",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sqlite3_errmsg(store_->db());
  sqlite3_finalize(stmt);
}

TEST(SearchIndexMigration, AVersionThreeStoreGetsItsArticlesIndexed) {
  TempDir dir;
  std::string path = dir.File("v3.db"), error;
  {
    auto store = Store::Open(path, &error);
    ASSERT_TRUE(store) << error;
    ASSERT_TRUE(store->SaveArticle(Article("old", "旧文章", "深圳的故事"), 100).ok());
    ASSERT_EQ(sqlite3_exec(store->db(),
                           "DROP TABLE article_search; DROP VIEW search_documents; "
                           "DROP INDEX articles_duplicate_of; DROP INDEX articles_first_seen; "
                           "DROP TABLE near_duplicate_bands; ALTER TABLE articles DROP COLUMN "
                           "duplicate_of; ALTER TABLE articles DROP COLUMN checked_at; "
                           "PRAGMA user_version=3;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  auto store = Store::Open(path, &error);
  ASSERT_TRUE(store) << error;
  EXPECT_EQ(store->schema_version().value(), Store::kSchemaVersion);
  EXPECT_EQ(Ids(*store, "深圳"), (std::vector<std::string>{"old"}));
}

// Random text over a small alphabet, so that every 1-, 2- and 4-character string has many
// near misses (its characters present, not in that order): the index must return exactly
// the articles whose title or body holds the query.
TEST(SearchIndexRecall, RandomChineseQueriesHaveRecallAndPrecisionOne) {
  const std::vector<std::string> alphabet = {"中", "国", "香", "港", "警", "察",
                                             "天", "气", "，", " ",  "a",  "。"};
  std::mt19937 rng(7);
  auto random_text = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
    return s;
  };
  TempDir dir;
  std::string error;
  auto store = Store::Open(dir.File("r.db"), &error);
  ASSERT_TRUE(store) << error;
  std::vector<std::string> texts;
  for (int i = 0; i < 150; ++i) {
    ArticleInput in = Article("d" + std::to_string(i), random_text(6), random_text(60));
    texts.push_back(in.title + "\n" + in.text);
    ASSERT_TRUE(store->SaveArticle(in, 100).ok());
  }
  const std::vector<std::string> han(alphabet.begin(), alphabet.begin() + 8);
  SearchOptions all;
  all.limit = 1000;
  for (int length : {1, 2, 4}) {
    for (int q = 0; q < 25; ++q) {
      std::string query;
      for (int i = 0; i < length; ++i) query += han[rng() % han.size()];
      std::vector<std::string> expected;
      for (size_t i = 0; i < texts.size(); ++i)
        if (texts[i].find(query) != std::string::npos) expected.push_back("d" + std::to_string(i));
      std::sort(expected.begin(), expected.end());
      EXPECT_EQ(Ids(*store, query, all), expected) << query;
    }
  }
}

TEST(SearchFts5Query, PiecesArePhrasesAndQuotesAreEscaped) {
  EXPECT_EQ(Fts5Query("香港 police"), "\"香港\" AND \"police\"");
  EXPECT_EQ(Fts5Query("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(Fts5Query("  ，  "), "");
  EXPECT_EQ(Fts5Query("NEAR(x) OR y*"), "\"NEAR(x)\" AND \"OR\" AND \"y*\"");
}

}  // namespace
}  // namespace samizdat::store
