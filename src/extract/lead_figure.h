// The lead image of an article and its caption, found by the page's layout when no site
// profile names them. Pure DOM reads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "html/dom.h"

namespace samizdat::extract {

struct LeadFigure {
  std::string src;  // as written in the page (BestImageSource), not yet resolved
  std::string alt;
  std::string caption;  // "" when the image has none
};

// Finds the lead image of the article whose block is `article` (still in its page): the
// first image at the top of the article, else the nearest image just before it (above
// the article block, with no prose in between), else the page's image whose file is
// `declared_image` (og:image, JSON-LD image), wherever it is. Its caption is a
// <figcaption> of its <figure>, or an element named caption next to the image or to one of
// its near wrappers. Returns nullopt when no such image has a caption: an image without
// caption is left to the declared image.
std::optional<LeadFigure> FindLeadFigure(const html::Node* article,
                                         std::string_view declared_image);

// A <figcaption>, or an element whose class or id names a caption, holding no image.
bool IsCaptionElement(const html::Node* e);

// The caption belonging to `img`, or "" when none does (see FindLeadFigure).
std::string CaptionNear(const html::Node* img);

}  // namespace samizdat::extract
