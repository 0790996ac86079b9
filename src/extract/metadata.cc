#include "extract/metadata.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <vector>

#include "html/parser.h"
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
  // Every <h1> outside the page chrome (header, nav, footer, aside, logo), in page order.
  std::vector<std::string> article_h1s;
  // Every <h1>, page chrome included (a logo heading names the site), in page order.
  std::vector<std::string> all_h1s;
};

// Whether `e` holds a <nav>: the mark of a site header rather than an article header.
bool HoldsNav(const Node* e) {
  for (const Node* n = e->first_child; n; n = html::NextInTree(n, e))
    if (n->Is(Tag::k_nav)) return true;
  return false;
}

// Whether an element sits in the page chrome rather than the article: inside a header,
// nav, footer or aside that is not itself inside an <article>, or in a logo/branding block.
bool InPageChrome(const Node* n) {
  for (const Node* p = n->parent; p && p->IsElement(); p = p->parent) {
    if (p->Is(Tag::k_body) || p->Is(Tag::k_html)) return false;  // classes there name the page
    if (p->Is(Tag::k_article) || p->Is(Tag::k_main)) return false;
    if (p->Is(Tag::k_nav) || p->Is(Tag::k_footer) || p->Is(Tag::k_aside)) return true;
    std::string hint = AsciiLowerCopy(p->Attr("class"));
    hint += ' ';
    hint += AsciiLowerCopy(p->Attr("id"));
    for (std::string_view word : {"logo", "brand", "masthead", "site-title", "site-name", "menu"})
      if (hint.find(word) != std::string::npos) return true;
    if (p->Is(Tag::k_header) && HoldsNav(p)) return true;
  }
  return false;
}

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
      case Tag::k_h1: {
        std::string text = CollapseWhitespace(html::TextContent(n));
        if (page.h1_count++ == 0) page.first_h1 = text;
        if (!text.empty() && page.all_h1s.size() < 8) page.all_h1s.push_back(text);
        if (!text.empty() && page.article_h1s.size() < 8 && !InPageChrome(n))
          page.article_h1s.push_back(std::move(text));
        break;
      }
      default:
        break;
    }
  }
  return page;
}

// Decodes character references left in a value escaped twice ("M&#038;A" in JSON-LD or
// og:title): the parser decodes once, but many publishing systems encode twice.
std::string DecodeLeftoverReferences(std::string_view s) {
  std::string text = CollapseWhitespace(s);
  size_t amp = text.find('&');
  if (amp == std::string::npos || text.find(';', amp) == std::string::npos) return text;
  std::string escaped = ReplaceAll(ReplaceAll(text, "<", "&lt;"), ">", "&gt;");
  auto fragment = html::ParseHtml(escaped);
  const Node* body = fragment->body();
  return body ? CollapseWhitespace(html::TextContent(body)) : text;
}

// Lower-cased words of a title: runs of ASCII letters and digits, and each non-ASCII
// character on its own (so Chinese titles compare by characters).
std::vector<std::string> TitleWords(std::string_view s) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (std::isalnum(c))
        word.push_back(AsciiLower(static_cast<char>(c)));
      else
        flush();
      ++i;
      continue;
    }
    flush();
    size_t begin = i;
    char32_t cp = DecodeUtf8(s, i);
    if (cp != 0xA0 && cp != 0x3000 && !(cp >= 0x2000 && cp <= 0x206F) &&
        !(cp >= 0x3000 && cp <= 0x303F) && !(cp >= 0xFF00 && cp <= 0xFF0F))
      words.emplace_back(s.substr(begin, i - begin));
  }
  flush();
  return words;
}

// Dice coefficient of the two titles' word multisets: 1 for the same words, 0 for none
// shared.
double TitleSimilarity(std::string_view a, std::string_view b) {
  std::vector<std::string> wa = TitleWords(a), wb = TitleWords(b);
  if (wa.empty() || wb.empty()) return 0;
  std::sort(wa.begin(), wa.end());
  std::sort(wb.begin(), wb.end());
  std::vector<std::string> common;
  std::set_intersection(wa.begin(), wa.end(), wb.begin(), wb.end(), std::back_inserter(common));
  return 2.0 * static_cast<double>(common.size()) / static_cast<double>(wa.size() + wb.size());
}

