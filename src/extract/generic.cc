#include "extract/generic.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "util/strings.h"

namespace samizdat::extract {
namespace {

using html::Document;
using html::Node;
using html::Tag;

// Substring hints on lower-cased "class id" strings, after Readability's.
constexpr std::string_view kUnlikely[] = {
    "-ad-",       "ai2html",  "banner",     "breadcrumb",   "combx",      "comment",   "community",
    "cover-wrap", "disqus",   "extra",      "footer",       "gdpr",       "header",    "legends",
    "menu",       "related",  "remark",     "replies",      "rss",        "shoutbox",  "sidebar",
    "skyscraper", "social",   "sponsor",    "supplemental", "ad-break",   "agegate",   "pagination",
    "pager",      "popup",    "yom-remote", "cookie",       "newsletter", "subscribe", "share",
    "recommend",  "navbar",   "topbar",     "masthead",     "toolbar",    "related-",  "signup",
    "paywall",    "outbrain", "taboola",    "copyright"};
constexpr std::string_view kMaybe[] = {"and",    "article", "body", "column", "content", "main",
                                       "shadow", "entry",   "post", "story",  "text"};
constexpr std::string_view kPositive[] = {
    "article", "body", "content", "entry", "hentry", "h-entry", "main",     "page",
    "post",    "text", "blog",    "story", "detail", "artic",   "zhengwen", "neirong"};
constexpr std::string_view kNegative[] = {
    "-ad-",       "hidden",    "banner",     "combx",    "comment",   "com-",       "contact",
    "footer",     "gdpr",      "masthead",   "media",    "meta",      "outbrain",   "promo",
    "related",    "scroll",    "share",      "shoutbox", "sidebar",   "skyscraper", "sponsor",
    "shopping",   "tags",      "widget",     "taboola",  "recommend", "newsletter", "subscribe",
    "breadcrumb", "nav",       "byline",     "author",   "caption",   "credit",     "toolbar",
    "social",     "copyright", "disclaimer", "popular",  "trending",  "most-read",  "rail"};
constexpr std::string_view kWidgetTokens[] = {"share",
                                              "sharing",
                                              "social",
                                              "related",
                                              "recommend",
                                              "recommended",
                                              "newsletter",
                                              "subscribe",
                                              "subscription",
                                              "promo",
                                              "advert",
                                              "advertisement",
                                              "ad",
                                              "ads",
                                              "adsbygoogle",
                                              "sponsor",
                                              "sponsored",
                                              "outbrain",
                                              "taboola",
                                              "comments",
                                              "comment",
                                              "toolbar",
                                              "print",
                                              "breadcrumb",
                                              "breadcrumbs",
                                              "tags",
                                              "tag-list",
                                              "taglist",
                                              "pagination",
                                              "pager",
                                              "signup",
                                              "paywall",
                                              "popup",
                                              "modal",
                                              "cookie",
                                              "banner",
                                              "rss",
                                              "donate",
                                              "donation",
                                              "jp-relatedposts",
                                              "sharedaddy",
                                              "addthis",
                                              "author-bio",
                                              "readmore",
                                              "read-more",
                                              "more-stories",
                                              "nav",
                                              "navigation",
                                              "menu",
                                              "sidebar",
                                              "widget",
                                              "follow",
                                              "app-promo",
                                              "twitter-widget",
                                              "below_article_ad",
                                              "recommend_post",
                                              "hidden",
                                              "noprint",
                                              "visually-hidden",
                                              "sr-only",
                                              "screen-reader-text",
                                              "skip-link",
                                              "byline",
                                              "dateline",
                                              "meta",
                                              "post-meta",
                                              "entry-meta",
                                              "article-meta",
                                              "timestamp",
                                              "caption-credit"};

std::string HintString(const Node* e) {
  std::string s;
  std::string_view cls = e->Attr("class");
  std::string_view id = e->Attr("id");
  if (cls.empty() && id.empty()) return s;
  s.reserve(cls.size() + id.size() + 1);
  for (char c : cls) s.push_back(AsciiLower(c));
  s.push_back(' ');
  for (char c : id) s.push_back(AsciiLower(c));
  return s;
}

bool ContainsAny(std::string_view hay, const std::string_view* list, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (hay.find(list[i]) != std::string_view::npos) return true;
  return false;
}
template <size_t N>
bool ContainsAny(std::string_view hay, const std::string_view (&list)[N]) {
  return ContainsAny(hay, list, N);
}

// Splits "a-b_c d" into tokens {"a-b_c", "d"} plus the dash/underscore parts.
bool HasWidgetToken(std::string_view hint) {
  for (std::string_view word : SplitAsciiSpace(hint)) {
    for (auto t : kWidgetTokens)
      if (word == t) return true;
    size_t i = 0;
    while (i < word.size()) {
      size_t j = word.find_first_of("-_", i);
      if (j == std::string_view::npos) j = word.size();
      std::string_view part = word.substr(i, j - i);
      if (!part.empty() && part.size() < word.size()) {
        if (IsWidgetWord(part)) return true;
      }
      i = j + 1;
    }
  }
  return false;
}

struct Stats {
  double text = 0;        // weighted length of all text below
  double link_text = 0;   // ... of which inside <a>
  double own_inline = 0;  // text directly in this element or its inline children
  double heading_text = 0;
  int commas = 0;
  int own_commas = 0;
  int p = 0, img = 0, li = 0, input = 0, embed = 0, blocks = 0;
  bool has_block_child = false;
  // Scoring state.
  bool candidate = false;
  double score = 0;
};

class Analyzer {
 public:
  explicit Analyzer(Node* scope) : scope_(scope) {}

