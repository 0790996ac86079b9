#include "publish/feeds.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <filesystem>
#include <regex>

#include "publish/build.h"
#include "render/page.h"
#include "test_util.h"

namespace samizdat::publish {
namespace {

using testing::ReadFile;
using testing::TempDir;
namespace fs = std::filesystem;

class FeedBuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    store_ = store::Store::Open(dir_.File("store.db"), &err);
    ASSERT_TRUE(store_) << err;
    // Stored in one order, published in another: feeds and indexes follow publication.
    Add(1, "2026-09-03T10:00:00+08:00", "记者甲");
    Add(2, "2026-09-01T10:00:00+08:00", "");
    Add(3, "2026-09-02T10:00:00Z", "记者乙");
    std::string text =
        "[site]\ntitle = \"新闻镜像\"\ntheme = \"html\"\nrehost_images = false\n"
        "variants = [\"zh-Hant\"]\nbase_url = \"https://mirror.example/news/\"\n"
        "[[channels]]\nid = \"ch1\"\nname = \"国际\"\n";
    auto cfg = config::ParseConfig(text, "samizdat.toml", dir_.path(), &err);
    ASSERT_TRUE(cfg) << err;
    cfg_ = *cfg;
    cfg_.output_dir = dir_.File("site");
    BuildReport r = BuildSite(cfg_, *store_, *Env::Default());
    ASSERT_TRUE(r.error.empty()) << r.error;
  }

  void Add(int n, const std::string& published, const std::string& byline) {
    store::ArticleInput in;
    in.canonical_url = "https://news.example/gb/n" + std::to_string(n) + ".htm";
    in.article_id = "n" + std::to_string(n);
    in.memberships.push_back({"ch1", "s"});
    in.title = "新闻" + std::to_string(n);
    in.byline = byline;
    in.published = published;
    in.html = "<p>第" + std::to_string(n) + "篇的全文 & <b>粗体</b></p><pre>a\n  b</pre>";
    ASSERT_EQ(store_->SaveArticle(in, 5000 + n).status().ToString(), "ok");
  }

  std::string Site(const std::string& relative) { return cfg_.output_dir + "/" + relative; }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  config::Config cfg_;
};

TEST_F(FeedBuildTest, AtomFeedsValidateAgainstRfc4287) {
  if (!fs::exists("/usr/bin/jing")) GTEST_SKIP() << "jing missing: run scripts/install-deps.sh";
  for (std::string feed : {"feed.xml", "feeds/ch1.xml", "zh-Hant/feed.xml"})
    EXPECT_EQ(testing::JingAtom(Site(feed)), "") << feed << "\n" << ReadFile(Site(feed));
  // The check has teeth: a date that is no xsd:dateTime, or no <id>, is refused.
  std::string bad = ReadFile(Site("feed.xml"));
  bad.replace(bad.find("<updated>"), 29, "<updated>Sep 3, 2026</updated>");
  FILE* f = fopen(dir_.File("bad.xml").c_str(), "w");
  ASSERT_TRUE(f);
  fputs(bad.c_str(), f);
  fclose(f);
  EXPECT_NE(testing::JingAtom(dir_.File("bad.xml")), "");
}

// What RELAX NG cannot say: every entry has an author (its own or the feed's), its full
// content, real dates, and the newest comes first.
TEST_F(FeedBuildTest, AtomEntriesHaveAuthorContentRealDatesNewestFirst) {
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(ReadFile(Site("feed.xml")).c_str()));
  pugi::xml_node feed = doc.child("feed");
  EXPECT_STREQ(feed.child("author").child_value("name"), "新闻镜像");
  EXPECT_STREQ(feed.attribute("xml:lang").value(), "zh-Hans");
  std::vector<std::string> titles, published;
  for (pugi::xml_node e : feed.children("entry")) {
    titles.push_back(e.child_value("title"));
    published.push_back(e.child_value("published"));
    std::string content = e.child_value("content");
    EXPECT_NE(content.find("篇的全文 &amp; <b>粗体</b>"), std::string::npos) << content;
    EXPECT_STREQ(e.child("content").attribute("type").value(), "html");
    EXPECT_GE(std::string(e.child_value("updated")), published.back());
    EXPECT_EQ(std::string(e.child_value("id")).rfind("https://mirror.example/news/pages/", 0), 0u);
  }
  EXPECT_EQ(titles, (std::vector<std::string>{"新闻1", "新闻3", "新闻2"}));
  EXPECT_EQ(published, (std::vector<std::string>{"2026-09-03T02:00:00Z", "2026-09-02T10:00:00Z",
                                                 "2026-09-01T02:00:00Z"}));
  EXPECT_STREQ(feed.child_value("updated"), "2026-09-03T02:00:00Z");
  EXPECT_STREQ(feed.child("entry").child("author").child_value("name"), "记者甲");
}

