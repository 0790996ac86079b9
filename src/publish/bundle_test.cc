#include "publish/bundle.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <regex>

#include "fake_http_client.h"
#include "publish/build.h"
#include "publish/manifest.h"
#include "publish/zip.h"
#include "test_util.h"

namespace samizdat::publish {
namespace {

using testing::ReadFile;
using testing::RunSamizdat;
using testing::TempDir;
using testing::WriteFile;

void Put32Be(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

// A real 2x2 RGB PNG (what epubcheck and a browser decode), made with zlib.
std::string TinyPng() {
  auto chunk = [](std::string& out, const std::string& type, const std::string& data) {
    Put32Be(out, static_cast<uint32_t>(data.size()));
    std::string td = type + data;
    out += td;
    Put32Be(out,
            static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(td.data()), td.size())));
  };
  std::string png("\x89PNG\r\n\x1a\n", 8), ihdr;
  Put32Be(ihdr, 2);
  Put32Be(ihdr, 2);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);
  chunk(png, "IHDR", ihdr);
  std::string raw;
  for (int row = 0; row < 2; ++row) raw += std::string("\0\xff\0\0\0\0\xff", 7);
  uLongf size = compressBound(raw.size());
  std::string z(size, '\0');
  compress(reinterpret_cast<Bytef*>(z.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
           raw.size());
  z.resize(size);
  chunk(png, "IDAT", z);
  chunk(png, "IEND", "");
  return png;
}

constexpr char kImageUrl[] = "https://img.example/photo.png";

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    store_ = store::Store::Open(dir_.File("store.db"), &err);
    ASSERT_TRUE(store_) << err;
    std::string text = ReadFile(std::string(SAMIZDAT_SOURCE_DIR) + "/demo/samizdat.toml") +
                       "\n[[channels]]\nid = \"world\"\nname = \"国际\"\n"
                       "[[channels]]\nid = \"china\"\nname = \"中国\"\n";
    text = std::regex_replace(text, std::regex("\\[site\\]"), "[site]\noutput = \"site\"");
    auto cfg = config::ParseConfig(text, "samizdat.toml", dir_.path(), &err);
    ASSERT_TRUE(cfg) << err;
    cfg_ = *cfg;
    Add(1, "world", 1'780'000'000,
        "<p>第一篇，<b>粗体</b>与<font color=red>旧标签</font>。</p>"
        "<figure><img src=\"" +
            std::string(kImageUrl) +
            "\" alt=\"图片\" width=\"2\"><figcaption>说明</figcaption>"
            "</figure><p><a href=\"../x.md\">内部</a> "
            "<a href=\"https://example.com/\">外部</a></p>");
    Add(2, "china", 1'780'090'000, "<p>第二篇 &amp; &lt;特殊&gt; 字符<br>换行</p>");
    Add(3, "world", 1'780'200'000,
        "<p>第三篇<img src=\"https://gone.example/x.jpg\" alt=\"丢失\"></p>");
    http_.Set(kImageUrl, testing::Ok(TinyPng(), "image/png"));
    BuildReport r = BuildSite(cfg_, *store_, *Env::Default(), &http_);
    ASSERT_EQ(r.images_downloaded, 1) << r.error;
  }

  void Add(int n, const std::string& channel, int64_t now, const std::string& html) {
    store::ArticleInput in;
    in.canonical_url = "https://example.com/a/n" + std::to_string(n) + ".htm";
    in.article_id = "n" + std::to_string(n);
    in.memberships.push_back({channel, "s"});
    in.title = "第" + std::to_string(n) + "篇：标题 <测试>";
    in.published = "2026-06-0" + std::to_string(n) + "T08:00:00+08:00";
    in.html = html;
    ASSERT_EQ(store_->SaveArticle(in, now).status().ToString(), "ok");
  }

