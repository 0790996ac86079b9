// The html theme in a real browser: headless Chromium (Debian's) loads an article page and
// an index of a built site from the site server, takes screenshots (in a temp dir), and must
// log no console error and make no request outside 127.0.0.1.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "http_server.h"
#include "publish/build.h"
#include "publish/serve.h"
#include "test_util.h"

namespace samizdat::publish {
namespace {

using testing::HttpRequest;
using testing::HttpServer;
using testing::ReadFile;
using testing::StaticSite;
using testing::TempDir;
namespace fs = std::filesystem;

std::string FindChromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (fs::exists(p)) return p;
  return {};
}

struct Request {
  std::string url;
  std::string initiator;  // the page's origin for what the page asked for
};

struct PageLoad {
  int status = -1;
  std::string log;                // Chromium's stderr
  std::vector<Request> requests;  // every request the network log saw
};

PageLoad Load(const std::string& chromium, const std::string& url, const std::string& screenshot,
              const TempDir& tmp) {
  std::string netlog = tmp.File("netlog.json");
  std::string profile = tmp.File("profile");
  fs::remove_all(profile);
  std::string cmd =
      chromium +
      " --headless --no-sandbox --disable-gpu --disable-background-networking --disable-quic"
      " --no-first-run --disable-component-update --disable-sync --user-data-dir=" +
      profile + " --enable-logging=stderr --v=0 --log-net-log=" + netlog +
      " --window-size=412,915" +
      // Nothing may leave the machine, not even the browser's own housekeeping.
      " --host-resolver-rules='MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'" +
      " --screenshot=" + screenshot + " '" + url + "' > " + tmp.File("out.txt") + " 2> " +
      tmp.File("err.txt");
  PageLoad r;
  int raw = std::system(cmd.c_str());
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.log = ReadFile(tmp.File("err.txt"));
  nlohmann::json net =
      nlohmann::json::parse(fs::exists(netlog) ? ReadFile(netlog) : "", nullptr, false);
  if (!net.is_object()) return r;
  int start_job = -1;
  for (const auto& [name, id] : net["constants"]["logEventTypes"].items())
    if (name == "URL_REQUEST_START_JOB") start_job = id.get<int>();
  for (const auto& e : net["events"]) {
    if (e.value("type", -2) != start_job || !e.contains("params")) continue;
    const auto& p = e["params"];
    r.requests.push_back({p.value("url", ""), p.value("initiator", "")});
  }
  return r;
}

TEST(Browser, ArticleAndIndexRenderWithNoErrorsAndNoOutsideRequests) {
  std::string chromium = FindChromium();
  if (chromium.empty())
    GTEST_SKIP() << "chromium not installed (scripts/install-deps.sh installs it)";
  StaticSite images;
  HttpServer image_host([&](const HttpRequest& r) { return images.Handle(r); });
  // A real 16x16 PNG, so the browser decodes it.
  static const unsigned char kPng[] = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
      0x44, 0x52, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x08, 0x02, 0x00, 0x00,
      0x00, 0x90, 0x91, 0x68, 0x36, 0x00, 0x00, 0x00, 0x16, 0x49, 0x44, 0x41, 0x54, 0x78,
      0x9c, 0x63, 0x38, 0x21, 0x27, 0x47, 0x12, 0x62, 0x18, 0xd5, 0x30, 0xaa, 0x61, 0xf8,
      0x6a, 0x00, 0x00, 0xe4, 0x62, 0x04, 0x10, 0xeb, 0x47, 0xc8, 0xc6, 0x00, 0x00, 0x00,
      0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  std::string png(reinterpret_cast<const char*>(kPng), sizeof kPng);
  images.Put("/photo.png", png, "image/png");

  TempDir dir;
  std::string err;
  auto store = store::Store::Open(dir.File("store.db"), &err);
  ASSERT_TRUE(store) << err;
  for (int i = 1; i <= 3; ++i) {
    store::ArticleInput in;
    in.canonical_url = "https://news.example.org/a/" + std::to_string(i) + ".html";
    in.article_id = "a" + std::to_string(i);
    in.memberships = {{"world", "s"}};
    in.title = "第" + std::to_string(i) + "篇：山区学校迎来新学期";
    in.byline = "陈静";
    in.published = "2026-09-01T08:30:00+08:00";
    in.html =
        "<p>九月一日，位于山区的一所小学迎来了新学期。<a "
        "href=\"https://example.org/x\">外部链接</a>不会被请求。</p>"
        "<figure><img src=\"" +
        image_host.Url("/photo.png") +
        "\" alt=\"照片\"><figcaption>图说</figcaption></figure>"
        "<h2>小标题</h2><p>校长告诉记者，新图书馆藏书五千多册。</p>";
    in.lead_image_json =
        "{\"src\":\"" + image_host.Url("/photo.png") + "\",\"alt\":\"图\",\"caption\":\"说明\"}";
    ASSERT_EQ(store->SaveArticle(in, 1000 + i).status().ToString(), "ok");
  }
  auto cfg = config::ParseConfig(
      "[site]\ntitle = \"示例镜像\"\ntheme = \"html\"\noutput = \"site\"\nlink_policy = \"keep\"\n"
      "[fetch]\nallow_loopback = true\n[[channels]]\nid = \"world\"\nname = \"国际\"\ngroup = "
      "\"新闻\"\n",
      "samizdat.toml", dir.path(), &err);
  ASSERT_TRUE(cfg) << err;
  auto http = fetch::NewCurlHttpClient(cfg->fetch);
  BuildReport br = BuildSite(*cfg, *store, *Env::Default(), http.get());
  ASSERT_TRUE(br.error.empty()) << br.error;
  EXPECT_EQ(br.images_downloaded, 1);
  for (const char* f : {"index.html", "style.css", "feed.xml", "sitemap.xml", "feeds/world.xml",
                        "indexes/world/index.html", "pages/world/a1.html"})
    EXPECT_TRUE(fs::exists(cfg->output_dir + "/" + f)) << f;

  SiteServer server;
  ASSERT_TRUE(server.Start(cfg->output_dir, 0, &err)) << err;
  std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
  // Screenshots go to the test's temp dir, never into the source tree.
  for (std::string path : {"/pages/world/a1.html", "/indexes/world/index.html"}) {
    std::string shot = dir.File(std::regex_replace(path, std::regex("/"), "_") + ".png");
    PageLoad load = Load(chromium, origin + path, shot, dir);
    EXPECT_EQ(load.status, 0) << load.log;
    ASSERT_TRUE(fs::exists(shot)) << path << "\n" << load.log;
    std::string png_bytes = ReadFile(shot);
    EXPECT_EQ(png_bytes.substr(0, 4), "\x89PNG");
    EXPECT_GT(png_bytes.size(), 5000u) << "a blank screenshot?";
    // Console errors show as CONSOLE lines at ERROR level.
    std::regex console_error(R"(:ERROR:CONSOLE\(|Uncaught|Refused to)");
    EXPECT_FALSE(std::regex_search(load.log, console_error)) << load.log;
    ASSERT_FALSE(load.requests.empty()) << "no network log from " << path;
    bool saw_page = false;
    int subresources = 0;
    for (const auto& req : load.requests) {
      saw_page |= req.url == origin + path;
      if (req.initiator != origin) continue;  // the browser's own, not the page's
      ++subresources;
      EXPECT_EQ(req.url.rfind(origin + "/", 0), 0u) << path << " requested " << req.url;
    }
    EXPECT_TRUE(saw_page) << path;
    EXPECT_GT(subresources, 0) << path;  // at least the stylesheet
  }
  server.Stop();
}

TEST(Serve, RefusesClimbingAndHiddenFiles) {
  TempDir dir;
  fs::create_directories(dir.File("site/.samizdat"));
  fs::create_directories(dir.File("site/pages"));
  testing::WriteFile(dir.File("site/index.html"), "home");
  testing::WriteFile(dir.File("site/pages/a b.html"), "page");
  testing::WriteFile(dir.File("site/.samizdat/x"), "secret");
  testing::WriteFile(dir.File("outside"), "outside");
  std::string root = dir.File("site");
  EXPECT_EQ(ResolveRequestPath(*Env::Default(), root, "/"), root + "/index.html");
  EXPECT_EQ(ResolveRequestPath(*Env::Default(), root, "/pages/a%20b.html?x=1"),
            root + "/pages/a b.html");
  EXPECT_EQ(ResolveRequestPath(*Env::Default(), root, "/../outside"), "");
  EXPECT_EQ(ResolveRequestPath(*Env::Default(), root, "/%2e%2e/outside"), "");
  EXPECT_EQ(ResolveRequestPath(*Env::Default(), root, "/.samizdat/x"), "");
  EXPECT_EQ(ResolveRequestPath(*Env::Default(), root, "/pages/..%2f..%2foutside"), "");
  EXPECT_EQ(ResolveRequestPath(*Env::Default(), root, "relative"), "");
  EXPECT_EQ(ResolveRequestPath(*Env::Default(), root, "/missing.html"), "");
}

}  // namespace
}  // namespace samizdat::publish