// JSON Feed 1.1: the structure its specification requires.
TEST_F(FeedBuildTest, JsonFeedHasTheVersion11Structure) {
  for (std::string path : {"feed.json", "feeds/ch1.json", "zh-Hant/feed.json"}) {
    nlohmann::json f = nlohmann::json::parse(ReadFile(Site(path)), nullptr, false);
    ASSERT_TRUE(f.is_object()) << path;
    EXPECT_EQ(f["version"], "https://jsonfeed.org/version/1.1");
    ASSERT_TRUE(f["title"].is_string());
    ASSERT_TRUE(f["items"].is_array());
    ASSERT_TRUE(f["authors"].is_array() && f["authors"][0]["name"].is_string());
    EXPECT_EQ(f["items"].size(), 3u);
    std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
    std::string previous = "9999";
    for (const auto& item : f["items"]) {
      ASSERT_TRUE(item["id"].is_string());
      ASSERT_TRUE(item["content_html"].is_string());
      std::string date = item["date_published"];
      EXPECT_TRUE(std::regex_match(date, rfc3339)) << date;
      EXPECT_LE(date, previous);
      previous = date;
    }
  }
  nlohmann::json hant = nlohmann::json::parse(ReadFile(Site("zh-Hant/feed.json")));
  EXPECT_EQ(hant["language"], "zh-Hant");
  EXPECT_EQ(hant["items"][0]["title"], "新聞1");
}

TEST_F(FeedBuildTest, HtmlPagesLinkFeedsVariantsAndTheOriginal) {
  std::string page = ReadFile(Site("pages/ch1/n1.html"));
  EXPECT_NE(page.find("<html lang=\"zh-Hans\">"), std::string::npos);
  EXPECT_NE(page.find("<link rel=\"canonical\" href=\"https://news.example/gb/n1.htm\">"),
            std::string::npos);
  EXPECT_NE(page.find("rel=\"alternate\" type=\"application/atom+xml\" href=\"../../feed.xml\""),
            std::string::npos);
  EXPECT_NE(page.find("type=\"application/feed+json\" href=\"../../feed.json\""),
            std::string::npos);
  EXPECT_NE(
      page.find("rel=\"alternate\" hreflang=\"zh-Hant\" href=\"../../zh-Hant/pages/ch1/n1.html\""),
      std::string::npos);
  std::string index = ReadFile(Site("indexes/ch1/index.html"));
  EXPECT_NE(index.find("<html lang=\"zh-Hans\">"), std::string::npos);
  EXPECT_NE(index.find("href=\"../../feeds/ch1.xml\""), std::string::npos);
  EXPECT_NE(index.find("hreflang=\"zh-Hant\" href=\"../../zh-Hant/indexes/ch1/index.html\""),
            std::string::npos);
  // Newest publication first.
  size_t p1 = index.find("新闻1"), p3 = index.find("新闻3"), p2 = index.find("新闻2");
  EXPECT_TRUE(p1 < p3 && p3 < p2) << index;
  std::string sitemap = ReadFile(Site("sitemap.xml"));
  EXPECT_NE(sitemap.find("<loc>https://mirror.example/news/pages/ch1/n1.html</loc><lastmod>"
                         "1970-01-01T01:23:21Z</lastmod>"),
            std::string::npos)
      << sitemap;
}

TEST(Stylesheet, DarkModeKeepsPreReadableAndPrintHidesNavigation) {
  std::string css(render::Stylesheet());
  size_t dark = css.find("@media(prefers-color-scheme:dark)");
  ASSERT_NE(dark, std::string::npos);
  EXPECT_NE(css.find("pre,code{background:#1e1e1e;color:#e6e6e6}", dark), std::string::npos);
  size_t print = css.find("@media print");
  ASSERT_NE(print, std::string::npos);
  EXPECT_NE(css.find("nav,.share,.variants{display:none}", print), std::string::npos);
}

TEST(Feeds, DatesAreUtcAndFallBackToTheStore) {
  EXPECT_EQ(FeedDate("2026-09-20T10:00:00+08:00", 0), "2026-09-20T02:00:00Z");
  EXPECT_EQ(FeedDate("", 86400), "1970-01-02T00:00:00Z");
  EXPECT_EQ(FeedDate("not a date", 0), "1970-01-01T00:00:00Z");
}

}  // namespace
}  // namespace samizdat::publish
