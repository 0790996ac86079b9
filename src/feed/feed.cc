#include "feed/feed.h"

#include "feed/entities.h"
#include "feed/sanitize.h"
#include "feed/xml_depth.h"

#include <zlib.h>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <algorithm>
#include <set>

#include "html/charset.h"
#include "html/parser.h"
#include "html/selector.h"
#include "util/dates.h"
#include "util/json_depth.h"
#include "util/strings.h"
#include "util/url.h"

namespace samizdat::feed {
namespace {

struct NamespaceName {
  std::string_view uri;
  std::string_view canonical;
};

constexpr NamespaceName kNamespaces[] = {
    {"http://www.w3.org/2005/Atom", "atom"},
    {"http://purl.org/atom/ns#", "atom03"},
    {"http://purl.org/rss/1.0/", "rss1"},
    {"http://my.netscape.com/rdf/simple/0.9/", "rss090"},
    {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf"},
    {"http://purl.org/rss/1.0/modules/content/", "content"},
    {"http://purl.org/dc/elements/1.1/", "dc"},
    {"http://purl.org/dc/terms/", "dcterms"},
    {"http://search.yahoo.com/mrss/", "media"},
    {"http://search.yahoo.com/mrss", "media"},
    {"http://www.sitemaps.org/schemas/sitemap/0.9", "sm"},
    {"http://www.google.com/schemas/sitemap/0.84", "sm"},
    {"http://www.google.com/schemas/sitemap-news/0.9", "news"},
    {"http://www.google.com/schemas/sitemap-image/1.1", "image"},
    {"http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes"},
    {"http://www.itunes.com/DTDs/Podcast-1.0.dtd", "itunes"},  // Apple's early spelling
    {"http://backend.userland.com/rss2", ""},
    {"http://blogs.law.harvard.edu/tech/rss", ""},
    {"http://www.w3.org/1999/xhtml", "xhtml"},
};

// The element's name with its namespace prefix replaced by a canonical one ("dc:creator"
// whatever prefix the feed chose), found by walking up to the xmlns declaration.
std::string QName(const pugi::xml_node& n) {
  std::string_view name = n.name();
  size_t colon = name.find(':');
  std::string prefix = colon == std::string_view::npos ? "" : std::string(name.substr(0, colon));
  std::string_view local = colon == std::string_view::npos ? name : name.substr(colon + 1);
  std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + prefix;
  for (pugi::xml_node p = n; p; p = p.parent()) {
    pugi::xml_attribute a = p.attribute(attr.c_str());
    if (!a) continue;
    std::string_view uri = a.value();
    for (const auto& ns : kNamespaces) {
      if (ns.uri == uri) {
        if (ns.canonical.empty()) return std::string(local);
        return std::string(ns.canonical) + ":" + std::string(local);
      }
    }
    break;
  }
  if (prefix.empty()) return std::string(local);
  return prefix + ":" + std::string(local);
}

std::string Local(const pugi::xml_node& n) {
  std::string q = QName(n);
  size_t colon = q.find(':');
  return colon == std::string::npos ? q : q.substr(colon + 1);
}

// The next node after `c` in document order within `scope`'s subtree, or an empty node.
pugi::xml_node NextInSubtree(pugi::xml_node c, const pugi::xml_node& scope) {
  if (c.first_child()) return c.first_child();
  for (; c && c != scope; c = c.parent())
    if (c.next_sibling()) return c.next_sibling();
  return {};
}

// All character data below `n` (text and CDATA), in order. Iterative: the walk's cost
// must not depend on the stack.
std::string NodeText(const pugi::xml_node& n) {
  std::string out;
  for (pugi::xml_node c = n.first_child(); c; c = NextInSubtree(c, n)) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

std::string InnerXml(const pugi::xml_node& n) {
  struct Writer : pugi::xml_writer {
    std::string out;
    void write(const void* data, size_t size) override {
      out.append(static_cast<const char*>(data), size);
    }
  } w;
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling())
    c.print(w, "", pugi::format_raw | pugi::format_no_declaration);
  return w.out;
}

// The text of an element that should hold only text: its markup when a feed put
// unescaped elements in it ("<description><p>x</p></description>"), else its text.
std::string TextOf(const pugi::xml_node& n) {
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element) return InnerXml(n);
  return NodeText(n);
}

// Plain text from a value that may hold HTML markup or entities ("AT&amp;T", "<b>x</b>").
// Only ASCII whitespace collapses: a feed's &nbsp; or &emsp; is meant.
std::string PlainText(std::string_view value) {
  if (value.find('<') == std::string_view::npos && value.find('&') == std::string_view::npos)
    return CollapseAsciiWhitespace(TrimAscii(value));
  auto doc = html::ParseHtml(std::string("<body>") + std::string(value));
  return std::string(TrimAscii(CollapseAsciiWhitespace(html::TextContent(doc->root()))));
}

// An element or attribute prefix with no xmlns declaration in scope makes the document
// not namespace-well-formed.
std::string UndeclaredPrefix(const pugi::xml_node& root) {
  for (pugi::xml_node n = root; n;) {
    std::string_view name = n.name();
    size_t colon = name.find(':');
    if (n.type() == pugi::node_element && colon != std::string_view::npos) {
      std::string prefix(name.substr(0, colon));
      if (prefix != "xml") {
        std::string attr = "xmlns:" + prefix;
        bool declared = false;
        for (pugi::xml_node p = n; p && !declared; p = p.parent())
          declared = p.attribute(attr.c_str());
        if (!declared) return prefix;
      }
    }
    if (n.first_child()) {
      n = n.first_child();
    } else {
      while (n && !n.next_sibling() && n != root) n = n.parent();
      if (!n || n == root) break;
      n = n.next_sibling();
    }
  }
  return {};
}

// xml:base chain from the outermost ancestor in, applied on top of the document URL.
std::string BaseOf(const pugi::xml_node& n, const std::string& doc_url) {
  std::vector<std::string> bases;
  for (pugi::xml_node p = n; p; p = p.parent())
    if (pugi::xml_attribute a = p.attribute("xml:base")) bases.push_back(a.value());
  std::string base = doc_url;
  for (auto it = bases.rbegin(); it != bases.rend(); ++it)
    if (auto r = ResolveUrl(base, *it)) base = *r;
  return base;
}

// The xml:lang in scope at `n` (its own or the nearest ancestor's), or "".
std::string LangOf(const pugi::xml_node& n) {
  for (pugi::xml_node p = n; p; p = p.parent())
    if (pugi::xml_attribute a = p.attribute("xml:lang")) return a.value();
  return {};
}

// An RSS text element as a detail: RSS titles are plain text, descriptions HTML.
Content RssDetail(const pugi::xml_node& n, std::string type, std::string value,
                  const std::string& base) {
  return {std::move(type), std::move(value), LangOf(n), base};
}

// "name (email)" when both are known, else whichever is (feed-parser convention).
std::string AuthorString(const Person& p) {
  if (p.email.empty()) return p.name;
  if (p.name.empty()) return p.email;
  return p.name + " (" + p.email + ")";
}

std::string Resolve(const std::string& base, std::string_view ref) {
  std::string_view r = TrimAscii(ref);
  if (r.empty()) return {};
  if (auto u = ResolveUrl(base, r)) return *u;
  return std::string(r);
}

std::optional<std::string> Date(std::string_view text, const ParseOptions& o) {
  return NormalizeDate(TrimUnicode(text), o.default_offset_minutes.value_or(0));
}

// The language a feed declares, read before its entries so their dates can use it.
std::string PeekLanguage(const pugi::xml_node& root) {
  if (pugi::xml_attribute a = root.attribute("xml:lang")) return a.value();
  for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
    if (Local(c) != "channel") continue;
    for (pugi::xml_node x = c.first_child(); x; x = x.next_sibling())
      if (Local(x) == "language") return CollapseWhitespace(NodeText(x));
  }
  return {};
}

// Adds a category unless its term is empty or already there.
void AddTag(std::vector<Tag>& tags, std::string_view term, std::string_view scheme = {},
            std::string_view label = {}) {
  Tag tag{CollapseWhitespace(term), CollapseWhitespace(scheme), CollapseWhitespace(label)};
  if (tag.term.empty()) return;
  if (std::none_of(tags.begin(), tags.end(), [&](const Tag& t) { return t.term == tag.term; }))
    tags.push_back(std::move(tag));
}

// An Atom category: term= (else its text), scheme= and label=.
void AddAtomCategory(std::vector<Tag>& tags, const pugi::xml_node& c) {
  std::string term = c.attribute("term").value();
  AddTag(tags, term.empty() ? NodeText(c) : term, c.attribute("scheme").value(),
         c.attribute("label").value());
}

// A comma-separated list of keywords, each a tag.
void AddTagList(std::vector<Tag>& tags, const std::string& list) {
  size_t i = 0;
  while (i <= list.size()) {
    size_t j = list.find(',', i);
    if (j == std::string::npos) j = list.size();
    AddTag(tags, list.substr(i, j - i));
    i = j + 1;
  }
}

// The categories of an RSS channel or item: category, dc:subject, media:category,
// itunes:keywords, and itunes:category with its subcategories. False when `q` is none.
bool ReadRssTags(const pugi::xml_node& c, const std::string& q, const std::string& text,
                 std::vector<Tag>& tags) {
  // iTunes categories belong to Apple's fixed taxonomy.
  static constexpr std::string_view kItunesScheme = "http://www.itunes.com/";
  if (q == "category") {
    AddTag(tags, text, c.attribute("domain").value());
  } else if (q == "dc:subject") {
    AddTag(tags, text);
  } else if (q == "media:category") {
    // Media RSS: a category without a scheme is in the Media RSS category schema.
    static constexpr std::string_view kMediaScheme = "http://search.yahoo.com/mrss/category_schema";
    pugi::xml_attribute scheme = c.attribute("scheme");
    AddTag(tags, text, scheme ? std::string_view(scheme.value()) : kMediaScheme,
           c.attribute("label").value());
  } else if (q == "itunes:keywords") {
    AddTagList(tags, text);
  } else if (q == "itunes:category") {
    AddTag(tags, c.attribute("text").value(), kItunesScheme);
    for (pugi::xml_node sub = c.first_child(); sub; sub = sub.next_sibling())
      if (QName(sub) == "itunes:category")
        AddTag(tags, sub.attribute("text").value(), kItunesScheme);
  } else {
    return false;
  }
  return true;
}

// An RSS author as written: "name", "email", "email (name)" or "name (email)".
Person PersonFromText(const std::string& text) {
  std::string all = CollapseWhitespace(text);
  Person p;
  size_t at = all.find('@');
  if (at == std::string::npos) {
    p.name = all;
    return p;
  }
  auto is_delim = [](char ch) {
    return ch == ' ' || ch == '(' || ch == ')' || ch == '<' || ch == '>';
  };
  size_t begin = at, end = at;
  while (begin > 0 && !is_delim(all[begin - 1])) --begin;
  while (end < all.size() && !is_delim(all[end])) ++end;
  p.email = all.substr(begin, end - begin);
  if (StartsWithIgnoreCase(p.email, "mailto:")) p.email = p.email.substr(7);
  std::string rest = all.substr(0, begin) + all.substr(end);
  for (char& ch : rest)
    if (ch == '(' || ch == ')' || ch == '<' || ch == '>') ch = ' ';
  p.name = CollapseWhitespace(rest);
  return p;
}

// A Media RSS text (title, description): type="html" is HTML, anything else plain text.
Content MediaText(const pugi::xml_node& c, const std::string& base) {
  bool html = AsciiLowerCopy(c.attribute("type").value()) == "html";
  return {html ? "text/html" : "text/plain", std::string(TrimAscii(NodeText(c))), LangOf(c), base};
}

// Media RSS credits, thumbnails, player, title and description; false for anything else.
bool ReadMediaDetails(const pugi::xml_node& c, const std::string& q, Entry& e,
                      const std::string& base) {
  if (q == "media:credit") {
    e.media_credit.push_back({c.attribute("role").value(), c.attribute("scheme").value(),
                              std::string(TrimAscii(NodeText(c)))});
  } else if (q == "media:thumbnail") {
    e.media_thumbnail.push_back({Resolve(base, c.attribute("url").value()),
                                 c.attribute("width").as_llong(),
                                 c.attribute("height").as_llong()});
  } else if (q == "media:player") {
    e.media_player = Resolve(base, c.attribute("url").value());
  } else if (q == "media:title") {
    if (e.media_title.type.empty()) e.media_title = MediaText(c, base);
  } else if (q == "media:description") {
    if (e.media_description.type.empty()) e.media_description = MediaText(c, base);
  } else {
    return false;
  }
  return true;
}

void ReadMedia(const pugi::xml_node& c, const std::string& q, Entry& e, const std::string& base) {
  ReadMediaDetails(c, q, e, base);
  if ((q == "media:thumbnail" || q == "itunes:image") && e.image.empty()) {
    // media:thumbnail names it url=, itunes:image href= (some feeds write url= there too)
    pugi::xml_attribute href = c.attribute("href");
    e.image = Resolve(base, href ? href.value() : c.attribute("url").value());
  } else if (q == "media:content") {
    std::string type = c.attribute("type").value();
    std::string medium = c.attribute("medium").value();
    if (e.image.empty() && (medium == "image" || type.rfind("image/", 0) == 0))
      e.image = Resolve(base, c.attribute("url").value());
    for (pugi::xml_node m = c.first_child(); m; m = m.next_sibling())
      if (m.type() == pugi::node_element) ReadMedia(m, QName(m), e, base);
  } else if (q == "media:group") {
    for (pugi::xml_node m = c.first_child(); m; m = m.next_sibling()) {
      if (m.type() != pugi::node_element) continue;
      std::string mq = QName(m);
      if (mq != "media:category" || !ReadRssTags(m, mq, NodeText(m), e.tags))
        ReadMedia(m, mq, e, base);
    }
  }
}

// iTunes block: "yes" as Apple documents it; any other spelling has no effect.
bool ItunesBlock(const std::string& text) { return text == "yes" || text == "Yes"; }

// iTunes explicit: "yes"/"true"/"explicit" or "no"/"false"/"clean", spelt exactly (as
// Apple's directory reads it, like block); unset otherwise.
std::optional<bool> ItunesExplicit(const std::string& v) {
  if (v == "yes" || v == "true" || v == "explicit") return true;
  if (v == "no" || v == "false" || v == "clean") return false;
  return std::nullopt;
}

// Comments, publisher, contributors, creation and expiry dates and iTunes fields of an RSS
// item; false when `q` is none of them.
bool ReadRssItemMore(const std::string& q, const std::string& text, const std::string& base,
                     const ParseOptions& o, Entry& e) {
  if (q == "comments") {
    e.comments = Resolve(base, text);
  } else if (q == "dc:publisher") {
    e.publisher = CollapseWhitespace(text);
    e.publisher_detail = PersonFromText(e.publisher);
  } else if (q == "dc:contributor") {
    e.contributors.push_back(PersonFromText(text));
  } else if (q == "expirationDate") {
    if (!e.expired) e.expired = Date(text, o);
  } else if (q == "itunes:block") {
    e.itunes_block = ItunesBlock(text);
  } else if (q == "itunes:explicit") {
    e.itunes_explicit = ItunesExplicit(text);
  } else if (q == "itunes:duration") {
    e.itunes_duration = CollapseWhitespace(text);
  } else {
    return false;
  }
  return true;
}

// The link and id rules once an item is read: rdf:about, then a permalink guid, stand in
// for a missing link; the id is the guid, else the link.
void FinishRssItem(const pugi::xml_node& item, const std::string& guid, bool guid_is_link,
                   const std::string& base, Entry& e) {
  if (pugi::xml_attribute about = item.attribute("rdf:about"); about && e.link.empty())
    e.link = Resolve(base, about.value());
  if (e.link.empty() && guid_is_link &&
      (StartsWithIgnoreCase(guid, "http://") || StartsWithIgnoreCase(guid, "https://"))) {
    e.link = guid;
    e.guidislink = true;
  }
  e.id = !guid.empty() ? guid : e.link;
  if (!e.updated) e.updated = e.published;
}

Entry ParseRssItem(const pugi::xml_node& item, const ParseOptions& o, const std::string& base) {
  Entry e;
  std::string guid;
  bool guid_is_link = false;
  pugi::xml_node itunes_summary;  // the summary when the item has no description
  for (pugi::xml_node c = item.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    std::string q = QName(c);
    std::string local = Local(c);
    std::string text = TextOf(c);
    if (local == "title" &&
        (q == "title" || q == "rss1:title" || q == "rss090:title" || q == "dc:title")) {
      if (e.title.empty() || q != "dc:title") {
        e.title = PlainText(text);
        e.title_detail = RssDetail(c, "text/plain", std::string(TrimAscii(text)), base);
      }
    } else if (q == "link" || q == "rss1:link" || q == "rss090:link") {
      if (e.link.empty()) e.link = Resolve(base, text);
    } else if (q == "atom:link") {
      Link l{Resolve(base, c.attribute("href").value()), c.attribute("rel").value(),
             c.attribute("type").value(), c.attribute("title").value(), 0};
      if (l.rel.empty()) l.rel = "alternate";
      if (l.rel == "alternate" && e.link.empty()) e.link = l.href;
      e.links.push_back(std::move(l));
    } else if (q == "guid") {
      guid = std::string(TrimAscii(text));
      std::string perma = AsciiLowerCopy(c.attribute("isPermaLink").value());
      guid_is_link = perma != "false";
    } else if (q == "description" || q == "rss1:description" || q == "dc:description") {
      if (e.summary.empty()) {
        e.summary = text;
        e.summary_detail = RssDetail(c, "text/html", text, base);
      }
    } else if (q == "copyright" || q == "dc:rights" || q == "dcterms:rights") {
      if (e.rights.empty()) e.rights = text;
    } else if (q == "content:encoded" || q == "fullitem") {
      e.content.push_back({"text/html", text, LangOf(c), base});
    } else if (local == "body" && (q == "body" || q == "xhtml:body")) {
      e.content.push_back({"application/xhtml+xml", InnerXml(c), LangOf(c), base});
    } else if (q == "pubDate" || q == "dc:date" || q == "dcterms:issued" ||
               q == "dcterms:created") {
      if (q == "dcterms:created" && !e.created) e.created = Date(text, o);
      if (!e.published) e.published = Date(text, o);
    } else if (q == "dcterms:modified" || q == "atom:updated") {
      if (!e.updated) e.updated = Date(text, o);
    } else if (q == "author" || q == "dc:creator" || q == "dc:author" || q == "itunes:author") {
      std::string name = CollapseWhitespace(text);
      if (!name.empty()) {
        if (e.author.empty()) e.author = name;
        e.authors.push_back(PersonFromText(name));
      }
    } else if (q == "enclosure") {
      Link l{Resolve(base, c.attribute("url").value()), "enclosure", c.attribute("type").value(),
             "", c.attribute("length").as_llong()};
      if (!l.href.empty()) {
        if (e.image.empty() && l.type.rfind("image/", 0) == 0) e.image = l.href;
        e.enclosures.push_back(std::move(l));
      }
    } else if (q == "itunes:summary") {
      itunes_summary = c;
    } else if (!ReadRssTags(c, q, text, e.tags) && !ReadRssItemMore(q, text, base, o, e)) {
      ReadMedia(c, q, e, base);
    }
  }
  if (e.summary.empty() && itunes_summary) {
    e.summary = NodeText(itunes_summary);
    e.summary_detail = RssDetail(itunes_summary, "text/plain", e.summary, base);
  }
  FinishRssItem(item, guid, guid_is_link, base, e);
  return e;
}

// Rights, author, generator and TTL of an RSS channel; the first of each wins.
// The text of the first child element of `n` named `local` (any namespace), trimmed.
std::string ChildText(const pugi::xml_node& n, std::string_view local) {
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && Local(c) == local)
      return std::string(TrimAscii(NodeText(c)));
  return {};
}

