#include "feed/feed.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "feed/feed_json.h"
#include "fetch/fetcher.h"
#include "http_server.h"
#include "test_util.h"
#include "util/dates.h"

namespace samizdat::feed {
namespace {

using nlohmann::json;

std::vector<std::string> Terms(const std::vector<Tag>& tags) {
  std::vector<std::string> terms;
  for (const auto& t : tags) terms.push_back(t.term);
  return terms;
}

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
  EXPECT_EQ(Terms(e.tags), (std::vector<std::string>{"World", "Asia"}));
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

TEST(Feed, SitemapIndexAndCorruptGzip) {
  Feed f = ParseFeed(R"(<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://ex.org/s1.xml.gz</loc><lastmod>2026-09-20</lastmod></sitemap></sitemapindex>)",
                     {});
  EXPECT_EQ(f.version, "sitemapindex");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_TRUE(f.entries[0].is_sitemap);
  std::string out, err;
  EXPECT_FALSE(Gunzip("\x1f\x8bnot really", 1000, &out, &err));
  EXPECT_EQ(err, "corrupt gzip data");
}

// One "Name: N kB" line of /proc/self/status, in KiB; -1 when absent.
long ProcStatusKiB(const std::string& name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + ":", 0) == 0) return std::stol(line.substr(name.size() + 1));
  return -1;
}

