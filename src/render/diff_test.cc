#include "render/diff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "render/gfm_check.h"

namespace samizdat::render {
namespace {

using Kind = DiffRun::Kind;

std::string Side(const std::vector<DiffRun>& runs, Kind skip) {
  std::string out;
  for (const auto& r : runs)
    if (r.kind != skip) out += r.text;
  return out;
}

std::string Changed(const std::vector<DiffRun>& runs, Kind kind) {
  std::string out;
  for (const auto& r : runs)
    if (r.kind == kind) out += "[" + r.text + "]";
  return out;
}

// Longest common subsequence by the textbook dynamic programme: an independent measure of
// the minimal number of edits.
size_t Lcs(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  std::vector<std::vector<size_t>> t(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j)
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
  return t[a.size()][b.size()];
}

TEST(Diff, LatinTextDiffersByWords) {
  auto runs = DiffTexts("The minister said yes today.", "The minister said no today.");
  EXPECT_EQ(Changed(runs, Kind::kDelete), "[yes]");
  EXPECT_EQ(Changed(runs, Kind::kInsert), "[no]");
}

TEST(Diff, ChineseTextDiffersByCharacters) {
  auto runs = DiffTexts("香港警方周二拘捕三人。", "香港警方周三拘捕五人。");
  EXPECT_EQ(Changed(runs, Kind::kDelete), "[二][三]");
  EXPECT_EQ(Changed(runs, Kind::kInsert), "[三][五]");
}

TEST(Diff, MixedScriptsTokenise) {
  auto tokens = DiffTokens("据BBC报道, 2024年 GDP");
  std::vector<std::string> got(tokens.begin(), tokens.end());
  std::vector<std::string> want = {"据", "BBC", "报", "道", ",", " ", "2024", "年", " ", "GDP"};
  EXPECT_EQ(got, want);
}

TEST(Diff, UnchangedParagraphsStayEqualAndEditsAreMinimal) {
  std::mt19937 rng(7);
  const std::vector<std::string> words = {"北京", "the",  "政府", "said",
                                          "，",   "香港", "news", "人"};
  for (int round = 0; round < 200; ++round) {
    std::string a, b;
    int paragraphs = 1 + static_cast<int>(rng() % 4);
    for (int p = 0; p < paragraphs; ++p) {
      int n = static_cast<int>(rng() % 12);
      for (int i = 0; i < n; ++i) {
        const std::string& w = words[rng() % words.size()];
        a += w + (rng() % 3 ? " " : "");
        if (rng() % 5) b += w + " ";       // most tokens kept
        if (rng() % 7 == 0) b += "插入 ";  // some inserted
      }
      a += "\n";
      b += "\n";
    }
    auto runs = DiffTexts(a, b);
    ASSERT_EQ(Side(runs, Kind::kInsert), a) << round;
    ASSERT_EQ(Side(runs, Kind::kDelete), b) << round;
    if (a.find('\n') == a.size() - 1) {  // one paragraph: the token diff must be minimal
      auto ta = DiffTokens(a), tb = DiffTokens(b);
      size_t edits = 0;
      for (const auto& r : runs)
        if (r.kind != Kind::kEqual) edits += DiffTokens(r.text).size();
      EXPECT_EQ(edits, ta.size() + tb.size() - 2 * Lcs(ta, tb)) << round;
    }
  }
}

TEST(Diff, ParagraphsAreMatchedFirst) {
  auto runs = DiffTexts("第一段。\n第二段。\n第三段。\n", "第一段。\n第二段有改动。\n第三段。\n");
  ASSERT_FALSE(runs.empty());
  EXPECT_EQ(runs.front().kind, Kind::kEqual);
  EXPECT_EQ(runs.front().text, "第一段。\n第二段");
  EXPECT_EQ(Changed(runs, Kind::kInsert), "[有改动]");
  EXPECT_EQ(Changed(runs, Kind::kDelete), "");
}

TEST(Diff, WhollyDifferentLongTextsStillReconstruct) {
  std::string a, b;
  for (int i = 0; i < 3000; ++i) {
    a += "甲乙";
    b += "丙丁";
  }
  auto runs = DiffTexts(a, b);
  EXPECT_EQ(Side(runs, Kind::kInsert), a);
  EXPECT_EQ(Side(runs, Kind::kDelete), b);
  DiffStats stats = CountChanges(runs);
  EXPECT_EQ(stats.deleted, 6000);
  EXPECT_EQ(stats.inserted, 6000);
}

TEST(Diff, HtmlEscapesEveryRun) {
  auto runs = DiffTexts("safe <b>text</b>\n", "safe <script>alert(1)</script> text\n");
  std::string html = DiffToHtml(runs);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("<ins>"), std::string::npos);
  EXPECT_NE(html.find("&lt;"), std::string::npos);
  EXPECT_NE(html.find("alert(1)"), std::string::npos);
  EXPECT_EQ(html.substr(0, 3), "<p>");
}

TEST(Diff, MarkdownRendersInsAndDelOnGitHub) {
  auto runs = DiffTexts("警方拘捕三人。\n\n* not a list\n", "警方拘捕五人。\n\n* not a list\n");
  GfmReport report = CheckGfm(DiffToMarkdown(runs));
  EXPECT_NE(report.html.find("<del>三</del>"), std::string::npos) << report.html;
  EXPECT_NE(report.html.find("<ins>五</ins>"), std::string::npos) << report.html;
  EXPECT_EQ(report.html.find("<li>"), std::string::npos) << report.html;
  EXPECT_EQ(report.paragraphs, 2);
}

}  // namespace
}  // namespace samizdat::render
