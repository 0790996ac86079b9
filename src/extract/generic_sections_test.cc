// Long features split into sections, and the text between them.
#include <gtest/gtest.h>

#include <string>

#include "clean/clean.h"
#include "extract/extract.h"
#include "render/markdown.h"

namespace samizdat::extract {
namespace {

// A chapter of prose: `n` paragraphs that name the chapter, with commas, so they score.
std::string Chapter(const std::string& name, int n) {
  std::string html = "<section class='story-section'><div class='container'><div class='wrap'>";
  html += "<h2>" + name + "</h2><div class='rich-text'>";
  for (int i = 0; i < n; ++i)
    html += "<p>In the " + name + " part, paragraph " + std::to_string(i) +
            ", the valley changed, slowly, as the water came back, and the farmers, who had "
            "waited for years, walked the banks again to count the birds.</p>";
  return html + "</div></div><a class=anchor href='#" + name + "'>#</a></div></section>";
}

std::string FeatureText(const std::string& page) {
  ExtractOptions o;
  o.url = "https://magazine.example.org/features/valley";
  Article a = Extract(page, o);
  if (!a.body) return "";
  clean::CleanArticle(a, {});
  return render::ToText(a.body);
}

TEST(GenericSections, EverySectionOfALongFeatureIsKept) {
  std::string page = "<html><body><nav><a href=/>Home</a> <a href=/f>Features</a></nav><main>" +
                     Chapter("opening", 9) + Chapter("spring", 3) +
                     "<div class='image-block'><img src='/v.jpg'></div>" + Chapter("summer", 3) +
                     Chapter("autumn", 2) +
                     "</main><div class=sidebar><a href=/x>Most read story</a></div></body></html>";
  std::string text = FeatureText(page);
  for (const char* part : {"opening part, paragraph 8", "spring part, paragraph 2",
                           "summer part, paragraph 2", "autumn part, paragraph 1"})
    EXPECT_NE(text.find(part), std::string::npos) << part;
  EXPECT_EQ(text.find("Most read story"), std::string::npos);
}

TEST(GenericSections, TeaserCardsAreNotSections) {
  // Cards laid out alike but made of links are other stories, not the rest of the article.
  std::string page = "<html><body><main>" + Chapter("opening", 6) + "</main><div class=more>";
  for (int i = 0; i < 4; ++i)
    page += "<section class='story-section'><p><a href='/s" + std::to_string(i) +
            "'>Another story about a town, a river and a dam, number " + std::to_string(i) +
            "</a></p></section>";
  page += "</div></body></html>";
  std::string text = FeatureText(page);
  EXPECT_NE(text.find("opening part, paragraph 5"), std::string::npos);
  EXPECT_EQ(text.find("Another story"), std::string::npos);
}

}  // namespace
}  // namespace samizdat::extract
