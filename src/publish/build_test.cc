#include "publish/build.h"
#include "publish/git_publish.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "render/gfm_check.h"
#include "test_util.h"

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
    in.channels = channels;
    in.source_id = "s";
    in.title = "标题" + std::to_string(n) + "，带逗号, and a comma";
    in.html = "<p>第" + std::to_string(n) +
              "篇文章的正文，<a href=\"https://www.epochtimes.com/gb/tag/x.html\">标签</a>。</p>"
              "<h2>小标题</h2><pre>code\n\n  indented</pre>" +
              extra_html;
    in.lead_image_json = R"({"src":"https://i.epochtimes.com/a.jpg","alt":"图","caption":"说明"})";
    std::string err;
    ASSERT_TRUE(store_->SaveArticle(in, now, &err)) << err;
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
