// Character-set decision and decoding. Output is always UTF-8.
//
// Order of evidence (WHATWG "encoding sniffing", with two fixes for Chinese sites):
//   1. a byte-order mark (it is certain, so it wins even over the HTTP header);
//   2. the charset parameter of the HTTP Content-Type header, when known;
//   3. <meta charset> or <meta http-equiv=Content-Type> in the first 4 KiB;
//   4. detection (uchardet) when nothing is declared and the bytes are not valid UTF-8.
// Fixes: a GB2312/GBK label decodes as GB18030 (its superset; pages routinely use
// characters outside GB2312) and Big5 as Big5-HKSCS; and a legacy label on bytes that
// are valid UTF-8 with non-ASCII content is not trusted (mislabelled pages are common).
// A declared charset that produces many decoding errors falls back to detection.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace samizdat::html {

struct CharsetDecision {
  std::string charset;       // canonical name used for decoding: "UTF-8", "GB18030", ...
  std::string source;        // "bom", "http-header", "meta", "detected", "utf8-validity", "default"
  std::string declared;      // the label found in the header or meta, if any
  bool guessed = false;      // true when the charset came from detection or a default
  size_t decode_errors = 0;  // bytes that could not be decoded (written as U+FFFD)
};

struct DecodedHtml {
  std::string utf8;
  CharsetDecision decision;
  std::vector<std::string> warnings;
};

// Decides the charset of an HTML document and decodes it to UTF-8.
// `http_charset` is the Content-Type charset parameter, or empty when unknown.
DecodedHtml DecodeHtml(std::string_view bytes, std::string_view http_charset = {});

// Maps a charset label to the converter name used for decoding ("gb2312" -> "GB18030",
// "big5" -> "Big5-HKSCS", "latin1" -> "windows-1252"); "" for an unknown label.
std::string CanonicalCharset(std::string_view label);

// Finds a charset declared in <meta> within the first 4 KiB; "" when none.
std::string PrescanMetaCharset(std::string_view bytes);

// Decodes `bytes` from `charset` (a CanonicalCharset name) to UTF-8. Undecodable
// sequences become U+FFFD and are counted in *errors. Returns false if the charset is
// unknown to the converter.
bool DecodeToUtf8(std::string_view bytes, std::string_view charset, std::string& out,
                  size_t* errors);

// Runs byte-level detection; returns a canonical charset or "" when undecided.
std::string DetectCharset(std::string_view bytes);

}  // namespace samizdat::html
