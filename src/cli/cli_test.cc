// The command-line contract (spec §5) and bad input, through the real binary.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "http_server.h"
#include "store/store.h"
#include "store/store_lock.h"
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

// Exit statuses (README.md "Exit status"), concurrent runs, and what reaches the terminal.
namespace samizdat {
namespace {

constexpr int kExitSomeFailed = 1, kExitUsage = 2, kExitStoreLocked = 75;

std::string ArticleHtml(int n, int paragraphs = 4) {
  std::string paras;
  for (int i = 0; i < paragraphs; ++i)
    paras += "<p>Paragraph " + std::to_string(i) + " of article " + std::to_string(n) +
             ", with commas, clauses, and enough words to be taken as the body.</p>";
  return "<html><head><meta charset=\"utf-8\"><title>Article " + std::to_string(n) +
         "</title></head><body><article><h1>Article " + std::to_string(n) + "</h1>" + paras +
         "</article></body></html>";
}

// A loopback site with an RSS feed of `articles` pages, and a config syncing it.
class Mirror {
 public:
  explicit Mirror(int articles, int paragraphs = 4)
      : server_([this](const testing::HttpRequest& r) { return site_.Handle(r); }) {
    std::string items;
    for (int i = 0; i < articles; ++i) {
      std::string path = "/a/" + std::to_string(i) + ".html";
      site_.Put(path, ArticleHtml(i, paragraphs));
      items += "<item><title>Article " + std::to_string(i) + "</title><link>" + server_.Url(path) +
               "</link></item>";
    }
    site_.Put("/feed.xml",
              "<rss version=\"2.0\"><channel><title>Feed</title>" + items + "</channel></rss>",
              "application/rss+xml");
    config_ = tmp_.File("samizdat.toml");
    testing::WriteFile(config_,
                       "store = \"store.db\"\n[site]\noutput = \"site\"\n[fetch]\n"
                       "allow_loopback = true\nper_host_delay_ms = 0\n[[channels]]\nid = \"news\"\n"
                       "[[sources]]\nid = \"feed\"\nkind = \"rss\"\nurl = \"" +
                           server_.Url("/feed.xml") + "\"\nchannels = [\"news\"]\n");
  }
  const std::string& config() const { return config_; }
  std::string store() const { return tmp_.File("store.db"); }
  std::string File(const std::string& name) const { return tmp_.File(name); }
  testing::StaticSite& site() { return site_; }
  int ArticleRequests() {
    int n = 0;
    for (const auto& r : server_.requests()) n += r.path.rfind("/a/", 0) == 0;
    return n;
  }

