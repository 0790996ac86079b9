#include "publish/build.h"
#include "publish/git_publish.h"

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <set>

#include "render/gfm_check.h"
#include "test_util.h"
#include "util/ids.h"
#include "util/strings.h"

namespace samizdat::publish {
namespace {

using testing::ReadFile;
using testing::TempDir;
namespace fs = std::filesystem;

class BuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    store_ = store::Store::Open(dir_.File("store.db"), &err);
    ASSERT_TRUE(store_) << err;
    std::string text = ReadFile(std::string(SAMIZDAT_SOURCE_DIR) + "/demo/samizdat.toml") + R"(
[[channels]]
id = "ch1"
name = "频道一"
group = "新闻"
[[channels]]
id = "ch2"
name = "频道二"
group = "新闻"
)";
    // Small pages make the pager and page stability visible with a few articles.
    text = std::regex_replace(text, std::regex("\\[site\\]"),
                              "[site]\nindex_page_size = 2\noutput = \"site\"");
    config_text_ = text;
    auto cfg = config::ParseConfig(text, "samizdat.toml", dir_.path(), &err);
    ASSERT_TRUE(cfg) << err;
    cfg_ = *cfg;
  }

  void Add(int n, const std::vector<std::string>& channels, int64_t now,
           const std::string& extra_html = "") {
    store::ArticleInput in;
    in.canonical_url =
        "https://www.epochtimes.com/gb/26/9/20/n" + std::to_string(1000 + n) + ".htm";
    in.article_id = "n" + std::to_string(1000 + n);
    for (const auto& ch : channels) in.memberships.push_back({ch, "s"});
    in.title = "标题" + std::to_string(n) + "，带逗号, and a comma";
    in.html = "<p>第" + std::to_string(n) +
              "篇文章的正文，<a href=\"https://www.epochtimes.com/gb/tag/x.html\">标签</a>。</p>"
              "<h2>小标题</h2><pre>code\n\n  indented</pre>" +
              extra_html;
    in.lead_image_json = R"({"src":"https://i.epochtimes.com/a.jpg","alt":"图","caption":"说明"})";
    std::string err;
    ASSERT_EQ(store_->SaveArticle(in, now).status().ToString(), "ok");
  }

  BuildReport Build(const std::string& out) {
    config::Config c = cfg_;
    c.output_dir = out;
    return BuildSite(c, *store_, *Env::Default());
  }

  std::map<std::string, std::string> Tree(const std::string& root) {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(root))
      if (e.is_regular_file())
        files[fs::relative(e.path(), root).string()] = ReadFile(e.path().string());
    return files;
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  config::Config cfg_;
  std::string config_text_;
};

