// The command-line contract (spec §5) and bad input, through the real binary.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "http_server.h"
#include "test_util.h"

extern char** environ;

namespace samizdat {
namespace {

using nlohmann::json;
using testing::FixturePath;
using testing::RunSamizdat;
using testing::TempDir;
using testing::WriteFile;

#ifdef SAMIZDAT_SANITIZE_BUILD
constexpr long kMaxChildRssMiB = 4096;  // ASan's shadow memory
#else
constexpr long kMaxChildRssMiB = 768;
#endif

// `samizdat extract --format json PATH` run as one child, measured alone: wait4 on its pid
// gives that process's peak RSS, where RUSAGE_CHILDREN would give the largest of every
// child this test process has ever waited for.
struct MeasuredExtract {
  int status = -1;  // exit status, or -1 when it did not exit normally
  json doc;
  long peak_rss_mib = 0;
};

MeasuredExtract ExtractJsonMeasured(const std::string& path, const TempDir& tmp) {
  MeasuredExtract m;
  std::string out = tmp.File("extract.json");
  std::vector<std::string> args = {SAMIZDAT_BINARY, "extract", "--format", "json", path};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  int spawned = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (spawned != 0) return m;
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid) return m;
  m.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  m.peak_rss_mib = ru.ru_maxrss / 1024;
  m.doc = json::parse(testing::ReadFile(out), nullptr, false);
  return m;
}

json ExtractJson(const std::string& path, int* status = nullptr, std::string* err = nullptr) {
  auto r = RunSamizdat("extract --format json '" + path + "'");
  if (status) *status = r.status;
  if (err) *err = r.err;
  return json::parse(r.out, nullptr, false);
}

TEST(ExtractCommand, JsonHasEveryContractField) {
  auto r = RunSamizdat("extract --url https://www.epochtimes.com/gb/26/9/20/n99000001.htm '" +
                       FixturePath("epochtimes_article.html") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  json j = json::parse(r.out);
  for (const char* key : {"url", "title", "byline", "site_name", "lang", "published", "modified",
                          "lead_image", "html", "text", "markdown", "warnings"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["url"], "https://www.epochtimes.com/gb/26/9/20/n99000001.htm");
  EXPECT_EQ(j["lang"], "zh-Hans");
  EXPECT_TRUE(j["modified"].is_null());
  EXPECT_EQ(j["lead_image"]["caption"],
            "2026年9月20日，市民在新开通的地铁站排队试乘。（大纪元记者摄）");
  EXPECT_NE(j["text"].get<std::string>().find("数千名市民前往试乘。\n\n新线路全长"),
            std::string::npos);
  EXPECT_NE(j["markdown"].get<std::string>().find("## 市民反应"), std::string::npos);
}

TEST(ExtractCommand, UrlFallsBackToCanonical) {
  json j = ExtractJson(FixturePath("epochtimes_article.html"));
  EXPECT_EQ(j["url"], "https://www.epochtimes.com/gb/26/9/20/n99000001.htm");
}

TEST(ExtractCommand, SeveralFilesGiveJsonLinesAndStdinWorks) {
  auto r = RunSamizdat("extract '" + FixturePath("generic_article.html") + "' - '" +
                           FixturePath("epochtimes_article.html") + "'",
                       FixturePath("generic_article.html"));
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  std::vector<json> docs;
  while (std::getline(in, line)) docs.push_back(json::parse(line));
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0]["title"], "Rivers Return to the Valley");
  EXPECT_EQ(docs[1]["title"], "Rivers Return to the Valley");  // the same file, from stdin
  EXPECT_EQ(docs[2]["title"], "测试城市开通新地铁线 市民试乘");
}

TEST(ExtractCommand, UnreadableFileIsAnErrorAndOthersStillRun) {
  auto r =
      RunSamizdat("extract /nonexistent/page.html '" + FixturePath("generic_article.html") + "'");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("/nonexistent/page.html"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("Rivers Return"), std::string::npos);
}

TEST(ExtractCommand, TextAndMarkdownFormats) {
  auto t = RunSamizdat("extract --format text '" + FixturePath("generic_article.html") + "'");
  EXPECT_EQ(t.status, 0);
  EXPECT_EQ(t.out.rfind("For the first time", 0), 0u) << t.out;
  auto m = RunSamizdat("extract --format markdown '" + FixturePath("generic_article.html") + "'");
  EXPECT_NE(m.out.find("## What changed"), std::string::npos) << m.out;
  // A readable page, so the unknown format is the only thing wrong.
  auto bad = RunSamizdat("extract --format yaml '" + FixturePath("generic_article.html") + "'");
  EXPECT_NE(bad.status, 0);
  EXPECT_LT(bad.status, 128) << "killed by a signal";
  EXPECT_NE(bad.err.find("yaml"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.out, "");
}

class BadInput : public ::testing::Test {
 protected:
  void ExpectNoArticle(const std::string& contents) {
    std::string path = tmp_.File("page.html");
    WriteFile(path, contents);
    int status = -1;
    json j = ExtractJson(path, &status);
    EXPECT_EQ(status, 0);
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["text"], "");
    bool warned = false;
    for (const auto& w : j["warnings"])
      if (w.get<std::string>().find("no article found") != std::string::npos) warned = true;
    EXPECT_TRUE(warned) << j["warnings"].dump();
  }
  TempDir tmp_;
};

TEST_F(BadInput, EmptyFile) { ExpectNoArticle(""); }

TEST_F(BadInput, BinaryJunk) {
  std::string junk;
  uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1103515245 + 12345;
    junk.push_back(static_cast<char>(x >> 16));
  }
  ExpectNoArticle(junk);
}

