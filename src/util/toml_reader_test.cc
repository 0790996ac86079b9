#include "util/toml_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace samizdat {
namespace {

// A bad value is an InvalidArgument naming file, line, column and key; the reader
// returns it rather than throwing, and TomlAssign leaves the target untouched.
TEST(TomlReader, ABadValueIsAnInvalidArgumentStatus) {
  toml::table t = toml::parse(std::string_view("n = 300\ns = 1\nb = 1\nl = [\"a\", 2]\n"),
                              std::string_view("x.toml"));
  Result<int64_t> n = TomlInt(*t.get("n"), "x.toml", "n", 0, 10);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(n.status().message(), "x.toml:1:5: key 'n' must be an integer from 0 to 10");

  std::string s = "unchanged";
  Status st = TomlAssign(TomlString(*t.get("s"), "x.toml", "s"), s);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "x.toml:2:5: key 's' must be a string");
  EXPECT_EQ(s, "unchanged");

  EXPECT_EQ(TomlBool(*t.get("b"), "x.toml", "b").status().message(),
            "x.toml:3:5: key 'b' must be true or false");
  EXPECT_EQ(TomlStrings(*t.get("l"), "x.toml", "l").status().message(),
            "x.toml:4:11: key 'l' must be a string");
  EXPECT_EQ(TomlUnknownKey("x.toml", *t.get("n"), "n").message(), "x.toml:1:5: unknown key 'n'");

  int small = 0;
  EXPECT_TRUE(TomlAssign(TomlInt(*t.get("n"), "x.toml", "n", 0, 1000), small).ok());
  EXPECT_EQ(small, 300);
}

// toml++'s syntax error comes back as a Status and the reader is not called.
TEST(TomlReader, ASyntaxErrorIsAStatusAndSkipsTheReader) {
  bool called = false;
  Status st = ParseTomlDocument("a = \n", "x.toml", [&](const toml::table&) {
    called = true;
    return Status::Ok();
  });
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(st.message().rfind("x.toml:1:", 0), 0u) << st.message();
  EXPECT_FALSE(called);
}

// The reader's own error is returned as it is.
TEST(TomlReader, TheReadersErrorIsReturnedUnchanged) {
  Status st = ParseTomlDocument("a = 1\n", "x.toml", [](const toml::table& t) {
    return TomlUnknownKey("x.toml", *t.get("a"), "a");
  });
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "x.toml:1:5: unknown key 'a'");
  EXPECT_TRUE(
      ParseTomlDocument("a = 1\n", "x.toml", [](const toml::table&) { return Status::Ok(); }).ok());
}

}  // namespace
}  // namespace samizdat
