// Hostile strings in every theme: each vector of tests/fixtures/xss-vectors.txt goes into
// the title, byline, caption, alt, lead image URL and original URL of a stored article (and
// a few into the site title and channel names); the site is built in the classic, markdown
// and html themes and what a reader's browser would get is loaded in headless Chromium.
//
// What a reader's browser gets: the html theme's pages as they are (with the
// Content-Security-Policy removed, so the escaping alone is tested); the Markdown files
// rendered the way a non-sanitising viewer renders them (cmark-gfm, CMARK_OPT_UNSAFE, no
// tagfilter); and the Markdown files as `samizdat serve` serves them. Each rendered document
// gets a first script that replaces alert, confirm, prompt and print with a counter; all
// documents load as frames of one page, whose DOM Chromium dumps with the count. A static
// check also parses every document and names whatever could run script on a click or in a
// frame the counter does not reach (event handler attributes, script/iframe/object/embed/
// base/form elements, javascript:/data:/vbscript: URLs). Both must find nothing.
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "html/parser.h"
#include "http_server.h"
#include "publish/build.h"
#include "publish/serve.h"
#include "test_util.h"
#include "util/strings.h"

namespace samizdat::publish {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;
namespace fs = std::filesystem;

std::string FindChromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (fs::exists(p)) return p;
  return {};
}

// Markdown as a viewer that does not sanitise shows it: raw HTML and every URL kept.
std::string RenderMarkdownUnsafe(const std::string& markdown) {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
  cmark_parser* parser = cmark_parser_new(CMARK_OPT_UNSAFE);
  for (const char* name : {"table", "strikethrough", "autolink"})
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser, ext);
  cmark_parser_feed(parser, markdown.data(), markdown.size());
  cmark_node* doc = cmark_parser_finish(parser);
  char* html = cmark_render_html(doc, CMARK_OPT_UNSAFE, cmark_parser_get_syntax_extensions(parser));
  std::string out = html;
  std::free(html);
  cmark_node_free(doc);
  cmark_parser_free(parser);
  return out;
}

// Replaces the script entry points with a counter kept in the top document.
constexpr std::string_view kDetector =
    "<script id=\"xss-detector\">(function(){var hit=function(){try{var "
    "c=top.document.getElementById('xss-count');c.textContent=String(Number(c.textContent)+1);"
    "}catch(e){}};window.alert=window.confirm=window.prompt=window.print=hit;})();</script>";

bool StartsWithUnsafeScheme(std::string_view value) {
  std::string v;
  for (char c : value)
    if (static_cast<unsigned char>(c) > 0x20) v.push_back(AsciiLower(c));
  for (const char* scheme : {"javascript:", "vbscript:", "data:"})
    if (v.rfind(scheme, 0) == 0) return true;
  return false;
}

// What in `html` could run script: one line per finding, empty when nothing.
std::vector<std::string> ScriptCapable(std::string_view html) {
  static const std::set<std::string_view> kTags = {"script", "iframe",  "frame",  "frameset",
                                                   "object", "embed",   "applet", "base",
                                                   "form",   "isindex", "portal"};
  static const std::set<std::string_view> kUrlAttrs = {
      "href",   "src",        "action", "formaction", "xlink:href", "data",
      "poster", "background", "lowsrc", "dynsrc",     "codebase"};
  std::vector<std::string> found;
  auto doc = html::ParseHtml(html);
  for (html::Node* n = doc->root(); n; n = html::NextInTree(n, doc->root())) {
    if (!n->IsElement() || n->Id() == "xss-detector") continue;
    std::string where = "<" + std::string(n->name) + "> ";
    if (kTags.count(n->name)) found.push_back(where + "element");
    if (n->name == "meta" && AsciiLowerCopy(std::string(n->Attr("http-equiv"))) == "refresh")
      found.push_back(where + "refresh");
    for (const html::Attribute* a = n->attrs; a; a = a->next) {
      std::string name(a->name);
      if (name.rfind("on", 0) == 0) found.push_back(where + name);
      if (name == "srcdoc") found.push_back(where + name);
      if (kUrlAttrs.count(a->name) && StartsWithUnsafeScheme(a->value))
        found.push_back(where + name + "=" + std::string(a->value));
      if (name == "style" && (a->value.find("expression(") != std::string_view::npos ||
                              a->value.find("javascript:") != std::string_view::npos))
        found.push_back(where + "style");
    }
  }
  return found;
}

// The built site: every vector in every source-controlled field of one article each.
struct HostileSite {
  std::string output;
  std::vector<std::string> vectors;
};

