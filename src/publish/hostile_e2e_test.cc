// The whole pipeline against a hostile site, through the real binary: a loopback server
// serves feeds and pages written to hurt the mirror (deep nesting, huge attributes, NUL
// bytes, bad charsets, script in titles, ids and URLs that climb out of the site, local
// file links, redirects to file://, a gzip bomb, a truncated response, 50,000 items), and
// `samizdat sync`, `build` (every theme) and `publish` must each finish with status 0 or 1,
// never a signal, write nothing outside the output root and the store, publish no local
// file, and leave no active markup in any page. A second test builds from a store whose
// rows were written around the store's own checks.
#include <git2.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "http_server.h"
#include "publish/build.h"
#include "store/store.h"
#include "test_util.h"

namespace samizdat::publish {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;
using testing::ReadFile;
using testing::RunSamizdat;
using testing::TempDir;
using testing::WriteFile;
namespace fs = std::filesystem;
using namespace std::string_literals;

const char* const kThemes[] = {"classic", "markdown", "html"};
// What /etc/passwd starts with on every Linux system, and a local file's secret: neither may
// reach the store or the site.
const char kPasswdMarker[] = "root:x:0:0";
const char kSecret[] = "SECRET-CANARY-7f3a91";

// Every construct that would run script or rewrite the terminal if written raw.
std::string XssText() {
  return "<script>alert(1)</script><img src=x onerror=alert(2)>\"><svg/onload=alert(3)>'`"
         "<a href=javascript:alert(4)>j</a>[md](javascript:alert(5))<iframe "
         "src=javascript:alert(6)></title></textarea></style><!-- --><![CDATA[x]]>"
         "<body onload=alert(7)><details open ontoggle=alert(8)>&lt;script&gt;{{7*7}}"
         "\x1b[31mred\x1b[0m\x1b]0;pwned\x07\x1b[2J\xc2\x9b"
         "31m\r\b|pipe|*em*_u_";
}

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

// XML text: HTML escaping, and C0 controls XML 1.0 cannot carry dropped.
std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : HtmlEscape(s))
    if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t') out += c;
  return out;
}

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// An article page long enough for the extractor, with `title` and `extra` (raw HTML) in it.
std::string ArticlePage(const std::string& title, const std::string& extra = "",
                        const std::string& head = "<meta charset=utf-8>") {
  std::string paras;
  for (int p = 0; p < 4; ++p)
    paras += "<p>Paragraph " + std::to_string(p) +
             " of a story, long enough to count as body text, with commas, and a full "
             "stop.</p>";
  return "<html><head>" + head + "<title>" + title + "</title></head><body><article><h1>" + title +
         "</h1><p class=byline>By " + title + "</p>" + paras + extra + "</article></body></html>";
}

// Markup that must never survive cleaning, in an article body.
std::string HostileBody() {
  return "<script>alert('body')</script><img src=x onerror=alert(9)><svg onload=alert(10)>"
         "<a href=\"javascript:alert(11)\">js</a><a href=\"file:///etc/passwd\">pw</a>"
         "<iframe src=\"file:///etc/passwd\"></iframe><img src=\"file:///etc/passwd\">"
         "<object data=\"javascript:alert(12)\"></object><form action=javascript:alert(13)>"
         "<button formaction=javascript:alert(14)>b</button></form><math><mi "
         "xlink:href=\"javascript:alert(15)\">m</mi></math><meta http-equiv=refresh "
         "content=\"0;url=javascript:alert(16)\"><style>*{x:expression(alert(17))}</style>"
         "<p style=\"background:url(javascript:alert(18))\" onclick=alert(19)>styled</p>";
}

std::string RssItem(const std::string& title, const std::string& link) {
  return "<item><title>" + XmlEscape(title) + "</title><link>" + XmlEscape(link) +
         "</link><description>" + XmlEscape(title) + "</description></item>";
}

std::string Rss(const std::string& items) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>t"
         "</title><link>http://x/</link>" +
         items + "</channel></rss>";
}

HttpResponse Body(const std::string& body, const std::string& type = "text/html; charset=utf-8") {
  HttpResponse r;
  r.headers = {{"Content-Type", type}};
  r.body = body;
  return r;
}

HttpResponse Redirect(const std::string& location) {
  HttpResponse r;
  r.status = 302;
  r.headers = {{"Location", location}};
  return r;
}

// The hostile site: path -> response; any other path is an ordinary article page, so
// every link that is followed yields something to store, build and publish.
class HostileSite {
 public:
  HostileSite(const std::string& base, const std::string& secret_path);
  HttpResponse Handle(const HttpRequest& req) {
    std::string path = req.path;
    auto it = responses_.find(path);
    if (it != responses_.end()) return it->second;
    return Body(ArticlePage("Page " + HtmlEscape(path.substr(0, 200)), HostileBody()));
  }

