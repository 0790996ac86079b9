#include "clean/clean.h"

#include <vector>

#include "extract/generic.h"
#include "extract/images.h"
#include "util/strings.h"
#include "util/url.h"

namespace samizdat::clean {
namespace {

using html::Document;
using html::Node;
using html::Tag;

enum class Action { kKeep, kUnwrap, kRemove, kToDiv };

// Content elements, kept with their (allow-listed) attributes.
bool IsContentTag(Tag tag) {
  switch (tag) {
    case Tag::k_p:
    case Tag::k_div:
    case Tag::k_a:
    case Tag::k_img:
    case Tag::k_figure:
    case Tag::k_figcaption:
    case Tag::k_h1:
    case Tag::k_h2:
    case Tag::k_h3:
    case Tag::k_h4:
    case Tag::k_h5:
    case Tag::k_h6:
    case Tag::k_ul:
    case Tag::k_ol:
    case Tag::k_li:
    case Tag::k_dl:
    case Tag::k_dt:
    case Tag::k_dd:
    case Tag::k_blockquote:
    case Tag::k_pre:
    case Tag::k_code:
    case Tag::k_em:
    case Tag::k_strong:
    case Tag::k_b:
    case Tag::k_i:
    case Tag::k_u:
    case Tag::k_s:
    case Tag::k_sub:
    case Tag::k_sup:
    case Tag::k_br:
    case Tag::k_hr:
    case Tag::k_table:
    case Tag::k_thead:
    case Tag::k_tbody:
    case Tag::k_tfoot:
    case Tag::k_tr:
    case Tag::k_th:
    case Tag::k_td:
    case Tag::k_caption:
    case Tag::k_small:
    case Tag::k_mark:
    case Tag::k_q:
    case Tag::k_cite:
    case Tag::k_abbr:
    case Tag::k_time:
    case Tag::k_del:
    case Tag::k_ins:
    case Tag::k_kbd:
    case Tag::k_var:
    case Tag::k_samp:
    case Tag::k_ruby:
    case Tag::k_rt:
    case Tag::k_rp:
      return true;
    default:
      return false;
  }
}

// Scripts, embeds, forms, media and navigation: removed with everything inside.
bool IsRemovedTag(Tag tag) {
  switch (tag) {
    case Tag::k_script:
    case Tag::k_style:
    case Tag::k_noscript:
    case Tag::k_iframe:
    case Tag::k_object:
    case Tag::k_embed:
    case Tag::k_form:
    case Tag::k_input:
    case Tag::k_button:
    case Tag::k_select:
    case Tag::k_textarea:
    case Tag::k_option:
    case Tag::k_optgroup:
    case Tag::k_svg:
    case Tag::k_canvas:
    case Tag::k_template:
    case Tag::k_link:
    case Tag::k_meta:
    case Tag::k_title:
    case Tag::k_head:
    case Tag::k_base:
    case Tag::k_video:
    case Tag::k_audio:
    case Tag::k_source:
    case Tag::k_track:
    case Tag::k_dialog:
    case Tag::k_map:
    case Tag::k_math:
    case Tag::k_frame:
    case Tag::k_frameset:
    case Tag::k_param:
    case Tag::k_nav:
    case Tag::k_aside:
    case Tag::k_label:
    case Tag::k_fieldset:
    case Tag::k_legend:
    case Tag::k_output:
    case Tag::k_progress:
    case Tag::k_meter:
    case Tag::k_wbr:
      return true;
    default:
      return false;
  }
}

Action ActionFor(const Node* e) {
  if (IsContentTag(e->tag)) return Action::kKeep;
  if (IsRemovedTag(e->tag)) return Action::kRemove;
  switch (e->tag) {
    case Tag::k_section:
    case Tag::k_article:
    case Tag::k_main:
    case Tag::k_header:
    case Tag::k_footer:
    case Tag::k_center:
    case Tag::k_address:
    case Tag::k_details:
    case Tag::k_summary:
    case Tag::k_hgroup:
      return Action::kToDiv;
    case Tag::kUnknown: {
      std::string_view n = e->name;
      for (std::string_view bad : {"widget", "share", "social", "-ad", "ad-", "related",
                                   "recommend", "newsletter", "tweet", "embed", "player"})
        if (n.find(bad) != std::string_view::npos) return Action::kRemove;
      return Action::kUnwrap;
    }
    default:  // span, font, picture (handled earlier), body, html, bdi, ...
      return Action::kUnwrap;
  }
}

// Ad slots and share/related/newsletter widgets, by class and id words.
bool IsAdOrWidget(const Node* e) {
  std::string hint = AsciiLowerCopy(e->Attr("class"));
  hint.push_back(' ');
  hint += AsciiLowerCopy(e->Attr("id"));
  for (std::string_view word : SplitAsciiSpace(hint)) {
    size_t i = 0;
    while (i <= word.size()) {
      size_t j = word.find_first_of("-_", i);
      if (j == std::string_view::npos) j = word.size();
      std::string_view part = word.substr(i, j - i);
      if (extract::IsWidgetWord(part)) return true;
      i = j + 1;
    }
  }
  return false;
}

bool KeepAttr(Tag tag, std::string_view name) {
  switch (tag) {
    case Tag::k_a:
      return name == "href";
    case Tag::k_img:
      return name == "src" || name == "alt" || name == "title";
    case Tag::k_td:
    case Tag::k_th:
      return name == "colspan" || name == "rowspan";
    case Tag::k_ol:
      return name == "start" || name == "reversed";
    case Tag::k_time:
      return name == "datetime";
    case Tag::k_abbr:
      return name == "title";
    default:
      return false;
  }
}

bool HasImage(const Node* e) {
  if (e->Is(Tag::k_img)) return true;
  for (const Node* n = e->first_child; n; n = html::NextInTree(n, e))
    if (n->Is(Tag::k_img)) return true;
  return false;
}

bool HasVisibleText(const Node* e) {
  for (const Node* n = e->first_child; n; n = html::NextInTree(n, e))
    if (n->IsText() && !TrimUnicode(n->data).empty()) return true;
  return false;
}

// Substantial prose: a container named "share-btn" that holds the article is not a widget.
bool HoldsProse(const Node* e) {
  std::string text = html::TextContent(e);
  return extract::WeightedTextLength(text) > 600;
}

// <noscript> next to a lazy <img>: the noscript copy has the real source.
void ResolveNoscriptImages(Document& doc, Node* body, CleanStats& stats) {
  std::vector<Node*> noscripts;
  for (Node* n = body->first_child; n; n = html::NextInTree(n, body))
    if (n->Is(Tag::k_noscript)) noscripts.push_back(n);
  for (Node* ns : noscripts) {
    Node* img = html::FindFirst(ns, Tag::k_img);
    if (!img) continue;
    // A lazy twin just before the noscript (possibly wrapped) gets replaced.
    Node* prev = ns->prev_sibling;
    while (prev && prev->IsText() && TrimAscii(prev->data).empty()) prev = prev->prev_sibling;
    Node* twin = nullptr;
    if (prev && prev->Is(Tag::k_img))
      twin = prev;
    else if (prev && prev->IsElement())
      twin = html::FindFirst(prev, Tag::k_img);
    if (twin) {
      doc.InsertBefore(twin->parent, img, twin);
      doc.Remove(twin);
      ++stats.images_resolved;
    } else {
      doc.InsertBefore(ns->parent, img, ns);
    }
  }
}

// <picture>: keep one <img> with the best source.
void ResolvePictures(Document& doc, Node* body) {
  std::vector<Node*> pictures;
  for (Node* n = body->first_child; n; n = html::NextInTree(n, body))
    if (n->Is(Tag::k_picture)) pictures.push_back(n);
  for (Node* pic : pictures) {
    Node* img = html::FindFirst(pic, Tag::k_img);
    std::string best = img ? extract::BestImageSource(img) : std::string();
    if (best.empty()) {
      for (Node* s = pic->first_child; s; s = s->next_sibling) {
        if (!s->Is(Tag::k_source)) continue;
        best = extract::WidestSrcsetCandidate(s->Attr("srcset"));
        if (best.empty()) best = extract::WidestSrcsetCandidate(s->Attr("data-srcset"));
        if (!best.empty()) break;
      }
    }
    if (!pic->parent) continue;
    if (!img) {
      if (best.empty()) {
        doc.Remove(pic);
        continue;
      }
      img = doc.CreateElement(Tag::k_img);
    }
    if (!best.empty()) doc.SetAttr(img, "src", best);
    doc.InsertBefore(pic->parent, img, pic);
    doc.Remove(pic);
  }
}

void CollapseText(Document& doc, Node* text) {
  std::string_view d = text->data;
  // U+FFFD in the page itself (a corrupted source) carries nothing; decoding problems
  // are reported by the charset stage.
  if (d.find("\xEF\xBF\xBD") != std::string_view::npos) {
    text->data = doc.Intern(ReplaceAll(std::string(d), "\xEF\xBF\xBD", ""));
    d = text->data;
  }
  bool needs = false;
  for (size_t i = 0; i < d.size(); ++i) {
    char c = d[i];
    if (c == '\n' || c == '\t' || c == '\r' || c == '\f' ||
        (c == ' ' && i + 1 < d.size() && d[i + 1] == ' ')) {
      needs = true;
      break;
    }
  }
  if (!needs) return;
  text->data = doc.Intern(CollapseAsciiWhitespace(d));
}

// CJK characters and the full-width punctuation written between them.
bool IsCjkContext(char32_t cp) {
  return IsCjk(cp) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF) ||
         cp == 0x201C || cp == 0x201D;
}

char32_t FirstChar(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    char32_t cp = DecodeUtf8(s, i);
    if (!(cp == ' ' || cp == '\n' || cp == '\t' || cp == '\r')) return cp;
  }
  return 0;
}

