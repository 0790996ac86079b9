#include "publish/share.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <regex>

#include "publish/build.h"
#include "render/qr.h"
#include "test_util.h"

namespace samizdat::publish {
namespace {

using testing::ReadFile;
using testing::TempDir;
namespace fs = std::filesystem;

// The text zbarimg reads from the QR code in `svg_path`, rasterised by real Chromium;
// "" when it finds none.
std::string DecodeSvg(const std::string& svg_path, const std::string& work) {
  std::string png = work + "/qr.png";
  fs::remove(png);
  testing::ChildRun shot =
      testing::RunChild({"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                         "--hide-scrollbars", "--user-data-dir=" + work + "/chromium",
                         "--window-size=400,400", "--screenshot=" + png, "file://" + svg_path},
                        /*quiet=*/true);
  EXPECT_EQ(shot.status, 0);
  std::string out;
  if (FILE* p = popen(("zbarimg -q --raw '" + png + "' 2>/dev/null").c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    pclose(p);
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

bool ToolsPresent() { return fs::exists("/usr/bin/chromium") && fs::exists("/usr/bin/zbarimg"); }

TEST(Share, PathsArePercentEncoded) {
  EXPECT_EQ(PercentEncodePath("pages/ch1/n1.md"), "pages/ch1/n1.md");
  EXPECT_EQ(PercentEncodePath("镜像/a b"), "%E9%95%9C%E5%83%8F/a%20b");
  EXPECT_EQ(PercentEncodeNonAscii("https://h.org/镜像/?a=1"),
            "https://h.org/%E9%95%9C%E5%83%8F/?a=1");
  ShareBlock md = ShareBlockFor({"https://a.org/", "https://b.org/m/"}, "pages/c/n1.md", false);
  ASSERT_EQ(md.codes.size(), 2u);
  EXPECT_EQ(md.codes[1].url, "https://b.org/m/pages/c/n1.md");
  EXPECT_EQ(md.codes[1].svg_href, "n1.qr2.svg");
  ASSERT_EQ(md.files.size(), 2u);
  EXPECT_EQ(md.files[0].first, "pages/c/n1.qr1.svg");
  ShareBlock html = ShareBlockFor({"https://a.org/"}, "pages/c/n1.html", true);
  EXPECT_TRUE(html.files.empty());
  EXPECT_EQ(html.codes[0].svg.rfind("<svg ", 0), 0u);
}

class ShareBuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    store_ = store::Store::Open(dir_.File("store.db"), &err);
    ASSERT_TRUE(store_) << err;
    store::ArticleInput in;
    in.canonical_url = "https://news.example/gb/n7.htm";
    in.article_id = "n7";
    in.memberships.push_back({"ch1", "s"});
    in.title = "分享测试";
    in.html = "<p>正文</p>";
    ASSERT_EQ(store_->SaveArticle(in, 1000).status().ToString(), "ok");
  }

  config::Config Config(const std::string& theme) {
    std::string text = "[site]\ntheme = \"" + theme +
                       "\"\nrehost_images = false\n"
                       "public_urls = [\"https://mirror.example/镜像/\", "
                       "\"https://gh.example/you/news\"]\n"
                       "[[channels]]\nid = \"ch1\"\nname = \"新闻\"\n";
    std::string err;
    auto cfg = config::ParseConfig(text, "samizdat.toml", dir_.path(), &err);
    EXPECT_TRUE(cfg) << err;
    cfg->output_dir = dir_.File("site-" + theme);
    return *cfg;
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

const char* kMirrorUrl = "https://mirror.example/%E9%95%9C%E5%83%8F/pages/ch1/n7";

// classic/markdown: sibling .svg files the page shows as images; each decodes to the
// page's exact public URL, Chinese path percent-encoded.
TEST_F(ShareBuildTest, SiblingQrCodesDecodeToThePublicUrl) {
  if (!ToolsPresent()) GTEST_SKIP() << "chromium or zbarimg missing: run scripts/install-deps.sh";
  config::Config cfg = Config("classic");
  BuildReport r = BuildSite(cfg, *store_, *Env::Default());
  ASSERT_TRUE(r.error.empty()) << r.error;
  std::string page = ReadFile(cfg.output_dir + "/pages/ch1/n7.md");
  EXPECT_NE(page.find("(n7.qr1.svg)"), std::string::npos) << page;
  EXPECT_NE(page.find("(n7.qr2.svg)"), std::string::npos) << page;
  EXPECT_EQ(DecodeSvg(cfg.output_dir + "/pages/ch1/n7.qr1.svg", dir_.path()),
            std::string(kMirrorUrl) + ".md");
  EXPECT_EQ(DecodeSvg(cfg.output_dir + "/pages/ch1/n7.qr2.svg", dir_.path()),
            "https://gh.example/you/news/pages/ch1/n7.md");
  // An up-to-date page keeps its codes.
  BuildReport again = BuildSite(cfg, *store_, *Env::Default());
  ASSERT_TRUE(again.error.empty()) << again.error;
  EXPECT_TRUE(fs::exists(cfg.output_dir + "/pages/ch1/n7.qr2.svg"));
}

// html: the QR code is inline in the page.
TEST_F(ShareBuildTest, InlineQrCodeDecodesToThePublicUrl) {
  if (!ToolsPresent()) GTEST_SKIP() << "chromium or zbarimg missing: run scripts/install-deps.sh";
  config::Config cfg = Config("html");
  BuildReport r = BuildSite(cfg, *store_, *Env::Default());
  ASSERT_TRUE(r.error.empty()) << r.error;
  std::string page = ReadFile(cfg.output_dir + "/pages/ch1/n7.html");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(page, m, std::regex("<svg [^]*?</svg>"))) << page;
  EXPECT_NE(page.find(std::string("href=\"") + kMirrorUrl + ".html\""), std::string::npos);
  std::string svg = dir_.File("inline.svg");
  FILE* f = fopen(svg.c_str(), "w");
  ASSERT_TRUE(f);
  fputs(m.str().c_str(), f);
  fclose(f);
  EXPECT_EQ(DecodeSvg(svg, dir_.path()), std::string(kMirrorUrl) + ".html");
}

TEST(Qr, TooLongForAQrCode) { EXPECT_FALSE(render::QrSvg(std::string(5000, 'a'))); }

}  // namespace
}  // namespace samizdat::publish