 private:
  void AddFeeds(const std::string& u, const std::string& secret_path);
  void AddPages(const std::string& u);
  void AddDeep(const std::string& u);
  void AddTransportAttacks(const std::string& u, const std::string& secret_path);
  std::map<std::string, HttpResponse> responses_;
};

HostileSite::HostileSite(const std::string& u, const std::string& secret_path) {
  AddFeeds(u, secret_path);
  AddPages(u);
  AddDeep(u);
  AddTransportAttacks(u, secret_path);
}

// Links a feed item may carry to climb out of the site, read local files, run script or
// reach the mirror's network, and the pages that misbehave.
std::vector<std::string> HostileLinks(const std::string& u, const std::string& secret_path) {
  return {std::string("file:///etc/passwd"),
          "file://" + secret_path,
          std::string("javascript:alert(1)"),
          std::string("data:text/html,<script>alert(1)</script>"),
          std::string("../../x"),
          u + "/a/" + std::string(300, 'L') + ".html",
          u + "/a/%2Fetc%2Fpasswd.html",
          u + "//etc/passwd",
          u + "/a/CON.html",
          u + "/a/nul.txt",
          u + "/a/com1.html",
          u + "/a/%2e%2e%2f.html",
          u + "/a/%2e%2e%2fx",
          u + "/a/story.html",
          u + "/b/story.html",
          u + "/a/.hidden.html",
          u + "/a/..html",
          u + "/a/-rf.html",
          u + "/a/index.html",
          u + "/a/tab%09id.html",
          u + "/a/nul%00x.html",
          u + "/p/%2e%2e%2f%2e%2e%2fescape",
          u + "/p/a/b/../../../../escape2",
          u + "/a/redir-file.html",
          u + "/a/redir-meta.html",
          u + "/a/bomb.html",
          u + "/a/trunc.html",
          u + "/a/xss.html",
          u + "/a/hugeattr.html",
          u + "/a/deep.html",
          u + "/a/nul.html",
          u + "/a/badutf8.html",
          u + "/a/mislabel.html",
          u + "/a/utf7.html",
          u + "/a/lead-file.html"};
}

void HostileSite::AddFeeds(const std::string& u, const std::string& secret_path) {
  // Hostile ids and URLs, empty links, script in titles.
  std::string items;
  for (const std::string& link : HostileLinks(u, secret_path))
    items += RssItem(XssText() + " " + link.substr(0, 40), link);
  items +=
      "<item><title>empty</title><link></link></item><item><title>none</title></item>"
      "<item><title>blank</title><link>   </link></item><item><title>self</title><link/>"
      "</item>";
  responses_["/hostile.xml"] = Body(Rss(items), "application/rss+xml");
  // NUL bytes: raw in an RSS feed, escaped in a JSON feed.
  responses_["/nul.xml"] =
      Body(Rss("<item><title>nul\0title</title><link>"s + u +
               "/a/nul\0raw.html</link><description>b\0dy</description></item>"s),
           "application/rss+xml");
  responses_["/nul.json"] = Body(
      "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"n\\u0000ul\",\"items\":["
      "{\"id\":\"../../\\u0000x\",\"url\":\"" +
          u +
          "/a/json\\u0000nul.html\",\"title\":\"t\\u0000<script>alert(1)</script>\","
          "\"content_html\":\"<p>a\\u0000b</p>\"},{\"id\":\"e\",\"url\":\"\",\"title\":\"empty\"},"
          "{\"id\":\"x\",\"url\":\"" +
          u + "/a/json-xss.html\",\"title\":\"\\u001b[31m<img src=x onerror=alert(1)>\"}]}",
      "application/feed+json");
  // 50,000 items; their links fold to ten pages (tracking parameters and fragments), so
  // the parser and the candidate list see them all but only ten pages are fetched.
  std::string many;
  many.reserve(50000 * 120);
  for (int i = 0; i < 50000; ++i)
    many += "<item><title>many " + std::to_string(i) + "</title><link>" + u + "/many/" +
            std::to_string(i % 10) + ".html?utm_source=" + std::to_string(i) + "#" +
            std::to_string(i) + "</link></item>";
  responses_["/many.xml"] = Body(Rss(many), "application/rss+xml");
  // Mislabelled charsets: the prolog says UTF-8, the bytes are GBK; the HTTP header says
  // Shift_JIS.
  responses_["/charset.xml"] =
      Body(Rss("<item><title>" + testing::EncodeCharset("中文标题", "GBK") +
               "\xff\xfe</title><link>" + u + "/a/charset-item.html</link></item>"),
           "application/rss+xml; charset=shift_jis");
  // A listing with links that must never be followed as local files.
  responses_["/listing.html"] =
      Body("<html><body><a href=\"file:///etc/passwd\">1</a><a href=\"file://" + secret_path +
           "\">2</a><a href=\"javascript:alert(1)\">3</a><a href=\"//169.254.169.254/x\">4</a>"
           "<a href=\"/a/listed.html\">5</a><a href=\"\">6</a></body></html>");
}

