// Feeds and listings: bytes in, a Feed out. Pure: no I/O.
//
// RSS 0.9x/1.0/2.0 (content:encoded, dc:*, media:*, enclosures, guid rules), Atom 0.3/1.0
// (xml:base, content types), JSON Feed 1.0/1.1, sitemaps (urlset, sitemap index, Google
// News; gzip), and HTML listing pages through a CSS selector. The model follows the common
// feed-parser vocabulary (doc/feed.md). Malformed input never throws: what could be read is
// returned and `bozo` says what was wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samizdat::feed {

struct Link {
  std::string href;
  std::string rel = "alternate";
  std::string type;
  std::string title;
  int64_t length = 0;
  std::string hreflang;  // Atom hreflang
};

struct Person {
  std::string name;
  std::string email;
  std::string href;
};

// A category: its term, the taxonomy it belongs to (a URI, RSS `domain`) and a
// human-readable label.
struct Tag {
  std::string term;
  std::string scheme;
  std::string label;
  bool operator==(const Tag&) const = default;
};

struct Content {
  std::string type;  // "text/html", "text/plain", "application/xhtml+xml"
  std::string value;
  std::string language;
  std::string base;
};

// RSS <cloud>: the rssCloud endpoint that announces updates, attributes as written.
struct Cloud {
  std::string domain, port, path, register_procedure, protocol;
};

// RSS <image> (or itunes:image): the feed's logo and what it links to.
struct Image {
  std::string href;  // the image URL (absolute)
  std::string title, link, description;
  int64_t width = 0, height = 0;  // 0 when not given
};

// RSS <textInput>: a search box the channel offers.
struct TextInput {
  std::string title, link, name, description;
};

// The software that wrote the feed: RSS <generator> text, Atom name, uri and version.
struct Generator {
  std::string name, href, version;
};

// Media RSS credit: who took part, in what role.
struct MediaCredit {
  std::string role, scheme, content;
};

// Media RSS thumbnail.
struct MediaThumbnail {
  std::string url;
  int64_t width = 0, height = 0;
};

struct FeedInfo {
  std::string title;
  Content title_detail;  // type "" when there is no title
  std::string link;
  std::string subtitle;
  Content subtitle_detail;  // type "" when there is no subtitle
  std::string rights;       // copyright / dc:rights / Atom rights, as the feed gives it
  Content rights_detail;    // type "" when there are no rights
  std::string author;       // "name (email)" or the name: managingEditor, dc:creator, Atom author
  std::vector<Person> authors;
  std::vector<Person> contributors;  // Atom contributor
  std::vector<Tag> tags;             // channel categories (RSS, iTunes) / Atom feed categories
  std::string generator;             // generator text
  Generator generator_detail;        // name "" when there is no generator
  std::string info;                  // Atom 0.3 <info>: what the feed is, for a human
  Content info_detail;               // type "" when there is no info
  std::string ttl;                   // RSS <ttl>, minutes, as written
  std::string language;
  std::string id;
  std::string image;        // the logo, else the icon, else the RSS/iTunes image
  std::string icon;         // Atom icon (absolute)
  std::string logo;         // Atom logo (absolute)
  Image image_detail;       // href "" when there is no image
  std::vector<Link> links;  // Atom links (and atom:link in RSS); the RSS link as alternate
  std::optional<std::string> updated;
  std::optional<std::string> published;  // RSS pubDate, dcterms:issued, Atom published
  std::string publisher;                 // webMaster, dc:publisher, itunes:owner, as written
  Person publisher_detail;
  std::string docs;                     // RSS <docs>: the format's documentation URL
  Cloud cloud;                          // domain "" when there is no cloud
  TextInput textinput;                  // name and title "" when there is none
  bool itunes_block = false;            // itunes:block "yes": keep out of the directory
  std::optional<bool> itunes_explicit;  // itunes:explicit yes/true/explicit, no/false/clean
};
struct Entry {
  std::string id;
  std::string title;
  Content title_detail;  // the title as the feed gives it; type "" when there is none
  std::string link;      // the article URL (absolute)
  std::vector<Link> links;
  std::string summary;     // HTML or text, as the feed gives it
  Content summary_detail;  // type "" when there is no summary
  std::vector<Content> content;
  std::optional<std::string> published;  // RFC 3339
  std::optional<std::string> updated;    // RFC 3339
  std::string author;
  std::vector<Person> authors;
  std::vector<Person> contributors;  // Atom contributor
  std::vector<Tag> tags;
  std::string rights;     // copyright / dc:rights / Atom rights, as the feed gives it
  Content rights_detail;  // type "" when there are no rights
  std::vector<Link> enclosures;
  std::string image;               // media:thumbnail / media:content image / JSON Feed image
  std::string language;            // news:language in a news sitemap
  std::optional<FeedInfo> source;  // Atom <source>: the feed the entry was copied from
  std::string comments;            // RSS <comments>: URL of the comments page
  std::string publisher;           // dc:publisher, as written
  Person publisher_detail;
  std::optional<std::string> created;  // dcterms:created, Atom 0.3 created
  std::optional<std::string> expired;  // RSS expirationDate
  bool guidislink = false;             // the link was taken from a permalink guid
  bool itunes_block = false;
  std::optional<bool> itunes_explicit;
  std::string itunes_duration;                  // as written ("3:00", "180")
  std::vector<MediaCredit> media_credit;        // media:credit, in and out of media:group
  std::vector<MediaThumbnail> media_thumbnail;  // media:thumbnail, in document order
  std::string media_player;                     // media:player url
  Content media_title;        // media:title: the title when the entry has no other
  Content media_description;  // media:description: the summary when there is no other
  bool is_sitemap = false;    // an entry of a sitemap index: `link` is another sitemap
};