TEST_F(BadInput, PageWithNoArticle) {
  ExpectNoArticle(
      "<html><body><nav><a href=/>Home</a><a href=/x>X</a></nav><footer>© "
      "2026</footer></body></html>");
}

TEST_F(BadInput, HundredThousandNestedElements) {
  std::string page = "<html><body>";
  for (int i = 0; i < 100000; ++i) page += (i % 2) ? "<div>" : "<span>";
  page +=
      "<p>Deep inside, a sentence long enough to count as an article paragraph, with commas, "
      "clauses, and more words than a caption would ever carry, so it scores.</p>";
  std::string path = tmp_.File("deep.html");
  WriteFile(path, page);
  MeasuredExtract m = ExtractJsonMeasured(path, tmp_);
  EXPECT_EQ(m.status, 0);
  ASSERT_TRUE(m.doc.is_object());
  EXPECT_NE(m.doc["text"].get<std::string>().find("Deep inside"), std::string::npos);
  EXPECT_GT(m.peak_rss_mib, 0);
  EXPECT_LT(m.peak_rss_mib, kMaxChildRssMiB);
}

TEST_F(BadInput, InvalidUtf8) {
  std::string page =
      "<meta charset=utf-8><article><p>Valid start \xFF\xFE\xC3\x28 and a valid end, "
      "with enough words in this paragraph to be taken as the article body, surely.</p></article>";
  std::string path = tmp_.File("bad.html");
  WriteFile(path, page);
  int status = -1;
  json j = ExtractJson(path, &status);
  EXPECT_EQ(status, 0);
  std::string text = j["text"];
  EXPECT_NE(text.find("Valid start"), std::string::npos);
  EXPECT_NE(text.find("valid end"), std::string::npos);
}

