// Body rendering to GitHub-flavoured Markdown and to plain text. Pure.
#pragma once

#include <string>

#include "html/dom.h"

namespace samizdat::render {

// GFM for the children of `body`: paragraphs, headings, lists (nested), block quotes,
// fenced code, GFM tables, images, links, emphasis. Text is escaped so it never turns
// into markup. Links renamed to <ok> (neutralised) render as their text.
std::string ToMarkdown(const html::Node* body);

// Plain text for the children of `body`: one blank line between paragraphs, list items
// and table rows one per line, <br> as a line break.
std::string ToText(const html::Node* body);

}  // namespace samizdat::render