void HostileSite::AddPages(const std::string& u) {
  responses_["/a/xss.html"] =
      Body(ArticlePage(HtmlEscape(XssText()), HostileBody(),
                       "<meta charset=utf-8><meta name=author content=\"" + HtmlEscape(XssText()) +
                           "\"><meta property=\"og:image\" content=\"javascript:alert(1)\">"));
  responses_["/a/lead-file.html"] = Body(ArticlePage(
      "Lead image from a local file", "",
      "<meta charset=utf-8><meta property=\"og:image\" content=\"file:///etc/passwd\">"));
  responses_["/a/hugeattr.html"] = Body(ArticlePage(
      "Huge attribute", "<div data-x=\"" + std::string(5 << 20, 'A') + "\">after</div><img alt=\"" +
                            std::string(1 << 20, 'B') + "\" src=\"" + u + "/img/x.png\">"));
  responses_["/a/nul.html"] = Body(ArticlePage("NUL\0in the title"s, "<p>NUL\0in the body</p>"s));
  responses_["/a/badutf8.html"] =
      Body(ArticlePage("Bad \xff\xfe UTF-8 \xc0\x80 overlong \xed\xa0\x80 surrogate \xe4\xb8",
                       "<p>\xf8\x88\x80\x80\x80</p>"));
  responses_["/a/mislabel.html"] =
      Body(ArticlePage(testing::EncodeCharset("错误标注的编码", "GBK"), "",
                       "<meta charset=\"gb2312\"><meta http-equiv=Content-Type "
                       "content=\"text/html; charset=x-no-such\"\"charset\">"),
           "text/html; charset=utf-8");
  responses_["/a/utf7.html"] =
      Body(ArticlePage("+ADw-script+AD4-alert(1)+ADw-/script+AD4-", "", "<meta charset=utf-7>"),
           "text/html; charset=utf-7");
}

void HostileSite::AddDeep(const std::string& u) {
  const size_t kDepth = 100000;
  responses_["/a/deep.html"] = Body(
      ArticlePage("Deep HTML", Repeat("<div>", kDepth) + "deep text" + Repeat("</div>", kDepth)));
  responses_["/deep.xml"] =
      Body(Rss("<item><title>Deep XML</title><link>" + u + "/a/deep-xml-item.html</link>" +
               Repeat("<x>", kDepth) + "deep" + Repeat("</x>", kDepth) + "</item>"),
           "application/rss+xml");
  responses_["/deep.json"] = Body(
      "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"deep\",\"items\":[{\"id\":"
      "\"d\",\"url\":\"" +
          u + "/a/deep-json-item.html\",\"title\":\"Deep JSON\",\"_x\":" + Repeat("[", kDepth) +
          Repeat("]", kDepth) + "},{\"id\":\"d2\",\"url\":\"" + u +
          "/a/deep-json-2.html\",\"title\":" + Repeat("{\"a\":", kDepth) + "1" +
          Repeat("}", kDepth) + "}]}",
      "application/feed+json");
}

void HostileSite::AddTransportAttacks(const std::string& u, const std::string& secret_path) {
  responses_["/a/redir-file.html"] = Redirect("file:///etc/passwd");
  responses_["/a/redir-meta.html"] = Redirect("http://169.254.169.254/latest/meta-data/");
  responses_["/redir-feed.xml"] = Redirect("file://" + secret_path);
  // Past the 32 MiB body cap and the 64 MiB sitemap inflation cap.
  HttpResponse bomb = Body(testing::GzipOfZeros(48u << 20));
  bomb.headers.push_back({"Content-Encoding", "gzip"});
  responses_["/a/bomb.html"] = bomb;
  responses_["/bomb-sitemap.xml.gz"] = Body(testing::GzipOfZeros(96u << 20), "application/x-gzip");
  HttpResponse trunc = Body(ArticlePage("Truncated", Repeat("<p>more text</p>", 2000)));
  trunc.truncate = true;
  responses_["/a/trunc.html"] = trunc;
  HttpResponse trunc_feed = Body(Rss(RssItem("t", u + "/a/t1.html")), "application/rss+xml");
  trunc_feed.truncate = true;
  responses_["/trunc.xml"] = trunc_feed;
  responses_["/sitemap-index.xml"] = Body(
      "<?xml version=\"1.0\"?><sitemapindex><sitemap><loc>file:///etc/passwd</loc></sitemap>"
      "<sitemap><loc>file://" +
          secret_path +
          "</loc></sitemap><sitemap><loc>http://169.254.169.254/latest/meta-data/</loc>"
          "</sitemap><sitemap><loc>" +
          u + "/sitemap-child.xml</loc></sitemap></sitemapindex>",
      "application/xml");
  responses_["/sitemap-child.xml"] =
      Body("<?xml version=\"1.0\"?><urlset><url><loc>" + u +
               "/a/sm1.html</loc></url><url><loc>file:///etc/passwd</loc></url><url><loc>"
               "http://169.254.169.254/</loc></url><url><loc>" +
               u + "/a/redir-file.html</loc></url></urlset>",
           "application/xml");
}

