#include "extract/lead_figure.h"

#include <cstdlib>

#include "extract/generic.h"
#include "extract/images.h"
#include "util/strings.h"
#include "util/url.h"

namespace samizdat::extract {
namespace {

using html::Node;
using html::Tag;

// Text an image may have between it and the article (headline, byline, date: about two
// lines of Chinese or three of English) and still be the article's image.
constexpr double kTextBudget = 1000;
// Elements looked at before the article; a lead image sits within a few dozen.
constexpr int kElementBudget = 300;
constexpr size_t kMaxCaptionChars = 600;
// A wrapper with more text than this is the article or the page, not the image's frame.
constexpr double kMaxFrameText = 1500;

bool HasImage(const Node* e) {
  for (const Node* n = e->first_child; n; n = html::NextInTree(n, e))
    if (n->Is(Tag::k_img)) return true;
  return false;
}

// An image big enough to lead an article: not an icon, avatar or tracking pixel, with a
// real source.
bool IsContentImage(const Node* img) {
  for (std::string_view dim : {"width", "height"}) {
    std::string_view v = img->Attr(dim);
    if (!v.empty() && std::atoi(std::string(v).c_str()) > 0 &&
        std::atoi(std::string(v).c_str()) < 100)
      return false;
  }
  return !BestImageSource(img).empty();
}

// Whether the weighted text under `e` passes `limit`; stops reading once it does.
bool TextExceeds(const Node* e, double limit) {
  double text = 0;
  for (const Node* n = e->first_child; n; n = html::NextInTree(n, e)) {
    if (n->IsText()) text += WeightedTextLength(n->data);
    if (text > limit) return true;
  }
  return false;
}

std::string CaptionText(const Node* e) {
  std::string text = CollapseWhitespace(html::TextContent(e));
  return Utf8Length(text) <= kMaxCaptionChars ? text : std::string();
}

// A <figcaption> of `figure` that is not inside a nested figure.
const Node* FigcaptionOf(const Node* figure) {
  for (const Node* n = figure->first_child; n; n = html::NextInTree(n, figure)) {
    if (n->Is(Tag::k_figcaption)) return n;
  }
  return nullptr;
}

// A caption element among the next few element siblings of `node`, or its previous one.
const Node* CaptionSibling(const Node* node) {
  int seen = 0;
  for (const Node* s = node->next_sibling; s && seen < 3; s = s->next_sibling) {
    if (!s->IsElement()) continue;
    ++seen;
    if (IsCaptionElement(s)) return s;
    if (s->Is(Tag::k_img) || s->Is(Tag::k_figure)) break;  // the next image's caption
  }
  for (const Node* s = node->prev_sibling; s; s = s->prev_sibling) {
    if (!s->IsElement()) continue;
    return IsCaptionElement(s) ? s : nullptr;
  }
  return nullptr;
}

LeadFigure FigureOf(const Node* img, std::string caption) {
  LeadFigure f;
  f.src = BestImageSource(img);
  f.alt = CollapseWhitespace(img->Attr("alt"));
  f.caption = std::move(caption);
  return f;
}

// The first content image near the top of `article` that has a caption.
std::optional<LeadFigure> FirstImageInArticle(const Node* article) {
  double text = 0;
  for (const Node* n = article->first_child; n; n = html::NextInTree(n, article)) {
    if (n->IsText()) text += WeightedTextLength(n->data);
    if (text > kTextBudget) break;
    if (n->Is(Tag::k_img) && IsContentImage(n)) {
      std::string caption = CaptionNear(n);
      if (!caption.empty()) return FigureOf(n, std::move(caption));
    }
  }
  return std::nullopt;
}

// The previous node in document order (the reverse of NextInTree), or nullptr.
const Node* PreviousInTree(const Node* n) {
  if (const Node* p = n->prev_sibling) {
    while (p->last_child) p = p->last_child;
    return p;
  }
  return n->parent;
}

// The nearest content image with a caption above `article`, when little text separates it.
std::optional<LeadFigure> ImageAboveArticle(const Node* article) {
  double text = 0;
  int elements = 0;
  for (const Node* n = PreviousInTree(article); n && elements < kElementBudget;
       n = PreviousInTree(n)) {
    if (n->Is(Tag::k_body) || n->Is(Tag::k_html)) break;
    if (n->IsText()) text += WeightedTextLength(n->data);
    if (text > kTextBudget) break;
    if (!n->IsElement()) continue;
    ++elements;
    if (n->Is(Tag::k_img) && IsContentImage(n)) {
      std::string caption = CaptionNear(n);
      if (!caption.empty()) return FigureOf(n, std::move(caption));
    }
  }
  return std::nullopt;
}

// The page's image whose file is the declared image's, when it has a caption.
std::optional<LeadFigure> DeclaredImage(const Node* article, std::string_view declared_image) {
  std::string stem = UrlFileStem(declared_image);
  if (stem.empty()) return std::nullopt;
  const Node* root = article;
  while (root->parent) root = root->parent;
  for (const Node* n = root->first_child; n; n = html::NextInTree(n, root)) {
    if (!n->Is(Tag::k_img) || UrlFileStem(BestImageSource(n)) != stem) continue;
    std::string caption = CaptionNear(n);
    if (!caption.empty()) return FigureOf(n, std::move(caption));
  }
  return std::nullopt;
}

}  // namespace

bool IsCaptionElement(const Node* e) {
  if (!e->IsElement() || HasImage(e)) return false;
  if (e->Is(Tag::k_figcaption)) return true;
  std::string hint = AsciiLowerCopy(e->Attr("class"));
  hint += ' ';
  hint += AsciiLowerCopy(e->Attr("id"));
  return hint.find("caption") != std::string::npos;
}

std::string CaptionNear(const Node* img) {
  const Node* node = img;
  for (int level = 0; level < 4 && node && node->IsElement(); ++level) {
    if (node->Is(Tag::k_figure)) {
      if (const Node* fc = FigcaptionOf(node)) return CaptionText(fc);
    }
    if (const Node* cap = CaptionSibling(node)) {
      std::string text = CaptionText(cap);
      if (!text.empty()) return text;
    }
    const Node* parent = node->parent;
    if (!parent || !parent->IsElement() || parent->Is(Tag::k_body)) break;
    if (TextExceeds(parent, kMaxFrameText)) break;
    node = parent;
  }
  return {};
}

std::optional<LeadFigure> FindLeadFigure(const Node* article, std::string_view declared_image) {
  if (auto f = FirstImageInArticle(article)) return f;
  if (auto f = ImageAboveArticle(article)) return f;
  return DeclaredImage(article, declared_image);
}

}  // namespace samizdat::extract
