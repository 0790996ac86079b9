#include "feed/sanitize.h"

#include <gtest/gtest.h>

#include "feed/feed.h"

namespace samizdat::feed {
namespace {

constexpr std::string_view kBase = "https://ex.org/news/feed.xml";

TEST(FeedSanitize, ScriptsGoWithTheirContentOtherUnknownTagsKeepTheirText) {
  EXPECT_EQ(SanitizeHtml("safe<script>alert(1)</script> <b>text</b>", kBase), "safe <b>text</b>");
  EXPECT_EQ(SanitizeHtml("a<style>body{}</style>b<applet>x</applet>c", kBase), "abc");
  EXPECT_EQ(SanitizeHtml("<blink>safe</blink> <iframe src=\"x\"></iframe>text", kBase),
            "safe text");
  EXPECT_EQ(SanitizeHtml("<SCRIPT>never closed <b>x</b>", kBase), "");
  EXPECT_EQ(SanitizeHtml("<meta http-equiv=\"refresh\"><object data=\"x\">o</object>", kBase), "o");
}

TEST(FeedSanitize, EventHandlersAndUnknownAttributesGoAttributesSortedAndQuoted) {
  EXPECT_EQ(SanitizeHtml("<img src='/i.jpg' onerror=\"alert(1)\" ALT=x>", kBase),
            "<img alt=\"x\" src=\"https://ex.org/i.jpg\" />");
  EXPECT_EQ(SanitizeHtml("<span title='a \"q\" &amp; <b>' bogus=1>t</span>", kBase),
            "<span title=\"a &quot;q&quot; &amp; &lt;b&gt;\">t</span>");
  EXPECT_EQ(SanitizeHtml("<input checked><br/><span/>", kBase),
            "<input checked=\"checked\" /><br /><span></span>");
}

TEST(FeedSanitize, OnlyWebSchemesSurviveInUrlsInAnySpelling) {
  EXPECT_EQ(SanitizeHtml("<a href=\"javascript:alert(1)\">x</a>", kBase), "<a href=\"\">x</a>");
  EXPECT_EQ(SanitizeHtml("<a href=\"java&#x09;script&#58;alert(1)\">x</a>", kBase),
            "<a href=\"\">x</a>");
  EXPECT_EQ(SanitizeHtml("<a href=\" JaVaScRiPt:alert(1)\">x</a>", kBase), "<a href=\"\">x</a>");
  EXPECT_EQ(SanitizeHtml("<img src=\"data:image/svg+xml,x\">", kBase), "<img src=\"\" />");
  EXPECT_EQ(SanitizeHtml("<a href=\"../a.html?x=1&amp;y=2\">x</a>", kBase),
            "<a href=\"https://ex.org/a.html?x=1&amp;y=2\">x</a>");
  EXPECT_EQ(SanitizeHtml("<a href=\"mailto:a@ex.org\">m</a>", ""),
            "<a href=\"mailto:a@ex.org\">m</a>");
  EXPECT_EQ(SanitizeHtml("<a href=\"rel/x\">r</a>", ""), "<a href=\"rel/x\">r</a>");
}

TEST(FeedSanitize, StylesKeepOnlyPlainDeclarationsOfListedProperties) {
  EXPECT_EQ(SanitizeStyle("display:block; position:absolute; left:0; color: red"),
            "display: block; color: red;");
  EXPECT_EQ(SanitizeStyle("background-image:url(http://x/y.png); background-color:black"),
            "background-color: black;");
  EXPECT_EQ(SanitizeStyle("width: expression(alert(1))"), "");
  EXPECT_EQ(SanitizeStyle("margin: 0 auto; padding: 99999em"), "margin: 0 auto;");
  EXPECT_EQ(SanitizeStyle("color: red; behavior: url(x.htc)"), "color: red;");
  EXPECT_EQ(SanitizeStyle("color: red; x: a\\62 c"), "");
  EXPECT_EQ(SanitizeHtml("<p style=\"position:absolute\">x</p>", kBase), "<p>x</p>");
}

TEST(FeedSanitize, CommentsABrowserCouldEndEarlyAndDeclarationsGo) {
  EXPECT_EQ(SanitizeHtml("a<!-- note -->b", kBase), "a<!-- note -->b");
  EXPECT_EQ(SanitizeHtml("a<!-- x --!><script>alert(1)</script> -->b", kBase), "ab");
  EXPECT_EQ(SanitizeHtml("a<!--[if IE]><script>x</script><![endif]-->b", kBase), "ab");
  EXPECT_EQ(SanitizeHtml("<!DOCTYPE html><?php x ?>a<![CDATA[<b>]]>", kBase),
            "a&lt;![CDATA[<b>]]>");
  EXPECT_EQ(SanitizeHtml("1 < 2 & 3 &copy; &bogus; &#150;", kBase),
            "1 &lt; 2 &amp; 3 &copy; &amp;bogus; &#x2013;");
}

TEST(FeedSanitize, ATagOrCommentThatNeverEndsDropsTheRestInOnePass) {
  EXPECT_EQ(SanitizeHtml("safe <b>text</b> <a href=\"x", kBase), "safe <b>text</b>");
  EXPECT_EQ(SanitizeHtml("safe </b", kBase), "safe");
  // Comments that never close, each cut at its "--...>": one search for "-->" in all.
  std::string many, kept;
  for (int i = 0; i < 100000; ++i) {
    many += "<!-- -- >x";
    kept += "x";
  }
  EXPECT_EQ(SanitizeHtml(many, kBase), kept);
}

TEST(FeedSanitize, LooksLikeHtmlWantsAnEndTagOrReferenceAndKnownNamesOnly) {
  EXPECT_TRUE(LooksLikeHtml("<b>bold</b>"));
  EXPECT_TRUE(LooksLikeHtml("AT&amp;T"));
  EXPECT_FALSE(LooksLikeHtml("a < b"));
  EXPECT_FALSE(LooksLikeHtml("<script>x</script>"));
  EXPECT_FALSE(LooksLikeHtml("&bogus; <b>x</b>"));
}

TEST(FeedSanitize, ParsedFeedsCarrySanitisedMarkupEverywhere) {
  std::string xml = R"X(<rss version="2.0"><channel><title>T</title>
<description>&lt;b onclick="x()"&gt;sub&lt;/b&gt;</description>
<copyright>(c) &lt;i&gt;me&lt;/i&gt;</copyright>
<item><title>A &lt;b&gt;bold&lt;/b&gt; move</title>
<description>&lt;p&gt;hi&lt;script&gt;alert(1)&lt;/script&gt;&lt;a href="/x" onmouseover="y"&gt;l&lt;/a&gt;&lt;/p&gt;</description>
</item>
<item><body xmlns="http://www.w3.org/1999/xhtml"><p>full<script>x</script></p></body></item>
</channel></rss>)X";
  Feed f = ParseFeed(xml, {"https://ex.org/feed.xml"});
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.feed.subtitle, "<b>sub</b>");
  EXPECT_EQ(f.feed.rights, "(c) <i>me</i>");
  EXPECT_EQ(f.entries[0].summary, "<p>hi<a href=\"https://ex.org/x\">l</a></p>");
  EXPECT_EQ(f.entries[0].title, "A bold move");  // the title stays plain text
  EXPECT_EQ(f.entries[0].title_detail.type, "text/html");
  EXPECT_EQ(f.entries[0].title_detail.value, "A <b>bold</b> move");
  ASSERT_EQ(f.entries[1].content.size(), 1u);
  EXPECT_EQ(f.entries[1].content[0].value, "<p>full</p>");
  EXPECT_EQ(f.entries[1].summary, "<p>full</p>");  // content stands in for the summary
}

TEST(FeedSanitize, JsonFeedHtmlIsSanitisedToo) {
  std::string json = R"({"version":"https://jsonfeed.org/version/1.1","title":"J",
    "items":[{"id":"1","content_html":"<p onclick='x'>a<script>b</script></p>"}]})";
  Feed f = ParseFeed(json, {"https://ex.org/feed.json"});
  ASSERT_EQ(f.entries.size(), 1u);
  ASSERT_EQ(f.entries[0].content.size(), 1u);
  EXPECT_EQ(f.entries[0].content[0].value, "<p>a</p>");
}

}  // namespace
}  // namespace samizdat::feed
