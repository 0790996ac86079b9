// Mirror pages for one article, in three themes. Pure.
//
//   classic   the seed's page format exactly: "### title", "---", the menu line with
//             "?<id>" on every link, the lead image block with caption, the body as one
//             HTML block GitHub renders as intended, and the footer line.
//   markdown  clean GitHub-flavoured Markdown.
//   html      a standalone HTML page (one small inline stylesheet, no script).
#pragma once

#include <string>
#include <string_view>

#include "extract/extract.h"
#include "render/page_options.h"

namespace samizdat::render {

std::string RenderPage(const extract::Article& article, const PageOptions& site, Theme theme);

// Appends "?<id>" (or "&<id>" when the target has a query) to every Markdown link
// target in `menu`.
std::string TagMenuLinks(std::string_view menu, std::string_view id);

// The body as one compact HTML block: block children one per line, no blank line
// anywhere (newlines inside <pre> written as &#10;), inline content never split.
std::string BodyHtmlBlock(const html::Node* body);

// The html theme's document head, through <body>: lang (when not empty), title, the
// stylesheet (linked, or inline when site.stylesheet is empty), rel=canonical to
// `canonical` when it is a fit URL, rel=alternate to site.feeds and (with hreflang) to
// site.counterparts.
std::string HtmlHead(std::string_view title, const PageOptions& site, std::string_view canonical,
                     std::string_view lang);

// The html theme's <nav>: home (when site.home_href is set) and the counterparts; "" when
// there is neither.
std::string HtmlNav(const PageOptions& site);

// The html theme's stylesheet (inlined in standalone pages, style.css in a built site).
std::string_view Stylesheet();

}  // namespace samizdat::render