bool SameWordsIgnoringCase(std::string_view a, std::string_view b) {
  return TitleWords(a) == TitleWords(b);
}

// The declared titles, site label removed and references decoded, best first: the
// JSON-LD headline of an article, og:title, <title>.
std::vector<std::string> DeclaredTitles(const PageSignals& page, const std::string& site) {
  std::vector<std::string> titles;
  auto add = [&](const std::string& raw, bool strip_site) {
    if (raw.empty()) return;
    std::string decoded = DecodeLeftoverReferences(raw);
    std::string t = strip_site ? CleanDocumentTitle(decoded, site) : decoded;
    if (!t.empty()) titles.push_back(std::move(t));
  };
  if (page.ld.rank > 0) add(page.ld.headline, false);
  add(page.og_title, true);
  add(page.title_tag, true);
  return titles;
}

// Where site labels are split off titles, most specific first.
constexpr std::string_view kTitleSeparators[] = {" | ", " - ", " – ", " — ", " _ ", " :: ", " » ",
                                                 "｜",  "_",   " · ", " • ", "--",  "|",    "-"};

// The last place `sep` splits `t`, or npos. Separators written without spaces ("-", "|",
// "--") split only between non-ASCII characters, as Chinese titles write them ("新闻-新华网"),
// never inside words like "COVID-19".
size_t FindSeparator(const std::string& t, std::string_view sep) {
  bool bare = sep.front() != ' ' && static_cast<unsigned char>(sep.front()) < 0x80 && sep != "_";
  for (size_t pos = t.rfind(sep); pos != std::string::npos && pos > 0;
       pos = t.rfind(sep, pos - 1)) {
    if (!bare) return pos;
    size_t after = pos + sep.size();
    if (after < t.size() && static_cast<unsigned char>(t[pos - 1]) >= 0x80 &&
        static_cast<unsigned char>(t[after]) >= 0x80)
      return pos;
  }
  return std::string::npos;
}

// Whether a heading names the site rather than the story: it repeats the site name, or it
// is a label that CleanDocumentTitle strips from the <title> ("Story | Heading").
// Where `raw` (a <title>) splits off a label that `heading` spells nearly but the story
// part does not resemble: the site's name ("山西省人民政府网站" beside
// "Story - 山西省人民政府门户网站"). npos when there is none.
size_t NamedLabelStart(const std::string& heading, const std::string& raw) {
  for (auto sep : kTitleSeparators) {
    size_t pos = FindSeparator(raw, sep);
    if (pos == std::string::npos) continue;
    std::string before = raw.substr(0, pos), after = raw.substr(pos + sep.size());
    if (TitleSimilarity(heading, after) >= 0.6 && TitleSimilarity(heading, before) < 0.5)
      return pos;
  }
  return std::string::npos;
}

// `raw` is the page's <title>, references decoded.
bool IsSiteLabel(const std::string& heading, const std::string& raw, const std::string& site) {
  if (!site.empty() && SameWordsIgnoringCase(heading, site)) return true;
  if (ContainsIgnoreCase(raw, heading))
    return !ContainsIgnoreCase(CleanDocumentTitle(raw, site), heading);
  return NamedLabelStart(heading, raw) != std::string::npos;
}

// The <title> without a label that a heading of the page names as the site, when one
// does; else `raw`.
std::string WithoutNamedLabel(const PageSignals& page, const std::string& raw) {
  for (const std::string& h1 : page.all_h1s) {
    size_t pos = NamedLabelStart(DecodeLeftoverReferences(h1), raw);
    if (pos != std::string::npos) return CollapseWhitespace(raw.substr(0, pos));
  }
  return raw;
}

// The page's <h1>s outside the page chrome that could be the article's title: references
// decoded, one-word labels ("Menu") and site names left out.
std::vector<std::string> StoryHeadings(const PageSignals& page, const std::string& raw_title,
                                       const std::string& site) {
  std::vector<std::string> headings;
  for (const std::string& raw : page.article_h1s) {
    std::string h1 = DecodeLeftoverReferences(raw);
    if (TitleWords(h1).size() < 2 || IsSiteLabel(h1, raw_title, site)) continue;
    headings.push_back(std::move(h1));
  }
  return headings;
}