// RSS <image> or itunes:image into the feed's image.
void ReadRssImage(const pugi::xml_node& c, const std::string& base, FeedInfo& info) {
  Image& im = info.image_detail;
  pugi::xml_attribute href = c.attribute("href");
  if (!href) href = c.attribute("url");  // itunes:image written like media:thumbnail
  if (href) im.href = Resolve(base, href.value());
  if (std::string url = ChildText(c, "url"); !url.empty()) im.href = Resolve(base, url);
  if (std::string t = ChildText(c, "title"); !t.empty()) im.title = t;
  if (std::string l = ChildText(c, "link"); !l.empty()) im.link = Resolve(base, l);
  if (std::string d = ChildText(c, "description"); !d.empty()) im.description = d;
  im.width = std::atoll(ChildText(c, "width").c_str());
  im.height = std::atoll(ChildText(c, "height").c_str());
  if (info.image.empty()) info.image = im.href;
}

// Publisher, docs, cloud, text input, contributors, iTunes flags and dates of a channel.
void ReadRssChannelMore(const pugi::xml_node& c, const std::string& q, const std::string& text,
                        const std::string& base, const ParseOptions& o, FeedInfo& info) {
  std::string lq = AsciiLowerCopy(q);
  if ((q == "webMaster" || q == "dc:publisher") && info.publisher.empty()) {
    info.publisher = CollapseWhitespace(text);
    info.publisher_detail = PersonFromText(info.publisher);
  } else if (q == "itunes:owner") {
    info.publisher_detail = {ChildText(c, "name"), ChildText(c, "email"), {}};
    info.publisher = AuthorString(info.publisher_detail);
  } else if (q == "docs") {
    info.docs = Resolve(base, text);
  } else if (q == "cloud") {
    info.cloud = {c.attribute("domain").value(), c.attribute("port").value(),
                  c.attribute("path").value(), c.attribute("registerProcedure").value(),
                  c.attribute("protocol").value()};
  } else if (lq == "textinput") {
    info.textinput = {ChildText(c, "title"), Resolve(base, ChildText(c, "link")),
                      ChildText(c, "name"), ChildText(c, "description")};
  } else if (q == "dc:contributor") {
    info.contributors.push_back(PersonFromText(text));
  } else if (q == "itunes:block") {
    info.itunes_block = ItunesBlock(text);
  } else if (q == "itunes:explicit") {
    info.itunes_explicit = ItunesExplicit(text);
  } else if ((q == "pubDate" || q == "dcterms:issued") && !info.published) {
    info.published = Date(text, o);
  } else if (q == "dcterms:modified") {
    info.updated = Date(text, o);
  } else if (q == "atom:link") {
    Link l{Resolve(base, c.attribute("href").value()), c.attribute("rel").value(),
           c.attribute("type").value(), c.attribute("title").value(), 0};
    if (l.rel.empty()) l.rel = "alternate";
    info.links.push_back(std::move(l));
  }
}

