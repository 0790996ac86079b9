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
  if (!l.hreflang.empty()) j["hreflang"] = l.hreflang;
  return j;
}

// A text as the feed gives it; null when the feed has none.
json DetailJson(const Content& c) {
  if (c.type.empty()) return nullptr;
  return {{"type", c.type}, {"value", c.value}, {"language", c.language}, {"base", c.base}};
}

json TagsJson(const std::vector<Tag>& tags) {
  json j = json::array();
  for (const auto& t : tags)
    j.push_back({{"term", t.term}, {"scheme", t.scheme}, {"label", t.label}});
  return j;
}

json PersonJson(const Person& p) {
  return {{"name", p.name}, {"email", p.email}, {"href", p.href}};
}

json OptBool(const std::optional<bool>& b) { return b ? json(*b) : json(nullptr); }

// The feed's image, text input, cloud and generator: null when the feed has none.
void PutFeedObjects(const FeedInfo& i, json& j) {
  const Image& im = i.image_detail;
  j["image_detail"] =
      im.href.empty() ? json(nullptr) : json{{"href", im.href},   {"title", im.title},
                                             {"link", im.link},   {"description", im.description},
                                             {"width", im.width}, {"height", im.height}};
  const TextInput& t = i.textinput;
  j["textinput"] = t.name.empty() && t.title.empty() ? json(nullptr)
                                                     : json{{"title", t.title},
                                                            {"link", t.link},
                                                            {"name", t.name},
                                                            {"description", t.description}};
  const Cloud& c = i.cloud;
  j["cloud"] = c.domain.empty() ? json(nullptr)
                                : json{{"domain", c.domain},
                                       {"port", c.port},
                                       {"path", c.path},
                                       {"registerProcedure", c.register_procedure},
                                       {"protocol", c.protocol}};
  const Generator& g = i.generator_detail;
  j["generator_detail"] = g.name.empty() && g.href.empty()
                              ? json(nullptr)
                              : json{{"name", g.name}, {"href", g.href}, {"version", g.version}};
}

json FeedInfoJson(const FeedInfo& i) {
  json j{{"title", i.title},         {"link", i.link}, {"subtitle", i.subtitle},
         {"language", i.language},   {"id", i.id},     {"image", i.image},
         {"updated", Opt(i.updated)}};
  j["title_detail"] = DetailJson(i.title_detail);
  j["subtitle_detail"] = DetailJson(i.subtitle_detail);
  j["rights"] = i.rights;
  j["rights_detail"] = DetailJson(i.rights_detail);
  j["author"] = i.author;
  j["authors"] = json::array();
  for (const auto& a : i.authors) j["authors"].push_back(PersonJson(a));
  j["tags"] = TagsJson(i.tags);
  j["contributors"] = json::array();
  for (const auto& a : i.contributors) j["contributors"].push_back(PersonJson(a));
  j["generator"] = i.generator;
  j["info"] = i.info;
  j["info_detail"] = DetailJson(i.info_detail);
  j["ttl"] = i.ttl;
  j["published"] = Opt(i.published);
  j["links"] = json::array();
  for (const auto& l : i.links) j["links"].push_back(LinkJson(l));
  j["publisher"] = i.publisher;
  j["publisher_detail"] = i.publisher.empty() ? json(nullptr) : PersonJson(i.publisher_detail);
  j["docs"] = i.docs;
  j["icon"] = i.icon;
  j["logo"] = i.logo;
  j["itunes_block"] = i.itunes_block;
  j["itunes_explicit"] = OptBool(i.itunes_explicit);
  PutFeedObjects(i, j);
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
  j["feed"] = FeedInfoJson(f.feed);
  json entries = json::array();
  for (const auto& e : f.entries) {
    json x;
    x["id"] = e.id;
    x["title"] = e.title;
    x["title_detail"] = DetailJson(e.title_detail);
    x["link"] = e.link;
    x["links"] = json::array();
    for (const auto& l : e.links) x["links"].push_back(LinkJson(l));
    x["summary"] = e.summary;
    x["summary_detail"] = DetailJson(e.summary_detail);
    x["rights"] = e.rights;
    x["rights_detail"] = DetailJson(e.rights_detail);
    x["source"] = e.source ? FeedInfoJson(*e.source) : json(nullptr);
    x["content"] = json::array();
    for (const auto& c : e.content)
      x["content"].push_back(
          {{"type", c.type}, {"value", c.value}, {"language", c.language}, {"base", c.base}});
    x["published"] = Opt(e.published);
    x["updated"] = Opt(e.updated);
    x["author"] = e.author;
    x["authors"] = json::array();
    for (const auto& a : e.authors) x["authors"].push_back(PersonJson(a));
    x["contributors"] = json::array();
    for (const auto& a : e.contributors) x["contributors"].push_back(PersonJson(a));
    x["tags"] = TagsJson(e.tags);
    x["enclosures"] = json::array();
    for (const auto& l : e.enclosures) x["enclosures"].push_back(LinkJson(l));
    if (!e.image.empty()) x["image"] = e.image;
    x["comments"] = e.comments;
    x["publisher"] = e.publisher;
    x["publisher_detail"] = e.publisher.empty() ? json(nullptr) : PersonJson(e.publisher_detail);
    x["created"] = Opt(e.created);
    x["expired"] = Opt(e.expired);
    x["guidislink"] = e.guidislink;
    x["itunes_block"] = e.itunes_block;
    x["itunes_explicit"] = OptBool(e.itunes_explicit);
    x["itunes_duration"] = e.itunes_duration;
    x["media_credit"] = json::array();
    for (const auto& c : e.media_credit)
      x["media_credit"].push_back({{"role", c.role}, {"scheme", c.scheme}, {"content", c.content}});
    x["media_thumbnail"] = json::array();
    for (const auto& t : e.media_thumbnail)
      x["media_thumbnail"].push_back({{"url", t.url}, {"width", t.width}, {"height", t.height}});
    x["media_player"] = e.media_player;
    if (!e.language.empty()) x["language"] = e.language;
    if (e.is_sitemap) x["is_sitemap"] = true;
    entries.push_back(std::move(x));
  }
  j["entries"] = std::move(entries);
  return j;
}

}  // namespace samizdat::feed