void StoreHostileArticles(store::Store& store, const std::vector<std::string>& vectors) {
  std::string err;
  for (size_t i = 0; i < vectors.size(); ++i) {
    const std::string& v = vectors[i];
    store::ArticleInput in;
    in.canonical_url = v;
    in.article_id = "x" + std::to_string(i);
    in.memberships = {{"world", ""}};
    in.title = v;
    in.byline = v;
    in.published = "2026-09-01T08:30:00+08:00";
    in.html = "<p>Body " + std::to_string(i) + ".</p>";
    in.lead_image_json = nlohmann::json{{"src", v}, {"alt", v}, {"caption", v}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    auto saved = store.SaveArticle(in, 1000 + static_cast<int64_t>(i));
    ASSERT_TRUE(saved.ok()) << "vector " << i << ": " << saved.status().ToString();
  }
}

std::string BuildTheme(const std::string& theme, store::Store& store, const TempDir& dir) {
  std::string err;
  auto cfg =
      config::ParseConfig("[site]\ntitle = \"<img src=x onerror=alert(1)>\"\ntheme = \"" + theme +
                              "\"\noutput = \"site-" + theme +
                              "\"\nfooter = \"Original: {url}\"\nrehost_images = false\n"
                              "[[channels]]\nid = \"world\"\nname = \"<svg onload=alert(1)>\"\n"
                              "group = \"<script>alert(1)</script>\"\n"
                              "[[channels]]\nid = \"other\"\nname = \"[x](javascript:alert(1))\"\n",
                          "samizdat.toml", dir.path(), &err);
  EXPECT_TRUE(cfg) << err;
  if (!cfg) return {};
  BuildReport br = BuildSite(*cfg, store, *Env::Default());
  EXPECT_TRUE(br.error.empty()) << br.error;
  return cfg->output_dir;
}

// A document of `theme`'s output as a reader's browser gets it, with the detector first.
std::string HarnessDocument(const fs::path& file) {
  std::string text = ReadFile(file.string());
  if (file.extension() == ".md")
    return "<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + std::string(kDetector) +
           "</head><body>\n" + RenderMarkdownUnsafe(text) + "</body></html>\n";
  text = std::regex_replace(text, std::regex("<meta http-equiv=\"Content-Security-Policy\"[^>]*>"),
                            "");
  size_t head = text.find("<head>");
  if (head != std::string::npos) text.insert(head + 6, kDetector);
  return text;
}

struct Findings {
  int executions = -1;  // counted in Chromium; -1 when it did not finish (see DumpDom)
  std::vector<std::string> static_hits;  // "file: finding"
  int documents = 0;
};

// Loads `url` in headless Chromium and returns the DOM it ends with, or "" when Chromium
// did not finish: a native dialog (script run in a frame the detector does not reach, such
// as a javascript: iframe) blocks headless Chromium, so a timeout counts as an execution.
std::string DumpDom(const std::string& chromium, const std::string& url, const TempDir& tmp) {
  std::string profile = tmp.File("profile");
  fs::remove_all(profile);
  std::string out = tmp.File("dom.html");
  std::string cmd = "timeout -s KILL 180 " + chromium +
                    " --headless --no-sandbox --disable-gpu --disable-background-networking"
                    " --no-first-run --disable-component-update --disable-sync --user-data-dir=" +
                    profile +
                    " --host-resolver-rules='MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'"
                    " --virtual-time-budget=5000 --dump-dom '" +
                    url + "' > " + out + " 2> " + tmp.File("chromium-err.txt");
  int raw = std::system(cmd.c_str());
  if (!WIFEXITED(raw) || WEXITSTATUS(raw) != 0) return {};
  return ReadFile(out);
}

// Writes the harness documents of one built site under harness/<name>/, and a top page
// that frames them all; checks each statically; loads the top page and reads the count.
Findings CheckInChromium(const std::string& chromium, const std::string& site,
                         const std::string& name, const TempDir& tmp) {
  Findings f;
  testing::StaticSite harness;
  std::string top =
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>"
      "<div id=\"xss-count\">0</div>\n";
  for (const auto& entry : fs::recursive_directory_iterator(site)) {
    std::string rel = fs::relative(entry.path(), site).string();
    std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || rel[0] == '.' || (ext != ".md" && ext != ".html")) continue;
    // The search page holds no stored text and runs the site's own search.js by design
    // (search_browser_test.cc checks it under its CSP).
    if (rel == "search.html") continue;
    std::string doc = HarnessDocument(entry.path());
    for (const auto& hit : ScriptCapable(doc)) f.static_hits.push_back(rel + ": " + hit);
    std::string path = "/" + name + "/" + rel + ".html";
    harness.Put(path, doc);
    top += "<iframe src=\"" + path + "\"></iframe>\n";
    ++f.documents;
  }
  harness.Put("/" + name + ".html", top + "</body></html>\n");
  testing::HttpServer server([&](const testing::HttpRequest& r) { return harness.Handle(r); });
  std::string dom = DumpDom(chromium, server.Url("/" + name + ".html"), tmp);
  std::smatch m;
  if (std::regex_search(dom, m, std::regex("id=\"xss-count\">(\\d+)<")))
    f.executions = std::stoi(m[1]);
  return f;
}

