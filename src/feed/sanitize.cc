#include "feed/sanitize.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <vector>

#include "feed/entities.h"
#include "util/strings.h"
#include "util/url.h"

namespace samizdat::feed {
namespace {

// The lists below are sorted (byte order) for binary search; a static_assert checks it.

// Elements that keep their tags.
constexpr std::string_view kAllowedElements[] = {
    "a",          "abbr",     "acronym", "address",    "area",    "article",      "aside",
    "audio",      "b",        "big",     "blockquote", "br",      "button",       "canvas",
    "caption",    "center",   "cite",    "code",       "col",     "colgroup",     "command",
    "datagrid",   "datalist", "dd",      "del",        "details", "dfn",          "dialog",
    "dir",        "div",      "dl",      "dt",         "em",      "event-source", "fieldset",
    "figcaption", "figure",   "font",    "footer",     "form",    "h1",           "h2",
    "h3",         "h4",       "h5",      "h6",         "header",  "hr",           "i",
    "img",        "input",    "ins",     "kbd",        "keygen",  "label",        "legend",
    "li",         "m",        "map",     "menu",       "meter",   "multicol",     "nav",
    "nextid",     "noscript", "ol",      "optgroup",   "option",  "output",       "p",
    "pre",        "progress", "q",       "rp",         "rt",      "ruby",         "s",
    "samp",       "section",  "select",  "small",      "sound",   "source",       "spacer",
    "span",       "strike",   "strong",  "sub",        "sup",     "table",        "tbody",
    "td",         "textarea", "tfoot",   "th",         "thead",   "time",         "tr",
    "tt",         "u",        "ul",      "var",        "video",
};

// Attributes that stay on an allowed element (event handlers are never among them).
constexpr std::string_view kAllowedAttributes[] = {
    "abbr",
    "accept",
    "accept-charset",
    "accesskey",
    "action",
    "align",
    "alt",
    "autocomplete",
    "autofocus",
    "axis",
    "background",
    "balance",
    "bgcolor",
    "bgproperties",
    "border",
    "bordercolor",
    "bordercolordark",
    "bordercolorlight",
    "bottompadding",
    "cellpadding",
    "cellspacing",
    "ch",
    "challenge",
    "char",
    "charoff",
    "charset",
    "checked",
    "choff",
    "cite",
    "class",
    "clear",
    "color",
    "cols",
    "colspan",
    "compact",
    "contenteditable",
    "controls",
    "coords",
    "data",
    "datafld",
    "datapagesize",
    "datasrc",
    "datetime",
    "default",
    "delay",
    "dir",
    "disabled",
    "draggable",
    "dynsrc",
    "enctype",
    "end",
    "face",
    "for",
    "form",
    "frame",
    "galleryimg",
    "gutter",
    "headers",
    "height",
    "hidden",
    "hidefocus",
    "high",
    "href",
    "hreflang",
    "hspace",
    "icon",
    "id",
    "inputmode",
    "ismap",
    "keytype",
    "label",
    "lang",
    "leftspacing",
    "list",
    "longdesc",
    "loop",
    "loopcount",
    "loopend",
    "loopstart",
    "low",
    "lowsrc",
    "max",
    "maxlength",
    "media",
    "method",
    "min",
    "multiple",
    "name",
    "nohref",
    "noshade",
    "nowrap",
    "open",
    "optimum",
    "pattern",
    "ping",
    "point-size",
    "poster",
    "pqg",
    "preload",
    "prompt",
    "radiogroup",
    "readonly",
    "rel",
    "repeat-max",
    "repeat-min",
    "replace",
    "required",
    "rev",
    "rightspacing",
    "rows",
    "rowspan",
    "rules",
    "scope",
    "selected",
    "shape",
    "size",
    "span",
    "src",
    "start",
    "step",
    "style",
    "summary",
    "suppress",
    "tabindex",
    "target",
    "template",
    "title",
    "toppadding",
    "type",
    "unselectable",
    "urn",
    "usemap",
    "valign",
    "value",
    "variable",
    "volume",
    "vrml",
    "vspace",
    "width",
    "wrap",
    "xml:lang",
};

// Attributes that hold a URL: only the schemes of kSafeSchemes survive in them.
constexpr std::string_view kUrlAttributes[] = {
    "action",   "background", "cite", "data",   "dynsrc", "href",
    "longdesc", "lowsrc",     "ping", "poster", "src",    "usemap",
};

// URL schemes a link or image may use: the web's and a few other network protocols'.
constexpr std::string_view kSafeSchemes[] = {
    "aim",   "callto", "cvs",     "facetime", "feed",  "file", "ftp",   "git",      "gopher",
    "gtalk", "h323",   "hdl",     "http",     "https", "imap", "irc",   "irc6",     "ircs",
    "itms",  "magnet", "mailto",  "mms",      "msnim", "news", "nntp",  "prospero", "rsync",
    "rtsp",  "rtspu",  "sftp",    "shttp",    "sip",   "sips", "skype", "smb",      "snews",
    "ssh",   "svn",    "svn+ssh", "telnet",   "wais",  "ymsg",
};

// Elements written without an end tag.
constexpr std::string_view kVoidElements[] = {
    "area",  "base",    "basefont", "br",   "col",  "command", "embed",  "frame", "hr",  "img",
    "input", "isindex", "keygen",   "link", "meta", "param",   "source", "track", "wbr",
};

// (element, attribute) pairs whose relative URL resolves against the base.
constexpr std::string_view kRelativeUrlPairs[] = {
    "a href",          "applet codebase", "area href",    "audio src",      "blockquote cite",
    "body background", "del cite",        "form action",  "frame longdesc", "frame src",
    "head profile",    "iframe longdesc", "iframe src",   "img longdesc",   "img src",
    "img usemap",      "input src",       "input usemap", "ins cite",       "link href",
    "object classid",  "object codebase", "object data",  "object usemap",  "q cite",
    "script src",      "source src",      "video poster", "video src",
};

constexpr std::string_view kCssProperties[] = {
    "azimuth",
    "background-color",
    "border-bottom-color",
    "border-collapse",
    "border-color",
    "border-left-color",
    "border-right-color",
    "border-top-color",
    "clear",
    "color",
    "cursor",
    "direction",
    "display",
    "elevation",
    "float",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-variant",
    "font-weight",
    "height",
    "letter-spacing",
    "line-height",
    "overflow",
    "pause",
    "pause-after",
    "pause-before",
    "pitch",
    "pitch-range",
    "richness",
    "speak",
    "speak-header",
    "speak-numeral",
    "speak-punctuation",
    "speech-rate",
    "stress",
    "text-align",
    "text-decoration",
    "text-indent",
    "unicode-bidi",
    "vertical-align",
    "voice-family",
    "volume",
    "white-space",
    "width",
};

// Keywords allowed in the values of background*, border*, margin* and padding*.
constexpr std::string_view kCssKeywords[] = {
    "!important", "aqua",   "auto",   "black",       "block",     "blue",   "bold",    "both",
    "bottom",     "brown",  "center", "collapse",    "dashed",    "dotted", "fuchsia", "gray",
    "green",      "italic", "left",   "lime",        "maroon",    "medium", "navy",    "none",
    "normal",     "nowrap", "olive",  "pointer",     "purple",    "red",    "right",   "silver",
    "solid",      "teal",   "top",    "transparent", "underline", "white",  "yellow",
};

template <size_t N>
constexpr bool IsSorted(const std::string_view (&list)[N]) {
  return std::is_sorted(std::begin(list), std::end(list));
}
static_assert(IsSorted(kAllowedElements) && IsSorted(kAllowedAttributes) &&
              IsSorted(kUrlAttributes) && IsSorted(kSafeSchemes) && IsSorted(kVoidElements) &&
              IsSorted(kRelativeUrlPairs) && IsSorted(kCssProperties) && IsSorted(kCssKeywords));

template <size_t N>
bool InList(const std::string_view (&list)[N], std::string_view name) {
  return std::binary_search(std::begin(list), std::end(list), name);
}

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) {
  return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

// The code point of a named reference (HTML 4 names and &apos;), or 0.
char32_t NamedEntity(std::string_view name) {
  if (name == "apos") return '\'';
  auto it =
      std::lower_bound(std::begin(kHtml4Entities), std::end(kHtml4Entities), name,
                       [](const feed::NamedEntity& e, std::string_view n) { return e.name < n; });
  return it != std::end(kHtml4Entities) && it->name == name ? it->code_point : 0;
}

// A character reference at text[i] ('&'): its length (with the ';', which may be
// missing for a numeric one) and code point; 0 when there is none.
size_t ParseReference(std::string_view text, size_t i, char32_t* cp) {
  size_t j = i + 1;
  if (j < text.size() && text[j] == '#') {
    bool hex = j + 1 < text.size() && (text[j + 1] == 'x' || text[j + 1] == 'X');
    size_t k = j + (hex ? 2 : 1);
    uint32_t v = 0;
    size_t start = k;
    while (k < text.size() && k - start < 8 &&
           (hex ? isxdigit(static_cast<unsigned char>(text[k])) : IsAsciiDigit(text[k]))) {
      char c = text[k];
      v = v * (hex ? 16 : 10) +
          static_cast<uint32_t>(IsAsciiDigit(c) ? c - '0' : (AsciiLower(c) - 'a' + 10));
      ++k;
    }
    if (k == start) return 0;
    *cp = v > 0x10FFFF || v == 0 ? 0xFFFD : v;
    return k < text.size() && text[k] == ';' ? k + 1 - i : k - i;
  }
  size_t k = j;
  while (k < text.size() && k - j < 32 && (IsAsciiAlpha(text[k]) || IsAsciiDigit(text[k]))) ++k;
  if (k == j || k >= text.size() || text[k] != ';') return 0;
  *cp = NamedEntity(text.substr(j, k - j));
  return *cp ? k + 1 - i : 0;
}

// Text with its character references decoded (for attribute values).
std::string DecodeReferences(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    size_t n = text[i] == '&' ? ParseReference(text, i, &cp) : 0;
    if (n == 0) {
      out.push_back(text[i++]);
      continue;
    }
    AppendUtf8(out, cp);
    i += n;
  }
  return out;
}

void AppendEscapedAttribute(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
}

// The scheme of a URL as a browser reads it (ASCII whitespace and controls inside it are
// ignored), lower-cased; "" for a relative URL.
std::string BrowserScheme(std::string_view url) {
  std::string scheme;
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ') continue;
    if (c == ':') return scheme;
    if (!(IsAsciiAlpha(c) ||
          (!scheme.empty() && (IsAsciiDigit(c) || c == '+' || c == '-' || c == '.'))))
      return {};
    scheme.push_back(AsciiLower(c));
  }
  return {};
}

