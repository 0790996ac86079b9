// Revision history, re-check times and near-duplicate links in a real SQLite store.
#include <gtest/gtest.h>

#include <string>

#include "store/store.h"
#include "test_util.h"

namespace samizdat::store {
namespace {

using testing::TempDir;

ArticleInput Article(const std::string& url, const std::string& title, const std::string& text) {
  ArticleInput in;
  in.canonical_url = url;
  in.article_id = url.substr(url.rfind('/') + 1);
  in.memberships = {{"ch1", "src"}};
  in.title = title;
  in.html = "<p>" + text + "</p>";
  in.text = text;
  in.raw_body = in.html;
  in.content_type = "text/html";
  in.charset = "utf-8";
  return in;
}

std::unique_ptr<Store> OpenStore(const TempDir& dir) {
  std::string err;
  auto s = Store::Open(dir.File("s.db"), &err);
  EXPECT_TRUE(s) << err;
  return s;
}

TEST(StoreHistory, RevisionsListEveryVersionAndChangedArticlesTheEditedOnes) {
  TempDir dir;
  auto s = OpenStore(dir);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->SaveArticle(Article("https://ex.org/a1", "一", "三人"), 100).ok());
  ASSERT_TRUE(s->SaveArticle(Article("https://ex.org/a2", "二", "不变"), 100).ok());
  ASSERT_TRUE(s->SaveArticle(Article("https://ex.org/a1", "一", "五人"), 200).ok());
  ASSERT_TRUE(s->SaveArticle(Article("https://ex.org/a1", "一（更正）", "六人"), 300).ok());
  auto a1 = s->FindArticle("https://ex.org/a1").value();
  ASSERT_TRUE(a1);
  auto revisions = s->Revisions(a1->id).value();
  ASSERT_EQ(revisions.size(), 3u);
  EXPECT_EQ(revisions[0].number, 1);
  EXPECT_EQ(revisions[0].created_at, 100);
  EXPECT_EQ(revisions[0].text, "三人");
  EXPECT_EQ(revisions[2].title, "一（更正）");
  auto changed = s->ChangedArticles(0).value();
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].article_id, "a1");
  EXPECT_EQ(changed[0].revisions, 3);
  EXPECT_EQ(changed[0].changed_at, 300);
  EXPECT_EQ(changed[0].home_channel, "ch1");
}

TEST(StoreHistory, SavingOrMarkingRecordsTheCheckTime) {
  TempDir dir;
  auto s = OpenStore(dir);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->SaveArticle(Article("https://ex.org/a1", "一", "文"), 100).ok());
  EXPECT_EQ(s->FindArticle("https://ex.org/a1").value()->checked_at, 100);
  EXPECT_EQ(s->FindArticle("https://ex.org/a1").value()->first_seen_at, 100);
  ASSERT_TRUE(s->SaveArticle(Article("https://ex.org/a1", "一", "文"), 150).ok());  // unchanged
  EXPECT_EQ(s->FindArticle("https://ex.org/a1").value()->checked_at, 150);
  ASSERT_TRUE(s->MarkChecked("https://ex.org/a1", 180).ok());
  auto a = s->FindArticle("https://ex.org/a1").value();
  EXPECT_EQ(a->checked_at, 180);
  EXPECT_EQ(a->first_seen_at, 100);
}

TEST(StoreHistory, NearDuplicatesAreFoundByBandAndLinkedToTheFirstCopy) {
  TempDir dir;
  auto s = OpenStore(dir);
  ASSERT_TRUE(s);
  ArticleInput original = Article("https://one.example/story", "暴雨", "原文");
  original.duplicate_bands = {11, 12, 13};
  ASSERT_TRUE(s->SaveArticle(original, 100).ok());
  ArticleInput unrelated = Article("https://one.example/other", "晴天", "别的");
  unrelated.duplicate_bands = {21, 22, 23};
  ASSERT_TRUE(s->SaveArticle(unrelated, 100).ok());

  auto candidates = s->NearDuplicateCandidates({99, 12, 0xFFFFFFFFFFFFFFF0ULL}, 10).value();
  ASSERT_EQ(candidates.size(), 1u);
  EXPECT_EQ(candidates[0].text, "原文");
  ArticleInput copy = Article("https://two.example/copy", "暴雨", "原文加一句");
  copy.duplicate_bands = {11, 12, 0xFFFFFFFFFFFFFFF0ULL};
  copy.duplicate_of = candidates[0].article;
  ASSERT_TRUE(s->SaveArticle(copy, 200).ok());

  auto links = s->NearDuplicates().value();
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].canonical_url, "https://two.example/copy");
  EXPECT_EQ(links[0].duplicate_of, candidates[0].article);
  // A copy is never a candidate itself: a third copy points at the first.
  auto third = s->NearDuplicateCandidates({0xFFFFFFFFFFFFFFF0ULL}, 10).value();
  EXPECT_TRUE(third.empty());
  EXPECT_EQ(s->IntegrityCheck(), "ok");
}

}  // namespace
}  // namespace samizdat::store