char32_t LastChar(std::string_view s) {
  char32_t last = 0;
  size_t i = 0;
  while (i < s.size()) {
    char32_t cp = DecodeUtf8(s, i);
    if (!(cp == ' ' || cp == '\n' || cp == '\t' || cp == '\r')) last = cp;
  }
  return last;
}

// CSS Text 3 segment-break transformation: a line break (with its surrounding spaces)
// between two CJK characters disappears instead of becoming a space, so source markup
// that wraps "的\n<a>地铁</a>" reads "的地铁", not "的 地铁" (the seed's defect 2).
void RemoveCjkSegmentBreaks(Document& doc, Node* body) {
  std::vector<Node*> texts;
  Node* n = body->first_child;
  while (n) {
    if (n->Is(Tag::k_pre)) {  // preformatted text keeps its line breaks
      n = html::NextSkippingChildren(n, body);
      continue;
    }
    if (n->IsText()) texts.push_back(n);
    n = html::NextInTree(n, body);
  }
  for (size_t k = 0; k < texts.size(); ++k) {
    std::string_view d = texts[k]->data;
    if (d.find('\n') == std::string_view::npos) continue;
    std::string out;
    out.reserve(d.size());
    size_t i = 0;
    char32_t prev = 0;
    for (size_t j = k; j-- > 0;) {
      prev = LastChar(texts[j]->data);
      if (prev) break;
    }
    bool changed = false;
    while (i < d.size()) {
      if (!IsAsciiSpace(d[i])) {
        size_t start = i;
        prev = DecodeUtf8(d, i);
        out.append(d.substr(start, i - start));
        continue;
      }
      size_t start = i;
      bool has_break = false;
      while (i < d.size() && IsAsciiSpace(d[i])) has_break |= (d[i++] == '\n');
      char32_t next = i < d.size() ? FirstChar(d.substr(i)) : 0;
      for (size_t j = k + 1; !next && j < texts.size(); ++j) next = FirstChar(texts[j]->data);
      if (has_break && prev && next && IsCjkContext(prev) && IsCjkContext(next)) {
        changed = true;
        continue;
      }
      out.append(d.substr(start, i - start));
    }
    if (changed) texts[k]->data = doc.Intern(out);
  }
}

