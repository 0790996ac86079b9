#include "feed/feed_json.h"

namespace samizdat::feed {
namespace {

using nlohmann::json;

json Opt(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

json LinkJson(const Link& l) {
  json j{{"href", l.href}, {"rel", l.rel}};
  if (!l.type.empty()) j["type"] = l.type;
  if (!l.title.empty()) j["title"] = l.title;
  if (l.length) j["length"] = l.length;
  return j;
}

}  // namespace

json FeedToJson(const Feed& f) {
  json j;
  j["version"] = f.version;
  j["encoding"] = f.encoding;
  j["bozo"] = f.bozo;
  if (f.bozo) j["bozo_exception"] = f.bozo_exception;
  j["warnings"] = f.warnings;
  j["feed"] = {
      {"title", f.feed.title},         {"link", f.feed.link}, {"subtitle", f.feed.subtitle},
      {"language", f.feed.language},   {"id", f.feed.id},     {"image", f.feed.image},
      {"updated", Opt(f.feed.updated)}};
  json entries = json::array();
  for (const auto& e : f.entries) {
    json x;
    x["id"] = e.id;
    x["title"] = e.title;
    x["link"] = e.link;
    x["links"] = json::array();
    for (const auto& l : e.links) x["links"].push_back(LinkJson(l));
    x["summary"] = e.summary;
    x["content"] = json::array();
    for (const auto& c : e.content)
      x["content"].push_back(
          {{"type", c.type}, {"value", c.value}, {"language", c.language}, {"base", c.base}});
    x["published"] = Opt(e.published);
    x["updated"] = Opt(e.updated);
    x["author"] = e.author;
    x["authors"] = json::array();
    for (const auto& a : e.authors)
      x["authors"].push_back({{"name", a.name}, {"email", a.email}, {"href", a.href}});
    x["tags"] = json::array();
    for (const auto& t : e.tags) x["tags"].push_back({{"term", t}});
    x["enclosures"] = json::array();
    for (const auto& l : e.enclosures) x["enclosures"].push_back(LinkJson(l));
    if (!e.image.empty()) x["image"] = e.image;
    if (!e.language.empty()) x["language"] = e.language;
    if (e.is_sitemap) x["is_sitemap"] = true;
    entries.push_back(std::move(x));
  }
  j["entries"] = std::move(entries);
  return j;
}

}  // namespace samizdat::feed
