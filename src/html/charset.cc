#include "html/charset.h"

#include <cstring>

#include <uchardet/uchardet.h>
#include <unicode/ucnv.h>
#include <unicode/ustring.h>

#include <memory>

#include "util/strings.h"

namespace samizdat::html {
namespace {

struct Alias {
  std::string_view label;
  std::string_view canonical;
};

// WHATWG Encoding labels for the charsets news sites use, mapped to ICU converter names.
constexpr Alias kAliases[] = {
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"unicode-1-1-utf-8", "UTF-8"},
    {"gb2312", "GB18030"},
    {"gbk", "GB18030"},
    {"gb18030", "GB18030"},
    {"x-gbk", "GB18030"},
    {"cp936", "GB18030"},
    {"csgb2312", "GB18030"},
    {"chinese", "GB18030"},
    {"iso-ir-58", "GB18030"},
    {"gb_2312-80", "GB18030"},
    {"gb_2312", "GB18030"},
    {"euc-cn", "GB18030"},
    {"x-euc-cn", "GB18030"},
    {"hz-gb-2312", "HZ"},
    {"big5", "Big5-HKSCS"},
    {"big5-hkscs", "Big5-HKSCS"},
    {"cn-big5", "Big5-HKSCS"},
    {"csbig5", "Big5-HKSCS"},
    {"x-x-big5", "Big5-HKSCS"},
    {"cp950", "Big5-HKSCS"},
    {"shift_jis", "windows-31j"},
    {"shift-jis", "windows-31j"},
    {"sjis", "windows-31j"},
    {"x-sjis", "windows-31j"},
    {"windows-31j", "windows-31j"},
    {"ms932", "windows-31j"},
    {"euc-jp", "EUC-JP"},
    {"iso-2022-jp", "ISO-2022-JP"},
    {"euc-kr", "windows-949"},
    {"ks_c_5601-1987", "windows-949"},
    {"windows-949", "windows-949"},
    {"iso-8859-1", "windows-1252"},
    {"latin1", "windows-1252"},
    {"l1", "windows-1252"},
    {"us-ascii", "windows-1252"},
    {"ascii", "windows-1252"},
    {"windows-1252", "windows-1252"},
    {"cp1252", "windows-1252"},
    {"iso-8859-2", "ISO-8859-2"},
    {"iso-8859-5", "ISO-8859-5"},
    {"iso-8859-7", "ISO-8859-7"},
    {"iso-8859-9", "windows-1254"},
    {"iso-8859-15", "ISO-8859-15"},
    {"windows-1250", "windows-1250"},
    {"windows-1251", "windows-1251"},
    {"windows-1253", "windows-1253"},
    {"windows-1254", "windows-1254"},
    {"windows-1255", "windows-1255"},
    {"windows-1256", "windows-1256"},
    {"windows-1257", "windows-1257"},
    {"windows-1258", "windows-1258"},
    {"koi8-r", "KOI8-R"},
    {"koi8-u", "KOI8-U"},
    {"tis-620", "windows-874"},
    {"windows-874", "windows-874"},
    {"utf-16le", "UTF-16LE"},
    {"utf-16be", "UTF-16BE"},
    {"utf-16", "UTF-16LE"},
    {"maccyrillic", "x-mac-cyrillic"},
};

bool IsUtf8Name(std::string_view c) { return c == "UTF-8"; }

bool HasNonAscii(std::string_view s) { return AsciiPrefixLength(s) < s.size(); }

// Extracts "charset=..." from a Content-Type-like value.
std::string CharsetFromContentType(std::string_view value) {
  std::string lower = AsciiLowerCopy(value);
  size_t pos = lower.find("charset");
  if (pos == std::string::npos) return {};
  pos += 7;
  while (pos < lower.size() && IsAsciiSpace(lower[pos])) ++pos;
  if (pos >= lower.size() || lower[pos] != '=') return {};
  ++pos;
  while (pos < lower.size() && IsAsciiSpace(lower[pos])) ++pos;
  char quote = 0;
  if (pos < lower.size() && (lower[pos] == '"' || lower[pos] == '\'')) quote = lower[pos++];
  size_t end = pos;
  while (end < lower.size() && lower[end] != quote && lower[end] != ';' &&
         !(quote == 0 && IsAsciiSpace(lower[end])))
    ++end;
  return std::string(TrimAscii(std::string_view(lower).substr(pos, end - pos)));
}

// Reads the value of attribute `name` from the text of one tag (between '<meta' and '>').
std::string TagAttr(std::string_view tag, std::string_view name) {
  std::string lower = AsciiLowerCopy(tag);
  size_t pos = 0;
  while ((pos = lower.find(name, pos)) != std::string::npos) {
    bool boundary = pos == 0 || IsAsciiSpace(lower[pos - 1]) || lower[pos - 1] == '"' ||
                    lower[pos - 1] == '\'' || lower[pos - 1] == '/';
    size_t p = pos + name.size();
    while (p < lower.size() && IsAsciiSpace(lower[p])) ++p;
    if (!boundary || p >= lower.size() || lower[p] != '=') {
      pos += name.size();
      continue;
    }
    ++p;
    while (p < lower.size() && IsAsciiSpace(lower[p])) ++p;
    if (p >= lower.size()) return {};
    if (lower[p] == '"' || lower[p] == '\'') {
      char q = lower[p];
      size_t end = tag.find(q, p + 1);
      if (end == std::string_view::npos) end = tag.size();
      return std::string(tag.substr(p + 1, end - p - 1));
    }
    size_t end = p;
    while (end < tag.size() && !IsAsciiSpace(tag[end]) && tag[end] != '>' && tag[end] != '/') ++end;
    return std::string(tag.substr(p, end - p));
  }
  return {};
}

struct ConverterDeleter {
  void operator()(UConverter* c) const { ucnv_close(c); }
};

struct ErrorCounter {
  UConverterToUCallback previous = nullptr;
  const void* previous_context = nullptr;
  size_t errors = 0;
};

void CountingCallback(const void* context, UConverterToUnicodeArgs* args, const char* bytes,
                      int32_t length, UConverterCallbackReason reason, UErrorCode* err) {
  auto* counter = const_cast<ErrorCounter*>(static_cast<const ErrorCounter*>(context));
  if (reason == UCNV_CLOSE || reason == UCNV_RESET || reason == UCNV_CLONE) return;
  if (reason == UCNV_ILLEGAL || reason == UCNV_IRREGULAR || reason == UCNV_UNASSIGNED)
    counter->errors += length > 0 ? static_cast<size_t>(length) : 1;
  if (counter->previous)
    counter->previous(counter->previous_context, args, bytes, length, reason, err);
}

std::string_view StripBom(std::string_view bytes, std::string& charset) {
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xEF &&
      static_cast<unsigned char>(bytes[1]) == 0xBB &&
      static_cast<unsigned char>(bytes[2]) == 0xBF) {
    charset = "UTF-8";
    return bytes.substr(3);
  }
  if (bytes.size() >= 2) {
    auto b0 = static_cast<unsigned char>(bytes[0]), b1 = static_cast<unsigned char>(bytes[1]);
    if (b0 == 0xFF && b1 == 0xFE) {
      charset = "UTF-16LE";
      return bytes.substr(2);
    }
    if (b0 == 0xFE && b1 == 0xFF) {
      charset = "UTF-16BE";
      return bytes.substr(2);
    }
  }
  return bytes;
}