  // Computes Stats for every element under (and including) scope_.
  void Compute() {
    order_.clear();
    stats_.clear();
    stats_.emplace_back();  // index 0: "no stats"
    for (Node* n = scope_; n; n = html::NextInTree(n, scope_)) {
      if (n->IsElement()) {
        n->scratch = static_cast<uint32_t>(stats_.size());
        stats_.emplace_back();
        order_.push_back(n);
      } else if (n->IsText() && n->parent && n->parent->IsElement()) {
        Stats& ps = Of(n->parent);
        double w = WeightedTextLength(n->data);
        int commas = CountCommas(n->data);
        ps.text += w;
        ps.own_inline += w;
        ps.commas += commas;
        ps.own_commas += commas;
      }
    }
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      Node* e = *it;
      Stats& s = Of(e);
      switch (e->tag) {
        case Tag::k_p:
          s.p++;
          break;
        case Tag::k_img:
          s.img++;
          break;
        case Tag::k_li:
          s.li++;
          break;
        case Tag::k_input:
        case Tag::k_select:
        case Tag::k_textarea:
        case Tag::k_button:
          s.input++;
          break;
        case Tag::k_object:
        case Tag::k_embed:
        case Tag::k_iframe:
          s.embed++;
          break;
        default:
          break;
      }
      if (e->Is(Tag::k_a)) s.link_text = s.text;
      if (html::HeadingLevel(e->tag) > 0) s.heading_text = s.text;
      if (e == scope_ || !e->parent || !e->parent->IsElement()) continue;
      Stats& ps = Of(e->parent);
      ps.text += s.text;
      ps.link_text += s.link_text;
      ps.heading_text += s.heading_text;
      ps.commas += s.commas;
      ps.p += s.p;
      ps.img += s.img;
      ps.li += s.li;
      ps.input += s.input;
      ps.embed += s.embed;
      if (html::IsBlockTag(e->tag) && e->tag != Tag::k_br) {
        ps.has_block_child = true;
        ps.blocks++;
      } else {
        ps.own_inline += s.own_inline;
        ps.own_commas += s.own_commas;
      }
    }
  }

  Stats& Of(const Node* e) { return stats_[e->scratch < stats_.size() ? e->scratch : 0]; }
  bool Known(const Node* e) const {
    return e->scratch > 0 && e->scratch < stats_.size() && order_[e->scratch - 1] == e;
  }
  double LinkDensity(const Node* e) {
    const Stats& s = Of(e);
    return s.text > 0 ? s.link_text / s.text : 0;
  }
  const std::vector<Node*>& order() const { return order_; }

  // Removes `e` and subtracts its numbers from its ancestors within scope_.
  void RemoveNode(Document& doc, Node* e) {
    Stats removed = Of(e);
    for (Node* p = e->parent; p && Known(p); p = p->parent) {
      Stats& s = Of(p);
      s.text -= removed.text;
      s.link_text -= removed.link_text;
      s.heading_text -= removed.heading_text;
      s.commas -= removed.commas;
      s.p -= removed.p;
      s.img -= removed.img;
      s.li -= removed.li;
      s.input -= removed.input;
      s.embed -= removed.embed;
      if (p == scope_) break;
    }
    doc.Remove(e);
  }

