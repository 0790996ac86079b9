#include "publish/feeds.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

#include "render/escape.h"
#include "util/dates.h"

namespace samizdat::publish {
namespace {

std::string X(std::string_view s) { return render::EscapeXml(s); }

std::string AtomEntry(const FeedItem& e) {
  std::string out = "<entry>\n<id>" + X(e.id) + "</id>\n<title type=\"text\">" + X(e.title) +
                    "</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"" + X(e.url) +
                    "\"/>\n";
  if (!e.original.empty()) out += "<link rel=\"via\" href=\"" + X(e.original) + "\"/>\n";
  if (!e.author.empty()) out += "<author><name>" + X(e.author) + "</name></author>\n";
  out += "<published>" + e.published + "</published>\n<updated>" + e.updated + "</updated>\n";
  out += "<content type=\"html\"";
  if (!e.base.empty()) out += " xml:base=\"" + X(e.base) + "\"";
  out += ">" + X(e.content_html) + "</content>\n</entry>\n";
  return out;
}

}  // namespace

std::string FeedDate(const std::string& rfc3339, int64_t fallback) {
  if (!rfc3339.empty())
    if (std::optional<std::string> utc = ToUtc(rfc3339)) return *utc;
  return FormatUnixUtc(fallback, "%Y-%m-%dT%H:%M:%SZ");
}

std::vector<FeedItem> NewestFirst(std::vector<FeedItem> items, size_t limit) {
  // UTC RFC 3339 strings of one form order as their instants do.
  std::stable_sort(items.begin(), items.end(), [](const FeedItem& a, const FeedItem& b) {
    return a.published != b.published ? a.published > b.published : a.id > b.id;
  });
  if (items.size() > limit) items.resize(limit);
  return items;
}

std::string AtomFeed(const FeedInfo& info, const std::vector<FeedItem>& items) {
  std::string updated = "1970-01-01T00:00:00Z";
  for (const auto& e : items) updated = std::max(updated, e.updated);
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"";
  if (!info.lang.empty()) out += " xml:lang=\"" + X(info.lang) + "\"";
  out += ">\n<id>" + X(info.id) + "</id>\n<title type=\"text\">" + X(info.title) +
         "</title>\n<updated>" + updated + "</updated>\n<author><name>" + X(info.author) +
         "</name></author>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"" +
         X(info.atom_self) + "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"" +
         X(info.home) + "\"/>\n<link rel=\"alternate\" type=\"application/feed+json\" href=\"" +
         X(info.json_self) + "\"/>\n<generator>samizdat</generator>\n";
  for (const auto& e : items) out += AtomEntry(e);
  out += "</feed>\n";
  return out;
}

std::string JsonFeed(const FeedInfo& info, const std::vector<FeedItem>& items) {
  using nlohmann::json;
  json feed = {{"version", "https://jsonfeed.org/version/1.1"},
               {"title", info.title},
               {"home_page_url", info.home},
               {"feed_url", info.json_self},
               {"authors", json::array({{{"name", info.author}}})},
               {"items", json::array()}};
  if (!info.lang.empty()) feed["language"] = info.lang;
  for (const auto& e : items) {
    json item = {{"id", e.id},
                 {"url", e.url},
                 {"title", e.title},
                 {"content_html", e.content_html},
                 {"date_published", e.published},
                 {"date_modified", e.updated}};
    if (!e.original.empty()) item["external_url"] = e.original;
    if (!e.author.empty()) item["authors"] = json::array({{{"name", e.author}}});
    feed["items"].push_back(std::move(item));
  }
  // Text from pages may hold invalid UTF-8: replaced, never thrown on.
  return feed.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
}

// Oldest publication first (the store's dates in any zone; a page without one counts from
// when it joined the channel), so index pages, read from the end, show the newest first.
void SortByPublication(std::vector<store::IndexEntry>& entries) {
  std::vector<std::pair<std::string, size_t>> keys;
  for (size_t i = 0; i < entries.size(); ++i)
    keys.emplace_back(FeedDate(entries[i].published, entries[i].added_at), i);
  std::stable_sort(keys.begin(), keys.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<store::IndexEntry> sorted;
  sorted.reserve(entries.size());
  for (const auto& [key, i] : keys) sorted.push_back(std::move(entries[i]));
  entries = std::move(sorted);
}

// sitemap.xml: every path under `base`, with its last change when known.
std::string Sitemap(const std::string& base, const std::map<std::string, int64_t>& paths) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (const auto& [path, lastmod] : paths) {
    out += "<url><loc>" + render::EscapeXml(base + path) + "</loc>";
    if (lastmod > 0)
      out += "<lastmod>" + FormatUnixUtc(lastmod, "%Y-%m-%dT%H:%M:%SZ") + "</lastmod>";
    out += "</url>\n";
  }
  return out + "</urlset>\n";
}

}  // namespace samizdat::publish