// A URL attribute's value made safe: resolved against `base` when `resolve`, and "" when
// its scheme is not a safe one.
std::string SafeUrl(std::string_view value, std::string_view base, bool resolve) {
  std::string url(TrimAscii(value));
  std::string scheme = BrowserScheme(url);
  if (!scheme.empty()) return InList(kSafeSchemes, scheme) ? url : std::string();
  if (resolve && !base.empty()) {
    if (url.empty()) return std::string(base);
    if (auto r = ResolveUrl(base, url)) url = *r;
    scheme = BrowserScheme(url);
    if (!scheme.empty() && !InList(kSafeSchemes, scheme)) return {};
  }
  return url;
}

struct Attribute {
  std::string name;
  std::string value;
};

// One CSS value keyword a box property (background, border, margin, padding) may use:
// a listed keyword, a hex colour, rgb(), or a short length.
bool IsSafeCssKeyword(std::string_view k) {
  if (InList(kCssKeywords, k)) return true;
  if (k.size() > 1 && k[0] == '#')
    return std::all_of(k.begin() + 1, k.end(),
                       [](char c) { return IsAsciiDigit(c) || (c >= 'a' && c <= 'f'); });
  size_t i = 0;
  auto digits = [&](size_t max) {
    size_t start = i;
    while (i < k.size() && i - start < max && IsAsciiDigit(k[i])) ++i;
    return i - start;
  };
  if (k.starts_with("rgb(")) {
    i = 4;
    if (digits(SIZE_MAX) == 0) return false;
    if (i < k.size() && k[i] == '%') ++i;
    if (i >= k.size() || k[i++] != ',') return false;
    digits(SIZE_MAX);
    if (i < k.size() && k[i] == '%') ++i;
    if (i < k.size() && k[i] == ',') ++i;
    digits(SIZE_MAX);
    if (i < k.size() && k[i] == '%') ++i;
    if (i < k.size() && k[i] == ')') ++i;
    return i == k.size();
  }
  digits(2);
  if (i < k.size() && k[i] == '.') ++i;
  digits(2);
  std::string_view unit = k.substr(i);
  static constexpr std::string_view kUnits[] = {"cm", "em", "ex", "in", "mm",
                                                "pc", "pt", "px", "%",  ","};
  return unit.empty() || unit == ")" ||
         std::find(std::begin(kUnits), std::end(kUnits), unit) != std::end(kUnits);
}

