#include "extract/extract.h"

#include <gtest/gtest.h>

#include "clean/clean.h"
#include "extract/generic.h"
#include "html/serialize.h"
#include "render/markdown.h"
#include "test_util.h"

namespace samizdat::extract {
namespace {

using samizdat::testing::ReadFixture;

const char kSeedUrl[] = "https://www.epochtimes.com/gb/26/9/20/n99000001.htm";

TEST(Profiles, BuiltInsCoverEverySourceOfTheSpec) {
  const ProfileSet& set = ProfileSet::BuiltIn();
  for (const char* name :
       {"epochtimes-gb", "ntdtv-gb", "soundofhope", "secretchina", "rfa", "minghui"})
    EXPECT_NE(set.Find(name), nullptr) << name;
  EXPECT_EQ(set.Match(kSeedUrl)->name, "epochtimes-gb");
  EXPECT_EQ(set.Match("https://www.ntdtv.com/gb/2026/09/20/a1.html")->name, "ntdtv-gb");
  EXPECT_EQ(set.Match("https://www.rfa.org/mandarin/yataibaodao/x.html")->name, "rfa");
  EXPECT_EQ(set.Match("https://www.epochtimes.com/b5/26/9/20/n1.htm"), nullptr);  // /gb/ only
  EXPECT_EQ(set.Match("https://example.com/epochtimes.com/gb/x"), nullptr);
  EXPECT_EQ(set.Find("epochtimes-gb")->ArticleId(kSeedUrl), "n99000001");
}

TEST(Profiles, ErrorsNameFileLineAndKey) {
  std::string err;
  EXPECT_FALSE(ParseProfile("name = \"x\"\nhosts = [\"a.com\"]\n[selectors]\nbody = \"div[\"\n",
                            "p.toml", &err));
  EXPECT_NE(err.find("p.toml:4"), std::string::npos) << err;
  EXPECT_NE(err.find("selectors.body"), std::string::npos) << err;
  EXPECT_FALSE(ParseProfile("name = \"x\"\nhosts = [\"a.com\"]\nbodyy = \"p\"\n", "q.toml", &err));
  EXPECT_NE(err.find("q.toml:3"), std::string::npos) << err;
  EXPECT_NE(err.find("unknown key 'bodyy'"), std::string::npos) << err;
  EXPECT_FALSE(ParseProfile("name = [", "r.toml", &err));
  EXPECT_NE(err.find("r.toml:1"), std::string::npos) << err;
}

// A built-in profile that does not parse is left out and reported to the caller in
// warnings(); the library prints nothing.
TEST(Profiles, BrokenBuiltInIsAWarningNotOutput) {
  ::testing::internal::CaptureStderr();
  ProfileSet set = ProfileSet::FromTexts({{"good.toml", "name = \"good\"\nhosts = [\"a.com\"]\n"},
                                          {"bad.toml", "name = \"bad\"\nhosts = 3\n"}});
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_NE(set.Find("good"), nullptr);
  EXPECT_EQ(set.Find("bad"), nullptr);
  ASSERT_EQ(set.warnings().size(), 1u);
  EXPECT_EQ(set.warnings()[0].rfind("built-in profile error: profiles/bad.toml:2:", 0), 0u)
      << set.warnings()[0];
  EXPECT_TRUE(ProfileSet::BuiltIn().warnings().empty());
}

TEST(Profiles, ANumberForABooleanKeyIsAnError) {
  std::string err;
  EXPECT_FALSE(
      ParseProfile("name = \"x\"\nhosts = [\"a.com\"]\ngeneric_fallback = 0\n", "p.toml", &err));
  EXPECT_EQ(err, "p.toml:3:20: key 'generic_fallback' must be a boolean");
}

TEST(Extract, SeedPageByProfile) {
  ExtractOptions o;
  o.url = kSeedUrl;
  Article a = Extract(ReadFixture("epochtimes_article.html"), o);
  EXPECT_EQ(a.profile, "epochtimes-gb");
  EXPECT_EQ(a.id, "n99000001");
  EXPECT_EQ(a.title.value(), "测试城市开通新地铁线 市民试乘");
  EXPECT_EQ(a.byline.value(), "李明");
  EXPECT_EQ(a.published.value(), "2026-09-20T10:00:00+08:00");
  ASSERT_TRUE(a.lead_image);
  // The visible <img> is a lazy placeholder; the <noscript> copy has the real source.
  EXPECT_EQ(a.lead_image->src,
            "https://i.epochtimes.com/assets/uploads/2026/09/id99000002-metro-600x400.jpg");
  EXPECT_EQ(a.lead_image->caption, "2026年9月20日，市民在新开通的地铁站排队试乘。（大纪元记者摄）");
  ASSERT_NE(a.body, nullptr);
  std::string html = html::InnerHtml(a.body);
  // Every removal applies even though the first one (header) matched: defect 1 fixed.
  for (const char* gone : {"below_article_ad", "recommend_post", "twitter-widget", "<script",
                           "<iframe", "<aside", "<header", "分享", "推荐阅读"})
    EXPECT_EQ(html.find(gone), std::string::npos) << gone;
  EXPECT_NE(html.find("责任编辑"), std::string::npos);
}

TEST(Extract, GenericFindsTheArticleAmongBoilerplate) {
  Article a = Extract(ReadFixture("generic_article.html"),
                      ExtractOptions{"https://news.example.org/2026/09/rivers.html"});
  EXPECT_EQ(a.profile, "generic");
  EXPECT_EQ(a.title.value(), "Rivers Return to the Valley");
  EXPECT_EQ(a.byline.value(), "Ada Park");
  EXPECT_EQ(a.published.value(), "2026-09-18T08:30:00Z");
  clean::CleanArticle(a, {});
  std::string text = render::ToText(a.body);
  EXPECT_NE(text.find("For the first time in forty years"), std::string::npos);
  EXPECT_NE(text.find("The last paragraph of the story."), std::string::npos);
  for (const char* gone : {"Subscribe to our newsletter", "Most popular", "Share on", "Cookie",
                           "All rights reserved", "Home", "Related stories"})
    EXPECT_EQ(text.find(gone), std::string::npos) << gone;
}

TEST(Extract, ChineseCommaProseWinsOverLinkLists) {
  std::string page = "<html><body><div class=nav>";
  for (int i = 0; i < 30; ++i)
    page += "<a href='/c" + std::to_string(i) + "'>频道新闻链接标题</a> ";
  page +=
      "</"
      "div><div><p>"
      "今天上午，市政府召开新闻发布会，介绍了城市交通建设的最新进展，并回答了记者提问。</p>"
      "<p>发言人表示，明年将继续加大投入，改善公共交通，方便市民出行，减少交通拥堵。</p>"
      "<p>据介绍，今年全市新建道路一百公里，新增公交线路二十条，市民满意度明显提高。</p></div></"
      "body></html>";
  Article a = Extract(page, {});
  ASSERT_NE(a.body, nullptr);
  std::string text = render::ToText(a.body);
  EXPECT_NE(text.find("新闻发布会"), std::string::npos);
  EXPECT_EQ(text.find("频道新闻链接标题"), std::string::npos);
}

TEST(Extract, NoArticleGivesAWarningNotABody) {
  Article a =
      Extract("<html><body><nav><a href=/a>Home</a> <a href=/b>About</a></nav></body></html>", {});
  EXPECT_EQ(a.body, nullptr);
  ASSERT_FALSE(a.warnings.empty());
  EXPECT_EQ(a.warnings.back(), "no article found");
  Article empty = Extract("", {});
  EXPECT_EQ(empty.body, nullptr);
}

TEST(Extract, OversizedInputIsCutWithAWarning) {
  ExtractOptions o;
  o.max_input_bytes = 1000;
  Article a = Extract(std::string(5000, 'x'), o);
  ASSERT_FALSE(a.warnings.empty());
  EXPECT_NE(a.warnings[0].find("only the first 1000"), std::string::npos);
}

TEST(Extract, WeightedLengthCountsChineseCharacters) {
  EXPECT_DOUBLE_EQ(WeightedTextLength("ab  c"), 4);
  EXPECT_DOUBLE_EQ(WeightedTextLength("中文"), 2 * kCjkWeight);
}

}  // namespace
}  // namespace samizdat::extract