TEST_F(BuildTest, EveryPageRendersAsIntendedAndEveryLinkResolves) {
  for (int i = 1; i <= 5; ++i)
    Add(i, i == 2 ? std::vector<std::string>{"ch1", "ch2"} : std::vector<std::string>{"ch1"},
        1000 + i);
  // A link between mirrored articles becomes a link to the mirror page.
  Add(6, {"ch2"}, 2000,
      "<p>见<a href=\"https://www.epochtimes.com/gb/26/9/20/n1001.htm\">第一篇</a>。</p>");
  std::string out = dir_.File("site");
  BuildReport r = Build(out);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.articles, 6);
  auto tree = Tree(out);
  // An article in two channels is written once, in its home channel, and listed in both.
  EXPECT_TRUE(tree.count("pages/ch1/n1002.md"));
  EXPECT_FALSE(tree.count("pages/ch2/n1002.md"));
  EXPECT_NE(tree["indexes/ch2/1.md"].find("(../../pages/ch1/n1002.md)"), std::string::npos)
      << tree["indexes/ch2/1.md"];
  int md_files = 0;
  std::regex link(R"(\]\(([^)\s]+)\))");
  for (const auto& [path, text] : tree) {
    if (path.size() < 3 || path.substr(path.size() - 3) != ".md") continue;
    ++md_files;
    render::GfmReport g = render::CheckGfm(text);
    EXPECT_EQ(g.code_blocks, 0) << path;
    if (path.rfind("pages/", 0) == 0) {
      EXPECT_EQ(g.html_blocks, 1) << path;
      EXPECT_EQ(text.find("<h2>"), std::string::npos) << path;  // demoted to h4
      EXPECT_NE(text.find("<ok href=\"https://www.epochtimes.com/gb/tag/x.html\">标签</ok>"),
                std::string::npos)
          << path;
    }
    // Every relative link resolves to a file in the tree (stamps and ids stripped).
    for (auto it = std::sregex_iterator(text.begin(), text.end(), link);
         it != std::sregex_iterator(); ++it) {
      std::string target = (*it)[1].str();
      if (target.find("://") != std::string::npos) continue;
      target = target.substr(0, target.find('?'));
      fs::path resolved = fs::path(out) / fs::path(path).parent_path() / target;
      std::string norm = fs::weakly_canonical(resolved).string();
      if (norm.rfind(fs::weakly_canonical(out).string(), 0) != 0)
        continue;  // sibling repositories (menu)
      EXPECT_TRUE(fs::exists(resolved)) << path << " -> " << (*it)[1].str();
    }
  }
  EXPECT_GT(md_files, 8);
  EXPECT_NE(tree["pages/ch2/n1006.md"].find("<a href=\"../ch1/n1001.md\">第一篇</a>"),
            std::string::npos)
      << tree["pages/ch2/n1006.md"];
  // Titles keep their commas: in the JSON Lines index and in the Markdown index.
  EXPECT_NE(tree["indexes/ch1.jsonl"].find("\"title\":\"标题3，带逗号, and a comma\""),
            std::string::npos);
  EXPECT_NE(tree["indexes/ch1/2.md"].find("[标题3，带逗号, and a comma]"), std::string::npos);
}

// Sync stores the cleaned body; the build applies only the site's link policy and heading
// shift (the demo site: neutralize, +2), and never cleans a second time.
TEST_F(BuildTest, PagesRenderTheStoredBodyWithOnlyTheSitePolicyApplied) {
  Add(1, {"ch1"}, 1001, "<div class=\"share\">保留的块</div>");
  ASSERT_TRUE(Build(dir_.File("site")).error.empty());
  std::string page = ReadFile(dir_.File("site/pages/ch1/n1001.md"));
  EXPECT_NE(page.find("保留的块"), std::string::npos) << page;
  EXPECT_NE(page.find("<ok href=\"https://www.epochtimes.com/gb/tag/x.html\">"), std::string::npos)
      << page;
  EXPECT_NE(page.find("<h4>小标题</h4>"), std::string::npos) << page;
  EXPECT_NE(page.find("说明"), std::string::npos) << page;  // the stored lead image's caption
  clean::CleanOptions co = PageCleanOptions(cfg_.site);
  EXPECT_EQ(co.links, cfg_.site.link_policy);
  EXPECT_EQ(co.heading_shift, cfg_.site.heading_shift);
}

TEST(LeadImage, JsonRoundTripAndBadText) {
  store::LeadImage li{"https://e.com/a.jpg", "图 \"x\"", "说明"};
  auto back = store::LeadImageFromJson(store::LeadImageToJson(li));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->src, li.src);
  EXPECT_EQ(back->alt, li.alt);
  EXPECT_EQ(back->caption, li.caption);
  EXPECT_FALSE(store::LeadImageFromJson(""));
  EXPECT_FALSE(store::LeadImageFromJson("[1]"));
  auto odd = store::LeadImageFromJson(R"({"src": 5, "alt": "a"})");  // never throws
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->src, "");
  EXPECT_EQ(odd->alt, "a");
}

