// One set of store tests run against both backends through store::OpenStore: a real
// SQLite file, and a real PostgreSQL 15 database (tests/pg_server.h). What sync, build and
// the command line rely on must hold the same on either.
#include "store/article_store.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "pg_server.h"
#include "store/pg_store.h"
#include "test_util.h"

namespace samizdat::store {
namespace {

using testing::PgServer;
using testing::TempDir;

enum class Backend { kSqlite, kPostgres };

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

ArticleInput Article(const std::string& url, const std::string& id, const std::string& title,
                     const std::string& channel = "news") {
  ArticleInput in;
  in.canonical_url = url;
  in.article_id = id;
  in.memberships = {{channel, "src"}};
  in.title = title;
  in.html = "<p>" + title + " body</p>";
  in.text = title + " body";
  in.raw_body = "<html>" + title + "</html>";
  in.content_type = "text/html";
  return in;
}

class StoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      location_ = dir_.File("store.db");
    } else {
      std::string why;
      PgServer* server = PgServer::Shared(&why);
      if (!server) GTEST_SKIP() << why;
      location_ = server->NewDatabase(&why);
      ASSERT_FALSE(location_.empty()) << why;
    }
    store_ = Open();
    ASSERT_TRUE(store_);
  }
  std::unique_ptr<ArticleStore> Open() {
    std::string error;
    std::unique_ptr<ArticleStore> s = OpenStore(location_, &error);
    EXPECT_TRUE(s) << error;
    return s;
  }

  TempDir dir_;
  std::string location_;
  std::unique_ptr<ArticleStore> store_;
};

TEST_P(StoreConformance, RevisionsAreAddedOnlyWhenContentChanges) {
  ArticleInput a = Article("https://x.test/a", "a", "First");
  EXPECT_EQ(store_->SaveArticle(a, 100).value(), SaveOutcome::kNew);
  EXPECT_EQ(store_->SaveArticle(a, 101).value(), SaveOutcome::kUnchanged);
  a.title = "Second";
  a.html = "<p>changed</p>";
  EXPECT_EQ(store_->SaveArticle(a, 102).value(), SaveOutcome::kChanged);
  std::optional<StoredArticle> found = store_->FindArticle("https://x.test/a").value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->revisions, 2);
  EXPECT_EQ(found->title, "Second");
  EXPECT_EQ(found->channels, std::vector<std::string>{"news"});
  EXPECT_EQ(store_->CountArticles().value(), 1);
  EXPECT_EQ(store_->CountRevisions().value(), 2);
  EXPECT_EQ(store_->LatestUpdate().value(), 102);
  EXPECT_EQ(store_->IntegrityCheck(), "ok");
  EXPECT_FALSE(store_->FindArticle("https://x.test/none").value());
}

TEST_P(StoreConformance, ArticleIdsAreUniqueIgnoringCase) {
  ASSERT_TRUE(store_->SaveArticle(Article("https://x.test/1/story", "Story", "One"), 1).ok());
  ASSERT_TRUE(store_->SaveArticle(Article("https://x.test/2/story", "story", "Two"), 2).ok());
  ASSERT_TRUE(store_->SaveArticle(Article("https://x.test/3", "../evil", "Three"), 3).ok());
  std::vector<ArticleStore::ArticlePath> paths = store_->ArticlePaths().value();
  ASSERT_EQ(paths.size(), 3u);
  EXPECT_EQ(paths[0].article_id, "Story");
  EXPECT_TRUE(paths[1].article_id.starts_with("story-")) << paths[1].article_id;
  EXPECT_TRUE(paths[2].article_id.starts_with("u")) << paths[2].article_id;
  EXPECT_EQ(paths[0].home_channel, "news");
}

TEST_P(StoreConformance, MembershipsIndexesAndHomeChannels) {
  ASSERT_TRUE(store_->SaveArticle(Article("https://x.test/a", "a", "A", "b-chan"), 10).ok());
  ASSERT_TRUE(store_->SaveArticle(Article("https://x.test/b", "b", "B", "a-chan"), 11).ok());
  EXPECT_EQ(store_->AddMemberships("https://x.test/a", {{"a-chan", "other"}}, 12).value(), 1);
  EXPECT_EQ(store_->AddMemberships("https://x.test/a", {{"a-chan", "other"}}, 13).value(), 0);
  EXPECT_EQ(store_->AddMemberships("https://x.test/none", {{"a-chan", "other"}}, 13).value(), 0);
  std::vector<IndexEntry> index = store_->ChannelIndex("a-chan").value();
  ASSERT_EQ(index.size(), 2u);
  EXPECT_EQ(index[0].article_id, "b");
  EXPECT_EQ(index[1].article_id, "a");
  EXPECT_EQ(index[1].home_channel, "b-chan");  // fixed when first stored
  EXPECT_EQ(index[1].added_at, 12);
  std::vector<CurrentArticle> seen;
  Status st =
      store_->ForEachCurrentArticle([&](const CurrentArticle& c) { seen.push_back(c); },
                                    [](const CurrentArticle& c) { return c.article_id == "b"; });
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[0].content_loaded);
  EXPECT_EQ(seen[0].home_channel, "b-chan");
  EXPECT_EQ(seen[0].source_id, "src");
  EXPECT_TRUE(seen[1].content_loaded);
  EXPECT_EQ(seen[1].title, "B");
  EXPECT_EQ(seen[1].canonical_url, "https://x.test/b");
}