// A real gzip bomb over loopback: about 100 KB on the wire that inflates to 100 MiB. Served
// with Content-Encoding: gzip, the fetcher stops at max_body_bytes; served as a .gz
// sitemap, the parser stops at max_decompressed_bytes. Neither holds the inflated bomb.
TEST(Feed, GzipBombOverHttpStopsAtTheCaps) {
  constexpr size_t kCap = 1 << 20;
  std::string bomb = testing::GzipOfZeros(100u << 20);
  ASSERT_LT(bomb.size(), 200u << 10);
  testing::HttpServer server([&](const testing::HttpRequest& req) {
    testing::HttpResponse r;
    r.body = bomb;
    if (req.path == "/feed.xml")
      r.headers = {{"Content-Type", "application/rss+xml"}, {"Content-Encoding", "gzip"}};
    else if (req.path == "/sitemap.xml.gz")
      r.headers = {{"Content-Type", "application/gzip"}};
    else
      r.status = 404, r.body.clear();
    return r;
  });
  fetch::FetchOptions fo;
  fo.allow_loopback = true;
  fo.per_host_delay_ms = 0;
  fo.max_retries = 0;
  fo.max_body_bytes = kCap;
  auto http = fetch::NewCurlHttpClient(fo);

  // Peak memory from here on: writing 5 to clear_refs resets VmHWM to the current RSS.
  std::ofstream("/proc/self/clear_refs") << "5";
  long rss_before_kib = ProcStatusKiB("VmRSS");
  auto responses = http->FetchAll({{server.Url("/feed.xml")}, {server.Url("/sitemap.xml.gz")}});
  ASSERT_EQ(responses.size(), 2u);
  const fetch::Response& encoded = responses[0];
  EXPECT_FALSE(encoded.ok);
  EXPECT_NE(encoded.error.find("body exceeds " + std::to_string(kCap) + " bytes"),
            std::string::npos)
      << encoded.error;
  EXPECT_LE(encoded.body.size(), kCap);

  const fetch::Response& gz = responses[1];
  ASSERT_TRUE(gz.ok) << gz.error;
  EXPECT_EQ(gz.body, bomb);  // no Content-Encoding: the bytes as sent
  ParseOptions o;
  o.url = server.Url("/sitemap.xml.gz");
  o.max_decompressed_bytes = kCap;
  Feed f = ParseFeed(gz.body, o);
  EXPECT_TRUE(f.bozo);
  EXPECT_EQ(f.bozo_exception, "gzip data inflates past " + std::to_string(kCap) + " bytes");
  EXPECT_TRUE(f.entries.empty());
  std::string out, err;
  EXPECT_FALSE(Gunzip(bomb, kCap, &out, &err));
  EXPECT_LE(out.size(), kCap + (64u << 10));  // at most one inflate buffer past the cap

  long peak_kib = ProcStatusKiB("VmHWM");
  ASSERT_GT(rss_before_kib, 0);
  ASSERT_GT(peak_kib, 0);
  // Inflating the whole bomb would need 100 MiB.
  EXPECT_LT(peak_kib - rss_before_kib, 32 << 10)
      << "peak grew by " << peak_kib - rss_before_kib << " KiB";
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
  std::string dir = std::string(SAMIZDAT_SHARED_DIR) + "/datasets/feeds/synthetic-cjk/";
  if (!std::filesystem::is_regular_file(dir + "manifest.json")) {
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") GTEST_FAIL() << dir << " absent, and CI=true requires it";
    GTEST_SKIP() << dir << " absent";
  }
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

namespace samizdat::feed {
namespace {

// A feed cannot make one run fetch without bound: entries past the cap are dropped, the
// newest (first) kept, with a warning.
TEST(FeedCaps, EntriesPastTheCapAreDroppedWithAWarning) {
  std::string items;
  for (int i = 0; i < 120; ++i)
    items += "<item><title>t" + std::to_string(i) + "</title><link>https://example.org/" +
             std::to_string(i) + "</link></item>";
  std::string rss = "<rss version=\"2.0\"><channel><title>f</title>" + items + "</channel></rss>";
  ParseOptions o;
  o.url = "https://example.org/feed.xml";
  o.max_entries = 100;
  Feed f = ParseFeed(rss, o);
  ASSERT_EQ(f.entries.size(), 100u);
  EXPECT_EQ(f.entries.front().link, "https://example.org/0");
  EXPECT_EQ(f.entries.back().link, "https://example.org/99");
  ASSERT_FALSE(f.warnings.empty());
  EXPECT_NE(f.warnings.back().find("120 entries"), std::string::npos);
  std::string html = "<ul>";
  for (int i = 0; i < 120; ++i) html += "<li><a href=\"/a/" + std::to_string(i) + "\">x</a></li>";
  Feed listing = ParseListing(html + "</ul>", "li a", o);
  EXPECT_EQ(listing.entries.size(), 100u);
  EXPECT_EQ(ParseFeed(rss, ParseOptions{}).entries.size(), 120u);
}

// RSS channel metadata beyond title and link: rights (copyright or Dublin Core), the
// author (managingEditor or dc:creator), generator and TTL; title, subtitle and rights
// keep their detail (type, value, language in scope, base).
TEST(FeedModel, RssChannelRightsAuthorGeneratorTtlAndDetails) {
  std::string rss = R"(<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel xml:lang="fr"><title>T &amp; U</title><description>&lt;b&gt;S&lt;/b&gt;</description>
<dc:rights>CC BY</dc:rights><dc:creator>Ann</dc:creator><generator> Gen 1 </generator>
<ttl>60</ttl>
<item><title>One</title><description>&lt;p&gt;x&lt;/p&gt;</description>
<copyright>(c) Bob</copyright></item></channel></rss>)";
  Feed f = ParseFeed(rss, {"https://ex.org/feed.xml"});
  EXPECT_EQ(f.feed.rights, "CC BY");
  EXPECT_EQ(f.feed.rights_detail.type, "text/plain");
  EXPECT_EQ(f.feed.author, "Ann");
  ASSERT_EQ(f.feed.authors.size(), 1u);
  EXPECT_EQ(f.feed.generator, "Gen 1");
  EXPECT_EQ(f.feed.ttl, "60");
  EXPECT_EQ(f.feed.title_detail.type, "text/plain");
  EXPECT_EQ(f.feed.title_detail.value, "T & U");
  EXPECT_EQ(f.feed.title_detail.language, "fr");
  EXPECT_EQ(f.feed.title_detail.base, "https://ex.org/feed.xml");
  EXPECT_EQ(f.feed.subtitle_detail.type, "text/html");
  EXPECT_EQ(f.feed.subtitle_detail.value, "<b>S</b>");
  ASSERT_EQ(f.entries.size(), 1u);
  const Entry& e = f.entries[0];
  EXPECT_EQ(e.rights, "(c) Bob");
  EXPECT_EQ(e.title_detail.value, "One");
  EXPECT_EQ(e.title_detail.language, "fr");
  EXPECT_EQ(e.summary_detail.type, "text/html");
  EXPECT_EQ(e.summary_detail.value, "<p>x</p>");
}

// Atom: title/summary/rights details keep the feed's own type and value (escaped HTML stays
// HTML), xml:lang is inherited, the feed author reads "name (email)", and the generator.
TEST(FeedModel, AtomDetailsRightsAuthorAndGenerator) {
  std::string atom = R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
<title type="html">A &amp;lt;b&amp;gt;</title><rights type="html">&lt;b&gt;R&lt;/b&gt;</rights>
<author><name>Ann</name><email>a@ex.org</email></author><generator>Gen</generator>
<entry xml:base="https://ex.org/e/"><title type="text">E</title>
<summary type="html">&lt;i&gt;s&lt;/i&gt;</summary><rights>Mine</rights>
<author><name>Bob</name></author></entry></feed>)";
  Feed f = ParseFeed(atom, {"https://ex.org/atom.xml"});
  EXPECT_EQ(f.feed.title_detail.type, "text/html");
  EXPECT_EQ(f.feed.title_detail.value, "A &lt;b&gt;");
  EXPECT_EQ(f.feed.title_detail.language, "de");
  EXPECT_EQ(f.feed.rights, "<b>R</b>");
  EXPECT_EQ(f.feed.rights_detail.type, "text/html");
  EXPECT_EQ(f.feed.author, "Ann (a@ex.org)");
  ASSERT_EQ(f.feed.authors.size(), 1u);
  EXPECT_EQ(f.feed.authors[0].email, "a@ex.org");
  EXPECT_EQ(f.feed.generator, "Gen");
  ASSERT_EQ(f.entries.size(), 1u);
  const Entry& e = f.entries[0];
  EXPECT_EQ(e.title_detail.type, "text/plain");
  EXPECT_EQ(e.title_detail.base, "https://ex.org/e/");
  EXPECT_EQ(e.summary_detail.value, "<i>s</i>");
  EXPECT_EQ(e.summary_detail.language, "de");
  EXPECT_EQ(e.rights, "Mine");
  EXPECT_EQ(e.author, "Bob");
}

// `--json` carries the new fields; a detail the feed does not have is null.
TEST(FeedModel, JsonCarriesDetailsRightsAuthorGeneratorTtl) {
  std::string rss = R"(<rss version="2.0"><channel><title>T</title><copyright>C</copyright>
<managingEditor>ed@ex.org</managingEditor><generator>G</generator><ttl>5</ttl>
<item><title>One</title></item></channel></rss>)";
  json j = FeedToJson(ParseFeed(rss, {"https://ex.org/feed.xml"}));
  EXPECT_EQ(j["feed"]["rights"], "C");
  EXPECT_EQ(j["feed"]["rights_detail"]["type"], "text/plain");
  EXPECT_EQ(j["feed"]["author"], "ed@ex.org");
  EXPECT_EQ(j["feed"]["generator"], "G");
  EXPECT_EQ(j["feed"]["ttl"], "5");
  EXPECT_EQ(j["feed"]["title_detail"]["value"], "T");
  EXPECT_TRUE(j["feed"]["subtitle_detail"].is_null());
  EXPECT_EQ(j["entries"][0]["title_detail"]["value"], "One");
  EXPECT_TRUE(j["entries"][0]["summary_detail"].is_null());
  EXPECT_EQ(j["entries"][0]["rights"], "");
}