// Removes every url(...) from a style (replaced by a space).
std::string WithoutCssUrls(std::string_view style) {
  std::string out;
  size_t i = 0;
  while (i < style.size()) {
    size_t u = style.find("url", i);
    if (u == std::string_view::npos) break;
    size_t j = u + 3;
    while (j < style.size() && IsAsciiSpace(style[j])) ++j;
    size_t close = j < style.size() && style[j] == '(' ? style.find(')', j) : std::string::npos;
    if (close == std::string_view::npos) {
      out.append(style.substr(i, j - i));
      i = j;
      continue;
    }
    out.append(style.substr(i, u - i));
    out.push_back(' ');
    i = close + 1;
    while (i < style.size() && IsAsciiSpace(style[i])) ++i;
  }
  out.append(style.substr(std::min(i, style.size())));
  return out;
}

// Whether a style uses only plain characters: letters, digits, " :,;#%.!", hyphens
// inside words, quoted words and parenthesised number lists.
bool HasOnlyPlainCssCharacters(std::string_view s) {
  static constexpr std::string_view kPlain = ":,;#%.!";
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (i + 2 < s.size() && IsWordChar(c) && s[i + 1] == '-' && IsWordChar(s[i + 2])) {
      i += 3;
    } else if (IsAsciiAlpha(c) || IsAsciiDigit(c) || IsAsciiSpace(c) ||
               kPlain.find(c) != std::string_view::npos) {
      ++i;
    } else if (c == '\'' || c == '"' || c == '(') {
      char close = c == '(' ? ')' : c;
      size_t j = i + 1;
      while (j < s.size() && s[j] != close &&
             (c == '(' ? IsAsciiDigit(s[j]) || s[j] == ',' || IsAsciiSpace(s[j])
                       : IsWordChar(s[j]) || IsAsciiSpace(s[j])))
        ++j;
      if (j >= s.size() || s[j] != close || (c != '(' && j == i + 1)) return false;
      i = j + 1;
    } else {
      return false;
    }
  }
  return true;
}

