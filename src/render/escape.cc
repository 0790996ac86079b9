#include "render/escape.h"

#include "util/strings.h"

namespace samizdat::render {
namespace {

bool IsAsciiControl(char32_t cp) { return cp < 0x20 || cp == 0x7f; }

// Characters XML 1.0 does not allow anywhere in a document.
bool IsXmlIllegal(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  return cp < 0x20 || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff;
}

// Calls `fn` for each code point of `s`; invalid UTF-8 arrives as U+FFFD.
template <typename Fn>
void ForEachCodePoint(std::string_view s, Fn fn) {
  size_t i = 0;
  while (i < s.size()) fn(DecodeUtf8(s, i));
}

// The one markup escaper behind EscapeHtml and EscapeXml.
std::string EscapeMarkup(std::string_view text, bool xml) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  ForEachCodePoint(text, [&](char32_t cp) {
    switch (cp) {
      case '&':
        out += "&amp;";
        return;
      case '<':
        out += "&lt;";
        return;
      case '>':
        out += "&gt;";
        return;
      case '"':
        out += "&quot;";
        return;
      case '\'':
        out += "&#39;";
        return;
      case '`':
        out += "&#96;";
        return;
      case '\n':
        out += "&#10;";
        return;
      default:
        break;
    }
    bool dropped = cp != '\t' && (IsAsciiControl(cp) || (xml && IsXmlIllegal(cp)));
    if (!dropped) AppendUtf8(out, cp);
  });
  return out;
}

bool IsSchemeChar(char c, bool first) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (first) return alpha;
  return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

// The scheme of `url` in lower case, or "" when it has none (a relative reference).
std::string SchemeOf(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  for (size_t i = 0; i < colon; ++i)
    if (!IsSchemeChar(url[i], i == 0)) return {};
  return AsciiLowerCopy(std::string(url.substr(0, colon)));
}

void AppendPercent(std::string& out, unsigned char c) {
  static const char kHex[] = "0123456789ABCDEF";
  out.push_back('%');
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 15]);
}

// Percent-encodes the bytes of an accepted URL that are listed in `encode` or are
// controls/spaces, and writes '&' as `amp`.
std::string EncodeUrlForMarkdown(std::string_view url, std::string_view encode,
                                 std::string_view amp) {
  std::string out;
  for (char ch : url) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f || encode.find(ch) != std::string_view::npos)
      AppendPercent(out, c);
    else if (ch == '&')
      out += amp;
    else
      out.push_back(ch);
  }
  return out;
}

constexpr std::string_view kDestinationBreakers = "<>()\"'`\\";
// Also what would start emphasis, strikethrough, math, links or raw HTML in text.
constexpr std::string_view kTextBreakers = "<>()\"'`\\[]*_~${}|^!";

}  // namespace

std::string EscapeHtml(std::string_view text) { return EscapeMarkup(text, false); }

std::string EscapeXml(std::string_view text) { return EscapeMarkup(text, true); }

std::string SafeUrl(std::string_view url) {
  // Browsers strip these before parsing, so "java\tscript:" is "javascript:".
  std::string cleaned;
  for (char c : url)
    if (c != '\t' && c != '\n' && c != '\r') cleaned.push_back(c);
  size_t begin = 0, end = cleaned.size();
  while (begin < end && static_cast<unsigned char>(cleaned[begin]) <= 0x20) ++begin;
  while (end > begin && static_cast<unsigned char>(cleaned[end - 1]) <= 0x20) --end;
  cleaned = cleaned.substr(begin, end - begin);
  for (char c : cleaned)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return {};
  std::string scheme = SchemeOf(cleaned);
  if (!scheme.empty() && scheme != "http" && scheme != "https") return {};
  return cleaned;
}

std::string EscapeMarkdownText(std::string_view text) {
  // '<', '>' and '&' are written as references, not backslash escapes: GFM's autolink
  // extension reads a URL from the raw source, backslashes included, so in
  // "https://x/\<img …>" it would take the backslash and leave a raw tag. ':' and the '.'
  // of "www." are escaped so no autolink starts in the first place.
  static constexpr std::string_view kMeta = "\\`*_[]!|~#${}:";
  std::string out;
  bool pending_space = false;
  bool all_digits = true;  // so far: a "1." here would start an ordered list
  ForEachCodePoint(text, [&](char32_t cp) {
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v') {
      pending_space = !out.empty();
      return;
    }
    if (IsAsciiControl(cp)) return;
    if (pending_space) out.push_back(' ');
    pending_space = false;
    if (cp == '<' || cp == '>' || cp == '&') {
      out += cp == '<' ? "&lt;" : cp == '>' ? "&gt;" : "&amp;";
      all_digits = false;
      return;
    }
    bool at_start = out.empty();
    bool after_www = out.size() >= 3 && AsciiLowerCopy(out.substr(out.size() - 3)) == "www";
    // "-", "+", "=" and "1." / "1)" would start a list, a setext underline or a rule at
    // the start of a line; escaping them everywhere costs nothing.
    if (cp < 0x80 &&
        (kMeta.find(static_cast<char>(cp)) != std::string_view::npos ||
         (at_start && (cp == '-' || cp == '+' || cp == '=')) || (cp == '.' && after_www) ||
         ((cp == '.' || cp == ')') && !at_start && all_digits)))
      out.push_back('\\');
    all_digits &= cp >= '0' && cp <= '9';
    AppendUtf8(out, cp);
  });
  return out;
}

std::string MarkdownLinkTarget(std::string_view url) {
  std::string safe = SafeUrl(url);
  if (safe.empty()) return {};
  // cmark decodes character references in a destination before backslash escapes, so
  // only "&amp;" keeps an '&' from starting one ("\&lt;" would still become "<").
  return EncodeUrlForMarkdown(safe, kDestinationBreakers, "&amp;");
}

std::string MarkdownUrlText(std::string_view url) {
  std::string safe = SafeUrl(url);
  if (safe.empty()) return EscapeMarkdownText(url);
  // GFM takes an autolinked URL from the source as it is, without decoding anything; a
  // URL it does not autolink is text, where a decoded reference is shown, never run.
  return EncodeUrlForMarkdown(safe, kTextBreakers, "&");
}

}  // namespace samizdat::render