struct Feed {
  // "rss090", "rss091", "rss092", "rss093", "rss094", "rss20", "rss10", "atom03", "atom10",
  // "json1", "json11", "sitemap", "sitemapindex", "listing", or "" when not a feed.
  std::string version;
  std::string encoding;  // the charset the bytes were decoded from
  bool bozo = false;     // malformed, mislabelled, or not a feed at all
  std::string bozo_exception;
  bool not_a_feed = false;  // e.g. an HTML page where a feed was expected
  FeedInfo feed;
  std::vector<Entry> entries;
  std::vector<std::string> warnings;
};

struct ParseOptions {
  std::string url;           // the feed's URL: base for relative links
  std::string http_charset;  // Content-Type charset from HTTP (overrides the XML prolog)
  // Zone for dates written without one. Unset: inferred from the feed's language (zh, ja,
  // ko: their home zone, +08:00 or +09:00; see doc/feed.md), else UTC.
  std::optional<int> default_offset_minutes;
  size_t max_decompressed_bytes = 64u << 20;  // gzip sitemaps; guards against gzip bombs
  // Entries kept per document, the first ones (newest first in feeds); the rest are dropped
  // with a warning. 50,000 is the sitemap protocol's own limit per file.
  size_t max_entries = 50000;
};

// Detects the format and parses. Never fails; see Feed::bozo and Feed::not_a_feed.
Feed ParseFeed(std::string_view bytes, const ParseOptions& options);

// An HTML listing page: every element matching `link_selector` (or an <a> inside it) gives
// an entry with its absolute link and text as title, in page order, duplicates dropped.
Feed ParseListing(std::string_view bytes, std::string_view link_selector,
                  const ParseOptions& options);

// Decides the charset of an XML document: BOM, then the HTTP charset (RFC 7303), then the
// XML declaration, then UTF-8; GB2312/GBK as GB18030, Big5 as Big5-HKSCS; a legacy label
// on valid UTF-8 is not trusted. Returns the UTF-8 text with the declaration's encoding
// removed, and the charset used.
std::string DecodeXml(std::string_view bytes, std::string_view http_charset, std::string* charset,
                      std::vector<std::string>* warnings);

// The zone a feed language implies for zoneless dates, in minutes east of UTC.
std::optional<int> OffsetForLanguage(std::string_view language);

// gunzip with a cap; false when the data is not gzip, corrupt, or inflates past the cap.
bool Gunzip(std::string_view data, size_t max_bytes, std::string* out, std::string* error);

}  // namespace samizdat::feed
