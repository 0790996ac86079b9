// Chinese bodies written as text runs separated by <br>, without <p>.
#include <gtest/gtest.h>

#include <string>

#include "clean/clean.h"
#include "extract/extract.h"
#include "render/markdown.h"

namespace samizdat::extract {
namespace {

const char* const kRuns[] = {
    "记者从市交通局获悉，新线路全长二十公里，连接机场与市中心，共设十五个车站，预计明年通车。",
    "据介绍，今年全市新建道路一百公里，新增公交线路二十条，市民出行更加方便，满意度明显提高。",
    "一位姓王的市民说，以前去机场要一个多小时，现在半小时就到了，省下的时间可以陪陪家人。",
    "交通局负责人表示，明年将继续加大投入，改善公共交通，减少交通拥堵，让市民出行更加顺畅。"};

std::string BrBody() {
  std::string body;
  for (const char* run : kRuns) body += std::string("　　") + run + "<br><br>\n";
  return body;
}

std::string TextOf(const std::string& page) {
  ExtractOptions o;
  o.url = "http://news.example.cn/2026/0920/a1.html";
  Article a = Extract(page, o);
  if (!a.body) return "";
  clean::CleanArticle(a, {});
  return render::ToText(a.body);
}

TEST(GenericBr, TableCellOfBrSeparatedTextWithAnImageBlock) {
  std::string page =
      "<html><body><table><tr><td class=nav><a href=/1>首页</a><br><a href=/2>新闻</a><br>"
      "<a href=/3>体育</a></td><td class=main><div align=center><img src=/a.jpg></div>" +
      BrBody() +
      "</td><td><p>热点排行</p><p>广告招商</p></td></tr></table>"
      "<div class=foot><p>版权所有，未经许可不得转载，违者必究，联系电话：12345678。</p></div>"
      "</body></html>";
  std::string text = TextOf(page);
  for (const char* run : kRuns) EXPECT_NE(text.find(run), std::string::npos) << run;
  EXPECT_EQ(text.find("热点排行"), std::string::npos);
}

TEST(GenericBr, BodySpreadOverSeveralDivs) {
  std::string page = "<html><body><div class=top><a href=/>首页</a> <a href=/n>新闻</a></div>";
  page += "<div class=wrap>";
  for (const char* run : kRuns) page += std::string("<div>") + run + "<br>" + run + "</div>";
  page += "</div><div class=side><a href=/x>热点新闻一</a><a href=/y>热点新闻二</a></div>";
  page += "</body></html>";
  std::string text = TextOf(page);
  for (const char* run : kRuns) EXPECT_NE(text.find(run), std::string::npos) << run;
  EXPECT_EQ(text.find("热点新闻"), std::string::npos);
}

}  // namespace
}  // namespace samizdat::extract