bool IsCssNameChar(char c) { return IsWordChar(c) || c == '-'; }

// The declarations of a style ("prop: value"), or false when it is not a plain list.
bool ParseCssDeclarations(std::string_view s,
                          std::vector<std::pair<std::string, std::string>>* out) {
  size_t i = 0;
  while (true) {
    while (i < s.size() && IsAsciiSpace(s[i])) ++i;
    if (i >= s.size()) return true;
    size_t name_start = i;
    while (i < s.size() && IsCssNameChar(s[i])) ++i;
    if (i == name_start) return false;
    std::string name(s.substr(name_start, i - name_start));
    while (i < s.size() && IsAsciiSpace(s[i])) ++i;
    if (i >= s.size() || s[i] != ':') return false;
    ++i;
    while (i < s.size() && IsAsciiSpace(s[i])) ++i;
    size_t value_start = i;
    while (i < s.size() && s[i] != ':' && s[i] != ';') ++i;
    out->emplace_back(std::move(name), std::string(s.substr(value_start, i - value_start)));
    if (i < s.size() && s[i] == ';') ++i;
  }
}

}  // namespace

std::string SanitizeStyle(std::string_view style) {
  std::string s = WithoutCssUrls(style);
  std::vector<std::pair<std::string, std::string>> declarations;
  if (!HasOnlyPlainCssCharacters(s) || !ParseCssDeclarations(s, &declarations)) return {};
  std::string out;
  for (const auto& [property, value] : declarations) {
    if (value.empty()) continue;
    std::string lower = AsciiLowerCopy(property);
    bool keep = InList(kCssProperties, lower);
    std::string family = lower.substr(0, lower.find('-'));
    if (!keep && (family == "background" || family == "border" || family == "margin" ||
                  family == "padding")) {
      auto words = SplitAsciiSpace(value);
      keep = std::all_of(words.begin(), words.end(), IsSafeCssKeyword);
    }
    if (!keep) continue;
    if (!out.empty()) out.push_back(' ');
    out += property + ": " + value + ";";
  }
  return out;
}