 private:
  testing::TempDir tmp_;
  testing::StaticSite site_;
  testing::HttpServer server_;
  std::string config_;
};

TEST(ConcurrentRuns, SyncsStartedTogetherOnAFreshStoreSucceedOrSayWhoHoldsIt) {
  constexpr int kArticles = 12, kRuns = 6;
  Mirror mirror(kArticles);
  std::vector<int> pids;
  for (int i = 0; i < kRuns; ++i)
    pids.push_back(testing::SpawnChild({"/bin/sh", "-c",
                                        "exec '" + std::string(SAMIZDAT_BINARY) +
                                            "' sync --config '" + mirror.config() + "' 2> '" +
                                            mirror.File("err" + std::to_string(i)) + "'"}));
  std::vector<int> statuses;
  for (int pid : pids) {
    ASSERT_GT(pid, 0);
    int raw = 0;
    waitpid(pid, &raw, 0);
    ASSERT_TRUE(WIFEXITED(raw));
    statuses.push_back(WEXITSTATUS(raw));
  }
  int succeeded = 0;
  for (int i = 0; i < kRuns; ++i) {
    std::string err = testing::ReadFile(mirror.File("err" + std::to_string(i)));
    if (statuses[i] == 0) {
      ++succeeded;
      continue;
    }
    ASSERT_EQ(statuses[i], kExitStoreLocked) << err;
    EXPECT_NE(err.find("in use by another samizdat run"), std::string::npos) << err;
    size_t at = err.find("(pid ");
    ASSERT_NE(at, std::string::npos) << err;
    int holder = std::atoi(err.c_str() + at + 5);
    EXPECT_NE(std::find(pids.begin(), pids.end(), holder), pids.end()) << err;
  }
  EXPECT_GE(succeeded, 1);
  std::string error;
  auto store = store::Store::Open(mirror.store(), &error);
  ASSERT_TRUE(store) << error;
  EXPECT_EQ(store->IntegrityCheck(), "ok");
  EXPECT_EQ(store->CountArticles().value(), kArticles);
}

TEST(ExitStatus, UsageErrorsAreTwoForEveryCommand) {
  for (const char* args :
       {"", "frobnicate", "--no-such-flag", "extract", "extract --no-such-flag x",
        "extract --format yaml x", "convert x", "convert --url https://x.org/a", "feed",
        "feed --no-such-flag x", "sync --no-such-flag", "sync --config", "build --no-such-flag",
        "publish --no-such-flag", "serve --port 70000", "serve --no-such-flag", "init a b"}) {
    auto r = testing::RunSamizdat(args);
    EXPECT_EQ(r.status, kExitUsage) << "samizdat " << args << "\n" << r.err;
  }
  EXPECT_EQ(testing::RunSamizdat("--help").status, 0);
  EXPECT_EQ(testing::RunSamizdat("sync --help").status, 0);
  EXPECT_EQ(testing::RunSamizdat("--version").status, 0);
}

TEST(ExitStatus, BadConfigIsTwoForEveryCommandThatReadsOne) {
  testing::TempDir tmp;
  testing::WriteFile(tmp.File("bad.toml"), "[site]\nno_such_key = 1\n");
  for (std::string cmd : {"sync", "build", "publish", "serve"}) {
    for (const std::string& config :
         {tmp.File("bad.toml"), tmp.File("missing.toml"), std::string("/dev/zero"), tmp.path()}) {
      auto r = testing::RunSamizdat(cmd + " --config '" + config + "'");
      EXPECT_EQ(r.status, kExitUsage) << cmd << " --config " << config << "\n" << r.err;
      EXPECT_NE(r.err.find(config), std::string::npos) << r.err;
    }
  }
  auto convert = testing::RunSamizdat("convert '" + FixturePath("generic_article.html") +
                                      "' --url https://x.org/a --config /dev/zero");
  EXPECT_EQ(convert.status, kExitUsage);
}

TEST(ExitStatus, ConfigMustBeASmallRegularFile) {
  testing::TempDir tmp;
  auto dev = testing::RunSamizdat("sync --config /dev/zero");
  EXPECT_EQ(dev.status, kExitUsage);
  EXPECT_NE(dev.err.find("/dev/zero: not a regular file"), std::string::npos) << dev.err;
  std::string big = "# padding\n";
  while (big.size() <= (1u << 20)) big += big;
  testing::WriteFile(tmp.File("big.toml"), big);
  auto r = testing::RunSamizdat("sync --config '" + tmp.File("big.toml") + "'");
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_NE(r.err.find("at most 1048576 bytes"), std::string::npos) << r.err;
}

TEST(ExitStatus, LockedStoreIsSeventyFiveForSyncBuildAndPublish) {
  Mirror mirror(1);
  ASSERT_EQ(testing::RunSamizdat("sync --config '" + mirror.config() + "'").status, 0);
  ASSERT_EQ(testing::RunSamizdat("build --config '" + mirror.config() + "'").status, 0);
  std::unique_ptr<store::StoreLock> lock;
  std::string error;
  ASSERT_EQ(store::StoreLock::TryAcquire(mirror.store(), &lock, &error),
            store::StoreLock::Outcome::kAcquired)
      << error;
  for (std::string cmd : {"sync", "build", "publish"}) {
    auto r = testing::RunSamizdat(cmd + " --config '" + mirror.config() + "'");
    EXPECT_EQ(r.status, kExitStoreLocked) << cmd << "\n" << r.err;
    EXPECT_NE(r.err.find("(pid " + std::to_string(getpid()) + ","), std::string::npos) << r.err;
  }
  lock.reset();
  EXPECT_EQ(testing::RunSamizdat("sync --config '" + mirror.config() + "'").status, 0);
}

TEST(ExitStatus, PartialFailureIsOne) {
  Mirror mirror(2);
  mirror.site().Put("/a/1.html", "<html><body><nav>no article here</nav></body></html>");
  auto sync = testing::RunSamizdat("sync --config '" + mirror.config() + "'");
  EXPECT_EQ(sync.status, kExitSomeFailed) << sync.out << sync.err;
  EXPECT_NE(sync.out.find("1 new"), std::string::npos) << sync.out;
  auto extract = testing::RunSamizdat("extract /nonexistent.html '" +
                                      FixturePath("generic_article.html") + "'");
  EXPECT_EQ(extract.status, kExitSomeFailed);
  auto build = testing::RunSamizdat("build --config '" + mirror.File("none.toml") + "'");
  EXPECT_EQ(build.status, kExitUsage);
}

TEST(ExitStatus, AStoreThatCannotBeWrittenStopsSyncWithSeventyFour) {
  constexpr int kArticles = 60;
  Mirror mirror(kArticles, 40);
  ASSERT_EQ(testing::RunSamizdat("sync --dry-run --config '" + mirror.config() + "'").status, 0);
  int fetched_by_dry_run = mirror.ArticleRequests();
  // A file-size limit makes the store's WAL unable to grow: writes fail as on a full disk.
  std::string cmd = "sh -c \"trap '' XFSZ; ulimit -f 200; exec '" + std::string(SAMIZDAT_BINARY) +
                    "' sync --config '" + mirror.config() + "' 2>&1\"";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int raw = pclose(p);
  ASSERT_TRUE(WIFEXITED(raw)) << out;
  EXPECT_EQ(WEXITSTATUS(raw), 74) << out;
  EXPECT_NE(out.find("sync stopped: the store"), std::string::npos) << out;
  EXPECT_LT(mirror.ArticleRequests() - fetched_by_dry_run, kArticles) << "it went on fetching";
  std::string error;
  auto store = store::Store::Open(mirror.store(), &error);
  ASSERT_TRUE(store) << error;
  EXPECT_EQ(store->IntegrityCheck(), "ok");
  EXPECT_LT(store->CountArticles().value(), kArticles);
}

TEST(TerminalOutput, FeedTitlesCannotSendEscapeSequences) {
  testing::TempDir tmp;
  // OSC (retitle the window), CSI (colour, clear), BEL, CR, and the 8-bit CSI U+009B.
  testing::WriteFile(tmp.File("f.xml"),
                     "<rss version=\"2.0\"><channel><title>Chan\x1b]0;owned\x07nel</title><item>"
                     "<title>Red\x1b[31m\x1b[2J title\r\xc2\x9b"
                     "1m end</title>"
                     "<link>https://example.org/a\x1b[0m</link></item></channel></rss>");
  auto r = testing::RunSamizdat("feed '" + tmp.File("f.xml") + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const std::string& out : {r.out, r.err}) {
    EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
    EXPECT_EQ(out.find('\x07'), std::string::npos) << out;
    EXPECT_EQ(out.find('\r'), std::string::npos) << out;
    EXPECT_EQ(out.find("\xc2\x9b"), std::string::npos) << out;
  }
  EXPECT_NE(r.out.find("Red[31m[2J title"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace samizdat
