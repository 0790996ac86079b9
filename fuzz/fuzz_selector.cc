// libFuzzer target for the CSS selector parser and matcher. The input's first line is a
// selector, the rest an HTML document. Invariants beyond "no crash": every match is an
// element inside the document, reported once, in document order, and a selector that
// parses once parses again from its own text.
#include <cstddef>
#include <cstdint>
#include <set>
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
  std::set<const samizdat::html::Node*> seen;
  for (const auto* node : matches) {
    if (!node->IsElement() || !selector->Matches(node)) __builtin_trap();
    if (!seen.insert(node).second) __builtin_trap();
  }
  if (!matches.empty() && samizdat::html::SelectFirst(doc->root(), *selector) != matches[0])
    __builtin_trap();
  return 0;
}
