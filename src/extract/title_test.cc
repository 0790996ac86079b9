// How the title is chosen from <h1>, JSON-LD, og:title and <title>.
#include <gtest/gtest.h>

#include <string>

#include "extract/metadata.h"
#include "html/parser.h"

namespace samizdat::extract {
namespace {

std::string TitleOf(const std::string& html) {
  auto doc = html::ParseHtml(html);
  return ExtractMetadata(*doc, "https://example.com/a").title.value_or("");
}

TEST(Title, ArticleHeadingThatAgreesWithOgTitleWins) {
  EXPECT_EQ(TitleOf("<title>Rivers return | Valley News</title>"
                    "<meta property='og:title' content='Rivers return to the valley - Valley News'>"
                    "<body><article><h1>Rivers return to the valley</h1><p>Text.</p></article>"),
            "Rivers return to the valley");
}

TEST(Title, ReferencesEscapedTwiceAreDecoded) {
  // The parser decodes "&amp;#038;" to "&#038;"; the title must read "&".
  EXPECT_EQ(TitleOf("<meta property='og:title' content='M&amp;#038;A roundup: 45 deals'>"
                    "<body><p>Text.</p>"),
            "M&A roundup: 45 deals");
  EXPECT_EQ(TitleOf("<body><article><h1>Budget Traveler&amp;#8217;s Guide To Insurance</h1>"
                    "</article>"),
            "Budget Traveler\u2019s Guide To Insurance");
}

TEST(Title, SiteHeadingInTheHeaderIsNotTheTitle) {
  EXPECT_EQ(TitleOf("<title>Travel insurance for yoga retreats | Ambuja Yoga</title>"
                    "<body><header><h1>Ambuja Yoga</h1><nav><a href=/>Home</a></nav></header>"
                    "<div class=logo><h1>Menu</h1></div><p>Text.</p>"),
            "Travel insurance for yoga retreats");
  // A lone <h1> that is the label of the <title> is the blog's name, not the post's.
  EXPECT_EQ(TitleOf("<title>Reflections on building a UI pipeline | Playful Tones</title>"
                    "<body><h1>Playful Tones</h1><p>Text.</p>"),
            "Reflections on building a UI pipeline");
}

TEST(Title, HeadingSpellingTheSiteNameIsNotTheTitle) {
  // … and it shows which part of the <title> is the site's label.
  EXPECT_EQ(TitleOf("<title>山西品牌丝路行（南美站）正式启动 - 山西省人民政府门户网站</title>"
                    "<body><div class=logo><h1>山西省人民政府网站</h1></div><p>正文。</p>"),
            "山西品牌丝路行（南美站）正式启动");
}

TEST(Title, HeadingInCapitalsTakesTheDeclaredSpelling) {
  EXPECT_EQ(TitleOf("<title>Tips for Online Success</title>"
                    "<body><article><h1>TIPS FOR ONLINE SUCCESS</h1></article>"),
            "Tips for Online Success");
}

TEST(Title, LoneArticleHeadingOverASearchEngineTitle) {
  EXPECT_EQ(TitleOf("<title>Health And Nutrition Trends For 2026 - Tastewise</title>"
                    "<meta property='og:title' content='Health And Nutrition Trends For 2026'>"
                    "<body><main><h1>Top 10 Health and Nutrition Trends to Watch</h1></main>"),
            "Top 10 Health and Nutrition Trends to Watch");
}

TEST(Title, SiteLabelsAreStripped) {
  EXPECT_EQ(CleanDocumentTitle("Top 7 Kitchen Trends | Blog | Encore Realty", "Encore Realty"),
            "Top 7 Kitchen Trends");
  EXPECT_EQ(CleanDocumentTitle("男子驾车冲撞路人被当场制服_社会新闻_某某新闻网", ""),
            "男子驾车冲撞路人被当场制服");
  EXPECT_EQ(CleanDocumentTitle("男子驾车冲撞路人被当场制服 - 某某网", "某某网"),
            "男子驾车冲撞路人被当场制服");
  // Chinese titles write separators without spaces; English words keep their hyphens.
  EXPECT_EQ(CleanDocumentTitle("法国全国大罢工再次严重影响交通-新华网", ""),
            "法国全国大罢工再次严重影响交通");
  EXPECT_EQ(CleanDocumentTitle("女儿出嫁，郑板桥画了几笔兰花当嫁妆--文化--人民网", ""),
            "女儿出嫁，郑板桥画了几笔兰花当嫁妆");
  EXPECT_EQ(CleanDocumentTitle("How COVID-19 changed e-commerce in rural towns", ""),
            "How COVID-19 changed e-commerce in rural towns");
  // Past the site name only a short section label goes; a subtitle stays.
  EXPECT_EQ(CleanDocumentTitle(
                "Transitioning to a plant-based diet \u2013 tips and tricks | Parkview Health",
                "Parkview Health"),
            "Transitioning to a plant-based diet \u2013 tips and tricks");
}

}  // namespace
}  // namespace samizdat::extract
