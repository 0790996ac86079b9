#include "feed/feed.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "feed/feed_json.h"
#include "test_util.h"
#include "util/dates.h"

namespace samizdat::feed {
namespace {

using nlohmann::json;

TEST(Feed, Rss20WithNamespacesAndGuidRules) {
  std::string xml = R"(<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:c="http://purl.org/rss/1.0/modules/content/" xmlns:d="http://purl.org/dc/elements/1.1/"
     xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>News &amp; Views</title><link>https://ex.org/</link><language>en</language>
<item><title>One</title><link>/a/1.html</link><guid isPermaLink="false">id-1</guid>
  <description>&lt;p&gt;Summary&lt;/p&gt;</description><c:encoded><![CDATA[<p>Full <b>body</b></p>]]></c:encoded>
  <d:creator>Ann</d:creator><category>World</category><category>Asia</category>
  <pubDate>Sun, 20 Sep 2026 10:00:00 +0800</pubDate>
  <enclosure url="https://ex.org/a.mp3" type="audio/mpeg" length="123"/>
  <media:thumbnail url="//img.ex.org/t.jpg"/></item>
<item><title>Two</title><guid>https://ex.org/a/2.html</guid></item>
</channel></rss>)";
  Feed f = ParseFeed(xml, {"https://ex.org/feed.xml"});
  EXPECT_FALSE(f.bozo) << f.bozo_exception;
  EXPECT_EQ(f.version, "rss20");
  EXPECT_EQ(f.feed.title, "News & Views");
  ASSERT_EQ(f.entries.size(), 2u);
  const Entry& e = f.entries[0];
  EXPECT_EQ(e.link, "https://ex.org/a/1.html");
  EXPECT_EQ(e.id, "id-1");
  EXPECT_EQ(e.summary, "<p>Summary</p>");
  ASSERT_EQ(e.content.size(), 1u);
  EXPECT_EQ(e.content[0].value, "<p>Full <b>body</b></p>");
  EXPECT_EQ(e.author, "Ann");
  EXPECT_EQ(e.tags, (std::vector<std::string>{"World", "Asia"}));
  EXPECT_EQ(e.published.value(), "2026-09-20T10:00:00+08:00");
  ASSERT_EQ(e.enclosures.size(), 1u);
  EXPECT_EQ(e.enclosures[0].length, 123);
  EXPECT_EQ(e.image, "https://img.ex.org/t.jpg");
  // A permalink guid stands in for a missing link.
  EXPECT_EQ(f.entries[1].link, "https://ex.org/a/2.html");
}

TEST(Feed, AtomWithXmlBaseAndContentTypes) {
  std::string xml = R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://ex.org/blog/">
<title type="html">A &amp;lt;b&amp;gt;feed</title><link href="./"/>
<entry xml:base="posts/"><title>T</title><link href="1.html"/><id>tag:ex.org,2026:1</id>
<updated>2026-09-20T02:00:00Z</updated><author><name>Bo</name></author>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <em>there</em></p></div></content>
<category term="tech"/></entry></feed>)";
  Feed f = ParseFeed(xml, {"https://ex.org/feed.atom"});
  EXPECT_EQ(f.version, "atom10");
  EXPECT_EQ(f.feed.title, "A <b>feed");
  EXPECT_EQ(f.feed.link, "https://ex.org/blog/");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].link, "https://ex.org/blog/posts/1.html");
  EXPECT_EQ(f.entries[0].published.value(), "2026-09-20T02:00:00Z");
  EXPECT_EQ(f.entries[0].author, "Bo");
  ASSERT_EQ(f.entries[0].content.size(), 1u);
  EXPECT_NE(f.entries[0].content[0].value.find("<p>Hi <em>there</em></p>"), std::string::npos);
}

