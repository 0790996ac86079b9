// Charset labels are read without the junk pages put around them, and warnings quote the
// clean label.
#include <gtest/gtest.h>

#include "html/charset.h"

namespace samizdat::html {
namespace {

// A UTF-8 body labelled gb2312: the decoder says the label was not trusted, quoting it.
std::string WarningFor(const std::string& head, const std::string& http_charset = {}) {
  std::string page = "<html><head>" + head + "<title>t</title></head><body><p>中文 text</p>";
  DecodedHtml d = DecodeHtml(page, http_charset);
  EXPECT_EQ(d.decision.charset, "UTF-8");
  return d.warnings.empty() ? std::string() : d.warnings[0];
}

TEST(CharsetLabel, WarningsQuoteTheLabelWithoutStrayQuotes) {
  const std::string expected =
      "declared charset gb2312 but the bytes are valid UTF-8; decoded as UTF-8";
  EXPECT_EQ(WarningFor("<meta charset=gb2312\">"), expected);
  EXPECT_EQ(WarningFor("<meta charset=\"gb2312\">"), expected);
  EXPECT_EQ(WarningFor("<meta charset='gb2312'>"), expected);
  EXPECT_EQ(WarningFor("<meta http-equiv=\"Content-Type\" content=\"text/html; "
                       "charset=gb2312\\\"\">"),
            expected);
  EXPECT_EQ(WarningFor("<meta http-equiv=\"Content-Type\" content=\"text/html; "
                       "charset=\\\"gb2312\\\"\">"),
            expected);
  EXPECT_EQ(WarningFor("", "\"gb2312\""), expected);
  EXPECT_EQ(WarningFor("", " gb2312; "), expected);
}

TEST(CharsetLabel, JunkWithoutALabelIsStillReportedAsUnknown) {
  EXPECT_EQ(WarningFor("<meta charset=\"!!\">"), "unknown charset label \"!!\" ignored");
  EXPECT_EQ(WarningFor("<meta charset=\"x-klingon\">"),
            "unknown charset label \"x-klingon\" ignored");
}

}  // namespace
}  // namespace samizdat::html