TEST_F(BuildTest, FullPagesNeverChangeAndBuildsAreDeterministic) {
  for (int i = 1; i <= 5; ++i) Add(i, {"ch1"}, 1000 + i);
  std::string out = dir_.File("site");
  ASSERT_TRUE(Build(out).error.empty());
  auto before = Tree(out);
  // Page n holds entries 2n-1 and 2n, newest first; the last page holds the rest.
  EXPECT_NE(before["indexes/ch1/1.md"].find(
                "标题2，带逗号, and a comma](../../pages/ch1/n1002.md) \n#### [标题1"),
            std::string::npos)
      << before["indexes/ch1/1.md"];
  EXPECT_NE(before["indexes/ch1/3.md"].find("标题5"), std::string::npos);
  EXPECT_NE(before["indexes/ch1/README.md"].find("#### 第 [ [3](./3.md?"), std::string::npos);

  // The same store built elsewhere gives the same bytes (the manifest aside).
  std::string other = dir_.File("other");
  ASSERT_TRUE(Build(other).error.empty());
  auto again = Tree(other);
  EXPECT_EQ(again, before);

  // Nothing new: nothing rewritten, no page re-rendered.
  BuildReport idle = Build(out);
  EXPECT_EQ(idle.files_written, 0);
  EXPECT_EQ(idle.pages_rendered, 0);

  // One new article: full pages stay byte-identical; only what shows it (or the new
  // stamp) changes.
  Add(6, {"ch1"}, 5000);
  BuildReport inc = Build(out);
  EXPECT_EQ(inc.pages_rendered, 1);
  auto after = Tree(out);
  EXPECT_EQ(after["indexes/ch1/1.md"], before["indexes/ch1/1.md"]);
  EXPECT_EQ(after["indexes/ch1/2.md"], before["indexes/ch1/2.md"]);
  EXPECT_NE(after["indexes/ch1/3.md"], before["indexes/ch1/3.md"]);
  for (int i = 1; i <= 5; ++i) {
    std::string p = "pages/ch1/n" + std::to_string(1000 + i) + ".md";
    EXPECT_EQ(after[p], before[p]) << p;
  }
  EXPECT_TRUE(after.count("pages/ch1/n1006.md"));
}

}  // namespace
}  // namespace samizdat::publish

