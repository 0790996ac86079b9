// samizdat.toml: every key of doc/config.md reaches the Config, and every error names the
// file, the line and the key.
#include "config/config.h"

#include <gtest/gtest.h>

#include <string>

namespace samizdat::config {
namespace {

// Every key doc/config.md documents, each with a value other than its default.
constexpr const char* kEveryKey = R"TOML(profiles = ["profiles/my-site.toml", "/abs/p.toml"]
store = "data/mirror.db"

[site]
title = "大纪元新闻"
theme = "classic"
menu = "#### [首页](../../../..)"
menu_tag_links = false
footer = "原文链接：{url}"
link_policy = "neutralize"
heading_shift = 2
body_wrapper = '<div class="x">'
output = "out"
index_page_size = 7
pager_pages = 3
index_stamps = false
promo = "推广"
rehost_images = false
max_image_bytes = 4096
base_url = "https://you.github.io/mirror"

[fetch]
user_agent = "test-agent"
concurrency = 5
per_host_concurrency = 3
per_host_delay_ms = 111
max_redirects = 4
connect_timeout_ms = 2222
total_timeout_ms = 33333
min_bytes_per_sec = 44
min_rate_window_s = 5
max_body_bytes = 666666
max_retries = 7
backoff_base_ms = 88
max_retry_after_s = 99
allow_private = true
allow_loopback = true
allow_file = false

[[channels]]
id = "nf1412576"
name = "美中关系"
group = "国际新闻"

[[sources]]
id = "epoch-usc"
kind = "listing"
url = "https://www.epochtimes.com/gb/nf1412576.htm"
channels = ["nf1412576"]
selector = "div.post_list div.title a"
page_url_pattern = "https://www.epochtimes.com/gb/nf1412576_{n}.htm"
backfill_pages = 20
profile = "epochtimes-gb"
proxy = "socks5h://127.0.0.1:1080"
timezone = "+08:00"
interval_minutes = 60
enabled = false
per_host_delay_ms = 1000
total_timeout_ms = 30000
max_retries = 5
)TOML";

TEST(Config, EveryDocumentedKeyIsParsed) {
  std::string err;
  auto cfg = ParseConfig(kEveryKey, "samizdat.toml", "/srv/m", &err);
  ASSERT_TRUE(cfg) << err;
  EXPECT_EQ(cfg->profile_paths,
            (std::vector<std::string>{"/srv/m/profiles/my-site.toml", "/abs/p.toml"}));
  EXPECT_EQ(cfg->store_path, "/srv/m/data/mirror.db");
  EXPECT_EQ(cfg->output_dir, "/srv/m/out");

  const SiteConfig& s = cfg->site;
  EXPECT_EQ(s.title, "大纪元新闻");
  EXPECT_EQ(s.theme, Theme::kClassic);
  EXPECT_EQ(s.menu, "#### [首页](../../../..)");
  EXPECT_FALSE(s.menu_tag_links);
  EXPECT_EQ(s.footer, "原文链接：{url}");
  EXPECT_EQ(s.link_policy, clean::LinkPolicy::kNeutralize);
  EXPECT_EQ(s.heading_shift, 2);
  EXPECT_EQ(s.body_wrapper, "<div class=\"x\">");
  EXPECT_EQ(s.index_page_size, 7);
  EXPECT_EQ(s.pager_pages, 3);
  EXPECT_FALSE(s.index_stamps);
  EXPECT_EQ(s.promo, "推广");
  EXPECT_FALSE(s.rehost_images);
  EXPECT_EQ(s.max_image_bytes, 4096);
  EXPECT_EQ(s.base_url, "https://you.github.io/mirror/");  // a trailing slash added

  const fetch::FetchOptions& f = cfg->fetch;
  EXPECT_EQ(f.user_agent, "test-agent");
  EXPECT_EQ(f.max_concurrency, 5);
  EXPECT_EQ(f.per_host_concurrency, 3);
  EXPECT_EQ(f.per_host_delay_ms, 111);
  EXPECT_EQ(f.max_redirects, 4);
  EXPECT_EQ(f.connect_timeout_ms, 2222);
  EXPECT_EQ(f.total_timeout_ms, 33333);
  EXPECT_EQ(f.low_speed_bytes_per_sec, 44);
  EXPECT_EQ(f.low_speed_time_s, 5);
  EXPECT_EQ(f.max_body_bytes, 666666);
  EXPECT_EQ(f.max_retries, 7);
  EXPECT_EQ(f.backoff_base_ms, 88);
  EXPECT_EQ(f.max_retry_after_s, 99);
  EXPECT_TRUE(f.allow_private);
  EXPECT_TRUE(f.allow_loopback);
  EXPECT_FALSE(f.allow_file);

  ASSERT_EQ(cfg->channels.size(), 1u);
  EXPECT_EQ(cfg->channels[0].id, "nf1412576");
  EXPECT_EQ(cfg->channels[0].name, "美中关系");
  EXPECT_EQ(cfg->channels[0].group, "国际新闻");

  ASSERT_EQ(cfg->sources.size(), 1u);
  const SourceConfig& src = cfg->sources[0];
  EXPECT_EQ(src.id, "epoch-usc");
  EXPECT_EQ(src.kind, SourceKind::kListing);
  EXPECT_EQ(src.url, "https://www.epochtimes.com/gb/nf1412576.htm");
  EXPECT_EQ(src.channels, (std::vector<std::string>{"nf1412576"}));
  EXPECT_EQ(src.link_selector, "div.post_list div.title a");
  EXPECT_EQ(src.page_url_pattern, "https://www.epochtimes.com/gb/nf1412576_{n}.htm");
  EXPECT_EQ(src.backfill_pages, 20);
  EXPECT_EQ(src.profile, "epochtimes-gb");
  EXPECT_EQ(src.proxy, "socks5h://127.0.0.1:1080");
  ASSERT_TRUE(src.timezone_offset_minutes);
  EXPECT_EQ(*src.timezone_offset_minutes, 480);
  EXPECT_EQ(src.interval_minutes, 60);
  EXPECT_FALSE(src.enabled);
  EXPECT_EQ(src.fetch.per_host_delay_ms, 1000);
  EXPECT_EQ(src.fetch.total_timeout_ms, 30000);
  EXPECT_EQ(src.fetch.max_retries, 5);
}

TEST(Config, EverySourceKindIsAccepted) {
  for (const char* kind : {"rss", "atom", "jsonfeed", "sitemap"}) {
    std::string text = std::string("[[channels]]\nid = \"c\"\n[[sources]]\nid = \"s\"\nkind = \"") +
                       kind + "\"\nurl = \"file:///x.xml\"\nchannels = [\"c\"]\n";
    std::string err;
    auto cfg = ParseConfig(text, "samizdat.toml", "", &err);
    ASSERT_TRUE(cfg) << kind << ": " << err;
    EXPECT_EQ(SourceKindName(cfg->sources[0].kind), kind);
  }
}

struct BadCase {
  const char* text;
  const char* message;  // the whole error, "samizdat.toml:LINE:COLUMN: ..."
};

// A source that is valid except where a case changes it.
#define SRC_HEAD "[[channels]]\nid = \"c\"\n[[sources]]\n"

const BadCase kBadCases[] = {
    {"[site]\ntheme = \"classic\"\nlink_polcy = \"keep\"\n",
     "samizdat.toml:3:14: unknown key 'site.link_polcy'"},
    {"site = 3\n", "samizdat.toml:1:8: 'site' must be a table"},
    {"[site]\ntheme = \"fancy\"\n",
     "samizdat.toml:2:9: key 'site.theme' must be \"classic\", \"markdown\" or \"html\", got "
     "\"fancy\""},
    {"[site]\nlink_policy = \"drop\"\n",
     "samizdat.toml:2:15: key 'site.link_policy' must be \"keep\", \"neutralize\" or \"text\", "
     "got \"drop\""},
    {"[site]\n\nheading_shift = 9\n",
     "samizdat.toml:3:17: key 'site.heading_shift' must be an integer from -5 to 5"},
    {"[site]\nmenu_tag_links = \"yes\"\n",
     "samizdat.toml:2:18: key 'site.menu_tag_links' must be true or false"},
    {"[site]\ntitle = 5\n", "samizdat.toml:2:9: key 'site.title' must be a string"},
    {"[site]\nindex_page_size = 0\n",
     "samizdat.toml:2:19: key 'site.index_page_size' must be an integer from 1 to 1000"},
    {"fetch = 1\n", "samizdat.toml:1:9: 'fetch' must be a table"},
    {"[fetch]\nconcurency = 2\n", "samizdat.toml:2:14: unknown key 'fetch.concurency'"},
    {"[fetch]\nmax_retry_after_s = -1\n",
     "samizdat.toml:2:21: key 'fetch.max_retry_after_s' must be an integer from 0 to 86400"},
    {"channels = 1\n", "samizdat.toml:1:12: 'channels' must be an array of tables ([[channels]])"},
    {"[[channels]]\nid = \"a/b\"\n",
     "samizdat.toml:2:6: key 'channels.id' contains '/': an id may use only ASCII letters, "
     "digits, '_', '-' and '.' (not in a channel id), start with a letter, digit or '_', hold at "
     "most 100 bytes and not be a Windows device name"},
    {"[[channels]]\nid = \"c\"\n[[channels]]\nid = \"c\"\n",
     "samizdat.toml:3:1: duplicate channel id 'c'"},
    {"[[channels]]\nid = \"c\"\ncolour = \"red\"\n",
     "samizdat.toml:3:10: unknown key 'channels.colour'"},
    {SRC_HEAD "id = \"s\"\nkind = \"podcast\"\nurl = \"https://x.org/\"\nchannels = [\"c\"]\n",
     "samizdat.toml:5:8: key 'sources.kind' must be rss, atom, jsonfeed, sitemap or listing, "
     "got \"podcast\""},
    {SRC_HEAD "id = \"s\"\nkind = \"rss\"\nurl = \"ftp://x.org/\"\nchannels = [\"c\"]\n",
     "samizdat.toml:6:7: key 'sources.url' must be an http://, https:// or file:// URL"},
    {SRC_HEAD "id = \"s\"\nkind = \"rss\"\nurl = \"https://x.org/\"\nchannels = [\"c\"]\n"
              "proxy = \"ftp://p:1\"\n",
     "samizdat.toml:8:9: key 'sources.proxy' must be an http://, socks5:// or socks5h:// URL"},
    {SRC_HEAD "id = \"s\"\nkind = \"rss\"\nurl = \"https://x.org/\"\nchannels = [\"c\"]\n"
              "timezone = \"CST\"\n",
     "samizdat.toml:8:12: key 'sources.timezone' must look like \"+08:00\", got \"CST\""},
    {SRC_HEAD "id = \"s\"\nkind = \"rss\"\nurl = \"https://x.org/\"\nchannels = [\"c\"]\n"
              "max_retries = 21\n",
     "samizdat.toml:8:15: key 'sources.max_retries' must be an integer from 0 to 20"},
    {SRC_HEAD "id = \"s\"\nkind = \"rss\"\nurl = \"https://x.org/\"\nchannels = [\"c\"]\n"
              "enabled = \"no\"\n",
     "samizdat.toml:8:11: key 'sources.enabled' must be true or false"},
    {SRC_HEAD "id = \"s\"\nkind = \"rss\"\nurl = \"https://x.org/\"\nchannels = 3\n",
     "samizdat.toml:7:12: key 'sources.channels' must be a string or an array of strings"},
    {SRC_HEAD "id = \"s\"\nkind = \"rss\"\nurl = \"https://x.org/\"\nchannels = [\"c\"]\n"
              "selectr = \"a\"\n",
     "samizdat.toml:8:11: unknown key 'sources.selectr'"},
    {SRC_HEAD "kind = \"rss\"\nurl = \"https://x.org/\"\nchannels = [\"c\"]\n",
     "samizdat.toml:3:1: a source needs an 'id'"},
    {SRC_HEAD "id = \"s\"\nkind = \"rss\"\nchannels = [\"c\"]\n",
     "samizdat.toml:3:1: source 's' needs a 'url'"},
    {SRC_HEAD "id = \"s\"\nurl = \"https://x.org/\"\nchannels = [\"c\"]\n",
     "samizdat.toml:3:1: source 's' needs a 'kind'"},
    {SRC_HEAD "id = \"s\"\nkind = \"listing\"\nurl = \"https://x.org/\"\nchannels = [\"c\"]\n",
     "samizdat.toml:3:1: listing source 's' needs a 'selector'"},
    {SRC_HEAD "id = \"s\"\nkind = \"rss\"\nurl = \"https://x.org/\"\n",
     "samizdat.toml:3:1: source 's' feeds no channel ('channels')"},
    {SRC_HEAD "id = \"s\"\nkind = \"rss\"\nurl = \"https://x.org/\"\nchannels = [\"c\"]\n"
              "[[sources]]\nid = \"s\"\nkind = \"rss\"\nurl = \"https://x.org/\"\n"
              "channels = [\"c\"]\n",
     "samizdat.toml:8:1: duplicate source id 's'"},
    {SRC_HEAD "id = \"s\"\nkind = \"rss\"\nurl = \"https://x.org/\"\nchannels = [\"d\"]\n",
     "samizdat.toml:3:1: source 's' names unknown channel 'd' (declare [[channels]] before "
     "[[sources]])"},
    {"profiles = \"p.toml\"\n", "samizdat.toml:1:12: key 'profiles' must be an array of paths"},
    {"profiles = [1]\n", "samizdat.toml:1:13: key 'profiles' must be a string"},
    {"stor = \"x.db\"\n", "samizdat.toml:1:8: unknown key 'stor'"},
};

TEST(Config, EveryErrorNamesFileLineAndKey) {
  for (const BadCase& c : kBadCases) {
    SCOPED_TRACE(c.text);
    std::string err;
    EXPECT_FALSE(ParseConfig(c.text, "samizdat.toml", "", &err));
    EXPECT_EQ(err, c.message);
  }
}

// doc/config.md: wrong types are errors, so a number where true/false belongs is one too
// (toml++'s value<bool>() would convert it).
TEST(Config, ANumberForABooleanKeyIsAnError) {
  std::string err;
  EXPECT_FALSE(ParseConfig("[site]\nindex_stamps = 1\n", "samizdat.toml", "", &err));
  EXPECT_EQ(err, "samizdat.toml:2:16: key 'site.index_stamps' must be true or false");
  EXPECT_FALSE(ParseConfig("[site]\nmenu_tag_links = 0\n", "samizdat.toml", "", &err));
  EXPECT_EQ(err, "samizdat.toml:2:18: key 'site.menu_tag_links' must be true or false");
}

TEST(Config, TomlSyntaxErrorsNameTheLine) {
  std::string err;
  EXPECT_FALSE(ParseConfig("[site]\ntitle = \"unterminated\n", "samizdat.toml", "", &err));
  EXPECT_EQ(err.rfind("samizdat.toml:2:", 0), 0u) << err;
}

}  // namespace
}  // namespace samizdat::config