 private:
  Node* scope_;
  std::vector<Node*> order_;
  std::vector<Stats> stats_;
};

int TagBaseScore(Tag t) {
  switch (t) {
    case Tag::k_div:
      return 5;
    case Tag::k_article:
      return 10;
    case Tag::k_main:
      return 5;
    case Tag::k_section:
      return 3;
    case Tag::k_pre:
    case Tag::k_td:
    case Tag::k_blockquote:
      return 3;
    case Tag::k_address:
    case Tag::k_ol:
    case Tag::k_ul:
    case Tag::k_dl:
    case Tag::k_dd:
    case Tag::k_dt:
    case Tag::k_li:
    case Tag::k_form:
      return -3;
    case Tag::k_h1:
    case Tag::k_h2:
    case Tag::k_h3:
    case Tag::k_h4:
    case Tag::k_h5:
    case Tag::k_h6:
    case Tag::k_th:
      return -5;
    default:
      return 0;
  }
}

bool IsParagraphLike(Tag t) {
  return t == Tag::k_p || t == Tag::k_pre || t == Tag::k_td || t == Tag::k_blockquote ||
         t == Tag::k_dd;
}

bool CanHoldText(Tag t) {
  return t == Tag::k_div || t == Tag::k_section || t == Tag::k_article || t == Tag::k_main ||
         t == Tag::k_span || t == Tag::k_font || t == Tag::k_center || t == Tag::kUnknown ||
         t == Tag::k_body || t == Tag::k_figure;
}

// Removes what is never article content, before any scoring.
void Prepare(Document& doc, Node* scope, const GenericOptions& options) {
  Node* n = scope->first_child;
  while (n) {
    Node* next;
    bool remove = false;
    if (n->type == html::NodeType::kComment) {
      remove = true;
    } else if (n->IsElement()) {
      switch (n->tag) {
        case Tag::k_script:
        case Tag::k_style:
        case Tag::k_noscript:
        case Tag::k_template:
        case Tag::k_iframe:
        case Tag::k_object:
        case Tag::k_embed:
        case Tag::k_svg:
        case Tag::k_canvas:
        case Tag::k_input:
        case Tag::k_button:
        case Tag::k_select:
        case Tag::k_textarea:
        case Tag::k_link:
        case Tag::k_meta:
        case Tag::k_dialog:
        case Tag::k_math:
        case Tag::k_map:
        case Tag::k_frame:
        case Tag::k_frameset:
          remove = true;
          break;
        case Tag::k_nav:
        case Tag::k_aside:
          remove = options.strip_unlikely;
          break;
        case Tag::k_footer:
          remove = options.strip_unlikely;
          break;
        default:
          break;
      }
      if (!remove && html::IsHiddenByMarkup(n, /*aria_hidden_counts=*/true)) remove = true;
      if (!remove && options.strip_unlikely && n->tag != Tag::k_body && n->tag != Tag::k_a &&
          n->tag != Tag::k_article && n->tag != Tag::k_main && n->tag != Tag::k_html) {
        std::string hint = HintString(n);
        std::string_view role = n->Attr("role");
        if (role == "menu" || role == "menubar" || role == "complementary" ||
            role == "navigation" || role == "alert" || role == "alertdialog" || role == "dialog") {
          remove = true;
        } else if (!hint.empty() && ContainsAny(hint, kUnlikely) && !ContainsAny(hint, kMaybe) &&
                   n->Attr("itemprop") != "articleBody") {
          remove = true;
        }
      }
    }
    if (remove) {
      next = html::NextSkippingChildren(n, scope);
      doc.Remove(n);
    } else {
      next = html::NextInTree(n, scope);
    }
    n = next;
  }
}

bool EndsLikeSentence(std::string_view text) {
  std::string_view t = TrimUnicode(text);
  if (t.empty()) return false;
  if (t.back() == '.' || t.back() == '!' || t.back() == '?' || t.back() == '"') return true;
  // "。" "！" "？" "」" "”"
  for (std::string_view end :
       {"\xE3\x80\x82", "\xEF\xBC\x81", "\xEF\xBC\x9F", "\xE3\x80\x8D", "\xE2\x80\x9D"})
    if (t.size() >= end.size() && t.substr(t.size() - end.size()) == end) return true;
  return false;
}

bool IsDataTable(const Node* table) {
  if (table->Attr("role") == "presentation") return false;
  if (table->Attr("datatable") == "0") return false;
  if (!table->Attr("summary").empty()) return true;
  for (const Node* n = table->first_child; n; n = html::NextInTree(n, table)) {
    if (n->Is(Tag::k_caption) || n->Is(Tag::k_th) || n->Is(Tag::k_thead) || n->Is(Tag::k_tfoot) ||
        n->Is(Tag::k_colgroup) || n->Is(Tag::k_col))
      return true;
    if (n->Is(Tag::k_table) && n != table) return false;
  }
  return false;
}

bool HasAncestor(const Node* e, Tag tag, const Node* scope) {
  for (const Node* p = e->parent; p && p != scope; p = p->parent)
    if (p->Is(tag)) return true;
  return false;
}

// Whether `e` still hangs under `content` (not detached with an ancestor).
bool IsAttachedUnder(const Node* e, const Node* content) {
  for (const Node* p = e->parent; p; p = p->parent)
    if (p == content) return true;
  return false;
}

// The containers that CleanContent judges by their numbers (readability's "clean
// conditionally").
bool IsJudgedContainer(Tag t) {
  return t == Tag::k_table || t == Tag::k_ul || t == Tag::k_ol || t == Tag::k_div ||
         t == Tag::k_section || t == Tag::k_form || t == Tag::k_fieldset || t == Tag::k_aside ||
         t == Tag::k_header || t == Tag::k_footer || t == Tag::k_dl || t == Tag::kUnknown ||
         t == Tag::k_figure || t == Tag::k_nav || t == Tag::k_p;
}

// A list, or a block whose text is nearly all in list items.
bool IsListLike(Analyzer& an, Node* e) {
  Tag t = e->tag;
  if (t == Tag::k_ul || t == Tag::k_ol || t == Tag::k_dl) return true;
  const Stats& s = an.Of(e);
  if (s.text <= 0) return false;
  double list_text = 0;
  for (Node* c = e->first_child; c; c = c->next_sibling)
    if (c->Is(Tag::k_li) || c->Is(Tag::k_ul) || c->Is(Tag::k_ol)) list_text += an.Of(c).text;
  return list_text / s.text > 0.9;
}

// Whether a judged container reads as boilerplate by its numbers: images without prose,
// more items than paragraphs, form inputs, too little text, too many links, embeds.
bool LooksLikeBoilerplate(Analyzer& an, Node* e, Node* content, bool is_list, int weight) {
  const Stats& s = an.Of(e);
  double link_density = an.LinkDensity(e);
  double heading_density = s.text > 0 ? s.heading_text / s.text : 0;
  int li = s.li - 100;
  bool in_figure = e->Is(Tag::k_figure) || HasAncestor(e, Tag::k_figure, content);
  bool remove = (s.img > 1 && s.p * 2 < s.img && !in_figure && s.text < 100) ||
                (!is_list && li > s.p) || (s.input > s.p / 3) ||
                (!is_list && heading_density < 0.9 && s.text < 25 && (s.img == 0 || s.img > 2) &&
                 !in_figure) ||
                (!is_list && weight < 25 && link_density > 0.2 && s.text < 1000) ||
                (weight >= 25 && link_density > 0.5) ||
                ((s.embed == 1 && s.text < 75) || s.embed > 1) ||
                (is_list && link_density > 0.5 && s.text < 600);
  if (remove && is_list && s.img > 0 && s.img == s.li) remove = false;  // image galleries
  return remove;
}

// Whether a container goes under clean_conditionally. Data tables stay; paragraphs go only
// when they are pure link lines ("Read more: ..."); a negative class weight removes.
bool RemovedConditionally(Analyzer& an, Node* e, Node* content, const GenericOptions& options) {
  Tag t = e->tag;
  if (!IsJudgedContainer(t)) return false;
  const Stats& s = an.Of(e);
  if (t == Tag::k_table && IsDataTable(e)) return false;
  bool is_list = IsListLike(an, e);
  int weight = options.weigh_classes ? ClassWeight(e) : 0;
  if (t == Tag::k_p) return s.text > 0 && an.LinkDensity(e) > 0.8 && s.text < 200 && s.img == 0;
  if (weight < 0) return true;
  if (s.commas >= 10) return false;
  return LooksLikeBoilerplate(an, e, content, is_list, weight);
}

// A heading that repeats the title (the first such one), or an <h1>/<h2> with a negative
// class weight.
bool IsRedundantHeading(const Node* e, const std::string& norm_title, bool title_removed,
                        const GenericOptions& options, bool* is_title) {
  std::string text = CollapseWhitespace(html::TextContent(e));
  *is_title = !title_removed && !norm_title.empty() && (text == norm_title);
  if (*is_title) return true;
  return (e->Is(Tag::k_h1) || e->Is(Tag::k_h2)) && options.weigh_classes && ClassWeight(e) < 0;
}

void CleanContent(Document& doc, Node* content, const GenericOptions& options) {
  Analyzer an(content);
  an.Compute();
  std::vector<Node*> order = an.order();
  std::string norm_title = CollapseWhitespace(options.title);
  const double total_text = an.Of(content).text;
  bool title_removed = false;
  // Bottom-up so inner widgets go before their containers are judged.
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* e = *it;
    if (e == content || !e->parent) continue;
    if (!IsAttachedUnder(e, content)) continue;
    if (HasAncestor(e, Tag::k_pre, content) || HasAncestor(e, Tag::k_code, content)) continue;
    std::string hint = HintString(e);
    // A widget-like name on a block holding most of the article is a misnomer
    // ("share-btn" on the content wrapper happens), so judge by share of the text too.
    if (!hint.empty() && !e->Is(Tag::k_a) && HasWidgetToken(hint) &&
        (an.Of(e).text < 0.25 * total_text || an.LinkDensity(e) > 0.5)) {
      an.RemoveNode(doc, e);
      continue;
    }
    if (html::HeadingLevel(e->tag) > 0) {
      bool is_title = false;
      if (IsRedundantHeading(e, norm_title, title_removed, options, &is_title)) {
        an.RemoveNode(doc, e);
        title_removed |= is_title;
      }
      continue;
    }
    if (options.clean_conditionally && RemovedConditionally(an, e, content, options))
      an.RemoveNode(doc, e);
  }
}

