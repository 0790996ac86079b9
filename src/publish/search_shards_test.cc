// The static search index: its segment layout, and builds that add articles or revisions
// rewrite only the files of the segments and chunks those articles are in.
#include "publish/search_shards.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_util.h"

namespace samizdat::publish {
namespace {

using testing::TempDir;

std::vector<std::string> Names(const std::vector<SearchSegment>& segments) {
  std::vector<std::string> out;
  for (const auto& s : segments) out.push_back(s.Name());
  return out;
}

TEST(SearchSegments, LayoutDependsOnlyOnTheCountAndFullSegmentsStay) {
  EXPECT_TRUE(SearchSegmentLayout(0).empty());
  EXPECT_EQ(Names(SearchSegmentLayout(57)), (std::vector<std::string>{"0-57"}));
  EXPECT_EQ(Names(SearchSegmentLayout(10100)), (std::vector<std::string>{"0-10000", "10000-100"}));
  EXPECT_EQ(Names(SearchSegmentLayout(12345)),
            (std::vector<std::string>{"0-10000", "10000-1000", "11000-1000", "12000-100",
                                      "12100-100", "12200-100", "12300-45"}));
  EXPECT_EQ(SearchSegmentLayout(10000)[0].buckets, 2500);
  EXPECT_EQ(SearchTermHash(""), 2166136261u);
  EXPECT_EQ(SearchTermHash("a"), 0xe40c292cu);  // FNV-1a test vector
}

class SearchShardsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    store_ = store::Store::Open(dir_.File("s.db"), &error);
    ASSERT_TRUE(store_) << error;
  }
  void Add(int from, int to, const std::string& word = "新闻") {
    for (int i = from; i < to; ++i) {
      store::ArticleInput in;
      in.canonical_url = "https://example.org/" + std::to_string(i);
      in.article_id = "a" + std::to_string(i);
      in.memberships = {{"news", "s"}};
      in.title = "标题" + std::to_string(i);
      in.text = word + " 第" + std::to_string(i) + "篇 香港天气 article" + std::to_string(i);
      in.html = "<p>" + in.text + "</p>";
      ASSERT_TRUE(store_->SaveArticle(in, 100 + i).ok());
    }
  }
  SearchIndexReport Build() {
    OutputTree out(*Env::Default(), dir_.File("site"));
    SearchIndexReport report;
    Status st = WriteStaticSearch("站", "zh-Hans", *store_, out, &report);
    EXPECT_TRUE(st.ok()) << st.message();
    std::vector<std::string> errors;
    out.Finish(true, &errors);
    EXPECT_TRUE(errors.empty());
    return report;
  }
  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(SearchShardsTest, AddingArticlesRewritesOnlyTheNewSegmentAndLastChunk) {
  Add(0, 1000);
  SearchIndexReport first = Build();
  EXPECT_EQ(first.bytes_written, first.bytes_total);
  SearchIndexReport same = Build();
  EXPECT_EQ(same.files_written, 0);
  EXPECT_EQ(same.bytes_total, first.bytes_total);
  Add(1000, 1010);
  SearchIndexReport grown = Build();
  // The new segment 1000-10, the details chunk 15 (960..1023) and the manifest.
  EXPECT_EQ(grown.files_written, 2 + 1 + 1) << grown.bytes_written;
  EXPECT_LT(grown.bytes_written * 20, grown.bytes_total);
  EXPECT_TRUE(testing::ReadFile(dir_.File("site/search/manifest.json")).find("[1000,10,2]") !=
              std::string::npos);
}

TEST_F(SearchShardsTest, ANewRevisionRewritesItsSegmentOnly) {
  Add(0, 1100);
  SearchIndexReport first = Build();
  std::string before = testing::ReadFile(dir_.File("site/search/1000-100/0.bin"));
  Add(5, 6, "更新");  // article 5 gets a new revision
  SearchIndexReport again = Build();
  EXPECT_GT(again.files_written, 1);
  EXPECT_LT(again.bytes_written * 3, again.bytes_total);
  EXPECT_EQ(testing::ReadFile(dir_.File("site/search/1000-100/0.bin")), before);
  // The old segment's files were rewritten in place, so none is left over or missing.
  EXPECT_EQ(again.files_total, first.files_total);
}

}  // namespace
}  // namespace samizdat::publish