namespace {

// Streams through HTML once, writing what the allow-list keeps.
class Sanitizer {
 public:
  Sanitizer(std::string_view html, std::string_view base) : in_(html), base_(base) {}
  std::string Run();

 private:
  size_t Comment(size_t i);
  size_t Markup(size_t i);
  size_t StartTag(size_t i);
  size_t EndTag(size_t i);
  size_t Reference(size_t i);
  size_t SkipRawText(size_t i, std::string_view name);
  void WriteStartTag(const std::string& name, std::vector<Attribute> attributes, bool self_closing);

  std::string_view in_;
  std::string_view base_;
  std::string out_;
  size_t no_comment_end_from_ = std::string_view::npos;  // no "-->" after this offset
};

std::string Sanitizer::Run() {
  size_t i = 0;
  while (i < in_.size()) {
    char c = in_[i];
    if (c == '<') {
      i = Markup(i);
    } else if (c == '&') {
      i = Reference(i);
    } else {
      out_.push_back(c);
      ++i;
    }
  }
  std::string_view trimmed = TrimAscii(out_);
  return ReplaceAll(std::string(trimmed), "\r\n", "\n");
}

// A character reference is kept as written (numeric ones normalised, the C1 range read as
// windows-1252 the way browsers do); an unknown name or a bare '&' is escaped.
size_t Sanitizer::Reference(size_t i) {
  char32_t cp = 0;
  size_t n = ParseReference(in_, i, &cp);
  if (n == 0) {
    out_ += "&amp;";
    return i + 1;
  }
  if (in_[i + 1] == '#') {
    static constexpr char16_t kCp1252[32] = {
        0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
    if (cp >= 0x80 && cp < 0xA0 && kCp1252[cp - 0x80]) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "&#x%x;", static_cast<unsigned>(kCp1252[cp - 0x80]));
      out_ += buf;
    } else {
      std::string ref = AsciiLowerCopy(in_.substr(i, n));
      if (ref.back() != ';') ref.push_back(';');
      out_ += ref;
    }
  } else {
    out_.append(in_.substr(i, n));
  }
  return i + n;
}

// "<!--...-->": kept when no browser could read it as ending elsewhere; a comment that
// never closes drops the rest of the input.
size_t Sanitizer::Comment(size_t i) {
  size_t end = i + 4 >= no_comment_end_from_ ? std::string_view::npos : in_.find("-->", i + 4);
  if (end == std::string_view::npos) {
    no_comment_end_from_ = std::min(no_comment_end_from_, i);  // later searches would fail too
    size_t dashes = in_.find("--", i + 4);
    size_t gt = dashes == std::string_view::npos ? dashes : in_.find('>', dashes);
    return gt == std::string_view::npos ? in_.size() : gt + 1;
  }
  std::string_view text = in_.substr(i + 4, end - i - 4);
  bool safe = !text.starts_with(">") && !text.starts_with("->") &&
              text.find("--!>") == std::string_view::npos &&
              text.find("<!--") == std::string_view::npos && !text.ends_with("<!-") &&
              !text.starts_with("[");  // conditional comments
  if (safe) out_.append(in_.substr(i, end + 3 - i));
  return end + 3;
}

// Whatever starts with '<': a tag, a comment, a declaration or a stray '<' (text).
size_t Sanitizer::Markup(size_t i) {
  std::string_view rest = in_.substr(i);
  if (rest.starts_with("<!--")) return Comment(i);
  bool declaration = rest.starts_with("<!") && !rest.starts_with("<![");
  if (declaration || rest.starts_with("<?")) {  // DOCTYPE, processing instruction
    size_t gt = in_.find('>', i);
    return gt == std::string_view::npos ? in_.size() : gt + 1;
  }
  if (rest.size() > 2 && rest[1] == '/' && IsAsciiAlpha(rest[2])) return EndTag(i);
  if (rest.size() > 1 && IsAsciiAlpha(rest[1])) return StartTag(i);
  out_ += "&lt;";
  return i + 1;
}