// Makes `e` a candidate (once), starting from its tag's base score and class weight.
void InitCandidate(Analyzer& an, Node* e, const GenericOptions& options,
                   std::vector<Node*>& candidates) {
  Stats& s = an.Of(e);
  if (s.candidate) return;
  s.candidate = true;
  s.score = TagBaseScore(e->tag) + (options.weigh_classes ? ClassWeight(e) : 0);
  candidates.push_back(e);
}

// Every block of text of 25 or more gives points (1, plus commas, plus up to 3 per 100 of
// text) to its container and up to four more ancestors, divided more the higher they are.
// Returns the candidates that received points, in document order.
std::vector<Node*> ScoreCandidates(Analyzer& an, const GenericOptions& options) {
  std::vector<Node*> candidates;
  for (Node* e : an.order()) {
    Stats& s = an.Of(e);
    // A cell holding blocks is a layout cell: like a <div>, it scores by its own text runs
    // (old table layouts put the whole article there, runs separated by <br>).
    bool layout_cell = e->Is(Tag::k_td) && s.has_block_child;
    bool paragraph = IsParagraphLike(e->tag) && !layout_cell;
    double len;
    int commas;
    if (paragraph) {
      len = s.text;
      commas = s.commas;
    } else if (CanHoldText(e->tag) || layout_cell) {
      len = s.own_inline;
      commas = s.own_commas;
    } else {
      continue;
    }
    if (len < 25) continue;
    double score = 1 + commas + std::min(std::floor(len / 100), 3.0);
    Node* target = paragraph ? e->parent : e;
    for (int level = 0; target && target->IsElement() && level < 5; ++level) {
      if (!an.Known(target)) break;
      InitCandidate(an, target, options, candidates);
      double divider = level == 0 ? 1 : (level == 1 ? 2 : level * 3);
      an.Of(target).score += score / divider;
      target = target->parent;
    }
  }
  return candidates;
}