// Copies valid UTF-8, replacing each invalid byte with U+FFFD and counting it.
std::string RepairUtf8(std::string_view s, size_t* errors) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    // A run of ASCII is copied whole; NUL is not allowed in HTML text (the parser would
    // replace it anyway), so it is dropped.
    if (size_t run = AsciiPrefixLength(s.substr(i)); run > 0) {
      std::string_view ascii = s.substr(i, run);
      if (std::memchr(ascii.data(), 0, run) == nullptr) {
        out.append(ascii);
      } else {
        for (char c : ascii)
          if (c != 0) out.push_back(c);
      }
      i += run;
      continue;
    }
    size_t start = i;
    char32_t cp = DecodeUtf8(s, i);
    if (cp == 0xFFFD && i == start + 1) {
      ++*errors;
      out += "\xEF\xBF\xBD";
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  return out;
}

// The label inside a declared charset value, without the quotes, backslashes or spaces
// pages put around it ("gb2312\"", "\\\"utf-8\\\"", "gbk;"): leading junk skipped, then
// label characters up to the first other one. Decoding and warnings both use this label;
// a value with no label characters at all is kept as it is, to be reported as unknown.
std::string CharsetLabel(std::string_view raw) {
  auto is_label_char = [](char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.';
  };
  size_t start = 0;
  while (start < raw.size() && (IsAsciiSpace(raw[start]) || raw[start] == '"' ||
                                raw[start] == '\'' || raw[start] == '\\'))
    ++start;
  size_t end = start;
  while (end < raw.size() && is_label_char(raw[end])) ++end;
  if (end == start) return std::string(TrimAscii(raw));
  return std::string(raw.substr(start, end - start));
}

}  // namespace

std::string CanonicalCharset(std::string_view label) {
  std::string l = AsciiLowerCopy(CharsetLabel(label));
  for (const auto& a : kAliases)
    if (a.label == l) return std::string(a.canonical);
  return {};
}

