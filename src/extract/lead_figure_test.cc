// The generic extractor keeps the lead image's caption, as a site profile would.
#include "extract/lead_figure.h"

#include <gtest/gtest.h>

#include <string>

#include "extract/extract.h"
#include "html/serialize.h"
#include "render/markdown.h"
#include "test_util.h"

namespace samizdat::extract {
namespace {

const char kProse[] =
    "<p>The river came back to the valley this spring, after forty years under the dam, and "
    "the farmers who had watched it vanish walked its banks again, counting the birds.</p>"
    "<p>Engineers opened the last sluice in March. Within weeks, the water had found its "
    "old bed, cutting through fields and filling the ponds the children once swam in.</p>"
    "<p>Biologists say fish returned faster than anyone expected, carried by the flood, "
    "and that the meadows along the banks will take a decade to settle.</p>";

Article Generic(const std::string& html) {
  ExtractOptions o;
  o.url = "https://news.example.org/2026/09/rivers.html";
  o.profile_name = "generic";
  return ExtractUtf8(html, o);
}

TEST(LeadFigure, SeedPageWithoutItsProfileKeepsTheCaption) {
  ExtractOptions o;
  o.url = "https://www.epochtimes.com/gb/26/9/20/n99000001.htm";
  o.profile_name = "generic";
  Article a = Extract(testing::ReadFixture("epochtimes_article.html"), o);
  EXPECT_EQ(a.profile, "generic");
  ASSERT_TRUE(a.lead_image);
  EXPECT_EQ(a.lead_image->src,
            "https://i.epochtimes.com/assets/uploads/2026/09/id99000002-metro-600x400.jpg");
  EXPECT_EQ(a.lead_image->caption, "2026年9月20日，市民在新开通的地铁站排队试乘。（大纪元记者摄）");
}

TEST(LeadFigure, FigureAtTheTopOfTheArticle) {
  Article a = Generic(std::string("<body><nav><a href=/>Home</a></nav><article><h1>Rivers</h1>"
                                  "<figure><img src='/img/river.jpg' alt='The river'>"
                                  "<figcaption>The river in May. (Photo: A. Park)</figcaption>"
                                  "</figure>") +
                      kProse + "</article>");
  ASSERT_TRUE(a.lead_image);
  EXPECT_EQ(a.lead_image->src, "https://news.example.org/img/river.jpg");
  EXPECT_EQ(a.lead_image->alt, "The river");
  EXPECT_EQ(a.lead_image->caption, "The river in May. (Photo: A. Park)");
  // Shown once, above the body.
  EXPECT_EQ(html::InnerHtml(a.body).find("Photo: A. Park"), std::string::npos);
}

TEST(LeadFigure, DeclaredImageWithACaptionBesideIt) {
  Article a = Generic(
      std::string(
          "<head><meta property='og:image' content='https://cdn.example.org/river-1200.jpg'>"
          "</head><body><div class=hero><a href='/big'><img src='https://cdn.example.org/"
          "river-1200.jpg'></a><p class='image-caption'>Farmers on the bank.</p></div>"
          "<div class=ad>Advertisement</div><div class=story>") +
      kProse + "</div>");
  ASSERT_TRUE(a.lead_image);
  EXPECT_EQ(a.lead_image->src, "https://cdn.example.org/river-1200.jpg");
  EXPECT_EQ(a.lead_image->caption, "Farmers on the bank.");
}

TEST(LeadFigure, IconsAndUncaptionedImagesAreNotLeadFigures) {
  Article a = Generic(std::string("<body><div><img src='/avatar.png' width=40 height=40>"
                                  "<span class=caption>Ada Park</span></div><div>") +
                      kProse + "</div>");
  EXPECT_FALSE(a.lead_image);
}

}  // namespace
}  // namespace samizdat::extract