void ReadRssChannelExtras(const pugi::xml_node& c, const std::string& q, const std::string& text,
                          const std::string& base, const ParseOptions& o, FeedInfo& info) {
  if ((q == "copyright" || q == "dc:rights" || q == "dcterms:rights") && info.rights.empty()) {
    info.rights = text;
    info.rights_detail = RssDetail(c, "text/plain", text, base);
  } else if (q == "managingEditor" || q == "dc:creator" || q == "dc:author" ||
             q == "itunes:author" || q == "author") {
    std::string name = CollapseWhitespace(text);
    if (name.empty()) return;
    if (info.author.empty()) info.author = name;
    info.authors.push_back(PersonFromText(name));
  } else if (q == "generator" && info.generator.empty()) {
    info.generator = CollapseWhitespace(text);
    info.generator_detail.name = info.generator;
  } else if (q == "ttl" && info.ttl.empty()) {
    info.ttl = CollapseWhitespace(text);
  } else if (!ReadRssTags(c, q, text, info.tags)) {
    ReadRssChannelMore(c, q, text, base, o, info);
  }
}

// One child element of an RSS channel (not an item) into the feed's metadata.
void ReadRssChannelElement(const pugi::xml_node& c, const std::string& base, const ParseOptions& o,
                           FeedInfo& info) {
  std::string q = QName(c), local = Local(c), text = TextOf(c);
  if (local == "title" && info.title_detail.type.empty()) {  // <title>, else dc:title
    info.title = PlainText(text);
    info.title_detail = RssDetail(c, "text/plain", std::string(TrimAscii(text)), base);
  } else if ((q == "link" || q == "rss1:link" || q == "rss090:link") && info.link.empty()) {
    info.link = Resolve(base, text);
  } else if ((local == "description" || q == "dc:description") && info.subtitle.empty()) {
    info.subtitle = text;
    info.subtitle_detail = RssDetail(c, "text/html", text, base);
  } else if ((q == "language" || q == "dc:language") && info.language.empty()) {
    info.language = CollapseWhitespace(text);
  } else if (q == "lastBuildDate" || q == "pubDate" || q == "dc:date") {
    if (q == "pubDate" && !info.published) info.published = Date(text, o);
    if (!info.updated) info.updated = Date(text, o);
  } else if (local == "image" && info.image_detail.href.empty()) {
    ReadRssImage(c, base, info);
  } else {
    ReadRssChannelExtras(c, q, text, base, o, info);
  }
}

