// The generic article extractor, for pages no site profile covers.
//
// Readability/trafilatura-class: after removing what is never content (scripts, hidden
// and "unlikely" blocks), every paragraph-like block scores by its text (length counted
// in characters, with CJK characters weighted because Chinese packs a word into one or
// two characters and uses "，" and "。"), and passes the score to its ancestors. The
// candidate with the best score, discounted by link density and adjusted by class/id
// hints, is the article; siblings that look like continuations are merged in. Last, the
// chosen content is pruned of link lists, share bars, related-story blocks and the like.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "extract/lead_figure.h"
#include "html/dom.h"

namespace samizdat::extract {

struct GenericOptions {
  // Remove blocks whose class/id looks like navigation, comments, sidebars... before
  // scoring. Turned off by the retry when the first pass finds too little text.
  bool strip_unlikely = true;
  // Use class/id hints in scoring.
  bool weigh_classes = true;
  // Prune the chosen content conditionally (link lists, widgets).
  bool clean_conditionally = true;
  // The title, so a heading repeating it can be dropped from the body.
  std::string title;
  // The page's declared image (og:image, JSON-LD image), absolute; "" when none.
  std::string declared_image;
};

struct GenericResult {
  // A new <div> in `doc` holding the article content (moved out of the page), or
  // nullptr when no article was found.
  html::Node* content = nullptr;
  double text_weight = 0;  // weighted character count of the content
  // The article's lead image with its caption, found where the article sat in the page
  // (see FindLeadFigure); nullopt when none has a caption.
  std::optional<LeadFigure> lead;
};

// Finds the article in `doc`. Mutates `doc` (removes boilerplate, moves content).
GenericResult ExtractGeneric(html::Document& doc, const GenericOptions& options);

// Weighted text length: one per non-space character, CJK characters count kCjkWeight.
double WeightedTextLength(std::string_view text);
inline constexpr double kCjkWeight = 3.0;

// Class/id hint score: +25 for article-like names, -25 for boilerplate-like names.
int ClassWeight(const html::Node* element);

// The one list of widget words: true when `part` (a class or id word, or a piece of one
// split at '-' and '_') names an ad slot, a share bar, a related or newsletter box...
// The extractor and the clean stage both decide by it.
bool IsWidgetWord(std::string_view part);

// True when class/id/role marks a share bar, ad slot, related block, newsletter box...
bool LooksLikeWidget(const html::Node* element);

}  // namespace samizdat::extract
