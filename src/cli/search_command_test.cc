// `samizdat search` through the real binary, on a store synced from a loopback site.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http_server.h"
#include "test_util.h"

namespace samizdat {
namespace {

using nlohmann::json;

// A loopback site whose feed lists Chinese and English articles, and a config syncing it
// into channel "news" (html theme).
class SearchMirror {
 public:
  SearchMirror() : server_([this](const testing::HttpRequest& r) { return site_.Handle(r); }) {
    const std::vector<std::pair<std::string, std::string>> articles = {
        {"香港警察巡逻", "香港警察今天在中环街头巡逻，市民表示欢迎。"},
        {"上海港口", "上海港的吞吐量继续增长，港口工人加班。"},
        {"Weather report", "Sunny weather across the region; the police expect calm."}};
    std::string items;
    for (size_t i = 0; i < articles.size(); ++i) {
      std::string path = "/a/s" + std::to_string(i) + ".html";
      std::string paras;
      for (int p = 0; p < 3; ++p) paras += "<p>" + articles[i].second + "</p>";
      site_.Put(path, "<html><head><meta charset=\"utf-8\"><title>" + articles[i].first +
                          "</title></head><body><article><h1>" + articles[i].first + "</h1>" +
                          paras + "</article></body></html>");
      items += "<item><title>" + articles[i].first + "</title><link>" + server_.Url(path) +
               "</link><pubDate>Mon, 0" + std::to_string(i + 1) +
               " Jun 2026 10:00:00 GMT</pubDate></item>";
    }
    site_.Put("/feed.xml",
              "<rss version=\"2.0\"><channel><title>F</title>" + items + "</channel></rss>",
              "application/rss+xml");
    config_ = tmp_.File("samizdat.toml");
    testing::WriteFile(config_,
                       "store = \"store.db\"\n[site]\noutput = \"site\"\ntheme = \"html\"\n"
                       "[fetch]\nallow_loopback = true\nper_host_delay_ms = 0\n"
                       "[[channels]]\nid = \"news\"\n[[channels]]\nid = \"other\"\n"
                       "[[sources]]\nid = \"feed\"\nkind = \"rss\"\nurl = \"" +
                           server_.Url("/feed.xml") + "\"\nchannels = [\"news\"]\n");
  }
  std::string Config() const { return "--config '" + config_ + "'"; }

 private:
  testing::TempDir tmp_;
  testing::StaticSite site_;
  testing::HttpServer server_;
  std::string config_;
};

TEST(SearchCommand, FindsChineseAndEnglishWithTitleDatePageAndSnippet) {
  SearchMirror mirror;
  auto sync = testing::RunSamizdat("sync " + mirror.Config());
  ASSERT_EQ(sync.status, 0) << sync.out << sync.err;

  auto r = testing::RunSamizdat("search 港 --json " + mirror.Config());
  ASSERT_EQ(r.status, 0) << r.err;
  json hits = json::parse(r.out);
  ASSERT_EQ(hits.size(), 2u) << r.out;
  for (const auto& h : hits) {
    EXPECT_EQ(h["page"].get<std::string>().rfind("pages/news/s", 0), 0u) << h;
    EXPECT_EQ(h["page"].get<std::string>().substr(h["page"].get<std::string>().size() - 5),
              ".html");
    EXPECT_FALSE(h["date"].get<std::string>().empty()) << h;
    EXPECT_NE(h["snippet"].get<std::string>().find("«港»"), std::string::npos) << h;
  }

  r = testing::RunSamizdat("search 香港警察 --json " + mirror.Config());
  ASSERT_EQ(r.status, 0) << r.err;
  hits = json::parse(r.out);
  ASSERT_EQ(hits.size(), 1u) << r.out;
  EXPECT_EQ(hits[0]["title"], "香港警察巡逻");
  EXPECT_EQ(hits[0]["page"], "pages/news/s0.html");
  // The whole phrase is marked, not the first character of each bigram.
  EXPECT_NE(hits[0]["snippet"].get<std::string>().find("«香港警察»"), std::string::npos) << hits;

  r = testing::RunSamizdat("search POLICE " + mirror.Config());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("Weather report"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pages/news/s2.html"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("«police»"), std::string::npos) << r.out;

  r = testing::RunSamizdat("search 港 --limit 1 --json " + mirror.Config());
  EXPECT_EQ(json::parse(r.out).size(), 1u) << r.out;
  r = testing::RunSamizdat("search 港 --channel other --json " + mirror.Config());
  EXPECT_EQ(json::parse(r.out).size(), 0u) << r.out;
}

TEST(SearchCommand, NoStoreAndNoQueryAreUsageErrors) {
  SearchMirror mirror;
  EXPECT_EQ(testing::RunSamizdat("search 港 " + mirror.Config()).status, 2);
  EXPECT_EQ(testing::RunSamizdat("search " + mirror.Config()).status, 2);
}

}  // namespace
}  // namespace samizdat
