// Pages nested far deeper than any real page: every stage must finish without overflowing
// the stack, the parsed tree must stay within the depth cap, and the page must say that its
// nesting was flattened. The pipeline runs in a forked child first, so a stack overflow
// fails the test instead of killing the test binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "clean/clean.h"
#include "extract/extract.h"
#include "html/nesting_cap.h"
#include "html/parser.h"
#include "html/selector.h"
#include "html/serialize.h"
#include "render/markdown.h"

namespace samizdat::html {
namespace {

constexpr int kHostileDepth = 100000;
constexpr int kTreeDepthCap = 512;

std::string Repeat(std::string_view s, int n) {
  std::string out;
  out.reserve(s.size() * n);
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

int TreeDepth(const Node* root) {
  int max_depth = 0;
  for (const Node* n = root; n; n = NextInTree(n, root)) {
    int depth = 0;
    for (const Node* p = n; p != root; p = p->parent) ++depth;
    max_depth = std::max(max_depth, depth);
  }
  return max_depth;
}

bool HasWarning(const std::vector<std::string>& warnings, std::string_view needle) {
  for (const auto& w : warnings)
    if (w.find(needle) != std::string::npos) return true;
  return false;
}

// The warning of whichever cap a hostile unit runs into first.
bool HasCapWarning(const std::vector<std::string>& warnings) {
  return HasWarning(warnings, "nesting deeper than 512 levels flattened") ||
         HasWarning(warnings, "more than 32 open formatting elements dropped");
}

int64_t NodeCount(const Node* root) {
  int64_t count = 0;
  for (const Node* n = root; n; n = NextInTree(n, root)) count += n->type != NodeType::kText;
  return count;
}

// The most formatting elements on one path from the root.
int MaxFormattingOnPath(const Node* root) {
  static constexpr std::string_view kFormatting[] = {"a",      "b",      "big",  "code", "em",
                                                     "font",   "i",      "nobr", "s",    "small",
                                                     "strike", "strong", "tt",   "u"};
  int max_count = 0;
  for (const Node* n = root; n; n = NextInTree(n, root)) {
    int count = 0;
    for (const Node* p = n; p; p = p->parent)
      for (std::string_view f : kFormatting) count += p->IsElement() && p->name == f;
    max_count = std::max(max_count, count);
  }
  return max_count;
}

// Every stage that walks the tree, on one page; returns the Markdown.
std::string RunPipeline(const std::string& html) {
  extract::ExtractOptions eo;
  eo.url = "https://news.example.org/a/deep.html";
  eo.profile_name = "generic";
  extract::Article a = extract::ExtractUtf8(html, eo);
  clean::CleanArticle(a, {});
  std::string md = render::ToMarkdown(a.body);
  std::string text = render::ToText(a.body);
  std::string serialized = OuterHtml(a.doc->root());
  auto sel = Selector::Parse("body div > span p, div div div em");
  SelectAll(a.doc->root(), *sel);
  return md + text + serialized;
}

void ExpectPipelineSurvives(const std::string& html) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        RunPipeline(html);
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

std::string DeepPage(std::string_view open, std::string_view close) {
  return "<html><body><p>Intro text.</p>" + Repeat(open, kHostileDepth) + "deep text" +
         Repeat(close, kHostileDepth) + "<p>Closing text.</p></body></html>";
}

TEST(HtmlDepth, DeepDivsGoThroughEveryStage) {
  ExpectPipelineSurvives(DeepPage("<div>", "</div>"));
}

TEST(HtmlDepth, DeepUnclosedFormattingGoesThroughEveryStage) {
  ExpectPipelineSurvives(DeepPage("<b><i><span>", ""));
}

TEST(HtmlDepth, DeepTablesAndListsGoThroughEveryStage) {
  ExpectPipelineSurvives(DeepPage("<table><tr><td><ul><li>", ""));
}

TEST(HtmlDepth, ParserNeverSeesMoreThanTheCapAndSaysSo) {
  for (std::string_view unit :
       {"<div>", "<b>", "<a href=x><div>", "<table><td>", "<ul><li>", "<li><section>",
        "<span><div></span>", "<div><table></div>", "<body><div></body>", "<p><b a=1><b a=2>x"}) {
    auto doc = ParseHtml(Repeat(unit, kHostileDepth / 10) + "end");
    EXPECT_LE(TreeDepth(doc->root()), kTreeDepthCap) << unit;
    EXPECT_TRUE(HasCapWarning(doc->parse_warnings())) << unit;
  }
}

TEST(HtmlDepth, FlatteningKeepsTextAndLeavesNormalPagesAlone) {
  std::string flat;
  std::string normal =
      "<ul><li>a<li>b</ul><p>x<p>y<table><tr><td>1<td>2</table><script>if(a<b)</script>" +
      Repeat("<p>para <b>bold</b> <a href=x>link</a>", 5000) + Repeat("<li>item", 5000);
  EXPECT_FALSE(CapNesting(normal, {}, &flat).changed());
  std::string deep = Repeat("<div>", 1000) + "deep text" + Repeat("</div>", 1000) + "after";
  ASSERT_TRUE(CapNesting(deep, {}, &flat).depth_capped);
  EXPECT_NE(flat.find("deep text"), std::string::npos);
  EXPECT_NE(flat.find("after"), std::string::npos);
  auto doc = ParseHtml(deep);
  std::string text = TextContent(doc->root());
  EXPECT_EQ(text, "deep textafter");
}

// Formatting elements with different attributes escape the HTML5 limit on identical ones,
// and the tree builder re-creates every one of them after each closed block.
TEST(HtmlDepth, OpenFormattingElementsStayWithinTheCap) {
  std::string page;
  for (int i = 0; i < 2000; ++i) page += "<p><b a=" + std::to_string(i) + ">x";
  std::string capped;
  NestingReport report = CapNesting(page, {}, &capped);
  EXPECT_TRUE(report.formatting_capped);
  EXPECT_LE(report.max_open_formatting_seen, NestingLimits{}.max_open_formatting);
  NestingReport again = CapNesting(capped, {}, &capped);
  EXPECT_FALSE(again.changed());
  auto doc = ParseHtml(page);
  EXPECT_LE(MaxFormattingOnPath(doc->root()), NestingLimits{}.max_open_formatting);
  EXPECT_TRUE(HasWarning(doc->parse_warnings(), "more than 32 open formatting elements dropped"));
  EXPECT_EQ(TextContent(doc->root()), Repeat("x", 2000));
}

// Flat pages can be costly too: every element costs time in the parser and in each pass.
TEST(HtmlDepth, NodeBudgetCutsThePageOffAndSaysSo) {
  constexpr int64_t kBudget = NestingLimits{}.max_nodes;
  for (std::string_view unit : {"<a href=x>y", "<p>x", "<br>", "<!---->", "<p><b a=1><b a=2>x"}) {
    auto doc = ParseHtml(Repeat(unit, 300000));
    EXPECT_LE(NodeCount(doc->root()), kBudget + 8) << unit;  // + document, html, head, body
    EXPECT_TRUE(HasWarning(doc->parse_warnings(), "page cut off after 250000 nodes")) << unit;
  }
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The caps sit far above what real pages need, so no fixture or demo page is touched.
TEST(HtmlDepth, CapsLeaveFixtureAndDemoPagesAlone) {
  int pages = 0;
  for (const char* dir : {"/tests/fixtures", "/demo/pages"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(SAMIZDAT_SOURCE_DIR) + dir)) {
      if (entry.path().extension() != ".html") continue;
      std::string capped;
      EXPECT_FALSE(CapNesting(ReadFile(entry.path()), {}, &capped).changed()) << entry.path();
      ++pages;
    }
  }
  EXPECT_GT(pages, 3);
}

TEST(HtmlDepth, ExtractReportsTheFlattening) {
  extract::Article a = extract::ExtractUtf8(DeepPage("<div>", "</div>"), {});
  EXPECT_TRUE(HasWarning(a.warnings, "nesting deeper than 512 levels flattened"));
}

}  // namespace
}  // namespace samizdat::html