// Channel categories (RSS category, dc:subject, iTunes keywords and nested categories under
// either spelling of the iTunes namespace) become feed tags; item media:category and
// itunes:category become entry tags.
TEST(FeedModel, ChannelAndItemCategoriesFromDublinCoreItunesAndMediaRss) {
  std::string rss = R"(<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd" xmlns:m="http://search.yahoo.com/mrss/">
<channel><category>News</category><dc:subject>World</dc:subject>
<itunes:keywords>Tech, Gadgets</itunes:keywords>
<itunes:category text="Arts"><itunes:category text="Design"/></itunes:category>
<item><m:category>cat1</m:category><itunes:category text="Sport"/></item></channel></rss>)";
  Feed f = ParseFeed(rss, {"https://ex.org/feed.xml"});
  EXPECT_EQ(Terms(f.feed.tags),
            (std::vector<std::string>{"News", "World", "Tech", "Gadgets", "Arts", "Design"}));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(Terms(f.entries[0].tags), (std::vector<std::string>{"cat1", "Sport"}));
  json j = FeedToJson(f);
  EXPECT_EQ(j["feed"]["tags"][1]["term"], "World");
}

// An RSS author written with an email splits into name and email, either order; the
// author string stays as written.
TEST(FeedModel, RssAuthorSplitsIntoNameAndEmail) {
  std::string rss = R"(<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<managingEditor>me+x@ex.org (Ann Editor)</managingEditor>
<item><author>Bob Writer (bob@ex.org)</author><dc:creator>Carol</dc:creator></item>
</channel></rss>)";
  Feed f = ParseFeed(rss, {"https://ex.org/feed.xml"});
  EXPECT_EQ(f.feed.author, "me+x@ex.org (Ann Editor)");
  ASSERT_EQ(f.feed.authors.size(), 1u);
  EXPECT_EQ(f.feed.authors[0].name, "Ann Editor");
  EXPECT_EQ(f.feed.authors[0].email, "me+x@ex.org");
  ASSERT_EQ(f.entries.size(), 1u);
  ASSERT_EQ(f.entries[0].authors.size(), 2u);
  EXPECT_EQ(f.entries[0].authors[0].name, "Bob Writer");
  EXPECT_EQ(f.entries[0].authors[0].email, "bob@ex.org");
  EXPECT_EQ(f.entries[0].authors[1].name, "Carol");
  EXPECT_EQ(f.entries[0].authors[1].email, "");
}