// Removes `n` with its subtree and returns the node the walk continues with.
Node* RemoveSubtree(Document& doc, Node* n, Node* body) {
  Node* next = html::NextSkippingChildren(n, body);
  doc.Remove(n);
  return next;
}

// Unwraps `n` and returns its first child, or what follows when it is empty.
Node* UnwrapElement(Document& doc, Node* n, Node* body) {
  Node* next = n->first_child ? n->first_child : html::NextSkippingChildren(n, body);
  doc.Unwrap(n);
  return next;
}

// Points an <img> at its best source, made absolute. False when there is none that a page
// may load (no source, data: or file:); the caller then removes the image.
bool ResolveImageSource(Document& doc, Node* img, std::string_view base_url, CleanStats& stats) {
  std::string src = extract::BestImageSource(img);
  if (src != img->Attr("src")) ++stats.images_resolved;
  auto abs = ResolveUrl(base_url, src);
  if (!abs || StartsWithIgnoreCase(*abs, "data:") || StartsWithIgnoreCase(*abs, "file:"))
    return false;
  doc.SetAttr(img, "src", *abs);
  return true;
}

// Attribute allow-list: drops on*, style, class, id, width, height, data-*...
void DropDisallowedAttrs(Node* n) {
  html::Attribute** link = &n->attrs;
  while (*link) {
    if (!KeepAttr(n->tag, (*link)->name)) {
      *link = (*link)->next;
    } else {
      link = &(*link)->next;
    }
  }
}

