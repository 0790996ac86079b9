// What the page renderers need to know about the site: the render stage's own options.
// config::SiteConfig is parsed into these (config::PageOptionsOf), so render never depends
// on config.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace samizdat::render {

enum class Theme { kClassic, kMarkdown, kHtml };
bool ParseTheme(std::string_view text, Theme* out);
std::string_view ThemeName(Theme theme);

// A link from a page to another document: a counterpart in another script, a feed.
struct PageLink {
  std::string label;  // link text; for a feed, its media type
  std::string href;   // relative to the page
  std::string lang;   // hreflang ("" for none)
};

// The page's address on one public host, with its QR code.
struct ShareCode {
  std::string url;       // absolute, percent-encoded
  std::string svg;       // html theme: the QR code, inline
  std::string svg_href;  // classic/markdown: the sibling .svg file, relative to the page
};

struct PageOptions {
  std::string title;  // the site's title (html theme)
  // The menu line written under each article title (operator's Markdown); "" for none.
  std::string menu;
  bool menu_tag_links = true;          // append "?<article id>" to every link target of the menu
  std::string footer;                  // "{url}" is replaced by the article's original URL
  std::string body_wrapper;            // the classic theme's body <div ...> opening tag
  std::string stylesheet;              // html theme: a linked stylesheet instead of the inline one
  std::string home_href;               // html theme: a link home ("" for standalone pages)
  std::string lang;                    // html theme: <html lang> ("" keeps the article's own)
  std::vector<PageLink> counterparts;  // the same page in the site's other scripts
  std::vector<PageLink> feeds;         // html theme: <link rel="alternate"> in the head
  std::vector<ShareCode> share;        // the share block; none when empty
  PageLink history;                    // "修改过 N 次" to the history page; none when href ""
  std::string share_label = "分享本页";
};

}  // namespace samizdat::render