namespace samizdat::publish {
namespace {

// A power loss can keep a rename but not the data: the page comes back empty or cut. The
// next build sees a size other than the one it wrote and renders the page again.
TEST_F(BuildTest, APageCutShortOnDiskIsRenderedAgain) {
  Add(1, {"ch1"}, 1001);
  Add(2, {"ch1"}, 1002);
  std::string out = dir_.File("site");
  ASSERT_TRUE(Build(out).error.empty());
  auto before = Tree(out);
  ASSERT_TRUE(before.count("pages/ch1/n1001.md"));
  testing::WriteFile(out + "/pages/ch1/n1001.md", "");
  testing::WriteFile(out + "/pages/ch1/n1002.md", before["pages/ch1/n1002.md"].substr(0, 10));
  BuildReport again = Build(out);
  ASSERT_TRUE(again.error.empty()) << again.error;
  EXPECT_EQ(again.pages_rendered, 2);
  EXPECT_EQ(Tree(out), before);
}

TEST_F(BuildTest, OlderPagesMoveToTheArchiveAndLinksFollow) {
  cfg_.publish.archive.output = dir_.File("mirror-archive");
  cfg_.publish.archive.max_articles = 3;
  cfg_.publish.archive.link_prefix = "../mirror-archive/";  // a sibling repository
  for (int i = 1; i <= 5; ++i) Add(i, {"ch1"}, 1000 + i);
  // A new article linking to an old one: the link goes to the archive.
  Add(6, {"ch1"}, 2000,
      "<p>见<a href=\"https://www.epochtimes.com/gb/26/9/20/n1001.htm\">第一篇</a>。</p>");
  std::string out = dir_.File("site");
  cfg_.output_dir = out;
  ASSERT_TRUE(BuildSite(cfg_, *store_, *Env::Default()).error.empty());
  auto main_tree = Tree(out);
  auto archive_tree = Tree(cfg_.publish.archive.output);
  for (int i = 1; i <= 6; ++i) {
    std::string p = "pages/ch1/n" + std::to_string(1000 + i) + ".md";
    EXPECT_EQ(main_tree.count(p), i > 3 ? 1u : 0u) << p;
    EXPECT_EQ(archive_tree.count(p), i > 3 ? 0u : 1u) << p;
  }
  EXPECT_NE(main_tree["pages/ch1/n1006.md"].find(
                "<a href=\"../../../mirror-archive/pages/ch1/n1001.md\">"),
            std::string::npos)
      << main_tree["pages/ch1/n1006.md"];
  // Every relative link of the main tree resolves, into the archive where it points there.
  std::regex link(R"(\]\(([^)\s]+)\))");
  for (const auto& [path, text] : main_tree) {
    if (path.rfind("indexes/", 0) != 0 || path.size() < 3 || path.substr(path.size() - 3) != ".md")
      continue;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), link);
         it != std::sregex_iterator(); ++it) {
      std::string target = (*it)[1].str();
      target = target.substr(0, target.find('?'));
      EXPECT_TRUE(fs::exists(fs::path(out) / fs::path(path).parent_path() / target))
          << path << " -> " << target;
    }
  }
  EXPECT_NE(main_tree["indexes/ch1.jsonl"].find("\"archived\":true"), std::string::npos);

  // Publish both; then two more articles push two more pages out of the main tree.
  PublishConfig pc;
  PublishReport a1 = Publish(cfg_.publish.archive.output, pc, 1790000000);
  PublishReport m1 = Publish(out, pc, 1790000000);
  ASSERT_TRUE(a1.error.empty() && m1.error.empty()) << a1.error << m1.error;
  Add(7, {"ch1"}, 3000);
  Add(8, {"ch1"}, 3001);
  BuildReport second = BuildSite(cfg_, *store_, *Env::Default());
  ASSERT_TRUE(second.error.empty()) << second.error;
  EXPECT_EQ(second.pages_rendered, 4) << "articles " << second.articles;
  EXPECT_FALSE(fs::exists(out + "/pages/ch1/n1004.md"));
  EXPECT_TRUE(fs::exists(cfg_.publish.archive.output + "/pages/ch1/n1004.md"));
  PublishReport a2 = Publish(cfg_.publish.archive.output, pc, 1790000600);
  PublishReport m2 = Publish(out, pc, 1790000600);
  EXPECT_EQ(a2.added, 2);    // n1004, n1005 arrive in the archive
  EXPECT_EQ(m2.deleted, 2);  // and leave the main tree, whose history keeps them
}

}  // namespace
}  // namespace samizdat::publish

