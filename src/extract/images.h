// Image source resolution for lazy-loading markup. Pure DOM reads.
#pragma once

#include <string>
#include <string_view>

#include "html/dom.h"

namespace samizdat::extract {

// The best source of an <img> (or <source>) as written in the page (not yet resolved):
// data-src and friends over a placeholder src, the widest srcset candidate over a bare
// src only when src is missing or a placeholder. "" when there is none.
std::string BestImageSource(const html::Node* img);

// A src that is only a loading placeholder: empty, a data: URI, or a spacer/blank image.
bool IsPlaceholderSource(std::string_view src);

// Picks the widest candidate of a srcset attribute value.
std::string WidestSrcsetCandidate(std::string_view srcset);

}  // namespace samizdat::extract