// Several near-equal candidates under one ancestor: the ancestor is the article. Takes the
// candidates sorted best first; returns the best one or that ancestor.
Node* PreferSharedAncestor(Analyzer& an, std::vector<Node*>& candidates, Node* body,
                           const GenericOptions& options) {
  Node* top = candidates.front();
  double top_score = an.Of(top).score;
  std::vector<Node*> alternatives;
  for (size_t i = 1; i < candidates.size() && i < 5; ++i)
    if (an.Of(candidates[i]).score / top_score >= 0.75) alternatives.push_back(candidates[i]);
  if (alternatives.size() < 3) return top;
  for (Node* p = top->parent; p && p != body && p->IsElement(); p = p->parent) {
    int contained = 0;
    for (Node* alt : alternatives) {
      for (Node* q = alt; q; q = q->parent)
        if (q == p) {
          ++contained;
          break;
        }
    }
    if (contained >= 3) {
      if (!an.Of(p).candidate) InitCandidate(an, p, options, candidates);
      return p;
    }
  }
  return top;
}

// Climb while the parent scores better: content is often split into sibling blocks. Then
// up through wrappers that hold nothing else.
Node* ClimbToBetterParent(Analyzer& an, Node* top, Node* body) {
  double last = an.Of(top).score;
  double threshold = last / 3;
  for (Node* p = top->parent; p && p != body && p->IsElement(); p = p->parent) {
    if (!an.Of(p).candidate) continue;
    double ps = an.Of(p).score;
    if (ps < threshold) break;
    if (ps > last) {
      top = p;
      break;
    }
    last = ps;
  }
  while (top->parent && top->parent != body && top->parent->IsElement()) {
    int element_children = 0;
    for (Node* c = top->parent->first_child; c; c = c->next_sibling)
      if (c->IsElement()) ++element_children;
    if (element_children != 1) break;
    top = top->parent;
  }
  return top;
}

