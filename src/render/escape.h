// Context escapers for every string a page, index, feed or sitemap takes from a source
// (title, byline, dates, caption, alt, image and original URLs, ids) or from the
// configuration. Pure. Each function promises that its output, placed in its context,
// reads as the input's text (or URL) and never as markup, script or a different context.
//
//   EscapeHtml           HTML element text and double- or single-quoted attribute values
//   EscapeXml            XML 1.0 text and attribute values (Atom, sitemap)
//   SafeUrl              a URL fit for href/src: http(s), protocol-relative or relative only
//   EscapeMarkdownText   inline Markdown text (headings, link text, emphasis, alt text)
//   MarkdownLinkTarget   the destination inside "[text](…)" / "![alt](…)"
//   MarkdownUrlText      a URL written as bare text that GFM may autolink
//
// None of them ever emits a line break, so a result can sit inside a Markdown heading or
// inside a raw HTML block (which a blank line would end).
#pragma once

#include <string>
#include <string_view>

namespace samizdat::render {

// &, <, >, ", ' and ` as character references; line feeds as "&#10;"; carriage returns,
// NUL and other C0 controls except tab dropped; invalid UTF-8 replaced by U+FFFD.
std::string EscapeHtml(std::string_view text);

// EscapeHtml's output with every character XML 1.0 forbids removed (C0 controls other
// than tab, LF and CR; U+FFFE, U+FFFF; surrogates), so a feed stays well-formed.
std::string EscapeXml(std::string_view text);

// The URL with tabs, line breaks and surrounding spaces/controls removed (as a browser
// would), or "" when it names a scheme other than http or https (javascript:, data:,
// vbscript:, file:, mailto: …). A URL without a scheme (relative, "//host/…") is kept.
// The result still needs the escaping of the context it is written into.
std::string SafeUrl(std::string_view url);

// Inline Markdown text: every character with a Markdown meaning (\ ` * _ [ ] ! | ~ # $ { })
// backslash-escaped, < > & as character references, a leading list or block marker
// neutralised, no URL autolink started (':' and the '.' of "www." escaped), whitespace runs
// (line breaks included) collapsed to one space, controls dropped. cmark-gfm and GitHub
// show exactly the input text.
std::string EscapeMarkdownText(std::string_view text);

// SafeUrl(url) made fit for a Markdown link destination: characters that would end or
// change the destination (space, <, >, (, ), ", ', `, \, controls) percent-encoded and &
// written as "&amp;" so no character reference decodes. "" when SafeUrl refuses the URL.
std::string MarkdownLinkTarget(std::string_view url);

// A URL as bare Markdown text (GFM autolinks http(s) URLs): an accepted URL percent-encoded
// like MarkdownLinkTarget, with the characters that could start markup also encoded; a
// refused URL written as escaped text, so it is shown and never linked.
std::string MarkdownUrlText(std::string_view url);

}  // namespace samizdat::render
