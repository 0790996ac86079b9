// Flattening of pathologically deep HTML before the HTML5 tree builder sees it. Gumbo's
// tree builder scans its stack of open elements for most tags, so its time grows with the
// square of the nesting depth (100,000 nested <div>s take seconds, 200,000 minutes). A
// linear pre-scan models that stack and drops the start tags (and their end tags) that
// would nest deeper than the cap, so the parser's work stays linear in the input.
#pragma once

#include <string>
#include <string_view>

namespace samizdat::html {

// Removes start tags that would open an element deeper than `max_depth`, together with the
// end tags that close them, and returns true when it removed any; `out` then holds the
// flattened text. The model of the open-element stack follows the HTML5 rules that close
// elements implicitly (paragraphs, list items, table cells, headings, links) and scopes;
// where it is unsure, it errs towards counting an element as still open, so the real
// tree is never deeper than the model. Comments and the text of script, style, textarea,
// title and similar elements are skipped. One pass, memory linear in the tag count.
bool FlattenDeepNesting(std::string_view html, int max_depth, std::string* out);

}  // namespace samizdat::html