// Whether `a` and `b` are blocks of one repeated layout: the same tag and the same class
// list (a classless <section> or <article> counts; a classless <div> is too common).
bool SameLayout(const Node* a, const Node* b) {
  if (a->tag != b->tag || a->Attr("class") != b->Attr("class")) return false;
  return !a->Attr("class").empty() || a->Is(Tag::k_section) || a->Is(Tag::k_article);
}

// Prose in a block: text with few links, in paragraphs.
bool HoldsProse(Analyzer& an, Node* e) {
  const Stats& s = an.Of(e);
  return s.text >= 100 && s.p > 0 && an.LinkDensity(e) < 0.3;
}

// The text of `node`'s siblings laid out like it (SameLayout) that hold prose.
double PeerProse(Analyzer& an, Node* node) {
  double text = 0;
  for (Node* sib = node->parent->first_child; sib; sib = sib->next_sibling) {
    if (sib == node || !sib->IsElement() || !an.Known(sib)) continue;
    if (SameLayout(sib, node) && HoldsProse(an, sib)) text += an.Of(sib).text;
  }
  return text;
}

// Long features split into sections: the article is a run of sibling blocks laid out
// alike (<section class="chapter">…), each scoring on its own, with headings, pull quotes
// and images between them. Climbs from `top` through wrappers that hold little else, and
// when the blocks at some level have peers with prose, takes their parent as the article
// (the section boundaries are joined; CleanContent prunes what lies between).
Node* JoinRepeatedSections(Analyzer& an, Node* top, Node* body) {
  Node* node = top;
  Node* joined = top;
  for (int level = 0; level < 6; ++level) {
    Node* parent = node->parent;
    if (!parent || parent == body || !parent->IsElement() || !an.Known(parent)) break;
    const double node_text = an.Of(node).text;
    if (PeerProse(an, node) >= 0.3 * node_text && an.LinkDensity(parent) < 0.35) {
      joined = parent;
    } else if (node_text < 0.7 * an.Of(parent).text) {
      break;  // the parent holds much else: sidebars, other stories
    }
    node = parent;
  }
  return joined;
}

// A sibling of the top candidate that continues the article: a candidate scoring near it
// (more so with the same class), or a paragraph of prose with few links.
bool ContinuesArticle(Analyzer& an, Node* sib, std::string_view top_class, double top_score,
                      double threshold) {
  Stats& s = an.Of(sib);
  double bonus = (!top_class.empty() && sib->Attr("class") == top_class) ? top_score * 0.2 : 0;
  if (s.candidate && s.score + bonus >= threshold) return true;
  if (sib->Is(Tag::k_p) || (CanHoldText(sib->tag) && !s.has_block_child)) {
    double ld = an.LinkDensity(sib);
    if (s.text > 80 && ld < 0.25) return true;
    if (s.text > 0 && s.text <= 80 && ld == 0 && EndsLikeSentence(html::TextContent(sib)))
      return true;
  }
  return false;
}