  std::map<std::string, std::string> Entries(const std::string& zip) {
    std::vector<std::pair<std::string, std::string>> list;
    std::string err;
    EXPECT_TRUE(ReadZip(zip, &list, &err)) << err;
    std::map<std::string, std::string> out(list.begin(), list.end());
    if (!list.empty()) {
      EXPECT_EQ(list[0].first, "mimetype");
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  config::Config cfg_;
  testing::FakeHttpClient http_;
};

TEST_F(BundleTest, EpubHasTocImagesAndChineseMetadata) {
  BundleStats stats;
  Result<std::string> epub = MakeEpubBundle(cfg_, *store_, *Env::Default(), {}, &stats);
  ASSERT_TRUE(epub.ok()) << epub.status().message();
  EXPECT_EQ(stats.articles, 3);
  EXPECT_EQ(stats.images_embedded, 1);
  EXPECT_EQ(stats.images_dropped, 1);
  auto files = Entries(*epub);
  EXPECT_EQ(files["mimetype"], "application/epub+zip");
  std::string opf = files["OEBPS/content.opf"];
  EXPECT_NE(opf.find("<dc:language>zh</dc:language>"), std::string::npos) << opf;
  EXPECT_NE(opf.find("<dc:date>2026-05-31</dc:date>"), std::string::npos) << opf;
  EXPECT_NE(files["OEBPS/nav.xhtml"].find("第2篇：标题 &lt;测试&gt;"), std::string::npos);
  std::string first = files["OEBPS/a1.xhtml"];
  EXPECT_NE(first.find("<img src=\"images/"), std::string::npos) << first;
  EXPECT_EQ(first.find("<font"), std::string::npos) << first;
  EXPECT_EQ(first.find("../x.md"), std::string::npos) << first;
  bool has_png = false;
  for (const auto& [name, bytes] : files)
    has_png |= bytes == TinyPng() && name.find("images/") != std::string::npos;
  EXPECT_TRUE(has_png);
}

TEST_F(BundleTest, EpubPassesEpubcheckWithoutErrorsOrWarnings) {
  // Debian's epubcheck is a jar (/usr/bin/epubcheck links to it): run it with java.
  std::string epubcheck = testing::FindProgram("epubcheck");
  std::string java = testing::FindProgram("java");
  if (epubcheck.empty() || java.empty())
    GTEST_SKIP() << "epubcheck or java is not installed (scripts/install-deps.sh)";
  epubcheck = java + " -jar " + epubcheck;
  for (const char* channel : {"", "world"}) {
    BundleSelection sel;
    sel.channel = channel;
    BundleStats stats;
    Result<std::string> epub = MakeEpubBundle(cfg_, *store_, *Env::Default(), sel, &stats);
    ASSERT_TRUE(epub.ok()) << epub.status().message();
    WriteFile(dir_.File("digest.epub"), *epub);
    std::string log = dir_.File("epubcheck.log");
    int raw = std::system(
        (epubcheck + " '" + dir_.File("digest.epub") + "' > '" + log + "' 2>&1").c_str());
    std::string out = ReadFile(log);
    EXPECT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 0) << out;
    EXPECT_NE(out.find("No errors or warnings detected"), std::string::npos) << out;
  }
}

TEST_F(BundleTest, SinceAndChannelSelect) {
  BundleSelection sel;
  sel.since = *ParseDay("2026-05-29");  // 1'780'012'800: after article 1
  BundleStats stats;
  ASSERT_TRUE(MakeEpubBundle(cfg_, *store_, *Env::Default(), sel, &stats).ok());
  EXPECT_EQ(stats.articles, 2);
  sel.channel = "china";
  BundleStats china;
  ASSERT_TRUE(MakeEpubBundle(cfg_, *store_, *Env::Default(), sel, &china).ok());
  EXPECT_EQ(china.articles, 1);
  EXPECT_FALSE(ParseDay("yesterday"));
}

TEST_F(BundleTest, ZipOfASignedSiteVerifiesWhenUnpacked) {
  trust::SecretKey key = trust::GenerateKey();
  ASSERT_TRUE(WriteSignedManifest(*Env::Default(), dir_.File("site"), key, 1'790'000'000).ok());
  WriteFile(dir_.File("key.pub"), trust::FormatPublicKeyFile(key.Public()));
  Result<std::string> zip = ZipSite(*Env::Default(), dir_.File("site"));
  ASSERT_TRUE(zip.ok());
  std::vector<std::pair<std::string, std::string>> entries;
  std::string err;
  ASSERT_TRUE(ReadZip(*zip, &entries, &err)) << err;
  for (const auto& [name, bytes] : entries) {
    EXPECT_EQ(name.find(".samizdat"), std::string::npos) << name;
    std::filesystem::create_directories(
        std::filesystem::path(dir_.File("unpacked/" + name)).parent_path());
    WriteFile(dir_.File("unpacked/" + name), bytes);
  }
  // unzip(1), an independent reader, agrees on the entries.
  if (std::string unzip = testing::FindProgram("unzip"); !unzip.empty()) {
    WriteFile(dir_.File("site.zip"), *zip);
    EXPECT_EQ(std::system((unzip + " -tq '" + dir_.File("site.zip") + "' >/dev/null").c_str()), 0);
  }
  testing::RunResult v = RunSamizdat("verify '" + dir_.File("unpacked") +
                                     "' --no-state --pubkey '" + dir_.File("key.pub") + "'");
  EXPECT_EQ(v.status, 0) << v.out << v.err;
}

// What headless Chromium (network cut off) requested while loading `url`, and a screenshot.
struct BrowserLoad {
  int status = -1;
  std::vector<std::string> requests;  // what the page itself asked for
  std::string screenshot;
};

BrowserLoad LoadOffline(const std::string& chromium, const std::string& url, const TempDir& dir,
                        const std::string& name) {
  std::string netlog = dir.File(name + ".netlog.json"), shot = dir.File(name + ".png");
  std::string cmd = chromium +
                    " --headless --no-sandbox --disable-gpu --disable-background-networking"
                    " --no-first-run --disable-component-update --disable-sync --user-data-dir=" +
                    dir.File(name + ".profile") + " --log-net-log=" + netlog +
                    " --window-size=600,800 --host-resolver-rules='MAP * ~NOTFOUND'" +
                    " --screenshot=" + shot + " '" + url + "' > /dev/null 2>&1";
  BrowserLoad r;
  int raw = std::system(cmd.c_str());
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.screenshot = std::filesystem::exists(shot) ? ReadFile(shot) : "";
  nlohmann::json net = nlohmann::json::parse(
      std::filesystem::exists(netlog) ? ReadFile(netlog) : "", nullptr, false);
  if (!net.is_object()) return r;
  int start_job = -1;
  for (const auto& [event, id] : net["constants"]["logEventTypes"].items())
    if (event == "URL_REQUEST_START_JOB") start_job = id.get<int>();
  for (const auto& e : net["events"])
    if (e.value("type", -2) == start_job && e.contains("params"))
      if (std::string initiator = e["params"].value("initiator", "");
          initiator == "null" || initiator.rfind("file:", 0) == 0)  // the page's, not the browser's
        r.requests.push_back(e["params"].value("url", ""));
  return r;
}

TEST_F(BundleTest, SingleFilePageLoadsNothingAndShowsItsImage) {
  std::string chromium;
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (std::filesystem::exists(p)) chromium = p;
  if (chromium.empty()) GTEST_SKIP() << "chromium not installed (scripts/install-deps.sh)";
  BundleStats stats;
  auto pages = MakeSingleFilePages(cfg_, *store_, *Env::Default(), {}, &stats);
  ASSERT_TRUE(pages.ok());
  ASSERT_EQ(pages->size(), 3u);
  std::string page = pages->at("world-n1.html");
  EXPECT_NE(page.find("src=\"data:image/png;base64,"), std::string::npos) << page;
  EXPECT_EQ(page.find("<link"), std::string::npos) << page;
  WriteFile(dir_.File("page.html"), page);
  // A control: the same page pointing at the original image, with no policy. The browser
  // asks for it (so the log does show a page's requests) and shows it broken.
  std::string control =
      std::regex_replace(page, std::regex("data:image/png;base64,[A-Za-z0-9+/=]+"), kImageUrl);
  control = std::regex_replace(control, std::regex("<meta http-equiv=[^>]*>"), "");
  WriteFile(dir_.File("control.html"), control);
  BrowserLoad good = LoadOffline(chromium, "file://" + dir_.File("page.html"), dir_, "good");
  BrowserLoad bad = LoadOffline(chromium, "file://" + dir_.File("control.html"), dir_, "control");
  ASSERT_EQ(good.status, 0);
  ASSERT_FALSE(good.screenshot.empty());
  for (const std::string& url : good.requests)
    EXPECT_EQ(url.rfind("data:", 0), 0u) << "the page requested " << url;
  EXPECT_EQ(bad.requests, std::vector<std::string>{kImageUrl});
  EXPECT_NE(good.screenshot, bad.screenshot) << "the inlined image did not render";
}

}  // namespace
}  // namespace samizdat::publish