TEST_F(BadInput, FiftyMegabytePageIsCutNotFatal) {
  std::string para =
      "<p>A paragraph of a very long page, repeated, with commas, clauses, and words.</p>\n";
  std::string page = "<html><body><article>";
  while (page.size() < 50u * 1024 * 1024) page += para;
  page += "</article></body></html>";
  std::string path = tmp_.File("huge.html");
  WriteFile(path, page);
  MeasuredExtract m = ExtractJsonMeasured(path, tmp_);
  const json& j = m.doc;
  EXPECT_EQ(m.status, 0);
  ASSERT_TRUE(j.is_object());
  EXPECT_NE(j["text"].get<std::string>().find("A paragraph of a very long page"),
            std::string::npos);
  bool cut = false;
  for (const auto& w : j["warnings"])
    if (w.get<std::string>().find("only the first") != std::string::npos) cut = true;
  EXPECT_TRUE(cut);
  EXPECT_GT(m.peak_rss_mib, 0);
  EXPECT_LT(m.peak_rss_mib, kMaxChildRssMiB);
}

TEST(ConvertCommand, WritesThePageAtomicallyAndReportsBadConfig) {
  TempDir tmp;
  std::string out = tmp.File("pages/nf1/n99000001.md");
  auto r = RunSamizdat("convert '" + FixturePath("epochtimes_article.html") +
                       "' --url https://www.epochtimes.com/gb/26/9/20/n99000001.htm --config '" +
                       std::string(SAMIZDAT_SOURCE_DIR) + "/demo/samizdat.toml' -o '" + out + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  std::string page = testing::ReadFile(out);
  EXPECT_EQ(page.rfind("### 测试城市开通新地铁线 市民试乘\n", 0), 0u);
  EXPECT_NE(page.find("原文链接（需翻墙）：https://www.epochtimes.com/gb/26/9/20/n99000001.htm\n"),
            std::string::npos);

  WriteFile(tmp.File("bad.toml"), "[site]\ntheme = \"classic\"\nlink_polcy = \"keep\"\n");
  auto bad = RunSamizdat("convert '" + FixturePath("epochtimes_article.html") +
                         "' --url https://x.org/a " + "--config '" + tmp.File("bad.toml") + "'");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("bad.toml:3"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("site.link_polcy"), std::string::npos) << bad.err;

  WriteFile(tmp.File("empty.html"), "<html><body></body></html>");
  auto none = RunSamizdat("convert '" + tmp.File("empty.html") + "' --url https://x.org/a -o '" +
                          tmp.File("none.md") + "'");
  EXPECT_EQ(none.status, 3);
  EXPECT_FALSE(std::filesystem::exists(tmp.File("none.md")));
}

}  // namespace
}  // namespace samizdat

namespace samizdat {
namespace {

TEST(FeedCommand, ParsesAUrlOrAFileAndRefusesLoopbackUnlessAllowed) {
  testing::StaticSite site;
  testing::HttpServer server([&](const testing::HttpRequest& r) { return site.Handle(r); });
  site.Put(
      "/f.xml",
      "<rss "
      "version=\"2.0\"><channel><title>频道</title><item><title>一</title><link>/a/1.htm</link>"
      "</item></channel></rss>",
      "application/rss+xml; charset=utf-8");
  auto ok = testing::RunSamizdat("feed --json --allow-private " + server.Url("/f.xml"));
  ASSERT_EQ(ok.status, 0) << ok.err;
  json j = json::parse(ok.out);
  EXPECT_EQ(j["version"], "rss20");
  EXPECT_EQ(j["feed"]["title"], "频道");
  EXPECT_EQ(j["entries"][0]["link"], server.Url("/a/1.htm"));
  auto refused = testing::RunSamizdat("feed " + server.Url("/f.xml"));
  EXPECT_NE(refused.status, 0);
  EXPECT_NE(refused.err.find("non-public address"), std::string::npos) << refused.err;
  testing::TempDir tmp;
  testing::WriteFile(tmp.File("page.html"), "<!DOCTYPE html><html><body>oops</body></html>");
  auto html = testing::RunSamizdat("feed '" + tmp.File("page.html") + "'");
  EXPECT_EQ(html.status, 1);
  EXPECT_NE(html.err.find("HTML page"), std::string::npos) << html.err;
}

}  // namespace
}  // namespace samizdat
