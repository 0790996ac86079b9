// TerminalSafe: what reaches a terminal from fetched data carries no control sequences.
#include <gtest/gtest.h>

#include "util/strings.h"

namespace samizdat {
namespace {

TEST(TerminalSafe, DropsC0C1AndDelButKeepsTextNewlinesAndTabs) {
  EXPECT_EQ(TerminalSafe("plain 中文 text\n\tnext"), "plain 中文 text\n\tnext");
  EXPECT_EQ(TerminalSafe("a\x1b[31mred\x1b]0;title\x07z"), "a[31mred]0;titlez");
  EXPECT_EQ(TerminalSafe("over\rwrite\b\x7f"), "overwrite");
  EXPECT_EQ(TerminalSafe(std::string("nul\0byte", 8)), "nulbyte");
  EXPECT_EQ(TerminalSafe("c1 \xc2\x9b"
                         "31m \xc2\x9d"
                         "0;x \xc2\x85 end"),
            "c1 31m 0;x  end");
  EXPECT_EQ(TerminalSafe("\xc2\xa0nbsp stays"), "\xc2\xa0nbsp stays");
}

TEST(TerminalSafe, InvalidUtf8BecomesReplacementCharacters) {
  // A lone 0x9B is the 8-bit CSI on terminals that take 8-bit controls.
  EXPECT_EQ(TerminalSafe("a\x9b"
                         "31mb\xff"),
            "a\xEF\xBF\xBD"
            "31mb\xEF\xBF\xBD");
}

}  // namespace
}  // namespace samizdat
