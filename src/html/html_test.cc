#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "html/charset.h"
#include "html/parser.h"
#include "html/serialize.h"
#include "test_util.h"

namespace samizdat::html {
namespace {

TEST(Parser, BuildsADomThatSerialisesBack) {
  auto doc = ParseHtml("<p class=x>a<b>b</b><br>c &amp; d</p><img src=i.png>");
  Node* body = doc->body();
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(InnerHtml(body), "<p class=\"x\">a<b>b</b><br/>c &amp; d</p><img src=\"i.png\"/>");
  EXPECT_EQ(TextContent(body), "abc & d");
}

TEST(Parser, SurvivesDeepNestingWithBoundedDepth) {
  std::string html;
  for (int i = 0; i < 100000; ++i) html += "<div>";
  html += "deep";
  auto doc = ParseHtml(html);
  int depth = 0, max_depth = 0;
  for (Node* n = doc->root(); n; n = NextInTree(n, doc->root())) {
    depth = 0;
    for (Node* p = n; p; p = p->parent) ++depth;
    max_depth = std::max(max_depth, depth);
  }
  EXPECT_LE(max_depth, 520);
  EXPECT_EQ(TextContent(doc->root()), "deep");
}

TEST(Parser, DomEditingKeepsLinksConsistent) {
  auto doc = ParseHtml("<div id=a><span>x</span><span>y</span></div>");
  Node* div = doc->body()->first_child;
  doc->Unwrap(div->first_child);
  EXPECT_EQ(InnerHtml(div), "x<span>y</span>");
  doc->Remove(div->last_child);
  EXPECT_EQ(InnerHtml(div), "x");
  Node* copy = doc->Clone(div);
  doc->AppendChild(doc->body(), copy);
  EXPECT_EQ(InnerHtml(doc->body()), "<div id=\"a\">x</div><div id=\"a\">x</div>");
}

TEST(Charset, GbLabelsDecodeAsGb18030) {
  // 「镕」 is outside GB2312 but in GBK/GB18030: pages labelled gb2312 use it anyway.
  std::string text = "<html><head><meta charset=gb2312></head><body>朱镕基说：你好</body></html>";
  DecodedHtml d = DecodeHtml(testing::EncodeCharset(text, "GB18030"));
  EXPECT_EQ(d.decision.charset, "GB18030");
  EXPECT_EQ(d.decision.source, "meta");
  EXPECT_NE(d.utf8.find("朱镕基说：你好"), std::string::npos);
  EXPECT_EQ(d.decision.decode_errors, 0u);
}

TEST(Charset, Big5DecodesWithHkscs) {
  std::string text =
      "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=big5\">香港新聞";
  DecodedHtml d = DecodeHtml(testing::EncodeCharset(text, "Big5-HKSCS"));
  EXPECT_EQ(d.decision.charset, "Big5-HKSCS");
  EXPECT_NE(d.utf8.find("香港新聞"), std::string::npos);
}

TEST(Charset, Utf8BytesUnderAGbLabelAreNotTrusted) {
  std::string text = "<meta charset=\"gbk\"><p>这是UTF-8编码的中文</p>";
  DecodedHtml d = DecodeHtml(text);
  EXPECT_EQ(d.decision.charset, "UTF-8");
  EXPECT_NE(d.utf8.find("这是UTF-8编码的中文"), std::string::npos);
  ASSERT_FALSE(d.warnings.empty());
}

TEST(Charset, HeaderBeatsMetaAndBomBeatsBoth) {
  std::string gbk = testing::EncodeCharset("<meta charset=utf-8><p>中文内容</p>", "GB18030");
  DecodedHtml d = DecodeHtml(gbk, "GBK");
  EXPECT_EQ(d.decision.source, "http-header");
  EXPECT_NE(d.utf8.find("中文内容"), std::string::npos);
  DecodedHtml b = DecodeHtml("\xEF\xBB\xBF<meta charset=gbk><p>中文</p>", "big5");
  EXPECT_EQ(b.decision.source, "bom");
  EXPECT_NE(b.utf8.find("中文"), std::string::npos);
}

TEST(Charset, UndeclaredLegacyBytesAreDetectedWithAWarning) {
  std::string body;
  for (int i = 0; i < 20; ++i) body += "中华人民共和国的经济发展和社会进步是大家关心的问题。";
  DecodedHtml d = DecodeHtml(
      testing::EncodeCharset("<html><body><p>" + body + "</p></body></html>", "GB18030"));
  EXPECT_TRUE(d.decision.guessed);
  EXPECT_EQ(d.decision.charset, "GB18030");
  EXPECT_NE(d.utf8.find("中华人民共和国"), std::string::npos);
  ASSERT_FALSE(d.warnings.empty());
  EXPECT_NE(d.warnings[0].find("charset guessed"), std::string::npos);
}

TEST(Charset, InvalidUtf8BecomesReplacementCharactersNotACrash) {
  const char kBad[] = "<meta charset=utf-8>ok\xFF\xFE\xC0 end";
  DecodedHtml d = DecodeHtml(std::string(kBad, sizeof kBad - 1));
  EXPECT_GT(d.decision.decode_errors, 0u);
  EXPECT_TRUE(d.utf8.find("ok") != std::string::npos);
  EXPECT_TRUE(d.utf8.find("end") != std::string::npos);
}

TEST(Charset, LabelsWithJunkAndAliases) {
  EXPECT_EQ(CanonicalCharset("utf-8\""), "UTF-8");
  EXPECT_EQ(CanonicalCharset(" GB2312 "), "GB18030");
  EXPECT_EQ(CanonicalCharset("x-gbk"), "GB18030");
  EXPECT_EQ(CanonicalCharset("iso-8859-1"), "windows-1252");
  EXPECT_EQ(CanonicalCharset("klingon"), "");
  EXPECT_EQ(PrescanMetaCharset("<!-- <meta charset=big5> --><meta charset='gbk'>"), "gbk");
  // Found by fuzzing: input ending right after "<meta" was read one byte past its end.
  // An exact-size heap buffer, so the sanitizer build catches any read past the end.
  std::unique_ptr<char[]> cut(new char[6]);
  std::memcpy(cut.get(), "x<meta", 6);
  EXPECT_EQ(PrescanMetaCharset(std::string_view(cut.get(), 6)), "");
  EXPECT_EQ(PrescanMetaCharset("<>head><meta"), "");
}

}  // namespace
}  // namespace samizdat::html