// Every file, directory and symlink under `root` (relative path -> contents for files, a
// marker otherwise), skipping the subtrees named in `skip` (relative to `root`).
std::map<std::string, std::string> TreeSnapshot(const std::string& root,
                                                const std::set<std::string>& skip) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    std::string rel = fs::relative(it->path(), root).string();
    if (skip.count(rel)) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink())
      out[rel] = "symlink -> " + fs::read_symlink(it->path()).string();
    else if (it->is_regular_file())
      out[rel] = ReadFile(it->path().string());
    else
      out[rel] = "dir";
  }
  return out;
}

// Paths under `root` that leave it: symlinks (they are never made) and anything whose real
// path is outside.
std::vector<std::string> EscapingPaths(const std::string& root) {
  std::vector<std::string> bad;
  std::string real_root = fs::canonical(root).string() + "/";
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_symlink()) bad.push_back("symlink " + e.path().string());
    std::error_code ec;
    std::string real = fs::weakly_canonical(e.path(), ec).string();
    if (ec || real.rfind(real_root, 0) != 0) bad.push_back(e.path().string());
  }
  return bad;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Reads the attributes of a tag from `i` (just after its name) to its closing '>' as a
// browser does (a quoted value is data, whatever it holds); returns the '>' position or
// text.size(). Calls `check(name, value)` for each, both lower-cased.
template <typename Check>
size_t ReadAttributes(const std::string& text, size_t i, Check check) {
  const size_t n = text.size();
  while (i < n && text[i] != '>') {
    if (IsSpace(text[i]) || text[i] == '/') {
      ++i;
      continue;
    }
    size_t name_start = i;
    while (i < n && !IsSpace(text[i]) && text[i] != '=' && text[i] != '>' && text[i] != '/') ++i;
    std::string name = Lower(text.substr(name_start, i - name_start));
    while (i < n && IsSpace(text[i])) ++i;
    std::string value;
    if (i < n && text[i] == '=') {
      ++i;
      while (i < n && IsSpace(text[i])) ++i;
      size_t value_start = i;
      if (i < n && (text[i] == '"' || text[i] == '\'')) {
        size_t close = text.find(text[i], i + 1);
        close = close == std::string::npos ? n : close;
        value = text.substr(value_start + 1, close - value_start - 1);
        i = close == n ? n : close + 1;
      } else {
        while (i < n && !IsSpace(text[i]) && text[i] != '>') ++i;
        value = text.substr(value_start, i - value_start);
      }
    }
    check(name, Lower(value.substr(0, 200)));
  }
  return i;
}

// Byte ranges of `markdown` that are raw HTML blocks (CommonMark: a line starting, after at
// most three spaces, with '<' and a letter or '/', up to the next blank line). Inside one,
// a backslash escapes nothing.
std::vector<std::pair<size_t, size_t>> HtmlBlocks(const std::string& markdown) {
  std::vector<std::pair<size_t, size_t>> blocks;
  bool in_block = false;
  for (size_t start = 0; start < markdown.size();) {
    size_t end = markdown.find('\n', start);
    end = end == std::string::npos ? markdown.size() : end + 1;
    std::string line = markdown.substr(start, end - start);
    size_t first = line.find_first_not_of(" ");
    bool blank = line.find_first_not_of(" \t\r\n") == std::string::npos;
    if (blank) {
      in_block = false;
    } else if (!in_block && first <= 3 && line[first] == '<' && first + 1 < line.size() &&
               (std::isalpha(static_cast<unsigned char>(line[first + 1])) ||
                line[first + 1] == '/')) {
      in_block = true;
      blocks.push_back({start, end});
    }
    if (in_block) blocks.back().second = end;
    start = end;
  }
  return blocks;
}

