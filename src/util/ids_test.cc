#include "util/ids.h"

#include <gtest/gtest.h>

#include <string>

#include "extract/profile.h"

namespace samizdat {
namespace {

TEST(Ids, SafeIdsAreShortPortableFileNames) {
  for (const char* ok :
       {"n13199494", "story", "a.b", "a_b-c", "_x", "9", "COM10", "console", "nul-x", "lpt0"})
    EXPECT_TRUE(IsSafeId(ok)) << ok;
  EXPECT_TRUE(IsSafeId(std::string(kMaxIdBytes, 'a')));
  for (const char* bad :
       {"",        ".",        "..",   "../x", "/etc/x", "a/b",    "a\\b",        "a\tb", "a b",
        ".hidden", "-rf",      "a.",   "CON",  "con",    "Con.md", "nul.tar.gz",  "PRN",  "AUX",
        "COM1",    "com9.txt", "LPT1", "lpt9", "a%2fb",  "a:b",    "\xe4\xb8\xad"})
    EXPECT_FALSE(IsSafeId(bad)) << bad;
  EXPECT_FALSE(IsSafeId(std::string(kMaxIdBytes + 1, 'a')));
  EXPECT_FALSE(IsSafeId(std::string("a\0b", 3)));
  EXPECT_EQ(UnsafeIdReason("a\tb"), "contains control character 0x09");
  EXPECT_EQ(UnsafeIdReason(".."), "starts with '.'");
  EXPECT_EQ(UnsafeIdReason("CON"), "is a Windows device name");
}

TEST(Ids, DerivedIdsAreAlwaysSafeAndStable) {
  const std::string url = "https://example.com/a/story.html";
  EXPECT_EQ(SafeArticleId("story", url), "story");
  std::string hashed = SafeArticleId("../x", url);
  EXPECT_TRUE(IsSafeId(hashed)) << hashed;
  EXPECT_EQ(hashed, SafeArticleId("/abs/path", url));  // every unsafe candidate: the URL hash
  EXPECT_EQ(hashed.size(), 17u);
  EXPECT_NE(hashed, SafeArticleId("../x", "https://example.com/b/story.html"));
  for (const std::string& bad : {std::string(300, 'x'), std::string("CON"), std::string(""),
                                 std::string("index"), std::string("a\tb")})
    EXPECT_TRUE(IsSafeId(SafeArticleId(bad, url))) << bad;
  std::string c0 = CollisionArticleId("story", url);
  EXPECT_EQ(c0, "story-" + ShortUrlHash(url));
  EXPECT_EQ(c0, CollisionArticleId("story", url));  // stable
  EXPECT_NE(c0, CollisionArticleId("story", url, 1));
  std::string longest = CollisionArticleId(std::string(kMaxIdBytes, 'a'), url);
  EXPECT_EQ(longest.size(), kMaxIdBytes);
  EXPECT_TRUE(IsSafeId(longest));
}

TEST(Ids, ProfilesAndUrlStemsOnlyYieldSafeIds) {
  std::string err;
  auto p = extract::ParseProfile(R"TOML(
name = "t"
hosts = ["example.com"]
id_pattern = "id=([^&]*)"
)TOML",
                                 "t.toml", &err);
  ASSERT_TRUE(p) << err;
  EXPECT_EQ(p->ArticleId("https://example.com/a?id=n123"), "n123");
  for (const char* hostile : {"https://example.com/a?id=../x", "https://example.com/a?id=/etc/x",
                              "https://example.com/a?id=CON", "https://example.com/a?id=a%09b"}) {
    std::string id = p->ArticleId(hostile);
    EXPECT_TRUE(IsSafeId(id)) << hostile << " -> " << id;
    EXPECT_EQ(id, SafeArticleId("", hostile));
  }
  EXPECT_TRUE(IsSafeId(p->ArticleId("https://example.com/a?id=" + std::string(300, 'x'))));
  EXPECT_EQ(extract::DefaultArticleId("https://example.com/b/story.html"), "story");
  EXPECT_TRUE(IsSafeId(extract::DefaultArticleId("https://example.com/b/..html")));
  EXPECT_TRUE(IsSafeId(extract::DefaultArticleId("https://example.com/b/nul.html")));
}

}  // namespace
}  // namespace samizdat

#include "config/config.h"

namespace samizdat {
namespace {

std::string ConfigError(const std::string& channel_id, const std::string& source_id = "s") {
  std::string text = "[[channels]]\nid = \"" + channel_id + "\"\n[[sources]]\nid = \"" + source_id +
                     "\"\nkind = \"rss\"\nurl = \"https://e.com/f\"\nchannels = [\"" + channel_id +
                     "\"]\n";
  std::string err;
  auto cfg = config::ParseConfig(text, "m.toml", "", &err);
  return cfg ? std::string() : err;
}

// std::regex recurses per character: a hostile 200,000-character URL must not reach it.
TEST(Ids, AHugeUrlNeverReachesTheProfileRegex) {
  std::string err;
  auto p = extract::ParseProfile(R"TOML(
name = "t"
hosts = ["example.com"]
url_patterns = ["/(a|b)*$"]
id_pattern = "/((?:a|b)*)$"
)TOML",
                                 "t.toml", &err);
  ASSERT_TRUE(p) << err;
  std::string huge = "https://example.com/" + std::string(200000, 'a');
  EXPECT_FALSE(p->MatchesUrl(huge));
  std::string id = p->ArticleId(huge);
  EXPECT_TRUE(IsSafeId(id)) << id;
  EXPECT_EQ(id, SafeArticleId("", huge));
  EXPECT_EQ(p->ArticleId("https://example.com/abab"), "abab");
}

TEST(Ids, ConfigRefusesUnsafeChannelAndSourceIdsNamingTheKey) {
  EXPECT_EQ(ConfigError("world"), "");
  for (const char* bad : {"a\\tb", "../x", "CON", "nul.x", "a.b", "-x", ""}) {
    std::string err = ConfigError(bad);
    EXPECT_NE(err.find("m.toml:2:"), std::string::npos) << bad << ": " << err;
    EXPECT_NE(err.find("'channels.id'"), std::string::npos) << bad << ": " << err;
  }
  EXPECT_NE(ConfigError("a\\tb").find("control character 0x09"), std::string::npos);
  for (const char* bad : {"../s", "s/t", "PRN", "s\\u0001"}) {
    std::string err = ConfigError("world", bad);
    EXPECT_NE(err.find("m.toml:4:"), std::string::npos) << bad << ": " << err;
    EXPECT_NE(err.find("'sources.id'"), std::string::npos) << bad << ": " << err;
  }
  EXPECT_EQ(ConfigError("world", "epoch.usc-1"), "");  // a source id may hold '.'
}

}  // namespace
}  // namespace samizdat
