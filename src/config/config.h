// samizdat.toml: the site's settings (format in doc/config.md). Parsing is pure; the
// caller reads the file. Unknown keys and bad values are errors naming file, line and key.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clean/clean.h"
#include "fetch/fetcher.h"
#include "publish/git_publish.h"
#include "render/page_options.h"

namespace samizdat::config {

using render::ParseTheme;
using render::Theme;
using render::ThemeName;

struct SiteConfig {
  std::string title = "samizdat mirror";
  // The menu line written under each article title (Markdown); empty for none.
  std::string menu;
  // Append "?<article id>" to every link target in the menu (the seed's cache-buster).
  bool menu_tag_links = true;
  // Footer line; "{url}" is replaced by the article's original URL.
  std::string footer = "Original: {url}";
  clean::LinkPolicy link_policy = clean::LinkPolicy::kKeep;
  int heading_shift = 0;
  Theme theme = Theme::kMarkdown;
  // Attributes of the body wrapper <div> in the classic theme.
  std::string body_wrapper = R"(<div class="post_content" id="artbody" itemprop="articleBody">)";
  // Channel indexes: entries per page, and pages named in the pager.
  int index_page_size = 30;
  int pager_pages = 8;
  // Cache-busting stamp on the links of indexes/<channel>/README.md and the home page:
  // "?MMDDHHMM" of the newest stored change (so two builds of one store are identical).
  bool index_stamps = true;
  // A line inserted after line 5 of every channel's README.md (the seed's promo slot).
  std::string promo;
  // html theme: a linked stylesheet instead of an inline one, and a link home (set by
  // build for the pages of a site; empty for standalone pages).
  std::string stylesheet;
  std::string home_href;
  // Absolute URL where the mirror is served ("https://example.github.io/mirror/"): used
  // in Atom feeds and sitemap.xml, which need absolute links. Empty: relative links.
  std::string base_url;
  // Download images into the tree (images/) and point pages at the copies.
  bool rehost_images = true;
  int64_t max_image_bytes = 8 << 20;
  // The language of the original pages (<html lang>, feeds).
  std::string lang = "zh-Hans";
  // Converted copies of the whole site, one tree each (publish/variants.h): "zh-Hant",
  // "zh-TW" or "zh-HK".
  std::vector<std::string> variants;
  // The addresses where the mirror is served, each ending in '/': every page gets a share
  // block with its public URL on each and a QR code.
  std::vector<std::string> public_urls;
};

struct ChannelConfig {
  std::string id;     // used in paths: pages/<id>/, indexes/<id>/
  std::string name;   // shown in indexes
  std::string group;  // the home page groups channels by this
};

enum class SourceKind { kRss, kAtom, kJsonFeed, kSitemap, kListing };
bool ParseSourceKind(std::string_view text, SourceKind* out);
std::string_view SourceKindName(SourceKind kind);

struct SourceConfig {
  std::string id;
  SourceKind kind = SourceKind::kRss;
  std::string url;  // http(s):// or file://
  std::vector<std::string> channels;
  std::string profile;        // forced extraction profile; "" to match by URL
  std::string link_selector;  // listing: CSS selector for article links
  // Listing backfill: "{n}" in this URL pattern is replaced by backfill_pages..1 on the
  // first sync (the seed's <channel>_<n>.htm).
  std::string page_url_pattern;
  int backfill_pages = 0;
  std::string proxy;  // http://, socks5://, socks5h://
  std::optional<int> timezone_offset_minutes;
  int interval_minutes = 0;  // 0: due on every sync
  // Re-checks: a stored article first seen within the last recheck_days is fetched again
  // (conditionally) when its page was last fetched recheck_interval_minutes ago or more, so
  // a story edited in place gets a new revision. 0 days: never.
  int recheck_days = 3;
  int recheck_interval_minutes = 360;
  bool enabled = true;
  fetch::SourceOverrides fetch;  // its own limits over [fetch]; unset: the [fetch] value
};

// [sign]: the minisign secret key build signs manifest.json with (doc/trust.md). The
// passphrase of an encrypted key comes from an environment variable or a file.
struct SignConfig {
  std::string secret_key;  // "" : the site is not signed
  std::string password_env;
  std::string password_file;
};

struct Config {
  SiteConfig site;
  SignConfig sign;
  std::vector<ChannelConfig> channels;
  std::vector<SourceConfig> sources;
  fetch::FetchOptions fetch;
  std::string store_path;  // absolute or relative to the config file; default samizdat.db
  std::string output_dir;  // where build writes the mirror; default "site"
  publish::PublishConfig publish;
  // User profile files, resolved relative to the config file's directory.
  std::vector<std::string> profile_paths;
  std::string origin;  // the file it came from
};

// What the page renderers take from the site's settings.
render::PageOptions PageOptionsOf(const SiteConfig& site);

// A commented samizdat.toml to start from (`samizdat init`).
std::string ScaffoldConfig(const std::string& example_feed_url);
// The offline example the scaffold's source reads: (path relative to the configuration's
// directory, contents) pairs.
std::vector<std::pair<std::string, std::string>> ScaffoldExample();

// Parses a configuration. `origin` names the file in messages; `base_dir` resolves
// relative paths in it.
std::optional<Config> ParseConfig(std::string_view toml_text, std::string_view origin,
                                  std::string_view base_dir, std::string* error);

}  // namespace samizdat::config