TEST_P(StoreConformance, ValidatorsFetchLogAndHealth) {
  EXPECT_FALSE(store_->GetValidators("https://x.test/feed").value());
  ASSERT_TRUE(store_->PutValidators("https://x.test/feed", {"\"e1\"", "Mon"}).ok());
  ASSERT_TRUE(store_->PutValidators("https://x.test/feed", {"\"e2\"", "Tue"}).ok());
  std::optional<Validators> v = store_->GetValidators("https://x.test/feed").value();
  ASSERT_TRUE(v);
  EXPECT_EQ(v->etag, "\"e2\"");
  EXPECT_EQ(v->last_modified, "Tue");
  ASSERT_TRUE(store_->LogFetch({"https://x.test/feed", "src", 5, 200, 10, 3, 1, ""}).ok());
  EXPECT_EQ(store_->CountFetches().value(), 1);
  EXPECT_FALSE(store_->GetSourceHealth("src").value());
  ASSERT_TRUE(store_->SetSourceHealth({"src", false, "down", 2, 50, 40}).ok());
  std::optional<SourceHealth> h = store_->GetSourceHealth("src").value();
  ASSERT_TRUE(h);
  EXPECT_FALSE(h->healthy);
  EXPECT_EQ(h->note, "down");
  EXPECT_EQ(h->consecutive_failures, 2);
  EXPECT_EQ(h->last_attempt_at, 50);
  EXPECT_EQ(h->last_success_at, 40);
}

TEST_P(StoreConformance, ReopeningKeepsEverything) {
  ASSERT_TRUE(store_->SaveArticle(Article("https://x.test/a", "a", "A"), 1).ok());
  store_.reset();
  std::unique_ptr<ArticleStore> again = Open();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->CountArticles().value(), 1);
  EXPECT_GE(again->schema_version().value(), 1);
}

// Eight connections save the same articles at once (SQLite orders them with its write
// lock and busy timeout, PostgreSQL with row locks): each is stored once, and its one
// content is one revision, whoever wins.
TEST_P(StoreConformance, ConcurrentSavesStoreAnArticleOnce) {
  std::vector<std::thread> threads;
  std::vector<Status> results(8);
  for (size_t t = 0; t < results.size(); ++t)
    threads.emplace_back([&, t] {
      std::string error;
      std::unique_ptr<ArticleStore> s = OpenStore(location_, &error);
      if (!s) {
        results[t] = Status::IoError(error);
        return;
      }
      for (int k = 0; k < 20 && results[t].ok(); ++k) {
        // Twenty articles, and twenty distinct URLs wanting one id.
        Result<SaveOutcome> a =
            s->SaveArticle(Article("https://x.test/" + std::to_string(k), "same", "T"), 1);
        results[t] = a.status();
      }
    });
  for (auto& t : threads) t.join();
  for (const Status& st : results) EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(store_->CountArticles().value(), 20);
  EXPECT_EQ(store_->CountRevisions().value(), 20);
  EXPECT_EQ(store_->IntegrityCheck(), "ok");
}

// Eight connections save the same new version of a stored article at once: one of them
// records revision 2, the others find it current.
TEST_P(StoreConformance, ConcurrentSavesRecordARevisionOnce) {
  ASSERT_TRUE(store_->SaveArticle(Article("https://x.test/a", "a", "Old"), 1).ok());
  std::vector<std::thread> threads;
  std::vector<Result<SaveOutcome>> results(8, Status::IoError("not run"));
  for (size_t t = 0; t < results.size(); ++t)
    threads.emplace_back([&, t] {
      std::string error;
      std::unique_ptr<ArticleStore> s = OpenStore(location_, &error);
      results[t] = s ? s->SaveArticle(Article("https://x.test/a", "a", "New"), 2)
                     : Result<SaveOutcome>(Status::IoError(error));
    });
  for (auto& t : threads) t.join();
  int changed = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().message();
    changed += *r == SaveOutcome::kChanged;
  }
  EXPECT_EQ(changed, 1);
  EXPECT_EQ(store_->CountRevisions().value(), 2);
  EXPECT_EQ(store_->FindArticle("https://x.test/a").value()->title, "New");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

TEST(OpenStore, ChoosesTheBackendByLocation) {
  EXPECT_TRUE(IsPostgresLocation("postgresql://u@h/db"));
  EXPECT_TRUE(IsPostgresLocation("postgres:///db?host=/tmp"));
  EXPECT_FALSE(IsPostgresLocation("samizdat.db"));
  EXPECT_FALSE(IsPostgresLocation("/srv/postgresql/samizdat.db"));
  std::string error;
  EXPECT_FALSE(OpenStore("postgresql://nobody@/none?host=/nonexistent-dir", &error));
  EXPECT_NE(error.find("cannot connect"), std::string::npos) << error;
}

}  // namespace
}  // namespace samizdat::store