// Active markup in `text`: a raw <script> tag, an on* event-handler attribute, or a
// javascript: URL in a URL attribute, found by reading tags as a browser does. In Markdown
// (`markdown`), "\<" is a literal '<', not a tag, except inside a raw HTML block.
std::vector<std::string> ActiveMarkup(const std::string& text, bool markdown) {
  std::vector<std::string> found;
  const auto blocks = markdown ? HtmlBlocks(text) : std::vector<std::pair<size_t, size_t>>();
  auto in_html_block = [&](size_t at) {
    for (const auto& [begin, end] : blocks)
      if (at >= begin && at < end) return true;
    return false;
  };
  for (size_t lt = text.find('<'); lt != std::string::npos; lt = text.find('<', lt + 1)) {
    if (lt + 1 >= text.size() || !std::isalpha(static_cast<unsigned char>(text[lt + 1]))) continue;
    if (markdown && lt > 0 && text[lt - 1] == '\\' && !in_html_block(lt)) continue;
    size_t end = lt + 1;
    while (end < text.size() && !IsSpace(text[end]) && text[end] != '>' && text[end] != '/') ++end;
    std::string name = Lower(text.substr(lt + 1, end - lt - 1));
    std::string context = text.substr(lt > 80 ? lt - 80 : 0, 180);
    if (name == "script") found.push_back("script tag: " + context);
    size_t close = ReadAttributes(text, end, [&](const std::string& an, const std::string& value) {
      if (an.size() > 2 && an.rfind("on", 0) == 0)
        found.push_back("handler " + an + ": " + context);
      bool url_attr = an == "href" || an == "src" || an == "action" || an == "formaction" ||
                      an == "data" || an == "xlink:href";
      if (url_attr && value.find("javascript:") != std::string::npos)
        found.push_back("javascript: URL: " + context);
    });
    if (close >= text.size()) break;
    lt = close;
  }
  return found;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Checks every page of a built site: no active markup, no local file content.
void ExpectSiteIsInert(const std::string& root) {
  int pages = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    std::string path = e.path().string();
    if (!e.is_regular_file() || path.find("/.git/") != std::string::npos) continue;
    std::string text = ReadFile(path);
    EXPECT_EQ(text.find(kPasswdMarker), std::string::npos) << path;
    EXPECT_EQ(text.find(kSecret), std::string::npos) << path;
    bool markdown = EndsWith(path, ".md");
    if (!markdown && !EndsWith(path, ".html") && !EndsWith(path, ".xml")) continue;
    ++pages;
    // The search page's one script is the site's own search.js (CSP script-src 'self').
    const std::string search_script = "<script src=\"search.js\" defer></script>";
    if (EndsWith(path, "/search.html") && text.find(search_script) != std::string::npos)
      text.erase(text.find(search_script), search_script.size());
    for (const auto& f : ActiveMarkup(text, markdown)) ADD_FAILURE() << path << ": " << f;
  }
  EXPECT_GT(pages, 3) << root;
}

// Where one hostile mirror lives: the config directory (store, outputs, a local secret and a
// canary directory beside the outputs), bare remotes beside it, and a canary outside it.
class HostileMirror {
 public:
  explicit HostileMirror(const std::string& server_url) : url_(server_url) {
    fs::create_directories(Mirror());
    WriteFile(Mirror() + "/secret.txt", std::string(kSecret) + "\n");
    fs::create_directories(Mirror() + "/canary/sub");
    WriteFile(Mirror() + "/canary/a.txt", "canary a");
    WriteFile(Mirror() + "/canary/sub/b.txt", "canary b");
    fs::create_directories(dir_.File("outside"));
    WriteFile(dir_.File("outside/c.txt"), "canary c");
    // A user profile whose id_pattern captures a whole path, the way a careless profile
    // would hand sync "../x" and absolute ids.
    WriteFile(Mirror() + "/climb.toml",
              "name = \"climb\"\nhosts = [\"127.0.0.1\"]\nurl_patterns = [\"/p/\"]\n"
              "id_pattern = '^https?://[^/]+(/.*)$'\n");
    git_libgit2_init();
    for (const char* theme : kThemes) {
      git_repository* bare = nullptr;
      std::string remote = dir_.File(std::string("origin-") + theme + ".git");
      EXPECT_EQ(git_repository_init(&bare, remote.c_str(), 1), 0);
      git_repository_free(bare);
      WriteFile(Config(theme), ConfigText(theme));
    }
  }
  ~HostileMirror() { git_libgit2_shutdown(); }

  std::string Mirror() const { return dir_.File("mirror"); }
  std::string Config(const std::string& theme) const {
    return Mirror() + "/samizdat-" + theme + ".toml";
  }
  std::string Output(const std::string& theme) const { return Mirror() + "/site-" + theme; }
  const std::string& root() const { return dir_.path(); }
  std::string SecretPath() const { return Mirror() + "/secret.txt"; }

 private:
  std::string ConfigText(const std::string& theme) const;
  TempDir dir_;
  std::string url_;
};

std::string HostileMirror::ConfigText(const std::string& theme) const {
  std::string text = "store = \"store.db\"\nprofiles = [\"climb.toml\"]\n[site]\ntheme = \"" +
                     theme + "\"\noutput = \"site-" + theme +
                     "\"\nbase_url = \"https://mirror.example.org/\"\n"
                     "[fetch]\nallow_loopback = true\nper_host_delay_ms = 0\nmax_retries = 0\n"
                     "connect_timeout_ms = 2000\ntotal_timeout_ms = 30000\n"
                     "[[channels]]\nid = \"news\"\nname = \"News\"\ngroup = \"G\"\n"
                     "[[channels]]\nid = \"more\"\nname = \"More\"\ngroup = \"G\"\n";
  const std::vector<std::pair<std::string, std::string>> sources = {
      {"rss", "/hostile.xml"},
      {"rss", "/nul.xml"},
      {"jsonfeed", "/nul.json"},
      {"rss", "/many.xml"},
      {"rss", "/charset.xml"},
      {"rss", "/deep.xml"},
      {"jsonfeed", "/deep.json"},
      {"rss", "/redir-feed.xml"},
      {"rss", "/trunc.xml"},
      {"sitemap", "/sitemap-index.xml"},
      {"sitemap", "/bomb-sitemap.xml.gz"},
      {"listing", "/listing.html"}};
  int n = 0;
  for (const auto& [kind, path] : sources) {
    text += "[[sources]]\nid = \"s" + std::to_string(n) + "\"\nkind = \"" + kind + "\"\nurl = \"" +
            url_ + path + "\"\nchannels = [\"" + (n % 2 ? "more" : "news") + "\"]\n";
    if (kind == "listing") text += "selector = \"a\"\n";
    ++n;
  }
  text +=
      "[publish]\nauthor_name = \"Mirror\"\nauthor_email = \"mirror@example.org\"\n"
      "[[publish.remotes]]\nname = \"origin\"\nurl = \"" +
      dir_.File("origin-" + theme + ".git") + "\"\n";
  return text;
}

