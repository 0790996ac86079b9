// libFuzzer target for the CSS selector parser and matcher. The input's first line is a
// selector, the rest an HTML document. Invariants beyond "no crash": every match is an
// element inside the document, reported once, in document order, every matching element
// is reported, SelectFirst is the first of SelectAll, and a selector that parses once
// parses again from its own text.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string_view>

#include "html/parser.h"
#include "html/selector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string_view selector_text = input.substr(0, newline);
  std::string_view html = newline == std::string_view::npos ? "" : input.substr(newline + 1);
  std::string error;
  auto selector = samizdat::html::Selector::Parse(selector_text, &error);
  if (!selector) {
    if (error.empty()) __builtin_trap();  // a refusal always says why
    return 0;
  }
  if (!samizdat::html::Selector::Parse(selector->text())) __builtin_trap();
  auto doc = samizdat::html::ParseHtml(html);
  auto matches = samizdat::html::SelectAll(doc->root(), *selector);
  // Every node of the document with its pre-order position.
  std::map<const samizdat::html::Node*, size_t> position;
  size_t matching_elements = 0;
  for (const samizdat::html::Node* n = samizdat::html::NextInTree(doc->root(), doc->root()); n;
       n = samizdat::html::NextInTree(n, doc->root())) {
    position.emplace(n, position.size());
    if (n->IsElement() && selector->Matches(n)) ++matching_elements;
  }
  if (matching_elements != matches.size()) __builtin_trap();  // none missed
  size_t previous = 0;
  for (size_t i = 0; i < matches.size(); ++i) {
    const auto* node = matches[i];
    if (!node->IsElement() || !selector->Matches(node)) __builtin_trap();
    auto at = position.find(node);
    if (at == position.end()) __builtin_trap();  // not inside the document
    // Strictly increasing positions: document order, and no node reported twice.
    if (i > 0 && at->second <= previous) __builtin_trap();
    previous = at->second;
  }
  if (!matches.empty() && samizdat::html::SelectFirst(doc->root(), *selector) != matches[0])
    __builtin_trap();
  return 0;
}