// Gather the top candidate and its continuation siblings into a new container.
Node* GatherArticle(Document& doc, Analyzer& an, Node* top, Node* body) {
  double top_score = an.Of(top).score;
  Node* container = doc.CreateElement(Tag::k_div);
  double threshold = std::max(10.0, top_score * 0.2);
  std::string_view top_class = top->Attr("class");
  Node* parent = top->parent;
  std::vector<Node*> take;
  if (parent && top != body) {
    for (Node* sib = parent->first_child; sib; sib = sib->next_sibling) {
      if (sib == top)
        take.push_back(sib);
      else if (sib->IsElement() && ContinuesArticle(an, sib, top_class, top_score, threshold))
        take.push_back(sib);
    }
  } else {
    take.push_back(top);
  }
  for (Node* n : take) doc.AppendChild(container, n);
  return container;
}

}  // namespace

double WeightedTextLength(std::string_view text) {
  double n = 0;
  size_t i = 0;
  bool prev_space = true;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      bool space = IsAsciiSpace(static_cast<char>(c));
      // Count a run of spaces once: word gaps are text, indentation is not.
      if (!space || !prev_space) n += 1;
      prev_space = space;
      continue;
    }
    char32_t cp = DecodeUtf8(text, i);
    if (cp == 0xA0 || cp == 0x3000) {
      if (!prev_space) n += 1;
      prev_space = true;
      continue;
    }
    prev_space = false;
    n += IsCjk(cp) ? kCjkWeight : 1;
  }
  return n;
}

int ClassWeight(const Node* e) {
  int weight = 0;
  std::string_view cls = e->Attr("class");
  std::string_view id = e->Attr("id");
  auto score = [&](std::string_view v) {
    if (v.empty()) return;
    std::string lower = AsciiLowerCopy(v);
    if (ContainsAny(lower, kNegative)) weight -= 25;
    if (ContainsAny(lower, kPositive)) weight += 25;
  };
  score(cls);
  score(id);
  if (e->Attr("itemprop") == "articleBody") weight += 50;
  return weight;
}

bool IsWidgetWord(std::string_view part) {
  static constexpr std::string_view kWords[] = {
      "ad",          "ads",        "adsbygoogle", "addthis", "share",     "sharing",
      "sharebar",    "sharedaddy", "social",      "related", "recommend", "newsletter",
      "subscribe",   "promo",      "outbrain",    "taboola", "comments",  "breadcrumb",
      "breadcrumbs", "tags",       "pagination",  "paywall", "popup",     "cookie",
      "donate",      "signup",     "follow"};
  for (std::string_view w : kWords)
    if (part == w) return true;
  // advert, advertisement, advertorial; sponsor, sponsored, sponsorship.
  return part.rfind("advert", 0) == 0 || part.rfind("sponsor", 0) == 0;
}

bool LooksLikeWidget(const Node* e) {
  std::string hint = HintString(e);
  if (!hint.empty() && HasWidgetToken(hint)) return true;
  std::string_view role = e->Attr("role");
  return role == "navigation" || role == "complementary" || role == "banner" ||
         role == "contentinfo";
}

GenericResult ExtractGeneric(Document& doc, const GenericOptions& options) {
  GenericResult result;
  Node* body = doc.body();
  if (!body) body = doc.html();
  if (!body) return result;
  Prepare(doc, body, options);

  Analyzer an(body);
  an.Compute();
  std::vector<Node*> candidates = ScoreCandidates(an, options);
  if (candidates.empty()) return result;
  for (Node* c : candidates) an.Of(c).score *= (1 - an.LinkDensity(c));
  std::sort(candidates.begin(), candidates.end(),
            [&](Node* a, Node* b) { return an.Of(a).score > an.Of(b).score; });
  Node* top = PreferSharedAncestor(an, candidates, body, options);
  top = ClimbToBetterParent(an, top, body);
  top = JoinRepeatedSections(an, top, body);
  result.lead = FindLeadFigure(top, options.declared_image);
  Node* container = GatherArticle(doc, an, top, body);

  CleanContent(doc, container, options);

  Analyzer final_stats(container);
  final_stats.Compute();
  result.text_weight = final_stats.Of(container).text;
  if (result.text_weight < 50 || final_stats.LinkDensity(container) > 0.6) return result;
  result.content = container;
  return result;
}

}  // namespace samizdat::extract
