#include "publish/variants.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "publish/build.h"
#include "test_util.h"

namespace samizdat::publish {
namespace {

using testing::ReadFile;
using testing::TempDir;
namespace fs = std::filesystem;

std::unique_ptr<TextConverter> Open(std::string_view tag) {
  const Variant* v = FindVariant(tag);
  EXPECT_NE(v, nullptr) << tag;
  if (!v) return nullptr;
  Result<std::unique_ptr<TextConverter>> c = TextConverter::Open(*v);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

// OpenCC's documented conversions: characters (s2t), Taiwan's phrases (s2twp), Hong Kong
// forms (s2hk). ASCII, URLs and markup pass through.
TEST(TextConverter, OpenCcStandardConversions) {
  auto hant = Open("zh-Hant");
  auto tw = Open("zh-TW");
  auto hk = Open("zh-HK");
  ASSERT_TRUE(hant && tw && hk);
  EXPECT_EQ(hant->Convert("汉字"), "漢字");
  EXPECT_EQ(hant->Convert("鼠标"), "鼠標");
  EXPECT_EQ(tw->Convert("鼠标"), "滑鼠");
  EXPECT_EQ(tw->Convert("软件"), "軟體");
  EXPECT_EQ(tw->Convert("服务器"), "伺服器");
  EXPECT_EQ(hk->Convert("汉字"), "漢字");
  EXPECT_EQ(hant->Convert("<a href=\"https://x.org/a?b=1\">文章</a>"),
            "<a href=\"https://x.org/a?b=1\">文章</a>");
  EXPECT_EQ(hant->Convert(""), "");
  EXPECT_EQ(FindVariant("zh-Hans"), nullptr);
}

TEST(Variants, CounterpartLinksReachTheSameFileInEveryTree) {
  std::vector<SiteTree> trees = {{"zh-Hans", "", "简体", nullptr},
                                 {"zh-Hant", "zh-Hant/", "繁體", nullptr},
                                 {"zh-TW", "zh-TW/", "正體（台灣）", nullptr}};
  auto from_original = CounterpartLinks(trees, 0, "pages/ch/n1.html");
  ASSERT_EQ(from_original.size(), 2u);
  EXPECT_EQ(from_original[0].href, "../../zh-Hant/pages/ch/n1.html");
  EXPECT_EQ(from_original[0].lang, "zh-Hant");
  auto from_variant = CounterpartLinks(trees, 1, "pages/ch/n1.html");
  EXPECT_EQ(from_variant[0].href, "../../../pages/ch/n1.html");
  EXPECT_EQ(from_variant[1].href, "../../../zh-TW/pages/ch/n1.html");
  EXPECT_EQ(CounterpartLinks(trees, 2, "index.html")[0].href, "../index.html");
}

TEST(Variants, UnknownVariantIsAConfigurationError) {
  std::string err;
  auto cfg = config::ParseConfig("[site]\nvariants = [\"zh-XX\"]\n", "s.toml", "/tmp", &err);
  EXPECT_FALSE(cfg);
  EXPECT_NE(err.find("zh-XX"), std::string::npos) << err;
}

class VariantBuildTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string err;
    store_ = store::Store::Open(dir_.File("store.db"), &err);
    ASSERT_TRUE(store_) << err;
  }

  config::Config Config(const std::string& theme) {
    std::string text = "[site]\ntitle = \"新闻镜像\"\ntheme = \"" + theme +
                       "\"\nvariants = [\"zh-Hant\", \"zh-TW\"]\nrehost_images = false\n"
                       "menu = \"[首页](../../README.md)\"\nindex_page_size = 2\n"
                       "[[channels]]\nid = \"ch1\"\nname = \"国际新闻\"\ngroup = \"新闻\"\n";
    std::string err;
    auto cfg = config::ParseConfig(text, "samizdat.toml", dir_.path(), &err);
    EXPECT_TRUE(cfg) << err;
    cfg->output_dir = dir_.File("site");
    return *cfg;
  }