// What may change in the temporary tree: the outputs, the store (and its lock and WAL
// files), and the bare remotes publish pushes to.
std::set<std::string> WritableByTheRun() {
  std::set<std::string> skip;
  for (const char* theme : kThemes) {
    skip.insert(std::string("mirror/site-") + theme);
    skip.insert(std::string("origin-") + theme + ".git");
  }
  for (const char* f :
       {"store.db", "store.db-wal", "store.db-shm", "store.db-journal", "store.db.lock"})
    skip.insert(std::string("mirror/") + f);
  return skip;
}

// Status 0 or 1 (some sources or articles failed, the rest was done): never a usage
// error, a lock, or a signal.
::testing::AssertionResult ExitedZeroOrOne(const testing::RunResult& r) {
  if (r.status == 0 || r.status == 1) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "exited " << r.status << "\n" << r.err.substr(0, 4000);
}

// The scanner the tests rely on finds what it must and leaves escaped text alone.
TEST(HostileSite, ActiveMarkupScannerSeesWhatABrowserWouldRun) {
  EXPECT_EQ(ActiveMarkup("<p>&lt;script&gt; <img alt=\"x onerror=alert(1)\"></p>", false).size(),
            0u);
  EXPECT_EQ(ActiveMarkup("<SCRIPT>x</SCRIPT>", false).size(), 1u);
  EXPECT_EQ(ActiveMarkup("<svg/onload=alert(1)>", false).size(), 1u);
  EXPECT_EQ(ActiveMarkup("<a title='>' href=\" JavaScript:alert(1)\">", false).size(), 1u);
  EXPECT_EQ(ActiveMarkup("text \\<script> and \\<img onerror=x>", true).size(), 0u);
  // Inside a raw HTML block a backslash escapes nothing.
  EXPECT_EQ(ActiveMarkup("<div>\n\\<script>x\n</div>\n", true).size(), 1u);
  EXPECT_EQ(ActiveMarkup("<div>\n\n\\<script>x\n", true).size(), 0u);
}

TEST(HostileSite, SyncBuildPublishStayInsideTheMirrorAndPublishNothingActive) {
  std::unique_ptr<HostileSite> site;
  HttpServer server([&](const HttpRequest& r) { return site->Handle(r); });
  HostileMirror mirror(server.Url(""));
  site = std::make_unique<HostileSite>(server.Url(""), mirror.SecretPath());
  auto before = TreeSnapshot(mirror.root(), WritableByTheRun());

  auto sync_run = RunSamizdat("sync --config '" + mirror.Config("classic") + "'");
  ASSERT_TRUE(ExitedZeroOrOne(sync_run)) << "sync";
  // The local-file links were seen and refused, not silently dropped before the fetcher.
  EXPECT_NE(sync_run.err.find("file:///etc/passwd: refused"), std::string::npos) << sync_run.err;
  for (const char* theme : kThemes) {
    ASSERT_TRUE(ExitedZeroOrOne(RunSamizdat("build --config '" + mirror.Config(theme) + "'")))
        << "build " << theme;
    EXPECT_TRUE(ExitedZeroOrOne(RunSamizdat("publish --config '" + mirror.Config(theme) + "'")))
        << "publish " << theme;
  }
  // A later run over what the first one stored works the same.
  EXPECT_TRUE(ExitedZeroOrOne(RunSamizdat("sync --config '" + mirror.Config("html") + "'")))
      << "second sync";
  EXPECT_TRUE(ExitedZeroOrOne(RunSamizdat("build --config '" + mirror.Config("classic") + "'")))
      << "second build";
  EXPECT_EQ(TreeSnapshot(mirror.root(), WritableByTheRun()), before);
  std::string err;
  auto store = store::Store::Open(mirror.Mirror() + "/store.db", &err);
  ASSERT_TRUE(store) << err;
  EXPECT_EQ(store->IntegrityCheck(), "ok");
  EXPECT_GT(store->CountArticles().value(), 20);
  store.reset();
  for (const char* f : {"/store.db", "/store.db-wal"}) {
    std::string bytes = fs::exists(mirror.Mirror() + f) ? ReadFile(mirror.Mirror() + f) : "";
    EXPECT_EQ(bytes.find(kPasswdMarker), std::string::npos) << f;
    EXPECT_EQ(bytes.find(kSecret), std::string::npos) << f;
  }
  for (const char* theme : kThemes) {
    SCOPED_TRACE(theme);
    for (const auto& p : EscapingPaths(mirror.Output(theme))) ADD_FAILURE() << p;
    ExpectSiteIsInert(mirror.Output(theme));
  }
}

