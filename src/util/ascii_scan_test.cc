// The word-at-a-time ASCII scans (UTF-8 validity, repair, the binary sniff) find every
// non-ASCII, NUL and control byte wherever it falls in an 8-byte word.
#include <gtest/gtest.h>

#include <string>

#include "extract/extract.h"
#include "html/charset.h"
#include "util/strings.h"

namespace samizdat {
namespace {

TEST(AsciiScan, FindsTheFirstNonAsciiByteAtEveryOffset) {
  for (size_t at = 0; at < 40; ++at) {
    std::string s(40, 'a');
    s[at] = '\xC3';
    EXPECT_EQ(AsciiPrefixLength(s), at);
    EXPECT_FALSE(IsValidUtf8(s)) << at;  // a lead byte without its continuation
    s.insert(at + 1, "\xA9");
    EXPECT_TRUE(IsValidUtf8(s)) << at;
  }
  EXPECT_EQ(AsciiPrefixLength(std::string(37, 'z')), 37u);
}

TEST(AsciiScan, RepairDropsNulAndReplacesBadBytesInsideLongAsciiRuns) {
  std::string body = "<p>" + std::string(30, 'x') + '\0' + std::string(20, 'y') + "\xFF" +
                     std::string(9, 'z') + "</p>";
  html::DecodedHtml d = html::DecodeHtml(body, "utf-8");
  EXPECT_EQ(d.utf8, "<p>" + std::string(30, 'x') + std::string(20, 'y') + "\xEF\xBF\xBD" +
                        std::string(9, 'z') + "</p>");
  EXPECT_EQ(d.decision.decode_errors, 1u);
}

TEST(AsciiScan, BinarySniffCountsControlBytesAnywhereInAWord) {
  // 1 control byte in 50 is above the 1 % threshold, at whatever offset they fall.
  for (size_t offset = 0; offset < 8; ++offset) {
    std::string bytes(2000, 'a');
    for (size_t i = offset; i < bytes.size(); i += 50) bytes[i] = '\x01';
    EXPECT_FALSE(extract::Extract(bytes, {}).body) << offset;
    EXPECT_EQ(extract::Extract(bytes, {}).warnings.front(),
              "input looks like binary data, not HTML")
        << offset;
  }
  // Whitespace and ESC are text, however many.
  std::string text(2000, 'a');
  for (size_t i = 0; i < text.size(); i += 3) text[i] = "\t\n\r\f\x1B"[i % 5];
  for (const auto& w : extract::Extract(text, {}).warnings)
    EXPECT_NE(w, "input looks like binary data, not HTML");
}

}  // namespace
}  // namespace samizdat