  void Add(int n) {
    store::ArticleInput in;
    in.canonical_url = "https://news.example/gb/n" + std::to_string(n) + ".htm";
    in.article_id = "n" + std::to_string(n);
    in.memberships.push_back({"ch1", "s"});
    in.title = "汉字新闻" + std::to_string(n);
    in.published = "2026-09-0" + std::to_string(n) + "T08:00:00+08:00";
    in.html = "<p>软件和鼠标的报道" + std::to_string(n) +
              "，<a href=\"https://news.example/gb/n1.htm\">汉字</a></p><pre>代码</pre>";
    ASSERT_EQ(store_->SaveArticle(in, 1000 + n).status().ToString(), "ok");
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

// Every relative href/src of every page of every tree names a file that is there.
void ExpectLinksResolve(const std::string& root) {
  std::regex link(R"((?:href|src)="([^"#?]+)|\]\(([^)\s?]+))");
  int checked = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    std::string path = e.path().string();
    if (!e.is_regular_file() || path.find("/.samizdat/") != std::string::npos) continue;
    if (e.path().extension() != ".html" && e.path().extension() != ".md") continue;
    std::string text = ReadFile(path);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), link);
         it != std::sregex_iterator(); ++it) {
      std::string target = (*it)[1].matched ? (*it)[1].str() : (*it)[2].str();
      if (target.find("://") != std::string::npos || target.empty()) continue;
      fs::path resolved = e.path().parent_path() / target;
      if (fs::weakly_canonical(resolved).string().rfind(fs::weakly_canonical(root).string(), 0))
        continue;  // outside the site (the menu's sibling repositories)
      EXPECT_TRUE(fs::exists(resolved)) << path << " -> " << target;
      ++checked;
    }
  }
  EXPECT_GT(checked, 20);
}

TEST_P(VariantBuildTest, EachTreeHasEveryFileConvertedAndLinked) {
  const bool html = GetParam() == "html";
  const std::string ext = html ? ".html" : ".md";
  for (int n = 1; n <= 3; ++n) Add(n);
  config::Config cfg = Config(GetParam());
  BuildReport r = BuildSite(cfg, *store_, *Env::Default());
  ASSERT_TRUE(r.error.empty()) << r.error;
  const std::string site = cfg.output_dir;
  // Same ids and file names in each tree.
  for (std::string tree : {"", "zh-Hant/", "zh-TW/"})
    for (std::string file : {"pages/ch1/n1", "pages/ch1/n3"})
      EXPECT_TRUE(fs::exists(site + "/" + tree + file + ext)) << tree << file;
  std::string hant = ReadFile(site + "/zh-Hant/pages/ch1/n2" + ext);
  std::string tw = ReadFile(site + "/zh-TW/pages/ch1/n2" + ext);
  std::string original = ReadFile(site + "/pages/ch1/n2" + ext);
  EXPECT_NE(hant.find("漢字新聞2"), std::string::npos) << hant;
  EXPECT_NE(hant.find("軟件和鼠標的報道"), std::string::npos) << hant;
  EXPECT_NE(tw.find("軟體和滑鼠的報道2"), std::string::npos) << tw;
  EXPECT_NE(tw.find("程式碼"), std::string::npos) << tw;
  EXPECT_NE(original.find("软件和鼠标的报道"), std::string::npos);
  // The original URL stays as it was; each page links to its counterparts.
  EXPECT_NE(hant.find("https://news.example/gb/n2.htm"), std::string::npos);
  EXPECT_NE(original.find("../../zh-Hant/pages/ch1/n2" + ext), std::string::npos) << original;
  EXPECT_NE(hant.find("../../../pages/ch1/n2" + ext), std::string::npos) << hant;
  EXPECT_NE(hant.find("../../../zh-TW/pages/ch1/n2" + ext), std::string::npos) << hant;
  if (html) {
    EXPECT_NE(hant.find("<html lang=\"zh-Hant\">"), std::string::npos);
    EXPECT_NE(original.find("<html lang=\"zh-Hans\">"), std::string::npos);
    EXPECT_NE(hant.find("hreflang=\"zh-TW\""), std::string::npos);
    std::string index = ReadFile(site + "/zh-TW/indexes/ch1/index.html");
    EXPECT_NE(index.find("國際新聞"), std::string::npos) << index;
    EXPECT_NE(ReadFile(site + "/zh-Hant/feed.xml").find("漢字新聞3"), std::string::npos);
    // Each tree's search index holds its own script: a Traditional query finds its pages.
    EXPECT_NE(ReadFile(site + "/zh-Hant/search/docs/0.json").find("漢字新聞2"), std::string::npos);
    EXPECT_NE(ReadFile(site + "/search/docs/0.json").find("汉字新闻2"), std::string::npos);
  } else {
    EXPECT_NE(ReadFile(site + "/zh-Hant/indexes/ch1/README.md").find("漢字新聞3"),
              std::string::npos);
  }
  ExpectLinksResolve(site);
  // A second build changes nothing.
  BuildReport again = BuildSite(cfg, *store_, *Env::Default());
  ASSERT_TRUE(again.error.empty()) << again.error;
  EXPECT_EQ(again.files_written, 0);
  // A variant dropped from the configuration leaves no page behind.
  cfg.site.variants = {"zh-Hant"};
  BuildReport dropped = BuildSite(cfg, *store_, *Env::Default());
  ASSERT_TRUE(dropped.error.empty()) << dropped.error;
  EXPECT_FALSE(fs::exists(site + "/zh-TW/pages"));
  EXPECT_FALSE(fs::exists(site + "/zh-TW/index.html"));
  EXPECT_FALSE(fs::exists(site + "/zh-HK"));
  EXPECT_TRUE(fs::exists(site + "/zh-Hant/pages/ch1/n1" + ext));
}

INSTANTIATE_TEST_SUITE_P(Themes, VariantBuildTest,
                         ::testing::Values("html", "classic", "markdown"));

}  // namespace
}  // namespace samizdat::publish