TEST(Feed, HtmlWhereAFeedWasExpected) {
  Feed f = ParseFeed("<!DOCTYPE html><html><body><p>Error 502</p></body></html>", {});
  EXPECT_TRUE(f.not_a_feed);
  EXPECT_NE(f.bozo_exception.find("HTML page"), std::string::npos);
}

TEST(Feed, SitemapIndexAndGzipBombGuard) {
  Feed f = ParseFeed(R"(<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://ex.org/s1.xml.gz</loc><lastmod>2026-09-20</lastmod></sitemap></sitemapindex>)",
                     {});
  EXPECT_EQ(f.version, "sitemapindex");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_TRUE(f.entries[0].is_sitemap);
  std::string out, err;
  EXPECT_FALSE(Gunzip("\x1f\x8bnot really", 1000, &out, &err));
}

TEST(Feed, ListingPageBySelector) {
  std::string page =
      R"(<html><body><div class="post_list"><div class="title"><a href="/gb/1.htm">一</a></div>
<div class="title"><a href="/gb/2.htm#c">二</a></div><div class="title"><a href="/gb/1.htm">一</a></div></div>
<div class="nav"><a href="/gb/x.htm">nav</a></div></body></html>)";
  Feed f = ParseListing(page, "div.post_list div.title a", {"https://ex.org/gb/list.htm"});
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].link, "https://ex.org/gb/1.htm");
  EXPECT_EQ(f.entries[1].link, "https://ex.org/gb/2.htm");
  EXPECT_EQ(f.entries[1].title, "二");
}

// datasets/feeds/synthetic-cjk: all 14 cases of its manifest.
TEST(Feed, SyntheticCjkManifest) {
  std::string shared = testing::SharedDir();
  if (shared.empty()) GTEST_SKIP() << "../shared absent";
  std::string dir = shared + "/datasets/feeds/synthetic-cjk/";
  json manifest = json::parse(testing::ReadFile(dir + "manifest.json"));
  int cases = 0;
  for (const auto& c : manifest["cases"]) {
    std::string file = c["file"];
    ParseOptions o;
    o.url = "https://example.cn/feed";
    if (c.contains("http_headers")) {
      std::string ct = c["http_headers"]["Content-Type"];
      o.http_charset = ct.substr(ct.find("charset=") + 8);
    }
    Feed f = ParseFeed(testing::ReadFile(dir + file), o);
    for (const auto& [key, value] : c["expect"].items()) {
      SCOPED_TRACE(file + " " + key);
      if (key == "feed.title") {
        EXPECT_EQ(f.feed.title, value.get<std::string>());
      } else if (key.rfind("entries[", 0) == 0 || key.rfind("urls[", 0) == 0) {
        size_t open = key.find('['), close = key.find(']');
        size_t i = std::stoul(key.substr(open + 1, close - open - 1));
        std::string field = key.substr(close + 2);
        ASSERT_LT(i, f.entries.size());
        const Entry& e = f.entries[i];
        if (field == "published_utc" || field == "news.publication_utc") {
          ASSERT_TRUE(e.published);
          EXPECT_EQ(ToUtc(*e.published).value(), value.get<std::string>());
        } else if (field == "loc") {
          EXPECT_EQ(e.link, value.get<std::string>());
        } else if (field == "news.title") {
          EXPECT_EQ(e.title, value.get<std::string>());
        } else if (field == "news.language") {
          EXPECT_EQ(e.language, value.get<std::string>());
        } else {
          ADD_FAILURE() << "unhandled expectation";
        }
      } else if (key == "flag_encoding_mismatch" || key == "flag_encoding_guessed") {
        EXPECT_EQ(!f.warnings.empty(), value.get<bool>());
      } else if (key == "decoder_used") {
        EXPECT_EQ(f.encoding, "GB18030");
      } else {
        ADD_FAILURE() << "unhandled expectation";
      }
    }
    ++cases;
  }
  EXPECT_EQ(cases, 14);
}

}  // namespace
}  // namespace samizdat::feed