// Makes an <a>'s href absolute and applies the link policy. False when the link is to be
// unwrapped into its text (no usable target, or LinkPolicy::kText).
bool ResolveLink(Document& doc, Node* a, std::string_view base_url, CleanStats& stats) {
  std::string_view href = TrimAscii(a->Attr("href"));
  std::optional<std::string> abs;
  if (!href.empty() && href.front() != '#') abs = ResolveUrl(base_url, href);
  if (abs && StartsWithIgnoreCase(*abs, "data:")) abs.reset();
  if (!abs) {
    if (!href.empty()) ++stats.links_dropped;
    return false;
  }
  doc.SetAttr(a, "href", *abs);
  return true;
}

// Moves a heading `shift` levels, kept within h1..h6.
void ShiftHeading(Document& doc, Node* n, int shift) {
  if (shift == 0) return;
  int level = html::HeadingLevel(n->tag);
  if (!level) return;
  level = std::min(6, std::max(1, level + shift));
  char name[3] = {'h', static_cast<char>('0' + level), 0};
  doc.Rename(n, name);
}

// One element of pass 1: removed, unwrapped or kept (renamed, attributes fixed). Returns
// the node the walk continues with.
Node* SanitizeElement(Document& doc, Node* n, Node* body, std::string_view base_url,
                      CleanStats& stats) {
  Action action = ActionFor(n);
  if (action != Action::kRemove &&
      (html::IsHiddenByMarkup(n) || (IsAdOrWidget(n) && !HoldsProse(n))))
    action = Action::kRemove;
  if (action == Action::kRemove) {
    ++stats.removed;
    return RemoveSubtree(doc, n, body);
  }
  if (action == Action::kUnwrap) {
    ++stats.unwrapped;
    return UnwrapElement(doc, n, body);
  }
  if (action == Action::kToDiv) doc.Rename(n, "div");
  if (n->Is(Tag::k_img) && !ResolveImageSource(doc, n, base_url, stats)) {
    ++stats.removed;
    return RemoveSubtree(doc, n, body);
  }
  DropDisallowedAttrs(n);
  if (n->Is(Tag::k_a) && !ResolveLink(doc, n, base_url, stats)) return UnwrapElement(doc, n, body);
  return html::NextInTree(n, body);
}

// Pass 1, top-down: remove, unwrap, rename; fix attributes. Comments go.
void SanitizeTree(Document& doc, Node* body, std::string_view base_url, CleanStats& stats) {
  Node* n = body->first_child;
  while (n) {
    if (n->type == html::NodeType::kComment)
      n = RemoveSubtree(doc, n, body);
    else if (!n->IsElement())
      n = html::NextInTree(n, body);
    else
      n = SanitizeElement(doc, n, body, base_url, stats);
  }
}

// Containers that say nothing without visible text or an image.
bool DropsWhenEmpty(Tag tag) {
  switch (tag) {
    case Tag::k_p:
    case Tag::k_div:
    case Tag::k_span:
    case Tag::k_li:
    case Tag::k_figure:
    case Tag::k_figcaption:
    case Tag::k_blockquote:
    case Tag::k_h1:
    case Tag::k_h2:
    case Tag::k_h3:
    case Tag::k_h4:
    case Tag::k_h5:
    case Tag::k_h6:
    case Tag::k_ul:
    case Tag::k_ol:
    case Tag::k_em:
    case Tag::k_strong:
    case Tag::k_b:
    case Tag::k_i:
    case Tag::k_a:
    case Tag::k_table:
    case Tag::k_tr:
    case Tag::k_tbody:
    case Tag::k_dl:
      return true;
    default:
      return false;
  }
}

