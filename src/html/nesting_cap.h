// Bounds on the work a hostile page can cause, applied before the HTML5 tree builder sees
// it. Gumbo's tree builder scans its stack of open elements for most tags, so its time grows
// with the nesting depth per tag (100,000 nested <div>s take seconds, 200,000 minutes); it
// re-creates every open formatting element (<b>, <font>, ...) that a closed block left
// behind on each text run, and the HTML5 rule that limits this ("Noah's Ark") only counts
// identical elements, so <b a=1><b a=2>... grows without bound. A linear pre-scan models
// the stack and the list of open formatting elements, drops the start tags (and their end
// tags) that would go past a cap, and cuts the page off once it would build more nodes than
// the node budget, so the parser's and every later pass's work stays linear and bounded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace samizdat::html {

struct NestingLimits {
  int max_depth = 512;           // open elements, formatting ones included
  int max_open_formatting = 32;  // formatting elements open at once (a, b, font, ...)
  int64_t max_nodes = 250000;    // elements and comments, re-created formatting ones included
};

// What the pre-scan saw and what it changed.
struct NestingReport {
  int max_depth_seen = 0;            // deepest open element kept (model)
  int max_open_formatting_seen = 0;  // most formatting elements open at once, kept (model)
  int64_t nodes = 0;                 // nodes the kept input builds (model)
  bool depth_capped = false;         // start tags dropped for depth
  bool formatting_capped = false;    // formatting start tags dropped
  bool truncated = false;            // input cut off at the node budget
  bool changed() const { return depth_capped || formatting_capped || truncated; }
};

// Removes start tags that would open an element deeper than `limits.max_depth`, formatting
// start tags beyond `limits.max_open_formatting` open ones, and the end tags that close
// removed elements; cuts the input off before the start tag or comment that would build
// more than `limits.max_nodes` nodes. When the report says `changed()`, `out` holds the
// capped text (the text between tags is kept, up to the cut). The model of the open-element
// stack follows the HTML5 rules that close elements implicitly (paragraphs, list items,
// table cells, headings, links) and scopes, and clears formatting elements at the markers
// (td, th, caption, ...) that scope them; where it is unsure, it errs towards counting an
// element as still open, so the real tree is never deeper than the model. Comments and the
// text of script, style, textarea, title and similar elements are skipped. One pass,
// memory linear in the tag count.
NestingReport CapNesting(std::string_view html, const NestingLimits& limits, std::string* out);

}  // namespace samizdat::html
