#include "extract/metadata.h"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <vector>

#include "util/dates.h"
#include "util/json_depth.h"
#include "util/strings.h"
#include "util/url.h"

namespace samizdat::extract {
namespace {

using html::Node;
using html::Tag;
using nlohmann::json;

std::optional<std::string> NonEmpty(std::string_view s) {
  std::string c = CollapseWhitespace(s);
  if (c.empty()) return std::nullopt;
  return c;
}

bool IsArticleType(const json& type) {
  static constexpr std::string_view kTypes[] = {"Article",
                                                "NewsArticle",
                                                "BlogPosting",
                                                "ReportageNews",
                                                "AnalysisNewsArticle",
                                                "OpinionNewsArticle",
                                                "ReviewNewsArticle",
                                                "BackgroundNewsArticle",
                                                "TechArticle",
                                                "ScholarlyArticle",
                                                "Report",
                                                "LiveBlogPosting",
                                                "SocialMediaPosting",
                                                "WebPage",
                                                "MedicalWebPage",
                                                "Recipe",
                                                "HowTo",
                                                "Posting"};
  auto check = [](const json& t) {
    if (!t.is_string()) return false;
    std::string s = t.get<std::string>();
    for (auto k : kTypes)
      if (s == k) return true;
    return false;
  };
  if (type.is_array()) {
    for (const auto& t : type)
      if (check(t)) return true;
    return false;
  }
  return check(type);
}

std::string JsonString(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object()) {
    for (const char* key : {"name", "url", "@id", "contentUrl"})
      if (v.contains(key) && v[key].is_string()) return v[key].get<std::string>();
  }
  if (v.is_array() && !v.empty()) return JsonString(v[0]);
  return {};
}

std::string JsonAuthors(const json& v) {
  if (v.is_array()) {
    std::string out;
    for (const auto& a : v) {
      std::string name = JsonString(a);
      if (name.empty() || name.rfind("http", 0) == 0) continue;
      if (!out.empty()) out += ", ";
      out += name;
    }
    return out;
  }
  std::string s = JsonString(v);
  return s.rfind("http", 0) == 0 ? std::string() : s;
}

struct JsonLdFields {
  std::string headline, author, published, modified, image, publisher, type_rank;
  int rank = -1;  // prefer NewsArticle/Article over WebPage
};

void CollectJsonLd(const json& node, JsonLdFields& out, int depth) {
  if (depth > 8) return;
  if (node.is_array()) {
    for (const auto& n : node) CollectJsonLd(n, out, depth + 1);
    return;
  }
  if (!node.is_object()) return;
  if (node.contains("@graph")) CollectJsonLd(node["@graph"], out, depth + 1);
  if (!node.contains("@type") || !IsArticleType(node["@type"])) {
    if (node.contains("mainEntity")) CollectJsonLd(node["mainEntity"], out, depth + 1);
    return;
  }
  std::string type = JsonString(node["@type"]);
  int rank = (type == "WebPage" || type == "MedicalWebPage") ? 0 : 1;
  if (rank < out.rank) return;
  out.rank = rank;
  auto take = [&](std::string& field, const char* key) {
    if (node.contains(key)) {
      std::string v = JsonString(node[key]);
      if (!v.empty()) field = v;
    }
  };
  take(out.headline, "headline");
  if (out.headline.empty()) take(out.headline, "name");
  if (node.contains("author")) {
    std::string a = JsonAuthors(node["author"]);
    if (!a.empty()) out.author = a;
  }
  take(out.published, "datePublished");
  if (out.published.empty()) take(out.published, "dateCreated");
  take(out.modified, "dateModified");
  take(out.image, "image");
  if (out.image.empty()) take(out.image, "thumbnailUrl");
  if (node.contains("publisher")) {
    std::string p = JsonString(node["publisher"]);
    if (!p.empty() && p.rfind("http", 0) != 0) out.publisher = p;
  }
}

// What a page says about itself, gathered in one walk: <meta> and <link> values, the
// <title>, JSON-LD, the first <time>, the first <h1> and a dateline without markup.
struct PageSignals {
  std::string og_title, og_site, og_image, og_type, meta_author, meta_published, meta_modified,
      title_tag, canonical, description;
  JsonLdFields ld;
  std::string first_time, first_h1, dateline_text;
  int h1_count = 0;
};

// A <meta> element: the first value of each kind wins for image, author, dates and
// description; the last for og:title, og:site_name and og:type.
void ReadMeta(const Node* n, PageSignals& page) {
  std::string key = AsciiLowerCopy(n->HasAttr("property") ? n->Attr("property") : n->Attr("name"));
  if (key.empty()) key = AsciiLowerCopy(n->Attr("itemprop"));
  std::string_view content = n->Attr("content");
  if (key.empty() || TrimAscii(content).empty()) return;
  if (key == "og:title")
    page.og_title = content;
  else if (key == "og:site_name")
    page.og_site = content;
  else if ((key == "og:image" || key == "og:image:url" || key == "og:image:secure_url" ||
            key == "twitter:image") &&
           page.og_image.empty())
    page.og_image = content;
  else if (key == "og:type")
    page.og_type = content;
  else if ((key == "author" || key == "article:author" || key == "byl" || key == "dc.creator" ||
            key == "parsely-author" || key == "sailthru.author") &&
           page.meta_author.empty() && content.rfind("http", 0) != 0)
    page.meta_author = content;
  else if ((key == "article:published_time" || key == "datepublished" || key == "pubdate" ||
            key == "publishdate" || key == "publish-date" || key == "dc.date" ||
            key == "dc.date.issued" || key == "date" || key == "parsely-pub-date" ||
            key == "sailthru.date" || key == "og:published_time" || key == "article.published" ||
            key == "publication_date") &&
           page.meta_published.empty())
    page.meta_published = content;
  else if ((key == "article:modified_time" || key == "og:updated_time" || key == "datemodified" ||
            key == "last-modified") &&
           page.meta_modified.empty())
    page.meta_modified = content;
  else if ((key == "description" || key == "og:description") && page.description.empty())
    page.description = content;
}

// A <script type="application/ld+json">, folded into `ld`.
void ReadJsonLdScript(const Node* n, JsonLdFields& ld) {
  std::string type = AsciiLowerCopy(TrimAscii(n->Attr("type")));
  if (type != "application/ld+json") return;
  std::string text = html::TextContent(n);
  bool capped = false;  // a deeper value is no metadata anyone writes
  json parsed = ParseJsonWithDepthCap(text, &capped);
  if (!parsed.is_discarded()) CollectJsonLd(parsed, ld, 0);
}

// Datelines without markup: "2026年09月01日 08:30 来源：…" in a date/info block. Sets
// `dateline_text` from the first block whose class or id hints at one.
void ReadDateline(const Node* n, std::string& dateline_text) {
  if (!dateline_text.empty()) return;
  std::string hint = AsciiLowerCopy(n->Attr("class"));
  hint += " ";
  hint += AsciiLowerCopy(n->Attr("id"));
  if (hint.size() < 2) return;
  for (std::string_view key : {"date", "time", "pub", "info", "meta", "source", "byline"}) {
    if (hint.find(key) == std::string::npos) continue;
    std::string text = CollapseWhitespace(html::TextContent(n));
    if (!text.empty() && text.size() < 300) dateline_text = text;
    return;
  }
}

PageSignals CollectSignals(const Node* root) {
  PageSignals page;
  for (const Node* n = root->first_child; n; n = html::NextInTree(n, root)) {
    if (!n->IsElement()) continue;
    switch (n->tag) {
      case Tag::k_meta:
        ReadMeta(n, page);
        break;
      case Tag::k_link: {
        std::string rel = AsciiLowerCopy(n->Attr("rel"));
        if (rel == "canonical" && page.canonical.empty()) page.canonical = n->Attr("href");
        break;
      }
      case Tag::k_title:
        if (page.title_tag.empty()) page.title_tag = html::TextContent(n);
        break;
      case Tag::k_script:
        ReadJsonLdScript(n, page.ld);
        break;
      case Tag::k_time:
        if (page.first_time.empty()) {
          std::string_view dt = n->Attr("datetime");
          page.first_time = dt.empty() ? html::TextContent(n) : std::string(dt);
        }
        break;
      case Tag::k_div:
      case Tag::k_span:
      case Tag::k_p:
      case Tag::k_em:
      case Tag::k_small:
      case Tag::k_td:
        ReadDateline(n, page.dateline_text);
        break;
      case Tag::k_h1:
        if (page.h1_count++ == 0) page.first_h1 = CollapseWhitespace(html::TextContent(n));
        break;
      default:
        break;
    }
  }
  return page;
}

// Title: the article's own declared headline first; <h1> when it agrees with <title>.
std::optional<std::string> ChooseTitle(const PageSignals& page, const std::string& site) {
  std::optional<std::string> title;
  const std::string& first_h1 = page.first_h1;
  std::string cleaned_title = CleanDocumentTitle(page.title_tag, site);
  if (!page.ld.headline.empty() && page.ld.rank > 0)
    title = NonEmpty(page.ld.headline);
  else if (!page.og_title.empty())
    title = NonEmpty(CleanDocumentTitle(page.og_title, site));
  else if (!first_h1.empty() && page.h1_count == 1)
    title = first_h1;
  else if (!cleaned_title.empty())
    title = NonEmpty(cleaned_title);
  else if (!first_h1.empty())
    title = first_h1;
  // Prefer the visible <h1> when it is the same story with the site label stripped.
  if (title && !first_h1.empty() && first_h1 != *title && ContainsIgnoreCase(*title, first_h1) &&
      Utf8Length(first_h1) * 2 > Utf8Length(*title))
    title = first_h1;
  return title;
}

// The first candidate that reads as a date, normalised; nullopt when none does.
std::optional<std::string> FirstDate(std::initializer_list<const std::string*> candidates,
                                     int default_offset_minutes) {
  for (const std::string* candidate : candidates) {
    if (candidate->empty()) continue;
    if (auto d = NormalizeDate(*candidate, default_offset_minutes)) return *d;
  }
  return std::nullopt;
}

}  // namespace

