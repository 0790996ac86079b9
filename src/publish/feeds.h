// The site's feeds: Atom (RFC 4287, valid against its RELAX NG schema) and JSON Feed 1.1.
// Pure: the builder gathers the entries (doc/site.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"

namespace samizdat::publish {

struct FeedItem {
  std::string id;        // absolute and stable: the page's public URL, else the original's
  std::string url;       // the mirror page (absolute with a base_url, else site-relative)
  std::string base;      // what relative links in `content_html` resolve against
  std::string original;  // the article's original URL
  std::string title;
  std::string author;     // the byline; "" falls back to the feed's author
  std::string published;  // RFC 3339, UTC
  std::string updated;    // RFC 3339, UTC; never before `published`
  std::string content_html;
};

struct FeedInfo {
  std::string title;
  std::string author;     // the site: Atom needs an author for entries without a byline
  std::string lang;       // xml:lang / JSON Feed language
  std::string id;         // absolute IRI of the feed
  std::string atom_self;  // the feed's own address (Atom)
  std::string json_self;  // the JSON Feed's address
  std::string home;       // the site's home page
};

// The newest first (by publication date, then by id), at most `limit` of them.
std::vector<FeedItem> NewestFirst(std::vector<FeedItem> items, size_t limit);

// `items` in the order given. The feed's <updated> is the newest entry's updated time (the
// Unix epoch for an empty feed), so the same entries give the same bytes.
std::string AtomFeed(const FeedInfo& info, const std::vector<FeedItem>& items);
std::string JsonFeed(const FeedInfo& info, const std::vector<FeedItem>& items);

// "2021-08-31T02:00:00Z" for a date the store holds in any RFC 3339 zone, else `fallback`
// (Unix seconds) in that form.
std::string FeedDate(const std::string& rfc3339, int64_t fallback);

// Oldest publication first (the store's dates in any zone; an entry without one counts from
// when it joined the channel), so index pages, read from the end, show the newest first.
void SortByPublication(std::vector<store::IndexEntry>& entries);

// sitemap.xml: every path under `base`, with its last change (Unix seconds) when not 0.
std::string Sitemap(const std::string& base, const std::map<std::string, int64_t>& paths);

}  // namespace samizdat::publish