// Whether `m` lies inside a <pre> (up to and including `body`).
bool InsidePre(const Node* m, const Node* body) {
  for (const Node* p = m->parent; p && p != body->parent; p = p->parent)
    if (p->Is(Tag::k_pre)) return true;
  return false;
}

// Pass 2, bottom-up: collapse whitespace outside <pre>; drop empty containers.
void CollapseAndPrune(Document& doc, Node* body, CleanStats& stats) {
  std::vector<Node*> order;
  for (Node* m = body->first_child; m; m = html::NextInTree(m, body)) order.push_back(m);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* m = *it;
    if (!m->parent) continue;
    bool in_pre = InsidePre(m, body);
    if (m->IsText()) {
      if (!in_pre) CollapseText(doc, m);
      if (m->data.empty()) doc.Remove(m);
      continue;
    }
    if (!m->IsElement() || in_pre) continue;
    if (DropsWhenEmpty(m->tag)) {
      if (!HasVisibleText(m) && !HasImage(m)) {
        doc.Remove(m);
        ++stats.removed;
      }
    } else if (m->name == "ok" && !HasVisibleText(m) && !HasImage(m)) {
      doc.Remove(m);
    }
  }
}

// Leading and trailing <br>/whitespace in the body say nothing.
void TrimBodyEdges(Document& doc, Node* body) {
  while (body->first_child &&
         (body->first_child->Is(Tag::k_br) ||
          (body->first_child->IsText() && TrimAscii(body->first_child->data).empty())))
    doc.Remove(body->first_child);
  while (body->last_child &&
         (body->last_child->Is(Tag::k_br) ||
          (body->last_child->IsText() && TrimAscii(body->last_child->data).empty())))
    doc.Remove(body->last_child);
}

}  // namespace

bool ParseLinkPolicy(std::string_view text, LinkPolicy* out) {
  if (text == "keep")
    *out = LinkPolicy::kKeep;
  else if (text == "neutralize" || text == "neutralise")
    *out = LinkPolicy::kNeutralize;
  else if (text == "text")
    *out = LinkPolicy::kText;
  else
    return false;
  return true;
}

std::string_view LinkPolicyName(LinkPolicy policy) {
  switch (policy) {
    case LinkPolicy::kKeep:
      return "keep";
    case LinkPolicy::kNeutralize:
      return "neutralize";
    case LinkPolicy::kText:
      return "text";
  }
  return "keep";
}

void ApplySitePolicy(Document& doc, Node* body, const CleanOptions& options) {
  if (options.links == LinkPolicy::kKeep && options.heading_shift == 0) return;
  Node* n = body->first_child;
  while (n) {
    if (n->Is(Tag::k_a) && options.links == LinkPolicy::kText) {
      Node* next = n->first_child ? n->first_child : html::NextSkippingChildren(n, body);
      doc.Unwrap(n);
      n = next;
      continue;
    }
    if (n->Is(Tag::k_a) && options.links == LinkPolicy::kNeutralize) doc.Rename(n, "ok");
    ShiftHeading(doc, n, options.heading_shift);
    n = html::NextInTree(n, body);
  }
}

CleanStats CleanBody(Document& doc, Node* body, std::string_view base_url,
                     const CleanOptions& options) {
  CleanStats stats;
  ResolveNoscriptImages(doc, body, stats);
  ResolvePictures(doc, body);
  SanitizeTree(doc, body, base_url, stats);
  ApplySitePolicy(doc, body, options);
  RemoveCjkSegmentBreaks(doc, body);
  CollapseAndPrune(doc, body, stats);
  TrimBodyEdges(doc, body);
  return stats;
}

CleanStats CleanArticle(extract::Article& article, const CleanOptions& options) {
  if (!article.body || !article.doc) return {};
  if (article.lead_image) {
    article.lead_image->alt = CollapseWhitespace(article.lead_image->alt);
    article.lead_image->caption = CollapseWhitespace(article.lead_image->caption);
  }
  CleanStats stats = CleanBody(*article.doc, article.body, article.base_url, options);
  if (!article.body->first_child) {
    article.body = nullptr;
    article.warnings.push_back("no article found (nothing left after cleaning)");
  }
  return stats;
}

}  // namespace samizdat::clean
