#include "render/history.h"

#include <gtest/gtest.h>

#include "render/gfm_check.h"

namespace samizdat::render {
namespace {

HistoryInput ThreeRevisions() {
  HistoryInput in;
  in.article_title = "暴雨致多条道路积水";
  in.article_href = "n100.html";
  in.original_url = "https://news.example/n100";
  in.revisions = {{1, 1764000000, "暴雨致道路积水", "周二晚间突降暴雨。\n三个路段封闭。\n"},
                  {2, 1764003600, "暴雨致多条道路积水", "周二晚间突降暴雨。\n五个路段封闭。\n"},
                  {3, 1764007200, "暴雨致多条道路积水", "周二晚间突降暴雨。\n五个路段封闭。\n"}};
  return in;
}

TEST(History, HtmlShowsEveryRevisionAndEachChange) {
  PageOptions site;
  std::string page = RenderHistoryPage(ThreeRevisions(), site, Theme::kHtml);
  EXPECT_NE(page.find("修改记录：暴雨致多条道路积水"), std::string::npos);
  EXPECT_NE(page.find("第 1 版 · 2025-11-24 16:00 UTC"), std::string::npos) << page;
  EXPECT_NE(page.find("<del>三</del><ins>五</ins>"), std::string::npos) << page;
  EXPECT_NE(page.find("第 1 版 → 第 2 版"), std::string::npos);
  EXPECT_NE(page.find("第 2 版 → 第 3 版"), std::string::npos);
  EXPECT_NE(page.find("正文文字没有变化"), std::string::npos);  // 2 → 3 changed nothing
  EXPECT_NE(page.find("<ins>多条</ins>"), std::string::npos);   // the title's change
  EXPECT_NE(page.find("href=\"n100.html\""), std::string::npos);
  EXPECT_NE(page.find("script-src 'none'"), std::string::npos);
}

TEST(History, MarkdownRendersOnGitHubWithMarks) {
  PageOptions site;
  std::string md = RenderHistoryPage(ThreeRevisions(), site, Theme::kMarkdown);
  GfmReport report = CheckGfm(md);
  EXPECT_NE(report.html.find("<del>三</del><ins>五</ins>"), std::string::npos) << report.html;
  EXPECT_NE(report.html.find("<a href=\"n100.html\">"), std::string::npos) << report.html;
  EXPECT_EQ(report.html.find("<li>第 1 版"), report.html.find("<li>"));
}

TEST(History, HostileTitlesAndTextStayText) {
  HistoryInput in = ThreeRevisions();
  in.revisions[1].title = "<img src=x onerror=alert(1)>";
  in.revisions[1].text = "<script>alert(1)</script>\n";
  in.article_href = "javascript:alert(1)";
  for (Theme theme : {Theme::kHtml, Theme::kMarkdown}) {
    std::string page = RenderHistoryPage(in, PageOptions{}, theme);
    std::string html = theme == Theme::kHtml ? page : CheckGfm(page).html;
    EXPECT_EQ(html.find("<script"), std::string::npos) << html;
    EXPECT_EQ(html.find("<img"), std::string::npos) << html;
    EXPECT_EQ(html.find("javascript:"), std::string::npos) << html;
  }
}

TEST(History, ChangedTimesLabelFollowsTheTitlesScript) {
  EXPECT_EQ(ChangedTimesLabel("暴雨", 3), "修改过 2 次");
  EXPECT_EQ(ChangedTimesLabel("Floods", 2), "changed 1 time");
  EXPECT_EQ(ChangedTimesLabel("Floods", 4), "changed 3 times");
}

}  // namespace
}  // namespace samizdat::render
