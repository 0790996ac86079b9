// Revisions and near-duplicates on a built site: history pages, the recently-changed page and
// its Atom feed (checked with jing against RFC 4287's schema), and "also at" index entries.
#include "publish/revisions.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <regex>

#include "publish/build.h"
#include "render/gfm_check.h"
#include "store/store.h"
#include "test_util.h"

namespace samizdat::publish {
namespace {

using testing::ReadFile;
using testing::TempDir;
namespace fs = std::filesystem;

class RevisionsSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    store_ = store::Store::Open(dir_.File("store.db"), &err);
    ASSERT_TRUE(store_) << err;
  }

  store::ArticleInput Article(const std::string& url, const std::string& id,
                              const std::string& title, const std::string& text) {
    store::ArticleInput in;
    in.canonical_url = url;
    in.article_id = id;
    in.memberships = {{"ch1", "s"}};
    in.title = title;
    in.html = "<p>" + text + "</p>";
    in.text = text;
    return in;
  }

  BuildReport Build(const std::string& theme) {
    std::string text = ReadFile(std::string(SAMIZDAT_SOURCE_DIR) + "/demo/samizdat.toml") +
                       "\n[[channels]]\nid = \"ch1\"\nname = \"频道一\"\n";
    text = std::regex_replace(text, std::regex("\\[site\\]"),
                              "[site]\noutput = \"site-" + theme + "\"\ntheme = \"" + theme +
                                  "\"\nrehost_images = false");
    text = std::regex_replace(text, std::regex("\ntheme = \"(classic|markdown)\""), "");
    std::string err;
    auto cfg = config::ParseConfig(text, "samizdat.toml", dir_.path(), &err);
    EXPECT_TRUE(cfg) << err;
    if (!cfg) return {};
    return BuildSite(*cfg, *store_, *Env::Default());
  }