void ParseRss(const pugi::xml_node& root, const std::string& version, const ParseOptions& o,
              Feed& f) {
  f.version = version;
  pugi::xml_node channel;
  for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && Local(c) == "channel") channel = c;
  std::string base = BaseOf(channel ? channel : root, o.url);
  pugi::xml_node itunes_subtitle;  // the subtitle when the channel has no description
  if (channel) {
    for (pugi::xml_node c = channel.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      if (Local(c) == "item")
        f.entries.push_back(ParseRssItem(c, o, BaseOf(c, o.url)));
      else if (QName(c) == "itunes:subtitle")
        itunes_subtitle = c;
      else
        ReadRssChannelElement(c, base, o, f.feed);
    }
  }
  if (f.feed.subtitle.empty() && itunes_subtitle) {
    f.feed.subtitle = NodeText(itunes_subtitle);
    f.feed.subtitle_detail = RssDetail(itunes_subtitle, "text/plain", f.feed.subtitle, base);
  }
  // RSS 0.90 and 1.0 keep their items beside the channel.
  for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && Local(c) == "item" && c != channel)
      f.entries.push_back(ParseRssItem(c, o, BaseOf(c, o.url)));
}

Person ReadPerson(const pugi::xml_node& n, const std::string& base) {
  Person p;
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    std::string local = Local(c);
    if (local == "name")
      p.name = CollapseWhitespace(NodeText(c));
    else if (local == "email")
      p.email = CollapseWhitespace(NodeText(c));
    else if (local == "uri" || local == "url" || local == "homepage")  // homepage: Atom 0.3
      p.href = Resolve(base, NodeText(c));
  }
  return p;
}

// Base64 (RFC 4648) with whitespace ignored; decoding stops at '=' or a character outside
// the alphabet.
std::string DecodeBase64(std::string_view in) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char ch : in) {
    if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') continue;
    size_t v = kAlphabet.find(ch);
    if (v == std::string_view::npos) break;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

// RFC 4287 4.1.3.3: a MIME type that is neither text/* nor XML means base64 content.
bool IsXmlOrTextType(std::string_view type) {
  return StartsWithIgnoreCase(type, "text/") || type.ends_with("+xml") || type.ends_with("/xml");
}

// Atom 1.0 wraps XHTML in a <div> that is not part of the content: the div when it is the
// only thing inside `n` (Atom 0.3 has no wrapper; its markup is all content).
pugi::xml_node WrapperDiv(const pugi::xml_node& n) {
  if (QName(n).rfind("atom:", 0) != 0) return {};
  pugi::xml_node div;
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    bool blank = c.type() == pugi::node_pcdata && TrimAscii(c.value()).empty();
    if (blank || c.type() == pugi::node_comment) continue;
    if (div || c.type() != pugi::node_element || Local(c) != "div") return {};
    div = c;
  }
  return div;
}

