// The html theme's search page and its script (doc/search.md). The page loads only
// search.js from its own origin (Content-Security-Policy script-src 'self', no inline
// script); the script reads the query from ?q= and the index under search/.
#pragma once

#include <string>
#include <string_view>

namespace samizdat::publish {

// `lang` is the site's language tag (BCP 47), written as <html lang>.
std::string SearchPageHtml(const std::string& site_title, const std::string& lang = "zh-Hans");
std::string_view SearchScript();

}  // namespace samizdat::publish