bool IsNameChar(char c) {
  return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '-' || c == '_' || c == '.' || c == ':';
}

// Reads the attributes of a start tag from `i` to its '>'; npos when the tag never ends.
size_t ReadAttributes(std::string_view in, size_t i, std::vector<Attribute>* out,
                      bool* self_closing) {
  while (i < in.size()) {
    while (i < in.size() && (IsAsciiSpace(in[i]) || in[i] == '/')) {
      *self_closing = in[i] == '/';
      ++i;
    }
    if (i >= in.size()) break;
    if (in[i] == '>') return i + 1;
    *self_closing = false;
    size_t start = i;
    while (i < in.size() && !IsAsciiSpace(in[i]) && in[i] != '=' && in[i] != '>' && in[i] != '/')
      ++i;
    Attribute a{AsciiLowerCopy(in.substr(start, i - start)), {}};
    size_t j = i;
    while (j < in.size() && IsAsciiSpace(in[j])) ++j;
    if (j < in.size() && in[j] == '=') {
      ++j;
      while (j < in.size() && IsAsciiSpace(in[j])) ++j;
      if (j < in.size() && (in[j] == '"' || in[j] == '\'')) {
        size_t close = in.find(in[j], j + 1);
        if (close == std::string_view::npos) return std::string_view::npos;
        a.value = DecodeReferences(in.substr(j + 1, close - j - 1));
        i = close + 1;
      } else {
        size_t v = j;
        while (j < in.size() && !IsAsciiSpace(in[j]) && in[j] != '>') ++j;
        a.value = DecodeReferences(in.substr(v, j - v));
        i = j;
      }
    } else {
      a.value = a.name;  // <input checked> is checked="checked"
    }
    out->push_back(std::move(a));
  }
  return std::string_view::npos;
}

size_t Sanitizer::StartTag(size_t i) {
  size_t j = i + 1;
  while (j < in_.size() && IsNameChar(in_[j])) ++j;
  std::string name = AsciiLowerCopy(in_.substr(i + 1, j - i - 1));
  std::vector<Attribute> attributes;
  bool self_closing = false;
  size_t end = ReadAttributes(in_, j, &attributes, &self_closing);
  if (end == std::string_view::npos) return in_.size();  // a tag the text never closes
  if (name == "script" || name == "style" || name == "applet")
    return self_closing ? end : SkipRawText(end, name);
  if (InList(kAllowedElements, name)) WriteStartTag(name, std::move(attributes), self_closing);
  return end;
}

// Past the end tag of a script, style or applet, dropping everything up to it.
size_t Sanitizer::SkipRawText(size_t i, std::string_view name) {
  std::string close = "</" + std::string(name);
  for (size_t at = i; (at = in_.find("</", at)) != std::string_view::npos; at += 2) {
    if (!StartsWithIgnoreCase(in_.substr(at), close)) continue;
    size_t after = at + close.size();
    if (after < in_.size() && IsNameChar(in_[after])) continue;
    size_t gt = in_.find('>', after);
    return gt == std::string_view::npos ? in_.size() : gt + 1;
  }
  return in_.size();
}

size_t Sanitizer::EndTag(size_t i) {
  size_t j = i + 2;
  while (j < in_.size() && IsNameChar(in_[j])) ++j;
  std::string name = AsciiLowerCopy(in_.substr(i + 2, j - i - 2));
  size_t gt = in_.find('>', j);
  if (gt == std::string_view::npos) return in_.size();  // a tag the text never closes
  if (InList(kAllowedElements, name) && !InList(kVoidElements, name)) out_ += "</" + name + ">";
  return gt + 1;
}

