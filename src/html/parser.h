// HTML5 parsing into the project's DOM. The parser is one interface so that a faster
// implementation can replace the gumbo-backed one without touching the stages.
#pragma once

#include <memory>
#include <string_view>

#include "html/dom.h"

namespace samizdat::html {

class HtmlParser {
 public:
  virtual ~HtmlParser() = default;
  // Parses UTF-8 `html` per the HTML5 algorithm. Never fails: any byte sequence gives a
  // document (possibly with an empty body). Safe on arbitrarily deep nesting.
  virtual std::unique_ptr<Document> Parse(std::string_view html) const = 0;
};

// The gumbo-backed parser; stateless, so one instance may be shared across threads.
const HtmlParser& GumboHtmlParser();

// Parses with the default parser.
std::unique_ptr<Document> ParseHtml(std::string_view html);

}  // namespace samizdat::html