// Atom: contributors at feed and entry level, an entry's <source> read with the feed's own
// rules, Atom 0.3 <info>, and base64 text constructs (mode="base64") decoded.
TEST(FeedModel, AtomContributorsSourceInfoAndBase64) {
  std::string atom = R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#">
<info mode="base64">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</info>
<contributor><name>Cy</name><url>https://cy.ex.org/</url></contributor>
<entry><title>E</title><contributor><name>Di</name><email>di@ex.org</email></contributor>
<source><title>Origin</title><rights>(c) O</rights><author><name>Ed</name></author>
<category term="orig"/></source></entry></feed>)";
  Feed f = ParseFeed(atom, {"https://ex.org/atom.xml"});
  EXPECT_EQ(f.version, "atom03");
  EXPECT_EQ(f.feed.info, "Example <b>Atom</b>");
  EXPECT_EQ(f.feed.info_detail.type, "text/plain");
  ASSERT_EQ(f.feed.contributors.size(), 1u);
  EXPECT_EQ(f.feed.contributors[0].href, "https://cy.ex.org/");
  EXPECT_TRUE(f.feed.authors.empty());
  ASSERT_EQ(f.entries.size(), 1u);
  const Entry& e = f.entries[0];
  ASSERT_EQ(e.contributors.size(), 1u);
  EXPECT_EQ(e.contributors[0].email, "di@ex.org");
  EXPECT_TRUE(e.authors.empty());
  ASSERT_TRUE(e.source.has_value());
  EXPECT_EQ(e.source->title, "Origin");
  EXPECT_EQ(e.source->rights, "(c) O");
  EXPECT_EQ(e.source->author, "Ed");
  EXPECT_EQ(Terms(e.source->tags), std::vector<std::string>{"orig"});
  EXPECT_EQ(f.feed.title, "");  // the source's title is not the feed's
  json j = FeedToJson(f);
  EXPECT_EQ(j["entries"][0]["source"]["title"], "Origin");
  EXPECT_EQ(j["entries"][0]["contributors"][0]["name"], "Di");
  EXPECT_EQ(j["feed"]["info"], "Example <b>Atom</b>");
  EXPECT_EQ(j["feed"]["contributors"][0]["name"], "Cy");
}

