// Clean: an allow-list sanitiser for the extracted body. Pure: mutates the article's
// own DOM, does no I/O.
//
// Out: scripts, styles, iframes, forms, embeds, event handlers (every attribute not on
// the allow-list), javascript: and other non-web URLs, hidden elements, ad slots and
// share/related/newsletter widgets. Lazy images resolved (data-src, srcset, <noscript>,
// <picture>); relative URLs made absolute; width/height dropped; headings demoted by a
// configurable shift; links kept, neutralised (the seed's <ok href>), or reduced to text;
// whitespace collapsed outside <pre> so the body contains no blank line.
#pragma once

#include <string>
#include <string_view>

#include "extract/extract.h"
#include "html/dom.h"

namespace samizdat::clean {

enum class LinkPolicy {
  kKeep,        // <a href="absolute URL">
  kNeutralize,  // <ok href="...">: GitHub drops the unknown tag and keeps the text
  kText,        // the link's text only
};

// Parses "keep" | "neutralize" | "text"; false for anything else.
bool ParseLinkPolicy(std::string_view text, LinkPolicy* out);
std::string_view LinkPolicyName(LinkPolicy policy);

// What depends on the site rather than on the page. The store keeps bodies cleaned with
// the defaults; the site builder applies a site's options with ApplySitePolicy.
struct CleanOptions {
  LinkPolicy links = LinkPolicy::kKeep;
  // Added to every heading level (h2 -> h4 with 2), capped at h6.
  int heading_shift = 0;
};

struct CleanStats {
  int removed = 0;          // elements removed with their content
  int unwrapped = 0;        // elements replaced by their content
  int images_resolved = 0;  // lazy images given a real source
  int links_dropped = 0;    // links with unusable URLs reduced to text
};

// Sanitises `body` (an element of `doc`) in place. `base_url` resolves relative URLs.
CleanStats CleanBody(html::Document& doc, html::Node* body, std::string_view base_url,
                     const CleanOptions& options);

// The site-dependent step alone, on a body CleanBody already cleaned: links kept, renamed
// to <ok> or reduced to their text, and headings shifted. CleanBody ends with it.
void ApplySitePolicy(html::Document& doc, html::Node* body, const CleanOptions& options);

// CleanBody on an extracted article (no-op when it has no body).
CleanStats CleanArticle(extract::Article& article, const CleanOptions& options);

}  // namespace samizdat::clean