// An Atom text construct: its type normalised to a MIME type and its value as given
// (escaped HTML unescaped once, inline XHTML serialised, Atom 0.3 base64 decoded).
Content ReadAtomText(const pugi::xml_node& n, const std::string& base) {
  Content c;
  std::string type = AsciiLowerCopy(n.attribute("type").value());
  std::string mode = AsciiLowerCopy(n.attribute("mode").value());  // Atom 0.3
  c.base = base;
  c.language = LangOf(n);
  if (mode == "base64") {
    c.type = type == "html" ? "text/html" : type.empty() || type == "text" ? "text/plain" : type;
    c.value = DecodeBase64(NodeText(n));
  } else if (type == "xhtml" || type == "application/xhtml+xml") {
    c.type = "application/xhtml+xml";
    pugi::xml_node div = WrapperDiv(n);
    c.value = div ? InnerXml(div) : InnerXml(n);
  } else if (type == "html" || type == "text/html") {
    c.type = "text/html";
    pugi::xml_node div = WrapperDiv(n);  // an XHTML wrapper around escaped HTML
    c.value = div ? TextOf(div) : TextOf(n);
  } else if (mode == "xml") {
    c.type = "application/xhtml+xml";
    c.value = InnerXml(n);
  } else if (type.empty() || type == "text" || type == "text/plain") {
    c.type = "text/plain";
    c.value = TextOf(n);
  } else {
    c.type = type;
    c.value = IsXmlOrTextType(type) ? NodeText(n) : DecodeBase64(NodeText(n));
  }
  return c;
}

std::string AtomTextPlain(const pugi::xml_node& n, const std::string& base) {
  Content c = ReadAtomText(n, base);
  return c.type == "text/plain" ? CollapseWhitespace(c.value) : PlainText(c.value);
}

// Rights, authors, contributors, categories, generator and (Atom 0.3) info of an Atom
// feed or an entry's source.
void ReadAtomFeedExtras(const pugi::xml_node& c, const std::string& local, const std::string& base,
                        FeedInfo& info) {
  if (local == "rights" || local == "copyright") {
    info.rights_detail = ReadAtomText(c, base);
    info.rights = info.rights_detail.value;
  } else if (local == "author") {
    Person p = ReadPerson(c, base);
    if (info.author.empty()) info.author = AuthorString(p);
    info.authors.push_back(std::move(p));
  } else if (local == "contributor") {
    info.contributors.push_back(ReadPerson(c, base));
  } else if (local == "generator") {
    info.generator = CollapseWhitespace(NodeText(c));
    pugi::xml_attribute uri = c.attribute("uri");
    if (!uri) uri = c.attribute("url");  // Atom 0.3
    info.generator_detail = {info.generator, uri ? Resolve(base, uri.value()) : "",
                             c.attribute("version").value()};
  } else if (local == "category") {
    AddAtomCategory(info.tags, c);
  } else if (local == "info") {
    info.info_detail = ReadAtomText(c, base);
    info.info = info.info_detail.value;
  }
}

// One child element of an Atom feed (not an entry), or of an entry's source, into `info`.
void ReadAtomFeedElement(const pugi::xml_node& c, const ParseOptions& o, FeedInfo& info) {
  std::string local = Local(c);
  std::string base = BaseOf(c, o.url);
  if (local == "title") {
    info.title_detail = ReadAtomText(c, base);
    info.title = AtomTextPlain(c, base);
  } else if (local == "subtitle" || local == "tagline") {
    info.subtitle_detail = ReadAtomText(c, base);
    info.subtitle = info.subtitle_detail.value;
  } else if (local == "id") {
    info.id = CollapseWhitespace(NodeText(c));
  } else if ((local == "updated" || local == "modified") && !info.updated) {
    info.updated = Date(NodeText(c), o);
  } else if (local == "logo" || local == "icon") {
    std::string url = Resolve(base, NodeText(c));
    (local == "logo" ? info.logo : info.icon) = url;
    if (info.image.empty() || local == "logo") info.image = url;
  } else if (local == "link") {
    Link l{Resolve(base, c.attribute("href").value()),
           c.attribute("rel").value(),
           c.attribute("type").value(),
           c.attribute("title").value(),
           c.attribute("length").as_llong(),
           c.attribute("hreflang").value()};
    if (l.rel.empty()) l.rel = "alternate";
    if (l.rel == "alternate" && info.link.empty()) info.link = l.href;
    info.links.push_back(std::move(l));
  } else if (local == "published" || local == "issued") {
    if (!info.published) info.published = Date(NodeText(c), o);
  } else {
    ReadAtomFeedExtras(c, local, base, info);
  }
}

// An entry's <source>: the metadata of the feed the entry was copied from.
FeedInfo ParseAtomSource(const pugi::xml_node& source, const ParseOptions& o) {
  FeedInfo info;
  for (pugi::xml_node c = source.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element) ReadAtomFeedElement(c, o, info);
  return info;
}

// Rights, contributors and source of an Atom entry; media elements otherwise.
void ReadAtomEntryExtras(const pugi::xml_node& x, const std::string& xl, const std::string& xb,
                         const ParseOptions& o, Entry& e) {
  if (xl == "rights" || xl == "copyright") {
    e.rights_detail = ReadAtomText(x, xb);
    e.rights = e.rights_detail.value;
  } else if (xl == "contributor") {
    e.contributors.push_back(ReadPerson(x, xb));
  } else if (xl == "source") {
    e.source = ParseAtomSource(x, o);
  } else {
    ReadMedia(x, QName(x), e, xb);
  }
}

// One child element of an Atom entry into `e`.
void ReadAtomEntryElement(const pugi::xml_node& x, const ParseOptions& o, Entry& e) {
  std::string xl = Local(x);
  std::string xb = BaseOf(x, o.url);
  if (xl == "title") {
    e.title_detail = ReadAtomText(x, xb);
    e.title = AtomTextPlain(x, xb);
  } else if (xl == "id") {
    e.id = CollapseWhitespace(NodeText(x));
  } else if (xl == "link") {
    // Some feeds write the URL as the link's text instead of its href.
    std::string href = x.attribute("href") ? x.attribute("href").value() : NodeText(x);
    Link l{Resolve(xb, href), x.attribute("rel").value(), x.attribute("type").value(),
           x.attribute("title").value(), x.attribute("length").as_llong()};
    if (l.rel.empty()) l.rel = "alternate";
    if (l.rel == "alternate" && e.link.empty()) e.link = l.href;
    if (l.rel == "enclosure") e.enclosures.push_back(l);
    e.links.push_back(std::move(l));
  } else if (xl == "summary") {
    e.summary_detail = ReadAtomText(x, xb);
    e.summary = e.summary_detail.value;
  } else if (xl == "content") {
    Content ct = ReadAtomText(x, xb);
    if (x.attribute("src")) ct.value.clear();
    e.content.push_back(std::move(ct));
  } else if (xl == "published" || xl == "issued" || xl == "created") {
    if (xl == "created" && !e.created) e.created = Date(NodeText(x), o);
    if (!e.published) e.published = Date(NodeText(x), o);
  } else if (xl == "updated" || xl == "modified") {
    if (!e.updated) e.updated = Date(NodeText(x), o);
  } else if (xl == "author") {
    Person p = ReadPerson(x, xb);
    if (e.author.empty()) e.author = AuthorString(p);
    e.authors.push_back(std::move(p));
  } else if (xl == "category") {
    AddAtomCategory(e.tags, x);
  } else {
    ReadAtomEntryExtras(x, xl, xb, o, e);
  }
}

