#include "clean/clean.h"

#include <gtest/gtest.h>

#include "html/parser.h"
#include "html/serialize.h"

namespace samizdat::clean {
namespace {

std::string CleanHtml(const std::string& body_html, const CleanOptions& options = {},
                      const std::string& base = "https://example.com/a/b.html") {
  auto doc = html::ParseHtml("<body>" + body_html + "</body>");
  html::Node* body = doc->body();
  CleanBody(*doc, body, base, options);
  return html::InnerHtml(body);
}

TEST(Clean, RemovesScriptsHandlersAndDangerousUrls) {
  std::string out = CleanHtml(
      "<p onclick='x()' style='color:red' class=c id=i>Hi <a href='javascript:alert(1)'>there</a>"
      "<script>evil()</script><img src=x.png onerror=alert(1) width=5 height=6></p>"
      "<iframe src=//ads.example></iframe><form><input></form><style>p{}</style>"
      "<div hidden>secret</div><div style='display: none'>secret2</div>"
      "<div class='ad-slot'>buy</div><div id=share-buttons>share</div>"
      "<p><a href='data:text/html,x'>d</a><a href='vbscript:x'>v</a></p>");
  EXPECT_EQ(out, "<p>Hi there<img src=\"https://example.com/a/x.png\"/></p><p>dv</p>");
}

// One list of widget words serves the extractor and the clean stage.
TEST(Clean, WidgetWordsAreTheExtractorsToo) {
  EXPECT_EQ(CleanHtml("<p>Text</p><div class='donate-box'>Give</div><div id=signup_form>x</div>"
                      "<div class='sponsored-links'>y</div>"),
            "<p>Text</p>");
  EXPECT_EQ(CleanHtml("<p>Text</p><div class='followers'>kept</div>"),
            "<p>Text</p><div>kept</div>");
}

TEST(Clean, ResolvesLazyImages) {
  EXPECT_EQ(CleanHtml("<p><img src='data:image/gif;base64,R0' data-src='/real.jpg'></p>"),
            "<p><img src=\"https://example.com/real.jpg\"/></p>");
  EXPECT_EQ(CleanHtml("<p><img srcset='s.jpg 300w, l.jpg 1200w, m.jpg 600w'></p>"),
            "<p><img src=\"https://example.com/a/l.jpg\"/></p>");
  EXPECT_EQ(
      CleanHtml("<figure><img class=lazy src=blank.gif><noscript><img src='n.jpg' alt=A></noscript>"
                "<figcaption>Cap</figcaption></figure>"),
      "<figure><img src=\"https://example.com/a/n.jpg\" "
      "alt=\"A\"/><figcaption>Cap</figcaption></figure>");
  EXPECT_EQ(CleanHtml("<picture><source srcset='p.webp 2x'><img src=''></picture>"),
            "<img src=\"https://example.com/a/p.webp\"/>");
}

TEST(Clean, LinkPoliciesAndHeadingShift) {
  CleanOptions neutral;
  neutral.links = LinkPolicy::kNeutralize;
  neutral.heading_shift = 2;
  EXPECT_EQ(
      CleanHtml("<h2>T</h2><p>a <a href='/t' title=x class=y>tag</a> b</p><h5>s</h5>", neutral),
      "<h4>T</h4><p>a <ok href=\"https://example.com/t\">tag</ok> b</p><h6>s</h6>");
  CleanOptions text;
  text.links = LinkPolicy::kText;
  EXPECT_EQ(CleanHtml("<p>a <a href='/t'>tag</a></p>", text), "<p>a tag</p>");
  EXPECT_EQ(CleanHtml("<p>a <a href='/t'>tag</a></p>"),
            "<p>a <a href=\"https://example.com/t\">tag</a></p>");
}

TEST(Clean, WhitespaceCollapsesAndCjkLineBreaksVanish) {
  EXPECT_EQ(CleanHtml("<p>中国\n   <a href=/x>日本</a>\n  首相   and\n\n  more</p>"),
            "<p>中国<a href=\"https://example.com/x\">日本</a>首相 and more</p>");
  EXPECT_EQ(CleanHtml("<pre>a\n\n  b</pre>"), "<pre>a\n\n  b</pre>");
  EXPECT_EQ(CleanHtml("<p>  </p><div><span></span></div><p>x</p>"), "<p>x</p>");
}

TEST(Clean, UnknownElementsUnwrapUnlessWidgets) {
  EXPECT_EQ(CleanHtml("<p><custom-tag>kept</custom-tag><twitter-widget>gone</twitter-widget></p>"),
            "<p>kept</p>");
  EXPECT_EQ(CleanHtml("<section><p>x</p></section>"), "<div><p>x</p></div>");
}

}  // namespace
}  // namespace samizdat::clean
