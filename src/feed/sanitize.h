// The sanitiser of HTML embedded in feeds (descriptions, content, titles, rights...). Pure:
// no I/O, no globals.
//
// An allow-list, applied token by token: elements not on the list lose their tags and keep
// their text, except script, style and applet, which go with everything inside them.
// Attributes not on the list go (every on* handler among them). URL attributes keep only
// the web schemes (http, https, ftp, mailto and the like) after character references are
// decoded, so "javascript:" in any spelling goes; relative URLs are resolved against the
// content's base. A style attribute keeps only the declarations of a fixed list of CSS
// properties whose values are plain keywords, colours and lengths (no url(), no
// expression(), no position). Comments that a browser could end early, declarations,
// processing instructions and CDATA markers are dropped or escaped. The output is the
// markup feed readers expect: lower-case names, attributes sorted, values double-quoted,
// void elements written "<br />".
#pragma once

#include <string>
#include <string_view>

#include "feed/feed.h"

namespace samizdat::feed {

// Sanitises `html`; relative URLs in links, images, media and citations resolve against
// `base_url` (left relative when it is empty). Leading and trailing whitespace is trimmed.
std::string SanitizeHtml(std::string_view html, std::string_view base_url);

// Whether text given as plain holds HTML after all: it has an end tag or a character
// reference, and every tag and named reference in it is one the sanitiser knows.
bool LooksLikeHtml(std::string_view text);

// Sanitises a style attribute's value; "" when nothing safe is left.
std::string SanitizeStyle(std::string_view style);

// Every HTML or XHTML text of a parsed feed sanitised in place (titles, subtitles, rights,
// info, summaries, content, of the feed, its entries and their sources), each against its
// own base. Outside Atom, text given as plain that LooksLikeHtml is read as HTML. An entry
// without a summary takes its first text or HTML content as the summary.
void SanitizeFeedMarkup(Feed& feed);

}  // namespace samizdat::feed