Entry ParseAtomEntry(const pugi::xml_node& c, const ParseOptions& o) {
  Entry e;
  for (pugi::xml_node x = c.first_child(); x; x = x.next_sibling())
    if (x.type() == pugi::node_element) ReadAtomEntryElement(x, o, e);
  if (!e.published) e.published = e.updated;
  if (!e.updated) e.updated = e.published;
  if (e.id.empty()) e.id = e.link;
  return e;
}

void ParseAtom(const pugi::xml_node& root, const std::string& version, const ParseOptions& o,
               Feed& f) {
  f.version = version;
  // The feed's language is the xml:lang of <feed> itself (as a BCP 47 tag: "en_US" is
  // "en-US"), not of the first element that has one.
  f.feed.language = ReplaceAll(CollapseWhitespace(root.attribute("xml:lang").value()), "_", "-");
  for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    if (Local(c) == "entry")
      f.entries.push_back(ParseAtomEntry(c, o));
    else
      ReadAtomFeedElement(c, o, f.feed);
  }
}

void ParseSitemap(const pugi::xml_node& root, bool index, const ParseOptions& o, Feed& f) {
  f.version = index ? "sitemapindex" : "sitemap";
  std::string base = BaseOf(root, o.url);
  for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    std::string local = Local(c);
    if (local != "url" && local != "sitemap") continue;
    Entry e;
    e.is_sitemap = local == "sitemap";
    for (pugi::xml_node x = c.first_child(); x; x = x.next_sibling()) {
      std::string q = QName(x);
      std::string xl = Local(x);
      if (xl == "loc" && q.rfind("image:", 0) != 0)
        e.link = Resolve(base, NodeText(x));
      else if (xl == "lastmod")
        e.updated = Date(NodeText(x), o);
      else if (q == "news:news") {
        for (pugi::xml_node n = x.first_child(); n; n = n.next_sibling()) {
          std::string nl = Local(n);
          if (nl == "title")
            e.title = PlainText(NodeText(n));
          else if (nl == "publication_date")
            e.published = Date(NodeText(n), o);
          else if (nl == "publication") {
            for (pugi::xml_node p = n.first_child(); p; p = p.next_sibling())
              if (Local(p) == "language") e.language = CollapseWhitespace(NodeText(p));
          } else if (nl == "keywords") {
            AddTagList(e.tags, NodeText(n));
          }
        }
      } else if (q == "image:image" && e.image.empty()) {
        for (pugi::xml_node n = x.first_child(); n; n = n.next_sibling())
          if (Local(n) == "loc") e.image = Resolve(base, NodeText(n));
      }
    }
    if (e.link.empty()) continue;
    if (!e.published) e.published = e.updated;
    e.id = e.link;
    f.entries.push_back(std::move(e));
  }
}

std::string JsonStr(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// Message for a document whose nesting passed kMaxXmlDepth.
std::string TooDeepMessage(std::string_view what) {
  return std::string(what) + " nested deeper than " + std::to_string(kMaxXmlDepth) +
         " levels; the deeper content was dropped";
}

// Records that part of the document was dropped for depth: a warning, and the bozo
// reason unless an earlier one stands.
void NoteTooDeep(std::string_view what, Feed& f) {
  f.warnings.push_back(TooDeepMessage(what));
  f.bozo = true;
  if (f.bozo_exception.empty()) f.bozo_exception = f.warnings.back();
}

void ParseJsonFeed(std::string_view text, const ParseOptions& options, Feed& f) {
  bool capped = false;
  nlohmann::json j = ParseJsonWithDepthCap(text, &capped);
  if (capped && !j.is_discarded()) NoteTooDeep("JSON", f);
  ParseOptions o = options;
  if (!o.default_offset_minutes && j.is_object())
    o.default_offset_minutes = OffsetForLanguage(JsonStr(j, "language"));
  if (j.is_discarded() || !j.is_object()) {
    f.bozo = true;
    f.not_a_feed = true;
    f.bozo_exception = "not valid JSON";
    return;
  }
  std::string version = JsonStr(j, "version");
  if (version.find("jsonfeed.org/version/1.1") != std::string::npos)
    f.version = "json11";
  else if (version.find("jsonfeed.org/version/1") != std::string::npos)
    f.version = "json1";
  else {
    f.bozo = true;
    f.not_a_feed = true;
    f.bozo_exception = "JSON without a JSON Feed version";
    return;
  }
  std::string base = JsonStr(j, "feed_url").empty() ? o.url : JsonStr(j, "feed_url");
  if (!o.url.empty()) base = o.url;
  f.feed.title = CollapseWhitespace(JsonStr(j, "title"));
  f.feed.link = Resolve(base, JsonStr(j, "home_page_url"));
  f.feed.subtitle = JsonStr(j, "description");
  f.feed.language = JsonStr(j, "language");
  f.feed.image = Resolve(base, JsonStr(j, "icon"));
  auto items = j.find("items");
  if (items == j.end() || !items->is_array()) return;
  for (const auto& it : *items) {
    if (!it.is_object()) continue;
    Entry e;
    e.link = Resolve(base, JsonStr(it, "url"));
    if (e.link.empty()) e.link = Resolve(base, JsonStr(it, "external_url"));
    e.id = it.contains("id")
               ? (it["id"].is_string() ? it["id"].get<std::string>() : it["id"].dump())
               : e.link;
    e.title = CollapseWhitespace(JsonStr(it, "title"));
    e.summary = JsonStr(it, "summary");
    if (std::string h = JsonStr(it, "content_html"); !h.empty())
      e.content.push_back({"text/html", h, "", base});
    if (std::string t = JsonStr(it, "content_text"); !t.empty())
      e.content.push_back({"text/plain", t, "", base});
    if (std::string d = JsonStr(it, "date_published"); !d.empty()) e.published = Date(d, o);
    if (std::string d = JsonStr(it, "date_modified"); !d.empty()) e.updated = Date(d, o);
    if (!e.updated) e.updated = e.published;
    e.image = Resolve(base, JsonStr(it, "image"));
    auto add_author = [&](const nlohmann::json& a) {
      if (!a.is_object()) return;
      Person p{JsonStr(a, "name"), "", Resolve(base, JsonStr(a, "url"))};
      if (e.author.empty()) e.author = p.name;
      e.authors.push_back(std::move(p));
    };
    if (auto a = it.find("authors"); a != it.end() && a->is_array())
      for (const auto& x : *a) add_author(x);
    else if (auto a1 = it.find("author"); a1 != it.end())
      add_author(*a1);
    if (auto t = it.find("tags"); t != it.end() && t->is_array())
      for (const auto& x : *t)
        if (x.is_string()) AddTag(e.tags, x.get<std::string>());
    if (auto at = it.find("attachments"); at != it.end() && at->is_array())
      for (const auto& x : *at)
        if (x.is_object())
          e.enclosures.push_back(
              {Resolve(base, JsonStr(x, "url")), "enclosure", JsonStr(x, "mime_type"),
               JsonStr(x, "title"),
               x.contains("size_in_bytes") && x["size_in_bytes"].is_number_integer()
                   ? x["size_in_bytes"].get<int64_t>()
                   : 0});
    f.entries.push_back(std::move(e));
  }
}

// Named HTML entities that XML does not define ("&nbsp;", "&ETH;") become numeric
// references; the XML parser would otherwise stop at them. The five XML entities stay.
std::string FixEntities(const std::string& text) {
  if (text.find('&') == std::string::npos) return text;
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '&') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 2 < text.size() && text[i + 1] == '#' && text[i + 2] == 'X') {
      out += "&#x";  // XML allows only a lower-case x in hexadecimal references
      i += 3;
      continue;
    }
    size_t j = i + 1;
    while (j < text.size() && j - i <= 10 && isalnum(static_cast<unsigned char>(text[j]))) ++j;
    if (j < text.size() && text[j] == ';' && j > i + 1) {
      std::string_view name(text.data() + i + 1, j - i - 1);
      if (name != "amp" && name != "lt" && name != "gt" && name != "quot" && name != "apos") {
        auto it =
            std::lower_bound(std::begin(kHtml4Entities), std::end(kHtml4Entities), name,
                             [](const NamedEntity& e, std::string_view n) { return e.name < n; });
        if (it != std::end(kHtml4Entities) && it->name == name) {
          out += "&#" + std::to_string(static_cast<uint32_t>(it->code_point)) + ";";
          i = j + 1;
          continue;
        }
      }
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

}  // namespace

