// HTML serialisation of DOM subtrees. Output is compact: nothing is re-indented, so
// inline content stays inline (a newline before a link shows up as a space in Chinese).
#pragma once

#include <string>
#include <string_view>

#include "html/dom.h"

namespace samizdat::html {

struct SerializeOptions {
  // Write newlines inside <pre> as "&#10;" so the output contains no blank line; needed
  // when the HTML must stay one CommonMark HTML block.
  bool encode_pre_newlines = false;
  // Self-close void elements as "<br/>" (the seed's style) instead of "<br>".
  bool xhtml_void = true;
};

// Serialises `node` itself (outer HTML) or only its children (inner HTML).
std::string OuterHtml(const Node* node, const SerializeOptions& options = {});
std::string InnerHtml(const Node* node, const SerializeOptions& options = {});

void AppendEscapedText(std::string& out, std::string_view text);
void AppendEscapedAttr(std::string& out, std::string_view value);

}  // namespace samizdat::html