  std::string Site(const std::string& theme, const std::string& file) {
    return ReadFile(dir_.File("site-" + theme + "/" + file));
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(RevisionsSiteTest, AChangedArticleGetsAHistoryPageTheChangesPageAndAValidFeed) {
  ASSERT_TRUE(
      store_->SaveArticle(Article("https://e.com/1", "n1", "暴雨", "三个路段封闭。"), 100).ok());
  ASSERT_TRUE(store_->SaveArticle(Article("https://e.com/2", "n2", "晴天", "明天晴。"), 100).ok());
  BuildReport first = Build("html");
  ASSERT_TRUE(first.error.empty()) << first.error;
  EXPECT_FALSE(fs::exists(dir_.File("site-html/changes.xml")));  // nothing changed yet
  EXPECT_EQ(Site("html", "pages/ch1/n1.html").find("history"), std::string::npos);

  ASSERT_TRUE(
      store_->SaveArticle(Article("https://e.com/1", "n1", "暴雨", "五个路段封闭。"), 200).ok());
  BuildReport second = Build("html");
  ASSERT_TRUE(second.error.empty()) << second.error;
  std::string page = Site("html", "pages/ch1/n1.html");
  EXPECT_NE(page.find("<a href=\"n1.history.html\">修改过 1 次</a>"), std::string::npos) << page;
  std::string history = Site("html", "pages/ch1/n1.history.html");
  EXPECT_NE(history.find("<del>三</del><ins>五</ins>"), std::string::npos) << history;
  EXPECT_NE(history.find("href=\"n1.html\""), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_.File("site-html/pages/ch1/n2.history.html")));
  std::string changes = Site("html", "changes.html");
  EXPECT_NE(changes.find("pages/ch1/n1.history.html"), std::string::npos) << changes;
  EXPECT_EQ(changes.find("n2"), std::string::npos);
  if (!fs::exists("/usr/bin/jing")) GTEST_SKIP() << "jing missing: run scripts/install-deps.sh";
  EXPECT_EQ(testing::JingAtom(dir_.File("site-html/changes.xml")), "");
}

TEST_F(RevisionsSiteTest, MarkdownHistoryRendersOnGitHub) {
  ASSERT_TRUE(
      store_->SaveArticle(Article("https://e.com/1", "n1", "暴雨", "三个路段封闭。"), 100).ok());
  ASSERT_TRUE(
      store_->SaveArticle(Article("https://e.com/1", "n1", "暴雨", "五个路段封闭。"), 200).ok());
  BuildReport r = Build("markdown");
  ASSERT_TRUE(r.error.empty()) << r.error;
  render::GfmReport history = render::CheckGfm(Site("markdown", "pages/ch1/n1.history.md"));
  EXPECT_NE(history.html.find("<del>三</del><ins>五</ins>"), std::string::npos) << history.html;
  render::GfmReport page = render::CheckGfm(Site("markdown", "pages/ch1/n1.md"));
  EXPECT_NE(page.html.find("<a href=\"n1.history.md\">修改过 1 次</a>"), std::string::npos)
      << page.html;
}

TEST_F(RevisionsSiteTest, ANearDuplicateIsFoldedIntoItsFirstCopysIndexEntry) {
  ASSERT_TRUE(
      store_->SaveArticle(Article("https://one.example/a", "a", "新码头", "原文"), 100).ok());
  auto first = store_->FindArticle("https://one.example/a").value();
  ASSERT_TRUE(first);
  store::ArticleInput copy = Article("https://two.example/b", "b", "转载：新码头", "原文");
  copy.duplicate_of = first->id;
  ASSERT_TRUE(store_->SaveArticle(copy, 110).ok());
  ASSERT_TRUE(store_->SaveArticle(Article("https://one.example/c", "c", "别的", "别的"), 120).ok());
  BuildReport r = Build("html");
  ASSERT_TRUE(r.error.empty()) << r.error;
  std::string index = Site("html", "indexes/ch1/index.html");
  EXPECT_EQ(index.find(">转载：新码头</a>"), std::string::npos) << index;  // one entry
  EXPECT_NE(index.find(">新码头</a>"), std::string::npos) << index;
  EXPECT_NE(index.find(">two.example</a>"), std::string::npos) << index;  // "also at"
  EXPECT_NE(index.find("pages/ch1/b.html"), std::string::npos) << index;
  EXPECT_TRUE(fs::exists(dir_.File("site-html/pages/ch1/b.html")));  // the copy keeps its page
}

TEST(FoldNearDuplicates, ALocalCopyIsNamedByItsFile) {
  std::vector<store::IndexEntry> entries = {{1, "a", "A", "ch", 0}, {2, "b", "B", "ch", 0}};
  std::unordered_map<int64_t, store::DuplicateLink> duplicates = {
      {2, {2, 1, "file:///srv/news/copy.html", "b", "ch"}}};
  AlsoAtMap also = FoldNearDuplicates(&entries, duplicates,
                                      [](const store::IndexEntry& e) { return e.article_id; });
  ASSERT_EQ(also[1].size(), 1u);
  EXPECT_EQ(also[1][0].host, "copy.html");
}

TEST(FoldNearDuplicates, ACopyStaysWhenItsFirstCopyIsNotListed) {
  std::vector<store::IndexEntry> entries = {
      {1, "a", "A", "ch", 0}, {2, "b", "B", "ch", 0}, {3, "c", "C", "ch", 0}};
  std::unordered_map<int64_t, store::DuplicateLink> duplicates = {
      {2, {2, 1, "https://x.example/b", "b", "ch"}}, {3, {3, 9, "https://y.example/c", "c", "ch"}}};
  AlsoAtMap also = FoldNearDuplicates(&entries, duplicates,
                                      [](const store::IndexEntry& e) { return e.article_id; });
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].article_id, "a");
  EXPECT_EQ(entries[1].article_id, "c");  // its first copy (9) is elsewhere
  ASSERT_EQ(also[1].size(), 1u);
  EXPECT_EQ(also[1][0].host, "x.example");
  EXPECT_EQ(also[1][0].target, "b");
}

}  // namespace
}  // namespace samizdat::publish
