#include "extract/extract.h"

#include <cstring>

#include <utility>

#include "extract/generic.h"
#include "extract/images.h"
#include "extract/lead_figure.h"
#include "extract/metadata.h"
#include "html/parser.h"
#include "html/selector.h"
#include "util/dates.h"
#include "util/strings.h"
#include "util/url.h"

namespace samizdat::extract {
namespace {

using html::Document;
using html::Node;
using html::Tag;

// Text of `n`, or of its content/datetime attribute for <meta>/<time>-like elements.
std::string SelectedText(const Node* n) {
  if (n->Is(Tag::k_meta)) return std::string(n->Attr("content"));
  if (n->Is(Tag::k_time) && n->HasAttr("datetime")) return std::string(n->Attr("datetime"));
  return CollapseWhitespace(html::TextContent(n));
}

std::string EffectiveBase(const Document& doc, const std::string& page_url) {
  if (Node* head = doc.head()) {
    for (Node* n = head->first_child; n; n = n->next_sibling) {
      if (n->Is(Tag::k_base) && n->HasAttr("href")) {
        if (auto u = ResolveUrl(page_url, n->Attr("href"))) return *u;
        break;
      }
    }
  }
  return page_url;
}

// Moves the children of `from` into a fresh <div>, which becomes the article body.
Node* AdoptChildren(Document& doc, Node* from) {
  Node* container = doc.CreateElement(Tag::k_div);
  while (Node* c = from->first_child) doc.AppendChild(container, c);
  return container;
}

bool ApplyProfile(Article& a, Document& doc, const Profile& p, int tz_offset) {
  Node* root = doc.root();
  if (p.title) {
    if (Node* t = html::SelectFirst(root, *p.title)) {
      std::string text = SelectedText(t);
      if (!text.empty()) a.title = text;
    }
  }
  if (p.byline) {
    if (Node* b = html::SelectFirst(root, *p.byline)) {
      std::string text = SelectedText(b);
      if (!text.empty()) a.byline = text;
    }
  }
  if (p.date) {
    if (Node* d = html::SelectFirst(root, *p.date)) {
      if (auto norm = NormalizeDate(SelectedText(d), tz_offset)) a.published = *norm;
    }
  }
  if (p.lead_image) {
    if (Node* img = html::SelectFirst(root, *p.lead_image)) {
      std::string src = BestImageSource(img);
      if (auto abs = ResolveUrl(a.base_url, src)) {
        LeadImage li;
        li.src = *abs;
        li.alt = CollapseWhitespace(img->Attr("alt"));
        if (p.caption) {
          if (Node* cap = html::SelectFirst(root, *p.caption)) li.caption = SelectedText(cap);
        }
        a.lead_image = li;
      }
    }
  }
  if (!p.body) return false;
  Node* body = html::SelectFirst(root, *p.body);
  if (!body) {
    a.warnings.push_back("profile " + p.name + ": body selector \"" + p.body->text() +
                         "\" matched nothing");
    return false;
  }
  // Each removal on its own: one missing element never skips the others.
  for (const auto& sel : p.remove) {
    for (Node* n : html::SelectAll(body, sel)) doc.Remove(n);
  }
  if (!p.remove_containing.empty()) {
    std::vector<Node*> doomed;
    for (Node* n = body->first_child; n; n = html::NextInTree(n, body)) {
      if (!n->IsElement() || !html::IsBlockTag(n->tag)) continue;
      std::string text = html::TextContent(n);
      for (const auto& needle : p.remove_containing) {
        if (text.find(needle) != std::string::npos && text.size() < needle.size() * 4 + 200) {
          doomed.push_back(n);
          break;
        }
      }
    }
    for (Node* n : doomed) doc.Remove(n);
  }
  a.body = AdoptChildren(doc, body);
  return true;
}

// The generic path's lead image: the captioned image found at the article, else the
// declared image (og:image, JSON-LD) without caption.
std::optional<LeadImage> ChooseLeadImage(const Article& a, const std::optional<LeadFigure>& lead,
                                         const std::optional<std::string>& declared_image) {
  if (lead) {
    if (auto abs = ResolveUrl(a.base_url, lead->src))
      return LeadImage{*abs, lead->alt.empty() ? a.title.value_or("") : lead->alt, lead->caption};
  }
  if (declared_image) return LeadImage{*declared_image, a.title.value_or(""), ""};
  return std::nullopt;
}

// Removes from the body the caption element that repeats the lead image's caption (the
// caption is shown with the lead image).
void DropLeadCaption(Article& a) {
  if (!a.lead_image || a.lead_image->caption.empty() || !a.body) return;
  for (Node* n = a.body->first_child; n; n = html::NextInTree(n, a.body)) {
    if (IsCaptionElement(n) && CollapseWhitespace(html::TextContent(n)) == a.lead_image->caption) {
      a.doc->Remove(n);
      return;
    }
  }
}

// Drops from the body an image that is the lead image (it is shown above the body).
void DropDuplicateLeadImage(Article& a) {
  if (!a.lead_image || !a.body) return;
  std::string lead_stem = UrlFileStem(a.lead_image->src);
  for (Node* n = a.body->first_child; n; n = html::NextInTree(n, a.body)) {
    if (!n->Is(Tag::k_img)) continue;
    auto abs = ResolveUrl(a.base_url, BestImageSource(n));
    if (abs &&
        (*abs == a.lead_image->src || (!lead_stem.empty() && UrlFileStem(*abs) == lead_stem))) {
      // Remove the image's figure wrapper too when it only holds this image and a caption.
      Node* target = n;
      if (n->parent && n->parent->Is(Tag::k_figure)) target = n->parent;
      a.doc->Remove(target);
      return;
    }
  }
}

Article Run(std::string utf8, const ExtractOptions& options, Article a) {
  const ProfileSet& profiles = options.profiles ? *options.profiles : ProfileSet::BuiltIn();
  const Profile* profile = nullptr;
  if (!options.profile_name.empty() && options.profile_name != "generic") {
    profile = profiles.Find(options.profile_name);
    if (!profile) profile = ProfileSet::BuiltIn().Find(options.profile_name);
    if (!profile)
      a.warnings.push_back("unknown profile \"" + options.profile_name + "\"; using generic");
  }
  a.doc = html::ParseHtml(utf8);
  Document& doc = *a.doc;
  for (const auto& w : doc.parse_warnings()) a.warnings.push_back(w);

  Metadata probe = ExtractMetadata(doc, options.url, 0);
  std::string page_url = options.url;
  if (page_url.empty() && probe.canonical_url) page_url = *probe.canonical_url;
  if (!page_url.empty()) a.url = page_url;
  a.base_url = EffectiveBase(doc, page_url);
  if (!profile && options.profile_name != "generic" && !page_url.empty())
    profile = profiles.Match(page_url);
  int tz = profile && profile->timezone_offset_minutes ? *profile->timezone_offset_minutes : 0;
  Metadata md = tz == 0 ? std::move(probe) : ExtractMetadata(doc, options.url, tz);

  a.title = md.title;
  a.byline = md.byline;
  a.site_name = md.site_name;
  a.lang = md.lang;
  a.published = md.published;
  a.modified = md.modified;
  a.id = profile ? profile->ArticleId(page_url) : DefaultArticleId(page_url);

  bool done = false;
  if (profile) {
    a.profile = profile->name;
    done = ApplyProfile(a, doc, *profile, tz);
    if (!done && !profile->generic_fallback) {
      a.warnings.push_back("no article found");
      return a;
    }
  }
  if (!done) {
    if (!profile)
      a.profile = "generic";
    else
      a.warnings.push_back("profile " + profile->name + " fell back to the generic extractor");
    GenericOptions g;
    g.title = a.title.value_or("");
    g.declared_image = md.image_url.value_or("");
    GenericResult r = ExtractGeneric(doc, g);
    // Like Readability: when too little text survives, retry with the heuristics relaxed
    // (on a fresh parse, since the first pass removed nodes) and keep the longest result.
    if (r.text_weight < 500) {
      GenericOptions relaxed[] = {g, g, g};
      relaxed[0].strip_unlikely = false;
      relaxed[1].strip_unlikely = false;
      relaxed[1].weigh_classes = false;
      relaxed[2].strip_unlikely = false;
      relaxed[2].weigh_classes = false;
      relaxed[2].clean_conditionally = false;
      for (const auto& opt : relaxed) {
        auto retry_doc = html::ParseHtml(utf8);
        GenericResult rr = ExtractGeneric(*retry_doc, opt);
        if (rr.content && rr.text_weight > r.text_weight * 1.5 + 50) {
          a.doc = std::move(retry_doc);
          r = rr;
        }
        if (r.text_weight >= 500) break;
      }
    }
    a.body = r.content;
    if (!a.body) {
      a.warnings.push_back("no article found");
    } else if (!a.lead_image) {
      a.lead_image = ChooseLeadImage(a, r.lead, md.image_url);
    }
  }
  if (a.lead_image && a.lead_image->alt.empty() && a.title) a.lead_image->alt = *a.title;
  DropDuplicateLeadImage(a);
  DropLeadCaption(a);
  return a;
}

// Real HTML in any charset has almost no C0 control bytes (ESC is used by ISO-2022-JP);
// images, archives and executables are full of them.
// A control character that text does not contain (whitespace and ESC excepted).
bool IsControlByte(char ch) {
  unsigned char c = static_cast<unsigned char>(ch);
  return c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1B;
}

bool LooksBinary(std::string_view bytes) {
  if (bytes.size() >= 2 &&
      ((bytes[0] == '\xFF' && bytes[1] == '\xFE') || (bytes[0] == '\xFE' && bytes[1] == '\xFF')))
    return false;  // UTF-16 with a byte-order mark
  std::string_view sample = bytes.substr(0, std::min<size_t>(bytes.size(), 64 * 1024));
  size_t controls = 0;
  size_t i = 0;
  // Eight bytes at a time: a word with no byte below 0x20 (most of any text) is skipped
  // without looking at its bytes.
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  for (; i + 8 <= sample.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, sample.data() + i, 8);
    if (((word - kOnes * 0x20) & ~word & kHighs) == 0) continue;
    for (size_t k = i; k < i + 8; ++k) controls += IsControlByte(sample[k]);
  }
  for (; i < sample.size(); ++i) controls += IsControlByte(sample[i]);
  return controls > 8 && controls * 100 > sample.size();
}

}  // namespace