// Atom 1.0: a text construct whose type is neither text nor XML is base64 (RFC 4287).
TEST(FeedModel, AtomNonTextTypeIsBase64) {
  std::string atom = R"(<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<summary type="application/octet-stream"> RXhhbXBsZSA8Yj5BdG9tPC9iPg== </summary>
<content type="application/atom+xml"><x xmlns="">kept</x></content></entry></feed>)";
  Feed f = ParseFeed(atom, {"https://ex.org/atom.xml"});
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].summary, "Example <b>Atom</b>");
  EXPECT_EQ(f.entries[0].summary_detail.type, "application/octet-stream");
  ASSERT_EQ(f.entries[0].content.size(), 1u);
  EXPECT_EQ(f.entries[0].content[0].value, "kept");
}

// iTunes: itunes:image (href=) gives the channel and item image; itunes:subtitle and
// itunes:summary stand in for a missing description, and never replace one.
TEST(FeedModel, ItunesImageAndSummaryFallbacks) {
  std::string rss = R"(<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><itunes:subtitle>Sub</itunes:subtitle><itunes:image href="/logo.jpg"/>
<item><itunes:summary>Sum</itunes:summary><itunes:image href="https://ex.org/e.jpg"/></item>
<item><itunes:summary>Sum</itunes:summary><description>Desc</description></item>
</channel></rss>)";
  Feed f = ParseFeed(rss, {"https://ex.org/feed.xml"});
  EXPECT_EQ(f.feed.subtitle, "Sub");
  EXPECT_EQ(f.feed.subtitle_detail.type, "text/plain");
  EXPECT_EQ(f.feed.image, "https://ex.org/logo.jpg");
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[0].summary, "Sum");
  EXPECT_EQ(f.entries[0].image, "https://ex.org/e.jpg");
  EXPECT_EQ(f.entries[1].summary, "Desc");
  EXPECT_EQ(f.entries[1].summary_detail.type, "text/html");
}

// An Atom feed's language is the xml:lang of <feed> (underscore read as hyphen), never
// that of a child element.
TEST(FeedModel, AtomFeedLanguageIsTheRootXmlLang) {
  Feed f = ParseFeed(R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en_US">
<title xml:lang="fr">t</title></feed>)",
                     {"https://ex.org/atom.xml"});
  EXPECT_EQ(f.feed.language, "en-US");
  EXPECT_EQ(f.feed.title_detail.language, "fr");
  Feed g = ParseFeed(R"(<feed xmlns="http://www.w3.org/2005/Atom"><title xml:lang="fr">t</title>
</feed>)",
                     {"https://ex.org/atom.xml"});
  EXPECT_EQ(g.feed.language, "");
}