std::string CleanDocumentTitle(std::string_view title, std::string_view site_name) {
  std::string t = CollapseWhitespace(title);
  static constexpr std::string_view kSeparators[] = {" | ",  " - ", " – ", " — ", " _ ",
                                                     " :: ", " » ", "｜",  "_",   " · "};
  for (auto sep : kSeparators) {
    size_t pos = t.rfind(sep);
    if (pos == std::string::npos) continue;
    std::string first = CollapseWhitespace(t.substr(0, pos));
    std::string last = CollapseWhitespace(t.substr(pos + sep.size()));
    if (!site_name.empty()) {
      if (ContainsIgnoreCase(last, site_name) || ContainsIgnoreCase(site_name, last)) return first;
      if (ContainsIgnoreCase(first, site_name) || ContainsIgnoreCase(site_name, first)) return last;
    }
    // Without a known site name, drop the shorter side only when it is clearly a label.
    if (Utf8Length(last) * 2 < Utf8Length(first) && Utf8Length(first) >= 10) {
      return first;
    }
  }
  return t;
}

Metadata ExtractMetadata(const html::Document& doc, std::string_view page_url,
                         int default_offset_minutes) {
  Metadata md;
  if (const Node* h = doc.html()) {
    std::string lang(TrimAscii(h->Attr("lang")));
    if (lang.empty()) lang = std::string(TrimAscii(h->Attr("xml:lang")));
    if (!lang.empty()) md.lang = lang;
  }
  PageSignals page = CollectSignals(doc.root());
  const JsonLdFields& ld = page.ld;

  if (!page.og_site.empty())
    md.site_name = NonEmpty(page.og_site);
  else if (!ld.publisher.empty())
    md.site_name = NonEmpty(ld.publisher);
  md.title = ChooseTitle(page, md.site_name.value_or(""));

  if (!ld.author.empty())
    md.byline = NonEmpty(ld.author);
  else if (!page.meta_author.empty())
    md.byline = NonEmpty(page.meta_author);

  md.published =
      FirstDate({&ld.published, &page.meta_published, &page.first_time}, default_offset_minutes);
  if (!md.published && !page.dateline_text.empty()) {
    if (auto d = FindDateInText(page.dateline_text, default_offset_minutes)) md.published = *d;
  }
  md.modified = FirstDate({&ld.modified, &page.meta_modified}, default_offset_minutes);
  if (!page.canonical.empty()) {
    if (auto u = ResolveUrl(page_url, page.canonical)) md.canonical_url = *u;
  }
  std::string image = !page.og_image.empty() ? page.og_image : ld.image;
  if (!image.empty()) {
    if (auto u = ResolveUrl(md.canonical_url.value_or(std::string(page_url)), image))
      md.image_url = *u;
  }
  if (!page.description.empty()) md.description = NonEmpty(page.description);
  return md;
}

}  // namespace samizdat::extract
