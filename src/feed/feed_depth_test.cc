// Feeds nested far deeper than any real feed: parsing must neither overflow the stack nor
// lose the items around the deep part, and must say what it dropped. Each parse first runs
// in a forked child, so a stack overflow fails the test instead of killing the test binary.
#include <gtest/gtest.h>

#include <string>

#include "feed/feed.h"

namespace samizdat::feed {
namespace {

constexpr int kHostileDepth = 100000;

std::string Repeat(std::string_view s, int n) {
  std::string out;
  out.reserve(s.size() * n);
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

bool HasWarningContaining(const Feed& f, std::string_view needle) {
  for (const auto& w : f.warnings)
    if (w.find(needle) != std::string::npos) return true;
  return false;
}

// Parses in a child process first: a crash there fails the test, and the parse is then not
// repeated in this process (an empty Feed is returned instead).
Feed ParseSurvivingCrash(const std::string& bytes) {
  EXPECT_EXIT(
      {
        ParseFeed(bytes, {"https://ex.org/feed"});
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
  if (::testing::Test::HasFailure()) return {};
  return ParseFeed(bytes, {"https://ex.org/feed"});
}

TEST(FeedDepth, DeepRssItemIsCutAndTheOtherItemsSurvive) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  std::string xml = "<rss version=\"2.0\"><channel><title>T</title>";
  xml += "<item><title>before</title><link>https://ex.org/1</link></item>";
  xml += "<item><title>deep</title><link>https://ex.org/2</link><description>" +
         Repeat("<x>", kHostileDepth) + "text" + Repeat("</x>", kHostileDepth) +
         "</description></item>";
  xml += "<item><title>after</title><link>https://ex.org/3</link></item></channel></rss>";
  Feed f = ParseSurvivingCrash(xml);
  EXPECT_EQ(f.version, "rss20");
  EXPECT_TRUE(f.bozo);
  EXPECT_TRUE(HasWarningContaining(f, "nested deeper than 256 levels")) << f.bozo_exception;
  ASSERT_EQ(f.entries.size(), 3u);
  EXPECT_EQ(f.entries[0].title, "before");
  EXPECT_EQ(f.entries[1].title, "deep");
  EXPECT_EQ(f.entries[2].title, "after");
}

TEST(FeedDepth, UnclosedDeepAtomFeedKeepsTheEntriesBeforeIt) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  std::string xml = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>";
  xml += "<entry><id>1</id><title>first</title><link href=\"https://ex.org/1\"/></entry>";
  xml += "<entry><id>2</id><title>" + Repeat("<b>", kHostileDepth) + "x";
  Feed f = ParseSurvivingCrash(xml);
  EXPECT_EQ(f.version, "atom10");
  EXPECT_TRUE(f.bozo);
  EXPECT_TRUE(HasWarningContaining(f, "nested deeper than 256 levels"));
  ASSERT_GE(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "first");
}

TEST(FeedDepth, DeepJsonFeedValueIsDroppedWithAWarning) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  std::string json = R"({"version":"https://jsonfeed.org/version/1.1","title":"T","items":[)";
  json += R"({"id":"1","url":"https://ex.org/1","title":"one","extra":)" +
          Repeat("[", kHostileDepth) + Repeat("]", kHostileDepth) + "},";
  json += R"({"id":"2","url":"https://ex.org/2","title":"two"}]})";
  Feed f = ParseSurvivingCrash(json);
  EXPECT_EQ(f.version, "json11");
  EXPECT_TRUE(f.bozo);
  EXPECT_TRUE(HasWarningContaining(f, "nested deeper than 256 levels"));
  ASSERT_EQ(f.entries.size(), 2u);
  EXPECT_EQ(f.entries[1].title, "two");
}

TEST(FeedDepth, DeepUnterminatedJsonIsRefusedWithoutCrashing) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Feed f = ParseSurvivingCrash(Repeat("[", kHostileDepth) + Repeat("{\"a\":", kHostileDepth));
  EXPECT_TRUE(f.bozo);
  EXPECT_TRUE(f.entries.empty());
}

TEST(FeedDepth, FeedsWithinTheCapAreUntouched) {
  std::string xml =
      "<rss version=\"2.0\"><channel><item><title>t</title><link>https://ex.org/1"
      "</link><description>" +
      Repeat("<x>", 200) + "deep text" + Repeat("</x>", 200) +
      "</description></item></channel></rss>";
  Feed f = ParseFeed(xml, {"https://ex.org/feed"});
  EXPECT_FALSE(f.bozo) << f.bozo_exception;
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_NE(f.entries[0].summary.find("deep text"), std::string::npos);
}

}  // namespace
}  // namespace samizdat::feed