std::string Summary(const Findings& f) {
  std::string out = std::to_string(f.documents) + " documents, " + std::to_string(f.executions) +
                    " executions, " + std::to_string(f.static_hits.size()) +
                    " script-capable constructs";
  for (size_t i = 0; i < f.static_hits.size() && i < 20; ++i) out += "\n  " + f.static_hits[i];
  return out;
}

class Xss : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = FindChromium();
    vectors_ = testing::XssVectors();
    ASSERT_GE(vectors_.size(), 150u);
    std::string err;
    store_ = store::Store::Open(dir_.File("store.db"), &err);
    ASSERT_TRUE(store_) << err;
    StoreHostileArticles(*store_, vectors_);
  }
  TempDir dir_;
  std::string chromium_;
  std::vector<std::string> vectors_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(Xss, NoScriptRunsInAnyThemeInChromium) {
  if (chromium_.empty()) GTEST_SKIP() << "chromium not installed (scripts/install-deps.sh)";
  for (const char* theme : {"classic", "markdown", "html"}) {
    SCOPED_TRACE(theme);
    std::string site = BuildTheme(theme, *store_, dir_);
    ASSERT_FALSE(site.empty());
    ASSERT_TRUE(
        fs::exists(site + "/pages/world/x0" + (std::string(theme) == "html" ? ".html" : ".md")));
    Findings f = CheckInChromium(chromium_, site, theme, dir_);
    EXPECT_GT(f.documents, static_cast<int>(vectors_.size())) << Summary(f);
    EXPECT_EQ(f.executions, 0) << Summary(f);
    EXPECT_TRUE(f.static_hits.empty()) << Summary(f);
  }
}

// The detector itself: a page that does run a vector is counted, so 0 above means 0.
TEST_F(Xss, DetectorCountsAnExecution) {
  if (chromium_.empty()) GTEST_SKIP() << "chromium not installed (scripts/install-deps.sh)";
  fs::create_directories(dir_.File("raw/pages"));
  WriteFile(dir_.File("raw/pages/a.md"),
            "# <img src=x onerror=alert(1)>\n\n<svg onload=alert(1)>\n");
  Findings f = CheckInChromium(chromium_, dir_.File("raw"), "raw", dir_);
  EXPECT_EQ(f.executions, 2) << Summary(f);
  EXPECT_EQ(f.static_hits.size(), 2u) << Summary(f);
}

// `samizdat serve` hands Markdown to the browser as text/markdown with nosniff: the
// browser shows it as text, whatever it holds.
TEST_F(Xss, ServeShowsMarkdownAsText) {
  if (chromium_.empty()) GTEST_SKIP() << "chromium not installed (scripts/install-deps.sh)";
  for (const char* theme : {"classic", "markdown"}) {
    SCOPED_TRACE(theme);
    std::string site = BuildTheme(theme, *store_, dir_);
    SiteServer server;
    std::string err;
    ASSERT_TRUE(server.Start(site, 0, &err)) << err;
    std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
    for (const char* path : {"/README.md", "/indexes/world/README.md", "/pages/world/x0.md"}) {
      std::string dom = DumpDom(chromium_, origin + path, dir_);
      ASSERT_FALSE(dom.empty()) << path;
      EXPECT_NE(dom.find("<pre"), std::string::npos) << path << "\n" << dom.substr(0, 2000);
      auto hits = ScriptCapable(dom);
      EXPECT_TRUE(hits.empty()) << path << ": " << (hits.empty() ? "" : hits[0]);
    }
    server.Stop();
  }
}

// Feeds and the sitemap stay well-formed XML 1.0 with only their own elements.
TEST_F(Xss, AtomAndSitemapAreWellFormedWithOnlyTheirElements) {
  std::string site = BuildTheme("html", *store_, dir_);
  for (const char* file : {"feed.xml", "feeds/world.xml", "sitemap.xml"}) {
    SCOPED_TRACE(file);
    std::string bytes = ReadFile(site + "/" + file);
    // XML 1.0 allows no C0 control but tab, LF and CR (pugixml does not check this).
    for (char c : bytes)
      ASSERT_FALSE(static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
          << "control character " << int(c);
    pugi::xml_document doc;
    pugi::xml_parse_result r = doc.load_buffer(bytes.data(), bytes.size());
    ASSERT_TRUE(r) << r.description() << " at " << r.offset;
    static const std::set<std::string> kElements = {
        "feed", "title",   "id",     "link", "updated",   "entry",   "urlset",   "url",
        "loc",  "lastmod", "author", "name", "published", "content", "generator"};
    for (pugi::xpath_node n : doc.select_nodes("//*"))
      EXPECT_TRUE(kElements.count(n.node().name())) << n.node().name();
  }
}

}  // namespace
}  // namespace samizdat::publish