// One row of a store written around the store's checks, the way a damaged or hand-edited
// database file (or a bug in an older samizdat) would hold it.
struct HostileRecord {
  std::string article_id, home_channel, member_channel, title, byline, lead_image, published;
};

std::vector<HostileRecord> HostileRecords(const std::string& tmp) {
  const std::string xss = XssText();
  const std::vector<std::string> ids = {"../../../escape",
                                        tmp + "/abs/evil",
                                        "",
                                        ".",
                                        "..",
                                        "CON",
                                        "nul.txt",
                                        std::string(300, 'L'),
                                        "a/b",
                                        "a\\b",
                                        "x\0y"s,
                                        "\x1b[31mred",
                                        "<script>alert(1)</script>",
                                        "%2e%2e%2f",
                                        "tab\tid",
                                        "\xc3\xbcnicode\xff",
                                        "-rf",
                                        ".git/hooks/pre-commit",
                                        "../.git/config",
                                        ".samizdat/outputs",
                                        "index"};
  const std::vector<std::string> channels = {"news",
                                             "../..",
                                             tmp + "/abschannel",
                                             "",
                                             ".",
                                             ".git",
                                             "CON",
                                             "a/b",
                                             "ch\x01",
                                             std::string(300, 'C'),
                                             "<script>alert(1)</script>",
                                             "news/../../.."};
  const std::vector<std::string> lead_images = {
      R"J({"src":"javascript:alert(1)","alt":"\"><script>alert(1)</script>","caption":"<img src=x onerror=alert(1)>"})J",
      R"J({"src":"file:///etc/passwd","alt":"x","caption":"y"})J",
      R"J({"src":"\" onerror=\"alert(1)","alt":"' onload='alert(2)","caption":"\u0000"})J",
      "{not json",
      "[]",
      ""};
  std::vector<HostileRecord> records;
  for (size_t i = 0; i < ids.size(); ++i) {
    HostileRecord r;
    r.article_id = ids[i];
    // Every id with a safe channel and with a hostile one; the pair stays unique.
    r.home_channel = channels[i % channels.size()];
    r.member_channel = channels[(i + 3) % channels.size()];
    r.title = i % 2 ? xss : "\x1b]0;title\x07" + xss.substr(0, 60);
    r.byline = xss;
    r.lead_image = lead_images[i % lead_images.size()];
    r.published = i % 3 ? "<script>alert(1)</script>" : "9999-99-99T99:99:99Z";
    records.push_back(r);
  }
  return records;
}

void Exec(sqlite3* db, const std::string& sql, const std::vector<std::string>& params) {
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  for (size_t i = 0; i < params.size(); ++i)
    sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i].data(),
                      static_cast<int>(params[i].size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sql << ": " << sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
}

// Stores an ordinary article for `url`, then overwrites its row with `r`'s values.
void WriteHostileRow(store::Store& store, const std::string& url, const HostileRecord& r,
                     int64_t now) {
  store::ArticleInput in;
  in.canonical_url = url;
  in.article_id = "ok" + std::to_string(now);
  in.memberships = {{"news", "s"}};
  in.title = "t";
  in.html = "<p>An ordinary body paragraph.</p>";
  auto saved = store.SaveArticle(in, now);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  const std::string article = "(SELECT id FROM articles WHERE canonical_url = ?)";
  Exec(store.db(),
       "UPDATE articles SET article_id = ?, home_channel = ?, title = ? WHERE canonical_url = ?",
       {r.article_id, r.home_channel, r.title, url});
  Exec(
      store.db(),
      "UPDATE revisions SET title = ?, byline = ?, lead_image = ?, published = ? WHERE article = " +
          article,
      {r.title, r.byline, r.lead_image, r.published, url});
  Exec(store.db(), "UPDATE memberships SET channel = ? WHERE article = " + article,
       {r.member_channel, url});
  Exec(store.db(),
       "INSERT OR IGNORE INTO memberships (article, channel, source_id, added_at) "
       "SELECT id, 'news', '../s', 0 FROM articles WHERE canonical_url = ?",
       {url});
}

