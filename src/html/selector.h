// CSS selectors for site profiles: type and `*`, `#id`, `.class`, `[attr]`, `[attr=v]`
// (also `~=`, `^=`, `$=`, `*=`, `|=`), descendant and child (`>`) combinators, adjacent
// (`+`) and general (`~`) siblings, groups (`,`), and `:not(...)`.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "html/dom.h"

namespace samizdat::html {

class Selector {
 public:
  // Parses a selector list. On a syntax error returns nullopt and describes it in *error.
  static std::optional<Selector> Parse(std::string_view text, std::string* error = nullptr);

  bool Matches(const Node* element) const;
  const std::string& text() const { return text_; }

  struct Compound;
  struct Complex;

 private:
  std::string text_;
  std::vector<std::shared_ptr<const Complex>> alternatives_;
};

// All elements under `scope` (excluding scope itself) that match, in document order.
std::vector<Node*> SelectAll(Node* scope, const Selector& selector);
// The first match in document order, or nullptr.
Node* SelectFirst(Node* scope, const Selector& selector);

}  // namespace samizdat::html