void Sanitizer::WriteStartTag(const std::string& name, std::vector<Attribute> attributes,
                              bool self_closing) {
  std::map<std::string, std::string> kept;  // sorted by name; a repeated name: the last
  for (Attribute& a : attributes) {
    if (!InList(kAllowedAttributes, a.name)) continue;
    if (a.name == "rel" || a.name == "type") a.value = AsciiLowerCopy(a.value);
    if (a.name == "style") {
      a.value = SanitizeStyle(a.value);
      if (a.value.empty()) continue;
    } else if (InList(kUrlAttributes, a.name)) {
      bool resolve = InList(kRelativeUrlPairs, name + " " + a.name);
      a.value = SafeUrl(a.value, base_, resolve);
    }
    kept[a.name] = std::move(a.value);
  }
  out_ += "<" + name;
  for (const auto& [key, value] : kept) {
    out_ += " " + key + "=\"";
    AppendEscapedAttribute(out_, value);
    out_ += "\"";
  }
  bool is_void = InList(kVoidElements, name);
  out_ += is_void ? " />" : ">";
  if (self_closing && !is_void) out_ += "</" + name + ">";
}

}  // namespace

std::string SanitizeHtml(std::string_view html, std::string_view base_url) {
  std::string text = ReplaceAll(std::string(html), "<![CDATA[", "&lt;![CDATA[");
  return Sanitizer(text, base_url).Run();
}

bool LooksLikeHtml(std::string_view text) {
  bool end_tag = false, reference = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<') {
      size_t j = i + 1 + (i + 1 < text.size() && text[i + 1] == '/');
      size_t start = j;
      while (j < text.size() && IsWordChar(text[j])) ++j;
      if (j == start) continue;
      std::string name = AsciiLowerCopy(text.substr(start, j - start));
      if (!InList(kAllowedElements, name)) return false;
      end_tag = end_tag || (text[i + 1] == '/' && j < text.size() && text[j] == '>');
    } else if (text[i] == '&') {
      char32_t cp = 0;
      size_t n = ParseReference(text, i, &cp);
      if (n > 0) reference = true;
      size_t j = i + 1;
      while (j < text.size() && IsWordChar(text[j])) ++j;
      if (n == 0 && j > i + 1 && j < text.size() && text[j] == ';') return false;
    }
  }
  return end_tag || reference;
}

namespace {

bool IsMarkupType(std::string_view type) {
  return type == "text/html" || type == "application/xhtml+xml";
}

// A detail sanitised when it holds markup; plain text that looks like HTML counts as HTML
// when `guess_html` (formats that do not say what their text is).
void SanitizeDetail(Content& c, bool guess_html) {
  if (guess_html && c.type == "text/plain" && LooksLikeHtml(c.value)) c.type = "text/html";
  if (IsMarkupType(c.type)) c.value = SanitizeHtml(c.value, c.base);
}

// A text field and its detail: the field follows the sanitised detail.
void SanitizeField(std::string& field, Content& detail, bool guess_html) {
  if (detail.type.empty()) return;
  SanitizeDetail(detail, guess_html);
  if (IsMarkupType(detail.type)) field = detail.value;
}

void SanitizeFeedInfo(FeedInfo& info, bool guess_html) {
  if (!info.title_detail.type.empty()) SanitizeDetail(info.title_detail, guess_html);
  SanitizeField(info.subtitle, info.subtitle_detail, guess_html);
  SanitizeField(info.rights, info.rights_detail, guess_html);
  SanitizeField(info.info, info.info_detail, guess_html);
}

}  // namespace

void SanitizeFeedMarkup(Feed& feed) {
  bool guess_html = feed.version.rfind("atom", 0) != 0;
  SanitizeFeedInfo(feed.feed, guess_html);
  for (Entry& e : feed.entries) {
    if (!e.title_detail.type.empty()) SanitizeDetail(e.title_detail, guess_html);
    SanitizeField(e.summary, e.summary_detail, guess_html);
    SanitizeField(e.rights, e.rights_detail, guess_html);
    for (Content& c : e.content) SanitizeDetail(c, guess_html);
    if (e.summary_detail.type.empty()) {
      for (const Content& c : e.content) {
        if (c.type != "text/plain" && !IsMarkupType(c.type)) continue;
        e.summary_detail = c;
        e.summary = c.value;
        break;
      }
    }
    if (e.source) SanitizeFeedInfo(*e.source, guess_html);
  }
}

}  // namespace samizdat::feed
