#include "html/selector.h"

#include <gtest/gtest.h>

#include "html/parser.h"

namespace samizdat::html {
namespace {

std::vector<std::string> Ids(Node* root, const char* sel) {
  auto s = Selector::Parse(sel);
  EXPECT_TRUE(s.has_value()) << sel;
  std::vector<std::string> out;
  if (!s) return out;
  for (Node* n : SelectAll(root, *s)) out.emplace_back(n->Attr("id"));
  return out;
}

TEST(Selector, MatchesTypeIdClassAttributeAndCombinators) {
  auto doc = ParseHtml(
      "<div id=a class='post_list x'><div id=b class=title><a id=c href=1>x</a></div></div>"
      "<div id=d class=arttitle><span id=e data-k='v w'><a id=f>y</a></span></div>");
  Node* r = doc->root();
  EXPECT_EQ(Ids(r, "a"), (std::vector<std::string>{"c", "f"}));
  EXPECT_EQ(Ids(r, "#d"), (std::vector<std::string>{"d"}));
  EXPECT_EQ(Ids(r, "div.post_list div.title a"), (std::vector<std::string>{"c"}));
  EXPECT_EQ(Ids(r, "div.post_list > a"), (std::vector<std::string>{}));
  EXPECT_EQ(Ids(r, "div.title > a, div.arttitle a"), (std::vector<std::string>{"c", "f"}));
  EXPECT_EQ(Ids(r, "[href]"), (std::vector<std::string>{"c"}));
  EXPECT_EQ(Ids(r, "[href=1]"), (std::vector<std::string>{"c"}));
  EXPECT_EQ(Ids(r, "span[data-k~=w]"), (std::vector<std::string>{"e"}));
  EXPECT_EQ(Ids(r, "div:not(.title):not(#d)"), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Ids(r, "a:not([href])"), (std::vector<std::string>{"f"}));
  EXPECT_EQ(Ids(r, "div#b + div"), (std::vector<std::string>{}));
  EXPECT_EQ(Ids(r, "div#a ~ div"), (std::vector<std::string>{"d"}));
}

TEST(Selector, RejectsBadSyntaxWithAReason) {
  std::string err;
  EXPECT_FALSE(Selector::Parse("div[", &err));
  EXPECT_NE(err.find("offset"), std::string::npos);
  EXPECT_FALSE(Selector::Parse("", &err));
  EXPECT_FALSE(Selector::Parse("a:hover", &err));
  EXPECT_FALSE(Selector::Parse("a,,b", &err));
}

}  // namespace
}  // namespace samizdat::html