// Categories keep their scheme and label: RSS domain=, Atom scheme= and label=, Media RSS
// scheme= and label=, and Apple's taxonomy for iTunes categories.
TEST(FeedModel, CategoriesKeepSchemeAndLabel) {
  std::string rss = R"(<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
  xmlns:media="http://search.yahoo.com/mrss/"><channel><itunes:category text="Arts"/>
<item><category domain="https://ex.org/tax">World</category>
<media:category scheme="urn:x" label="Sport!">sport</media:category></item></channel></rss>)";
  Feed f = ParseFeed(rss, {"https://ex.org/feed.xml"});
  EXPECT_EQ(f.feed.tags, (std::vector<Tag>{{"Arts", "http://www.itunes.com/", ""}}));
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].tags,
            (std::vector<Tag>{{"World", "https://ex.org/tax", ""}, {"sport", "urn:x", "Sport!"}}));
  Feed a = ParseFeed(R"(<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<category term="t" scheme="https://ex.org/s" label="T"/></entry></feed>)",
                     {"https://ex.org/atom.xml"});
  ASSERT_EQ(a.entries.size(), 1u);
  EXPECT_EQ(a.entries[0].tags, (std::vector<Tag>{{"t", "https://ex.org/s", "T"}}));
  json j = FeedToJson(a);
  EXPECT_EQ(j["entries"][0]["tags"][0]["scheme"], "https://ex.org/s");
  EXPECT_EQ(j["entries"][0]["tags"][0]["label"], "T");
}

TEST(FeedModel, ChannelAndItemMetadataBeyondTheCore) {
  std::string xml = R"X(<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><dc:title>DC title</dc:title><link>https://ex.org/</link>
<atom:link rel="self" type="application/rss+xml" href="https://ex.org/feed.xml"/>
<pubDate>Thu, 01 Jan 2004 19:48:21 GMT</pubDate><webMaster>me@ex.org (Editor)</webMaster>
<docs>https://www.rssboard.org/rss-specification</docs>
<cloud domain="rpc.ex.org" port="80" path="/RPC2" registerProcedure="notify" protocol="xml-rpc"/>
<image><url>/logo.png</url><title>Logo</title><link>https://ex.org/</link><width>80</width><height>15</height></image>
<textInput><title>Search</title><name>q</name><link>https://ex.org/s</link><description>d</description></textInput>
<itunes:block>yes</itunes:block><itunes:explicit>clean</itunes:explicit>
<item><guid>https://ex.org/a/1</guid><comments>/a/1#c</comments>
<expirationDate>Thu, 01 Jan 2004 19:48:21 GMT</expirationDate>
<itunes:duration>3:00</itunes:duration><itunes:explicit>yes</itunes:explicit></item>
</channel></rss>)X";
  Feed f = ParseFeed(xml, {"https://ex.org/feed.xml"});
  EXPECT_EQ(f.feed.title, "DC title");
  EXPECT_EQ(f.feed.published, "2004-01-01T19:48:21Z");
  EXPECT_EQ(f.feed.publisher_detail.email, "me@ex.org");
  EXPECT_EQ(f.feed.publisher_detail.name, "Editor");
  EXPECT_EQ(f.feed.docs, "https://www.rssboard.org/rss-specification");
  EXPECT_EQ(f.feed.cloud.register_procedure, "notify");
  EXPECT_EQ(f.feed.image_detail.href, "https://ex.org/logo.png");
  EXPECT_EQ(f.feed.image_detail.width, 80);
  EXPECT_EQ(f.feed.image_detail.height, 15);
  EXPECT_EQ(f.feed.textinput.name, "q");
  ASSERT_EQ(f.feed.links.size(), 1u);
  EXPECT_EQ(f.feed.links[0].rel, "self");
  EXPECT_TRUE(f.feed.itunes_block);
  EXPECT_EQ(f.feed.itunes_explicit, false);
  ASSERT_EQ(f.entries.size(), 1u);
  const Entry& e = f.entries[0];
  EXPECT_TRUE(e.guidislink);
  EXPECT_EQ(e.link, "https://ex.org/a/1");
  EXPECT_EQ(e.comments, "https://ex.org/a/1#c");
  EXPECT_EQ(e.expired, "2004-01-01T19:48:21Z");
  EXPECT_EQ(e.itunes_duration, "3:00");
  EXPECT_EQ(e.itunes_explicit, true);
  json j = FeedToJson(f);
  EXPECT_EQ(j["feed"]["cloud"]["domain"], "rpc.ex.org");
  EXPECT_EQ(j["entries"][0]["comments"], "https://ex.org/a/1#c");
}