// A mirror directory holding a store of `records` and an ordinary article, a canary
// directory, and one config per theme.
class HostileStoreMirror {
 public:
  HostileStoreMirror() {
    fs::create_directories(dir_.File("mirror/canary"));
    WriteFile(dir_.File("mirror/canary/a.txt"), "canary");
  }
  void Fill(const std::vector<HostileRecord>& records) {
    std::string err;
    auto store = store::Store::Open(dir_.File("mirror/store.db"), &err);
    EXPECT_TRUE(store) << err;
    if (!store) return;
    for (size_t i = 0; i < records.size(); ++i)
      WriteHostileRow(*store, "https://e.org/h/" + std::to_string(i) + ".html", records[i],
                      1000 + static_cast<int64_t>(i));
    store::ArticleInput in;  // one ordinary article, which must still be built
    in.canonical_url = "https://e.org/ordinary.html";
    in.article_id = "ordinary";
    in.memberships = {{"news", ""}};
    in.title = "Ordinary";
    in.html = "<p>Body.</p>";
    auto saved = store->SaveArticle(in, 5000);
    EXPECT_TRUE(saved.ok()) << saved.status().ToString();
    for (const char* theme : kThemes)
      WriteFile(Config(theme), "store = \"store.db\"\n[site]\ntheme = \"" + std::string(theme) +
                                   "\"\noutput = \"site-" + theme +
                                   "\"\n[[channels]]\nid = \"news\"\nname = \"News\"\n"
                                   "[[channels]]\nid = \"more\"\nname = \"<script>x</script>\"\n");
  }
  std::string Config(const std::string& theme) const {
    return dir_.File("mirror/samizdat-" + theme + ".toml");
  }
  std::string Output(const std::string& theme) const { return dir_.File("mirror/site-" + theme); }
  const TempDir& dir() const { return dir_; }
  // The temporary tree, without what build may write (outputs, the store and its lock).
  std::map<std::string, std::string> Snapshot() const {
    std::set<std::string> writable = {"mirror/store.db", "mirror/store.db-wal",
                                      "mirror/store.db-shm", "mirror/store.db.lock"};
    for (const char* theme : kThemes) writable.insert(std::string("mirror/site-") + theme);
    return TreeSnapshot(dir_.path(), writable);
  }

 private:
  TempDir dir_;
};

// Builds every theme twice (a later build over the same store works the same) and checks
// the status, that nothing leaves the output root, and that the ordinary article is built.
void BuildEveryThemeAndCheck(const HostileStoreMirror& mirror) {
  for (const char* theme : kThemes) {
    SCOPED_TRACE(theme);
    for (int run = 0; run < 2; ++run)
      ASSERT_TRUE(ExitedZeroOrOne(RunSamizdat("build --config '" + mirror.Config(theme) + "'")))
          << "run " << run;
    std::string out = mirror.Output(theme);
    for (const auto& p : EscapingPaths(out)) ADD_FAILURE() << p;
    ExpectSiteIsInert(out);
    bool ordinary = false;
    for (const auto& e : fs::recursive_directory_iterator(out))
      ordinary |= e.path().filename().string().rfind("ordinary.", 0) == 0;
    EXPECT_TRUE(ordinary) << "the ordinary article was not built";
  }
}

TEST(HostileStore, BuildWritesOnlyInsideTheOutputRootInEveryTheme) {
  HostileStoreMirror mirror;
  mirror.Fill(HostileRecords(mirror.dir().path()));
  auto before = mirror.Snapshot();
  BuildEveryThemeAndCheck(mirror);
  // In process too: an exception would escape to the caller here.
  std::string err;
  auto store = store::Store::Open(mirror.dir().File("mirror/store.db"), &err);
  ASSERT_TRUE(store) << err;
  auto cfg = config::ParseConfig(ReadFile(mirror.Config("html")), "samizdat.toml",
                                 mirror.dir().File("mirror"), &err);
  ASSERT_TRUE(cfg) << err;
  EXPECT_NO_THROW(BuildSite(*cfg, *store, *Env::Default()));
  store.reset();
  EXPECT_EQ(mirror.Snapshot(), before);
  EXPECT_FALSE(fs::exists(mirror.dir().File("abs")));
  EXPECT_FALSE(fs::exists(mirror.dir().File("abschannel")));
}

// A lead image whose JSON fields have the wrong types (a number, null).
TEST(HostileStore, LeadImageWithWrongJsonTypesIsSkippedNotFatal) {
  HostileStoreMirror mirror;
  HostileRecord r;
  r.article_id = "typed";
  r.home_channel = r.member_channel = "news";
  r.title = r.byline = "t";
  r.published = "";
  std::vector<HostileRecord> records;
  for (const char* lead : {R"({"src":5,"alt":"a"})", R"({"src":"https://e.org/x.jpg","alt":null})",
                           R"({"src":{"a":1},"caption":[1]})"}) {
    r.lead_image = lead;
    records.push_back(r);
    r.article_id += "x";
  }
  mirror.Fill(records);
  auto before = mirror.Snapshot();
  BuildEveryThemeAndCheck(mirror);
  EXPECT_EQ(mirror.Snapshot(), before);
}

}  // namespace
}  // namespace samizdat::publish