namespace samizdat::publish {
namespace {

// Every regular file under `root` (symlinks not followed), relative.
std::set<std::string> FilesUnder(const std::string& root) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out.insert(fs::relative(e.path(), root).string());
  return out;
}

void SetArticleId(store::Store& store, int n, const std::string& id) {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(store.db(), "UPDATE articles SET article_id=? WHERE canonical_url=?", -1, &s,
                     nullptr);
  std::string url = "https://www.epochtimes.com/gb/26/9/20/n" + std::to_string(1000 + n) + ".htm";
  sqlite3_bind_text(s, 1, id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, url.c_str(), -1, SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(s), SQLITE_DONE);
  sqlite3_finalize(s);
}

TEST_F(BuildTest, HostileIdsNeverWriteOutsideTheOutputDir) {
  // Through the store, as sync hands them over: a traversal from a profile's id_pattern, an
  // absolute id.
  const std::string abs_target = dir_.File("abs/evil");
  Add(1, {"ch1"}, 1001);
  store::ArticleInput in;
  for (const std::string& id : {std::string("../../../escape1"), abs_target}) {
    in.canonical_url = "https://e.com/" + std::to_string(id.size());
    in.article_id = id;
    in.memberships = {{"ch1", "s"}};
    in.title = "t";
    in.html = "<p>x</p>";
    std::string err;
    ASSERT_EQ(store_->SaveArticle(in, 1002).status().ToString(), "ok");
  }
  std::string out = dir_.File("out/site");
  BuildReport clean = Build(out);
  EXPECT_TRUE(clean.error.empty()) << clean.error;
  EXPECT_EQ(clean.articles, 3);
  // Written around the store's checks, straight into its SQLite file: the builder's own
  // guard refuses them, names the article, and builds the rest.
  Add(2, {"ch1"}, 1003);
  Add(3, {"ch1"}, 1004);
  SetArticleId(*store_, 2, "../../../escape2");
  SetArticleId(*store_, 3, dir_.File("abs2/evil"));
  BuildReport r = Build(out);
  EXPECT_NE(r.error.find("n1002.htm"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("n1003.htm"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("refused to write"), std::string::npos) << r.error;
  // Nothing outside out/site; no directories named after the absolute id inside it.
  std::set<std::string> outside = FilesUnder(dir_.path());
  for (const auto& f : outside)
    EXPECT_TRUE(f.rfind("out/site/", 0) == 0 || f.rfind("store.db", 0) == 0) << f;
  EXPECT_FALSE(fs::exists(abs_target + ".md"));
  EXPECT_FALSE(fs::exists(dir_.File("abs2/evil.md")));
  for (const auto& f : FilesUnder(out))
    EXPECT_EQ(f.find(dir_.path().substr(1)), std::string::npos) << f;
  EXPECT_TRUE(fs::exists(out + "/pages/ch1/n1001.md"));
  EXPECT_TRUE(fs::exists(out + "/indexes/ch1/README.md"));
}

TEST_F(BuildTest, ALongIdNeverAbortsTheBuildAndTheNextBuildWorks) {
  Add(1, {"ch1"}, 1001);
  Add(2, {"ch1"}, 1002);
  SetArticleId(*store_, 2, std::string(300, 'x'));
  std::string config = dir_.File("samizdat.toml");
  // `store` is a top-level key, so it goes before the tables. No image hosts here: the
  // lead images stay linked (a failed re-host would make the exit status 1).
  testing::WriteFile(config,
                     "store = \"store.db\"\n" +
                         ReplaceAll(config_text_, "[site]", "[site]\nrehost_images = false"));
  for (int run = 0; run < 2; ++run) {
    auto r = testing::RunSamizdat("build --config '" + config + "'");
    EXPECT_EQ(r.status, 1) << "run " << run << ": " << r.err;  // not 134 (abort)
    EXPECT_NE(r.err.find("n1002.htm"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::exists(dir_.File("site/pages/ch1/n1001.md")));
  }
  // Through the store, a 300-character id becomes a safe one and the site builds clean.
  store::ArticleInput in;
  in.canonical_url = "https://e.com/long";
  in.article_id = std::string(300, 'y');
  in.memberships = {{"ch1", "s"}};
  in.title = "t";
  std::string err;
  ASSERT_EQ(store_->SaveArticle(in, 1003).status().ToString(), "ok");
  SetArticleId(*store_, 2, "n1002");
  auto r = testing::RunSamizdat("build --config '" + config + "'");
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST_F(BuildTest, TwoUrlsWithOneStemMakeTwoPagesAndTheFirstKeepsItsId) {
  store::ArticleInput in;
  in.memberships = {{"ch1", "s"}};
  std::string err;
  auto save = [&](const std::string& url, const std::string& title, int64_t now) {
    in.canonical_url = url;
    in.article_id = "story";  // both URLs' file stem
    in.title = title;
    in.html = "<p>" + title + "</p>";
    ASSERT_EQ(store_->SaveArticle(in, now).status().ToString(), "ok");
  };
  save("https://e.com/a/story.html", "first", 1);
  save("https://e.com/b/story.html", "second", 2);
  std::string out = dir_.File("site");
  ASSERT_TRUE(Build(out).error.empty());
  const std::string second =
      "pages/ch1/story-" + ShortUrlHash("https://e.com/b/story.html") + ".md";
  EXPECT_NE(ReadFile(out + "/pages/ch1/story.md").find("first"), std::string::npos);
  EXPECT_NE(ReadFile(out + "/" + second).find("second"), std::string::npos);
  // Re-synced (new revisions, in the other order) and rebuilt: nothing moves.
  save("https://e.com/b/story.html", "second, revised", 3);
  save("https://e.com/a/story.html", "first, revised", 4);
  ASSERT_TRUE(Build(out).error.empty());
  EXPECT_NE(ReadFile(out + "/pages/ch1/story.md").find("first, revised"), std::string::npos);
  EXPECT_NE(ReadFile(out + "/" + second).find("second, revised"), std::string::npos);
}

TEST_F(BuildTest, StaleOutputsAndTempFilesAreRemovedAndNeverPublished) {
  Add(1, {"ch1"}, 1001);
  Add(2, {"ch2"}, 1002);
  std::string out = dir_.File("site");
  ASSERT_TRUE(Build(out).error.empty());
  ASSERT_TRUE(fs::exists(out + "/indexes/ch2/README.md"));
  ASSERT_TRUE(fs::exists(out + "/pages/ch2/n1002.md"));
  // A build killed mid-write left a temp file; an operator's own file is no output.
  testing::WriteFile(out + "/pages/ch1/x.md.tmp.123", "half");
  testing::WriteFile(out + "/CNAME", "mirror.example\n");
  PublishConfig pc;
  ASSERT_TRUE(Publish(out, pc, 1790000000).error.empty());
  // Channel ch2 removed from the configuration.
  cfg_.channels.erase(cfg_.channels.end() - 1);
  BuildReport r = Build(out);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_FALSE(fs::exists(out + "/pages/ch1/x.md.tmp.123"));
  EXPECT_FALSE(fs::exists(out + "/indexes/ch2/README.md"));
  EXPECT_FALSE(fs::exists(out + "/indexes/ch2.jsonl"));
  EXPECT_TRUE(fs::exists(out + "/CNAME"));
  EXPECT_TRUE(fs::exists(out + "/indexes/ch1/README.md"));
  // A theme switch: the old theme's files go, the new theme's come.
  cfg_.site.theme = config::Theme::kHtml;
  r = Build(out);
  ASSERT_TRUE(r.error.empty()) << r.error;
  std::set<std::string> files = FilesUnder(out);
  for (const auto& f : files) {
    if (f.rfind(".git/", 0) == 0 || f.rfind(".samizdat/", 0) == 0 || f == "CNAME") continue;
    if (f.rfind("search/", 0) == 0 || f == "search.js") continue;  // the static search index
    EXPECT_TRUE(f.size() > 5 &&
                (f.substr(f.size() - 5) == ".html" || f.substr(f.size() - 4) == ".xml" ||
                 f.substr(f.size() - 6) == ".jsonl" || f.substr(f.size() - 5) == ".json" ||
                 f == "style.css"))
        << f;
  }
  EXPECT_TRUE(files.count("pages/ch1/n1001.html"));
  // A temp file planted after the build is never committed.
  testing::WriteFile(out + "/pages/ch1/y.html.tmp.77", "half");
  PublishReport p = Publish(out, pc, 1790000600);
  ASSERT_TRUE(p.error.empty()) << p.error;
  std::string tracked;
  FILE* ls = popen(("git -C '" + out + "' ls-files").c_str(), "r");
  ASSERT_TRUE(ls);
  for (char buf[4096]; size_t n = fread(buf, 1, sizeof buf, ls);) tracked.append(buf, n);
  pclose(ls);
  EXPECT_NE(tracked.find("pages/ch1/n1001.html"), std::string::npos) << tracked;
  EXPECT_EQ(tracked.find(".tmp."), std::string::npos) << tracked;
  EXPECT_EQ(tracked.find(".md"), std::string::npos) << tracked;  // the old theme's, deleted
}

}  // namespace
}  // namespace samizdat::publish