// The heading that agrees best with a declared title (most words shared), or "" when none
// agrees.
std::string MatchingHeading(const std::vector<std::string>& headings,
                            const std::vector<std::string>& declared) {
  std::string best;
  double best_score = 0.5;  // below this the heading tells another story
  for (const std::string& h1 : headings) {
    for (const std::string& t : declared) {
      double score = TitleSimilarity(h1, t);
      if (score > best_score) {
        best_score = score;
        // Same words in another case ("TIPS FOR…" styled in capitals): the declared
        // spelling is the one the author typed.
        best = SameWordsIgnoringCase(h1, t) ? t : h1;
      }
    }
  }
  return best;
}

// Title, after what readers see: the article's own <h1> when it agrees with a declared
// title (JSON-LD headline, og:title or <title>, site label removed), else a lone <h1> in
// the article (editors often retitle the page for search engines only), else the declared
// headline, og:title and <title> in that order.
std::optional<std::string> ChooseTitle(const PageSignals& page, const std::string& site) {
  std::vector<std::string> declared = DeclaredTitles(page, site);
  const std::string raw_title = DecodeLeftoverReferences(page.title_tag);
  std::vector<std::string> headings = StoryHeadings(page, raw_title, site);
  std::string heading = MatchingHeading(headings, declared);
  if (!heading.empty()) return heading;
  if (headings.size() == 1 && TitleWords(headings[0]).size() >= 3) return headings[0];
  std::optional<std::string> title;
  if (!page.ld.headline.empty() && page.ld.rank > 0)
    title = NonEmpty(DecodeLeftoverReferences(page.ld.headline));
  else if (!page.og_title.empty())
    title = NonEmpty(CleanDocumentTitle(DecodeLeftoverReferences(page.og_title), site));
  std::string first_h1 = DecodeLeftoverReferences(page.first_h1);
  if (!title && page.h1_count == 1 && !IsSiteLabel(first_h1, raw_title, site))
    title = NonEmpty(first_h1);
  if (!title && !page.title_tag.empty())
    title = NonEmpty(CleanDocumentTitle(WithoutNamedLabel(page, raw_title), site));
  if (!title) title = NonEmpty(first_h1);
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

namespace {

// One step of CleanDocumentTitle: the title without its last (or first) label, or the
// title itself when no separator splits off a label.
// Words of a label, a CJK word taken as two characters ("社会新闻" is two words).
size_t LabelWords(std::string_view label) {
  size_t words = 0, cjk = 0;
  for (const std::string& w : TitleWords(label)) {
    if (static_cast<unsigned char>(w[0]) >= 0x80)
      ++cjk;
    else
      ++words;
  }
  return words + (cjk + 1) / 2;
}

// `max_label_words` bounds a label dropped without the site name to vouch for it.
std::string StripOneLabel(const std::string& t, std::string_view site_name,
                          size_t max_label_words) {
  for (auto sep : kTitleSeparators) {
    size_t pos = FindSeparator(t, sep);
    if (pos == std::string::npos) continue;
    std::string first = CollapseWhitespace(t.substr(0, pos));
    std::string last = CollapseWhitespace(t.substr(pos + sep.size()));
    if (first.empty() || last.empty()) continue;
    if (!site_name.empty()) {
      if (ContainsIgnoreCase(last, site_name) || ContainsIgnoreCase(site_name, last)) return first;
      if (ContainsIgnoreCase(first, site_name) || ContainsIgnoreCase(site_name, first)) return last;
    }
    // Without a known site name, drop the shorter side only when it is clearly a label.
    if (Utf8Length(last) * 2 < Utf8Length(first) && Utf8Length(first) >= 10 &&
        LabelWords(last) <= max_label_words)
      return first;
  }
  return t;
}

}  // namespace

std::string CleanDocumentTitle(std::string_view title, std::string_view site_name) {
  // Labels stack up: "Story | Section | Site", "标题_新闻_网站". Past the first, only
  // the site name or a one- or two-word section label goes, so "Story – tips and tricks"
  // keeps its second half.
  std::string t = CollapseWhitespace(title);
  for (int i = 0; i < 3; ++i) {
    std::string stripped = StripOneLabel(t, site_name, i == 0 ? SIZE_MAX : 2);
    if (stripped == t) break;
    t = std::move(stripped);
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