std::optional<int> OffsetForLanguage(std::string_view language) {
  std::string l = AsciiLowerCopy(TrimAscii(language));
  if (l.rfind("zh", 0) == 0) return 8 * 60;
  if (l.rfind("ja", 0) == 0 || l.rfind("ko", 0) == 0) return 9 * 60;
  return std::nullopt;
}

bool Gunzip(std::string_view data, size_t max_bytes, std::string* out, std::string* error) {
  out->clear();
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    *error = "zlib init failed";
    return false;
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      *error = "corrupt gzip data";
      return false;
    }
    out->append(buf, sizeof buf - zs.avail_out);
    if (out->size() > max_bytes) {
      inflateEnd(&zs);
      *error = "gzip data inflates past " + std::to_string(max_bytes) + " bytes";
      return false;
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      *error = "truncated gzip data";
      return false;
    }
  }
  inflateEnd(&zs);
  return true;
}

// The encoding a byte order mark, or the first bytes of "<?xml" (XML 1.0 appendix F),
// fix: UTF-8, UTF-16 and UTF-32 in either byte order; "" for an ASCII-compatible start.
// `*bom` is the length of the mark to skip (0 without one).
std::string XmlByteOrder(std::string_view bytes, size_t* bom) {
  struct Signature {
    std::string_view bytes;
    const char* charset;
    bool is_bom;
  };
  static constexpr Signature kSignatures[] = {
      {std::string_view("\x00\x00\xFE\xFF", 4), "UTF-32BE", true},
      {std::string_view("\xFF\xFE\x00\x00", 4), "UTF-32LE", true},
      {"\xEF\xBB\xBF", "UTF-8", true},
      {"\xFE\xFF", "UTF-16BE", true},
      {"\xFF\xFE", "UTF-16LE", true},
      {std::string_view("\x00\x00\x00\x3C", 4), "UTF-32BE", false},
      {std::string_view("\x3C\x00\x00\x00", 4), "UTF-32LE", false},
      {std::string_view("\x00\x3C\x00\x3F", 4), "UTF-16BE", false},
      {std::string_view("\x3C\x00\x3F\x00", 4), "UTF-16LE", false},
  };
  for (const Signature& sig : kSignatures) {
    if (!bytes.starts_with(sig.bytes)) continue;
    *bom = sig.is_bom ? sig.bytes.size() : 0;
    return sig.charset;
  }
  *bom = 0;
  return {};
}

