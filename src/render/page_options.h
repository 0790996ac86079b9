// What the page renderers need to know about the site: the render stage's own options.
// config::SiteConfig is parsed into these (config::PageOptionsOf), so render never depends
// on config.
#pragma once

#include <string>
#include <string_view>

namespace samizdat::render {

enum class Theme { kClassic, kMarkdown, kHtml };
bool ParseTheme(std::string_view text, Theme* out);
std::string_view ThemeName(Theme theme);

struct PageOptions {
  std::string title;  // the site's title (html theme)
  // The menu line written under each article title (operator's Markdown); "" for none.
  std::string menu;
  bool menu_tag_links = true;  // append "?<article id>" to every link target of the menu
  std::string footer;          // "{url}" is replaced by the article's original URL
  std::string body_wrapper;    // the classic theme's body <div ...> opening tag
  std::string stylesheet;      // html theme: a linked stylesheet instead of the inline one
  std::string home_href;       // html theme: a link home ("" for standalone pages)
};

}  // namespace samizdat::render