TEST(FeedModel, AtomGeneratorAndFeedLinks) {
  std::string xml = R"(<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<link href="https://ex.org/"/><link rel="self" href="/feed.atom"/>
<generator uri="/gen" version="1.0">Gen</generator>
<entry><link rel="alternate">https://ex.org/a/1</link></entry></feed>)";
  Feed f = ParseFeed(xml, {"https://ex.org/feed.atom"});
  EXPECT_EQ(f.feed.generator_detail.name, "Gen");
  EXPECT_EQ(f.feed.generator_detail.href, "https://ex.org/gen");
  EXPECT_EQ(f.feed.generator_detail.version, "1.0");
  ASSERT_EQ(f.feed.links.size(), 2u);
  EXPECT_EQ(f.feed.links[1].href, "https://ex.org/feed.atom");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].link, "https://ex.org/a/1");  // the URL written as the link's text
}

// Encodes ASCII text as UTF-16 or UTF-32 in the given byte order.
std::string WideAscii(std::string_view text, int width, bool big_endian) {
  std::string out;
  for (char c : text) {
    std::string unit(static_cast<size_t>(width), '\0');
    unit[big_endian ? unit.size() - 1 : 0] = c;
    out += unit;
  }
  return out;
}

TEST(FeedModel, Utf16AndUtf32AreFoundByTheirFirstBytesWithOrWithoutAMark) {
  std::string xml = R"(<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel>)"
                    R"(<title>Wide</title></channel></rss>)";
  struct Case {
    int width;
    bool big_endian;
    std::string bom;
    const char* charset;
  } cases[] = {{2, true, "", "UTF-16BE"},
               {2, false, "", "UTF-16LE"},
               {4, true, "", "UTF-32BE"},
               {4, false, std::string("\xFF\xFE\x00\x00", 4), "UTF-32LE"},
               {4, true, std::string("\x00\x00\xFE\xFF", 4), "UTF-32BE"}};
  for (const Case& c : cases) {
    Feed f = ParseFeed(c.bom + WideAscii(xml, c.width, c.big_endian), {});
    EXPECT_EQ(f.encoding, c.charset);
    EXPECT_EQ(f.feed.title, "Wide") << c.charset;
  }
}

TEST(FeedModel, MediaRssCreditsThumbnailsAndFallbackTitleAndSummary) {
  std::string xml = R"(<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<item><link>https://ex.org/a</link><media:group>
  <media:title>Clip</media:title><media:description>About the clip</media:description>
  <media:credit role="author">Ann</media:credit><media:thumbnail url="/t1.jpg" width="80"/>
  <media:thumbnail url="/t2.jpg"/><media:player url="https://ex.org/p"/>
  <media:category>news</media:category></media:group></item>
<item><title>Own</title><description>Own summary</description><media:title>No</media:title>
  <media:description>No</media:description></item>
</channel></rss>)";
  Feed f = ParseFeed(xml, {"https://ex.org/feed.xml"});
  ASSERT_EQ(f.entries.size(), 2u);
  const Entry& e = f.entries[0];
  EXPECT_EQ(e.title, "Clip");
  EXPECT_EQ(e.summary, "About the clip");
  ASSERT_EQ(e.media_credit.size(), 1u);
  EXPECT_EQ(e.media_credit[0].role, "author");
  EXPECT_EQ(e.media_credit[0].content, "Ann");
  ASSERT_EQ(e.media_thumbnail.size(), 2u);
  EXPECT_EQ(e.media_thumbnail[1].url, "https://ex.org/t2.jpg");
  EXPECT_EQ(e.media_thumbnail[0].width, 80);
  EXPECT_EQ(e.media_player, "https://ex.org/p");
  ASSERT_EQ(e.tags.size(), 1u);
  EXPECT_EQ(e.tags[0].scheme, "http://search.yahoo.com/mrss/category_schema");
  EXPECT_EQ(f.entries[1].title, "Own");
  EXPECT_EQ(f.entries[1].summary, "Own summary");
}

}  // namespace
}  // namespace samizdat::feed