std::string DecodeXml(std::string_view bytes, std::string_view http_charset, std::string* charset,
                      std::vector<std::string>* warnings) {
  std::string declared;
  size_t bom = 0;
  std::string bom_charset = XmlByteOrder(bytes, &bom);
  std::string_view body = bytes.substr(bom);
  if (body.substr(0, 5) == "<?xml") {
    size_t end = body.find("?>");
    std::string_view decl = body.substr(0, end == std::string_view::npos ? 200 : end);
    size_t pos = decl.find("encoding");
    if (pos != std::string_view::npos) {
      size_t q = decl.find_first_of("\"'", pos);
      if (q != std::string_view::npos) {
        size_t q2 = decl.find(decl[q], q + 1);
        if (q2 != std::string_view::npos) declared = std::string(decl.substr(q + 1, q2 - q - 1));
      }
    }
  }
  std::string chosen;
  std::string source;
  if (!bom_charset.empty()) {
    chosen = bom_charset;
    if (!http_charset.empty() || !declared.empty()) source = "bom";
  } else if (!http_charset.empty()) {
    chosen = html::CanonicalCharset(http_charset);
    source = "http";
    if (chosen.empty() && warnings)
      warnings->push_back("unknown charset \"" + std::string(http_charset) + "\" in HTTP header");
  }
  if (chosen.empty() && !declared.empty()) {
    chosen = html::CanonicalCharset(declared);
    if (chosen.empty() && warnings)
      warnings->push_back("unknown charset \"" + declared + "\" in XML declaration");
  }
  if (chosen.empty()) {
    chosen = "UTF-8";
    // XML's default is UTF-8; undeclared bytes that are not UTF-8 need detection.
    if (!IsValidUtf8(body)) {
      std::string detected = html::DetectCharset(body);
      if (!detected.empty() && detected != "UTF-8") {
        chosen = detected;
        if (warnings) warnings->push_back("charset guessed: " + detected);
      }
    }
  }
  bool non_ascii = std::any_of(body.begin(), body.end(),
                               [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  if (chosen != "UTF-8" && bom_charset.empty() && non_ascii && IsValidUtf8(body) &&
      chosen.rfind("UTF-16", 0) != 0) {
    if (warnings)
      warnings->push_back("declared charset " + chosen +
                          " but the bytes are valid UTF-8; decoded as UTF-8");
    chosen = "UTF-8";
  }
  std::string out;
  size_t errors = 0;
  if (!html::DecodeToUtf8(body, chosen, out, &errors)) {
    if (warnings) warnings->push_back("cannot decode " + chosen + "; decoded as UTF-8");
    html::DecodeToUtf8(body, "UTF-8", out, &errors);
    chosen = "UTF-8";
  }
  if (errors && warnings)
    warnings->push_back(std::to_string(errors) + " bytes could not be decoded as " + chosen);
  // The text is UTF-8 now: drop the declaration's encoding so nothing re-decodes it.
  if (out.rfind("<?xml", 0) == 0) {
    size_t end = out.find("?>");
    if (end != std::string::npos) out.replace(0, end + 2, "<?xml version=\"1.0\"?>");
  }
  if (charset) *charset = chosen;
  return out;
}

namespace {

Feed ParseFeedUncapped(std::string_view bytes, const ParseOptions& options) {
  Feed f;
  std::string inflated;
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1F &&
      static_cast<unsigned char>(bytes[1]) == 0x8B) {
    std::string error;
    if (!Gunzip(bytes, options.max_decompressed_bytes, &inflated, &error)) {
      f.bozo = true;
      f.not_a_feed = true;
      f.bozo_exception = error;
      return f;
    }
    bytes = inflated;
  }
  std::string text = DecodeXml(bytes, options.http_charset, &f.encoding, &f.warnings);
  if (!f.warnings.empty()) f.bozo = true;
  std::string_view trimmed = TrimAscii(text);
  if (!trimmed.empty() && (trimmed[0] == '{' || trimmed[0] == '[')) {
    ParseJsonFeed(trimmed, options, f);
    return f;
  }
  pugi::xml_document doc;
  text = FixEntities(text);
  if (std::string capped; CapXmlDepth(text, kMaxXmlDepth, &capped)) {
    text = std::move(capped);
    NoteTooDeep("XML", f);
  }
  pugi::xml_parse_result res = doc.load_buffer(
      text.data(), text.size(), pugi::parse_default | pugi::parse_declaration, pugi::encoding_utf8);
  if (!res) {
    f.bozo = true;
    if (f.bozo_exception.empty())
      f.bozo_exception =
          std::string(res.description()) + " at offset " + std::to_string(res.offset);
  }
  pugi::xml_node root = doc.document_element();
  if (root) {
    std::string prefix = UndeclaredPrefix(root);
    if (!prefix.empty() && !f.bozo) {
      f.bozo = true;
      f.bozo_exception = "undeclared namespace prefix '" + prefix + "'";
    }
  }
  ParseOptions effective = options;
  if (!effective.default_offset_minutes && root)
    effective.default_offset_minutes = OffsetForLanguage(PeekLanguage(root));
  const ParseOptions& o = effective;
  std::string rq = root ? QName(root) : "";
  std::string rl = root ? AsciiLowerCopy(Local(root)) : "";
  if (rl == "rss") {
    std::string v = root.attribute("version").value();
    std::string version =
        v == "2.0" || v == "2" || v.empty() ? "rss20" : "rss" + ReplaceAll(v.substr(0, 4), ".", "");
    if (v == "0.91") version = "rss091";
    ParseRss(root, version, o, f);
  } else if (rq == "rdf:RDF" || rl == "rdf") {
    bool is090 = false;
    for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling())
      if (QName(c).rfind("rss090:", 0) == 0) is090 = true;
    ParseRss(root, is090 ? "rss090" : "rss10", o, f);
  } else if (rq == "atom:feed") {
    ParseAtom(root, "atom10", o, f);
  } else if (rq == "atom03:feed" || rl == "feed") {
    ParseAtom(root, rq == "atom03:feed" ? "atom03" : "atom10", o, f);
  } else if (rl == "urlset") {
    ParseSitemap(root, false, o, f);
  } else if (rl == "sitemapindex") {
    ParseSitemap(root, true, o, f);
  } else {
    f.bozo = true;
    f.not_a_feed = true;
    bool html = rl == "html" || ContainsIgnoreCase(text.substr(0, 2048), "<html") ||
                ContainsIgnoreCase(text.substr(0, 2048), "<!doctype html");
    f.bozo_exception = html ? "not a feed: got an HTML page" : "not a feed: unknown document type";
    if (!rl.empty() && !html) f.bozo_exception += " <" + rl + ">";
  }
  return f;
}

Feed ParseListingUncapped(std::string_view bytes, std::string_view link_selector,
                          const ParseOptions& options) {
  Feed f;
  f.version = "listing";
  std::string err;
  auto sel = html::Selector::Parse(link_selector, &err);
  if (!sel) {
    f.bozo = true;
    f.bozo_exception = "bad listing selector \"" + std::string(link_selector) + "\": " + err;
    return f;
  }
  html::DecodedHtml decoded = html::DecodeHtml(bytes, options.http_charset);
  f.encoding = decoded.decision.charset;
  f.warnings = decoded.warnings;
  auto doc = html::ParseHtml(decoded.utf8);
  for (const auto& w : doc->parse_warnings()) f.warnings.push_back(w);
  std::string base = options.url;
  if (html::Node* head = doc->head()) {
    for (html::Node* n = head->first_child; n; n = n->next_sibling)
      if (n->Is(html::Tag::k_base) && n->HasAttr("href")) base = Resolve(base, n->Attr("href"));
  }
  if (html::Node* t = html::FindFirst(doc->root(), html::Tag::k_title))
    f.feed.title = CollapseWhitespace(html::TextContent(t));
  f.feed.link = options.url;
  std::set<std::string> seen;
  for (html::Node* n : html::SelectAll(doc->root(), *sel)) {
    html::Node* a = n->Is(html::Tag::k_a) ? n : html::FindFirst(n, html::Tag::k_a);
    if (!a || !a->HasAttr("href")) continue;
    auto url = ResolveUrl(base, a->Attr("href"));
    if (!url || !(StartsWithIgnoreCase(*url, "http") || StartsWithIgnoreCase(*url, "file:")))
      continue;
    std::string link = url->substr(0, url->find('#'));
    if (!seen.insert(link).second) continue;
    Entry e;
    e.link = link;
    e.id = link;
    e.title = CollapseWhitespace(html::TextContent(a));
    f.entries.push_back(std::move(e));
  }
  if (f.entries.empty()) {
    f.bozo = true;
    f.bozo_exception = "no links matched \"" + std::string(link_selector) + "\"";
  }
  return f;
}

// Media RSS title and description stand in for an entry's missing title and summary.
void ApplyMediaFallbacks(Entry& e) {
  if (e.title_detail.type.empty() && !e.media_title.type.empty()) {
    e.title_detail = e.media_title;
    e.title = PlainText(e.media_title.value);
  }
  if (e.summary_detail.type.empty() && !e.media_description.type.empty()) {
    e.summary_detail = e.media_description;
    e.summary = e.media_description.value;
  }
}

// Keeps the first `max` entries (feeds list the newest first) and says so: a hostile or
// broken feed cannot make one run fetch without bound.
void CapEntries(size_t max, Feed& f) {
  if (f.entries.size() <= max) return;
  f.warnings.push_back(std::to_string(f.entries.size()) + " entries; only the first " +
                       std::to_string(max) + " are kept");
  f.entries.resize(max);
}

}  // namespace

Feed ParseFeed(std::string_view bytes, const ParseOptions& options) {
  Feed f = ParseFeedUncapped(bytes, options);
  CapEntries(options.max_entries, f);
  for (Entry& e : f.entries) ApplyMediaFallbacks(e);
  SanitizeFeedMarkup(f);
  return f;
}

Feed ParseListing(std::string_view bytes, std::string_view link_selector,
                  const ParseOptions& options) {
  Feed f = ParseListingUncapped(bytes, link_selector, options);
  CapEntries(options.max_entries, f);
  return f;
}

}  // namespace samizdat::feed