std::string PrescanMetaCharset(std::string_view bytes) {
  std::string_view head = bytes.substr(0, std::min<size_t>(bytes.size(), 4096));
  size_t pos = 0;
  while (true) {
    size_t lt = head.find('<', pos);
    // "<meta" needs a character after it (a space or "/") to be a meta tag.
    if (lt == std::string_view::npos || lt + 5 >= head.size()) return {};
    if (head.substr(lt, 4) == "<!--") {
      size_t end = head.find("-->", lt + 4);
      if (end == std::string_view::npos) return {};
      pos = end + 3;
      continue;
    }
    if (!StartsWithIgnoreCase(head.substr(lt + 1), "meta") ||
        !(IsAsciiSpace(head[lt + 5]) || head[lt + 5] == '/')) {
      pos = lt + 1;
      continue;
    }
    size_t gt = head.find('>', lt);
    std::string_view tag =
        head.substr(lt + 5, (gt == std::string_view::npos ? head.size() : gt) - lt - 5);
    std::string charset = TagAttr(tag, "charset");
    if (!charset.empty()) return std::string(TrimAscii(charset));
    std::string http_equiv = TagAttr(tag, "http-equiv");
    if (EqualsIgnoreCase(TrimAscii(http_equiv), "content-type")) {
      std::string from_content = CharsetFromContentType(TagAttr(tag, "content"));
      if (!from_content.empty()) return from_content;
    }
    if (gt == std::string_view::npos) return {};
    pos = gt + 1;
  }
}

bool DecodeToUtf8(std::string_view bytes, std::string_view charset, std::string& out,
                  size_t* errors) {
  size_t local_errors = 0;
  if (IsUtf8Name(charset)) {
    out = RepairUtf8(bytes, &local_errors);
    if (errors) *errors = local_errors;
    return true;
  }
  UErrorCode status = U_ZERO_ERROR;
  std::string name(charset);
  // Declared before the converter: ucnv_close() calls the callback one last time.
  ErrorCounter counter;
  std::unique_ptr<UConverter, ConverterDeleter> conv(ucnv_open(name.c_str(), &status));
  if (U_FAILURE(status) || !conv) return false;
  ucnv_setToUCallBack(conv.get(), CountingCallback, &counter, &counter.previous,
                      &counter.previous_context, &status);
  if (U_FAILURE(status)) return false;
  // Every supported charset yields at most one UTF-16 unit per input byte (4-byte GB18030
  // sequences give a surrogate pair), so one pass into a buffer of that size suffices.
  std::u16string utf16(bytes.size() + 16, u'\0');
  int32_t units = ucnv_toUChars(conv.get(), reinterpret_cast<UChar*>(utf16.data()),
                                static_cast<int32_t>(utf16.size()), bytes.data(),
                                static_cast<int32_t>(bytes.size()), &status);
  if (U_FAILURE(status)) return false;
  int32_t needed = 0;
  UErrorCode st2 = U_ZERO_ERROR;
  u_strToUTF8WithSub(nullptr, 0, &needed, reinterpret_cast<const UChar*>(utf16.data()), units,
                     0xFFFD, nullptr, &st2);
  out.assign(static_cast<size_t>(needed), '\0');
  st2 = U_ZERO_ERROR;
  u_strToUTF8WithSub(out.data(), needed, &needed, reinterpret_cast<const UChar*>(utf16.data()),
                     units, 0xFFFD, nullptr, &st2);
  if (U_FAILURE(st2)) return false;
  // NUL is not allowed in HTML text; drop any the source contained.
  std::erase(out, '\0');
  if (errors) *errors = counter.errors;
  return true;
}

std::string DetectCharset(std::string_view bytes) {
  uchardet_t ud = uchardet_new();
  if (!ud) return {};
  // Detection settles quickly; 256 KiB is plenty and bounds the cost on huge pages.
  std::string_view sample = bytes.substr(0, std::min<size_t>(bytes.size(), 256 * 1024));
  std::string result;
  if (uchardet_handle_data(ud, sample.data(), sample.size()) == 0) {
    uchardet_data_end(ud);
    const char* name = uchardet_get_charset(ud);
    if (name && *name) {
      result = CanonicalCharset(name);
      if (result.empty()) {
        // uchardet names that are not WHATWG labels: pass ICU a name it knows.
        std::string lower = AsciiLowerCopy(name);
        if (lower == "ascii")
          result = "UTF-8";
        else if (lower.rfind("iso-8859", 0) == 0 || lower.rfind("windows-", 0) == 0 ||
                 lower.rfind("ibm", 0) == 0 || lower.rfind("mac", 0) == 0)
          result = name;
      }
    }
  }
  uchardet_delete(ud);
  return result;
}

