#include <gtest/gtest.h>

#include "util/dates.h"
#include "util/strings.h"
#include "util/url.h"

namespace samizdat {
namespace {

TEST(Strings, CountsCharactersNotBytesAndChineseCommas) {
  EXPECT_EQ(Utf8Length("中文abc"), 5u);
  EXPECT_EQ(CountCommas("一，二、三, four"), 3);
  EXPECT_EQ(CollapseWhitespace("  a \n\t b\u3000c  "), "a b c");
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // a UTF-16 surrogate encoded in UTF-8
  EXPECT_TRUE(IsValidUtf8("\xEF\xBF\xBD ok"));
}

TEST(Url, ResolvesRelativeAndRefusesScriptSchemes) {
  const std::string base = "https://www.epochtimes.com/gb/21/8/31/n13199494.htm";
  EXPECT_EQ(ResolveUrl(base, "/gb/tag/x.html").value(), "https://www.epochtimes.com/gb/tag/x.html");
  EXPECT_EQ(ResolveUrl(base, "n1.htm").value(), "https://www.epochtimes.com/gb/21/8/31/n1.htm");
  EXPECT_EQ(ResolveUrl(base, "//img.soundofhope.org/a.jpg").value(),
            "https://img.soundofhope.org/a.jpg");
  EXPECT_EQ(ResolveUrl(base, "../x?q=1#f").value(), "https://www.epochtimes.com/gb/21/8/x?q=1#f");
  EXPECT_FALSE(ResolveUrl(base, "javascript:alert(1)"));
  EXPECT_FALSE(ResolveUrl(base, " JaVaScRiPt:alert(1)"));
  EXPECT_FALSE(ResolveUrl(base, "vbscript:x"));
  EXPECT_FALSE(ResolveUrl("", "relative/only"));
  // Non-ASCII paths are percent-encoded with upper-case hex, as browsers write them.
  EXPECT_EQ(ResolveUrl(base, "/gb/tag/日本.html").value(),
            "https://www.epochtimes.com/gb/tag/%E6%97%A5%E6%9C%AC.html");
  EXPECT_EQ(UrlFileStem(base), "n13199494");
  EXPECT_EQ(UrlHost("https://WWW.RFA.org/x"), "www.rfa.org");
}

TEST(Dates, ParsesTheFormsNewsPagesUse) {
  EXPECT_EQ(NormalizeDate("2021-08-31T10:00:00+08:00").value(), "2021-08-31T10:00:00+08:00");
  EXPECT_EQ(NormalizeDate("2021-08-31T02:00:00Z").value(), "2021-08-31T02:00:00Z");
  EXPECT_EQ(NormalizeDate("Tue, 31 Aug 2021 10:00:00 +0000").value(), "2021-08-31T10:00:00Z");
  EXPECT_EQ(NormalizeDate("Tue, 31 Aug 2021 10:00:00 GMT").value(), "2021-08-31T10:00:00Z");
  EXPECT_EQ(NormalizeDate("2026年09月20日 10:00", 480).value(), "2026-09-20T10:00:00+08:00");
  EXPECT_EQ(NormalizeDate("2026/09/20 10:00:00", 480).value(), "2026-09-20T10:00:00+08:00");
  EXPECT_EQ(NormalizeDate("2026-09-20 10:00 CST").value(), "2026-09-20T10:00:00+08:00");
  EXPECT_EQ(NormalizeDate("2026-09-20").value(), "2026-09-20T00:00:00Z");
  EXPECT_EQ(NormalizeDate("August 31, 2021").value(), "2021-08-31T00:00:00Z");
  EXPECT_EQ(NormalizeDate("3:04 pm").has_value(), false);
  EXPECT_FALSE(NormalizeDate("2021-02-30"));
  EXPECT_FALSE(NormalizeDate("not a date"));
  EXPECT_FALSE(NormalizeDate(""));
}

TEST(Dates, FindsDatelinesInRunningText) {
  EXPECT_EQ(FindDateInText("2026年09月01日 08:30 来源：示例新闻网", 480).value(),
            "2026-09-01T08:30:00+08:00");
  EXPECT_EQ(FindDateInText("Posted on 2026/9/1 by staff").value(), "2026-09-01T00:00:00Z");
  EXPECT_FALSE(FindDateInText("人气 321 标签"));
}

}  // namespace
}  // namespace samizdat