Article Extract(std::string_view bytes, const ExtractOptions& options) {
  Article a;
  if (LooksBinary(bytes)) {
    a.url = options.url.empty() ? std::nullopt : std::optional<std::string>(options.url);
    a.warnings.push_back("input looks like binary data, not HTML");
    a.warnings.push_back("no article found");
    return a;
  }
  if (bytes.size() > options.max_input_bytes) {
    a.warnings.push_back("input is " + std::to_string(bytes.size()) + " bytes; only the first " +
                         std::to_string(options.max_input_bytes) + " were read");
    bytes = bytes.substr(0, options.max_input_bytes);
  }
  html::DecodedHtml decoded = html::DecodeHtml(bytes, options.http_charset);
  a.charset = decoded.decision;
  for (auto& w : decoded.warnings) a.warnings.push_back(std::move(w));
  return Run(std::move(decoded.utf8), options, std::move(a));
}

Article ExtractUtf8(std::string utf8, const ExtractOptions& options) {
  Article a;
  a.charset.charset = "UTF-8";
  a.charset.source = "caller";
  if (utf8.size() > options.max_input_bytes) {
    a.warnings.push_back("input truncated to " + std::to_string(options.max_input_bytes) +
                         " bytes");
    utf8.resize(options.max_input_bytes);
  }
  return Run(std::move(utf8), options, std::move(a));
}

}  // namespace samizdat::extract