namespace {

// Decodes `body` from `charset` into result.utf8 and records the charset and the count of
// undecodable bytes. False when the charset is not supported (result.utf8 is then undefined).
bool DecodeAs(std::string_view body, const std::string& charset, DecodedHtml& result) {
  size_t errors = 0;
  if (!DecodeToUtf8(body, charset, result.utf8, &errors)) return false;
  result.decision.charset = charset;
  result.decision.decode_errors = errors;
  return true;
}

// After decoding as the declared `canonical` charset: a wrong label shows as many decoding
// errors, and then detection decides when its guess decodes with fewer.
void RecheckAgainstDetection(std::string_view body, const std::string& declared,
                             const std::string& canonical, DecodedHtml& result) {
  CharsetDecision& d = result.decision;
  if (d.decode_errors * 200 <= body.size() || d.decode_errors < 4) return;
  std::string detected = DetectCharset(body);
  if (!detected.empty() && detected != canonical) {
    std::string saved = std::move(result.utf8);
    size_t saved_errors = d.decode_errors;
    if (DecodeAs(body, detected, result) && d.decode_errors < saved_errors) {
      result.warnings.push_back("declared charset " + declared + " does not fit the bytes (" +
                                std::to_string(saved_errors) +
                                " errors); charset guessed: " + detected);
      d.source = "detected";
      d.guessed = true;
      return;
    }
    result.utf8 = std::move(saved);
    d.charset = canonical;
    d.decode_errors = saved_errors;
  }
  result.warnings.push_back(std::to_string(d.decode_errors) + " bytes could not be decoded as " +
                            canonical);
}

// Decodes by the declared label (HTTP header or <meta>). False when the label is unknown or
// its charset unsupported: the caller then goes by the bytes.
bool DecodeDeclared(std::string_view body, const std::string& declared, bool utf8_valid,
                    bool non_ascii, DecodedHtml& result) {
  std::string canonical = CanonicalCharset(declared);
  if (canonical.empty()) {
    result.warnings.push_back("unknown charset label \"" + declared + "\" ignored");
    return false;
  }
  if (canonical == "UTF-16LE" || canonical == "UTF-16BE") {
    // A meta tag cannot truthfully declare UTF-16 (it was readable as ASCII); WHATWG says UTF-8.
    canonical = "UTF-8";
  }
  if (!IsUtf8Name(canonical) && utf8_valid && non_ascii) {
    result.warnings.push_back("declared charset " + declared +
                              " but the bytes are valid UTF-8; decoded as UTF-8");
    result.decision.source = "utf8-validity";
    DecodeAs(body, "UTF-8", result);
    return true;
  }
  if (DecodeAs(body, canonical, result)) {
    RecheckAgainstDetection(body, declared, canonical, result);
    return true;
  }
  result.warnings.push_back("charset " + canonical + " is not supported; guessing");
  return false;
}

// Without a usable label: UTF-8 when the bytes are valid UTF-8, else what detection
// guesses, else UTF-8 with replacements.
void DecodeByContent(std::string_view body, const std::string& declared, bool utf8_valid,
                     bool non_ascii, DecodedHtml& result) {
  CharsetDecision& d = result.decision;
  if (utf8_valid) {
    d.source = declared.empty() ? (non_ascii ? "utf8-validity" : "default") : d.source;
    DecodeAs(body, "UTF-8", result);
    return;
  }
  std::string detected = DetectCharset(body);
  if (detected.empty() || !DecodeAs(body, detected, result)) {
    d.source = "default";
    d.guessed = true;
    DecodeAs(body, "UTF-8", result);
    result.warnings.push_back("charset guessed: undetectable, decoded as UTF-8 with replacements");
    return;
  }
  d.source = "detected";
  d.guessed = true;
  result.warnings.push_back("charset guessed: " + detected);
}

}  // namespace

DecodedHtml DecodeHtml(std::string_view bytes, std::string_view http_charset) {
  DecodedHtml result;
  CharsetDecision& d = result.decision;
  std::string bom_charset;
  std::string_view body = StripBom(bytes, bom_charset);
  if (!bom_charset.empty()) {
    d.source = "bom";
    DecodeAs(body, bom_charset, result);
    return result;
  }

  std::string declared;
  if (!http_charset.empty()) {
    declared = CharsetLabel(http_charset);
    d.source = "http-header";
  } else {
    declared = CharsetLabel(PrescanMetaCharset(body));
    if (!declared.empty()) d.source = "meta";
  }
  d.declared = declared;
  bool utf8_valid = IsValidUtf8(body);
  bool non_ascii = HasNonAscii(body);
  if (!declared.empty() && DecodeDeclared(body, declared, utf8_valid, non_ascii, result))
    return result;
  DecodeByContent(body, declared, utf8_valid, non_ascii, result);
  return result;
}

}  // namespace samizdat::html
