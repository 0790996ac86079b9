#include "config/config.h"

#include <toml++/toml.h>

#include "util/dates.h"
#include "util/ids.h"
#include "util/toml_reader.h"

#include <sstream>
#include <stdexcept>

namespace samizdat::config {
namespace {

using ConfigError = TomlError;
std::string Where(std::string_view origin, const toml::node& node) {
  return TomlWhere(origin, node);
}
constexpr auto String = TomlString;
constexpr auto Strings = TomlStrings;
constexpr auto Int = TomlInt;
constexpr auto Bool = TomlBool;

const toml::array& TableArray(const toml::node& node, std::string_view origin,
                              std::string_view key) {
  const toml::array* arr = node.as_array();
  if (!arr)
    throw ConfigError(Where(origin, node) + ": '" + std::string(key) +
                      "' must be an array of tables ([[" + std::string(key) + "]])");
  return *arr;
}

// An id that names files of the site (util/ids.h). A channel id also names files with
// extensions beside its directory (indexes/<id>.jsonl next to indexes/<id>/), so it may not
// contain '.': channel "x.jsonl" would otherwise own the directory that is channel "x"'s file.
std::string Id(const toml::node& node, std::string_view origin, std::string_view key,
               bool channel) {
  std::string id = String(node, origin, key);
  std::string why = UnsafeIdReason(id);
  if (why.empty() && channel && id.find('.') != std::string::npos) why = "contains '.'";
  if (!why.empty())
    throw ConfigError(Where(origin, node) + ": key '" + std::string(key) + "' " + why +
                      ": an id may use only ASCII letters, digits, '_', '-' and '.' (not in a "
                      "channel id), start with a letter, digit or '_', hold at most " +
                      std::to_string(kMaxIdBytes) + " bytes and not be a Windows device name");
  return id;
}

void ParseFetch(const toml::table& t, std::string_view origin, fetch::FetchOptions& f) {
  for (auto&& [k, node] : t) {
    std::string key(k.str());
    std::string full = "fetch." + key;
    if (key == "user_agent")
      f.user_agent = String(node, origin, full);
    else if (key == "concurrency")
      f.max_concurrency = static_cast<int>(Int(node, origin, full, 1, 256));
    else if (key == "per_host_concurrency")
      f.per_host_concurrency = static_cast<int>(Int(node, origin, full, 1, 64));
    else if (key == "per_host_delay_ms")
      f.per_host_delay_ms = static_cast<int>(Int(node, origin, full, 0, 600000));
    else if (key == "max_redirects")
      f.max_redirects = static_cast<int>(Int(node, origin, full, 0, 50));
    else if (key == "connect_timeout_ms")
      f.connect_timeout_ms = static_cast<int>(Int(node, origin, full, 100, 600000));
    else if (key == "total_timeout_ms")
      f.total_timeout_ms = static_cast<int>(Int(node, origin, full, 100, 3600000));
    else if (key == "min_bytes_per_sec")
      f.low_speed_bytes_per_sec = static_cast<int>(Int(node, origin, full, 0, 1 << 30));
    else if (key == "min_rate_window_s")
      f.low_speed_time_s = static_cast<int>(Int(node, origin, full, 1, 3600));
    else if (key == "max_body_bytes")
      f.max_body_bytes = Int(node, origin, full, 1024, int64_t{1} << 34);
    else if (key == "max_retries")
      f.max_retries = static_cast<int>(Int(node, origin, full, 0, 20));
    else if (key == "backoff_base_ms")
      f.backoff_base_ms = static_cast<int>(Int(node, origin, full, 1, 600000));
    else if (key == "max_retry_after_s")
      f.max_retry_after_s = static_cast<int>(Int(node, origin, full, 0, 86400));
    else if (key == "allow_private")
      f.allow_private = Bool(node, origin, full);
    else if (key == "allow_loopback")
      f.allow_loopback = Bool(node, origin, full);
    else if (key == "allow_file")
      f.allow_file = Bool(node, origin, full);
    else if (key == "file_root") {
      f.file_root = String(node, origin, full);
      if (f.file_root.empty())
        throw ConfigError(Where(origin, node) + ": '" + full +
                          "' must name a directory (allow_file = false reads no local file)");
    } else
      throw ConfigError(Where(origin, node) + ": unknown key '" + full + "'");
  }
}

SourceConfig ParseSource(const toml::table& t, std::string_view origin, const toml::node& where) {
  SourceConfig s;
  bool have_kind = false;
  for (auto&& [k, node] : t) {
    std::string key(k.str());
    std::string full = "sources." + key;
    if (key == "id")
      s.id = Id(node, origin, full, /*channel=*/false);
    else if (key == "kind") {
      std::string v = String(node, origin, full);
      if (!ParseSourceKind(v, &s.kind))
        throw ConfigError(Where(origin, node) + ": key '" + full +
                          "' must be rss, atom, jsonfeed, sitemap or listing, got \"" + v + "\"");
      have_kind = true;
    } else if (key == "url") {
      s.url = String(node, origin, full);
      std::string lower = s.url.substr(0, 8);
      for (char& c : lower) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
      if (lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0 &&
          lower.rfind("file://", 0) != 0)
        throw ConfigError(Where(origin, node) + ": key '" + full +
                          "' must be an http://, https:// or file:// URL");
    } else if (key == "channels")
      s.channels = Strings(node, origin, full);
    else if (key == "profile")
      s.profile = String(node, origin, full);
    else if (key == "selector")
      s.link_selector = String(node, origin, full);
    else if (key == "page_url_pattern")
      s.page_url_pattern = String(node, origin, full);
    else if (key == "backfill_pages")
      s.backfill_pages = static_cast<int>(Int(node, origin, full, 0, 1000));
    else if (key == "proxy") {
      s.proxy = String(node, origin, full);
      if (s.proxy.rfind("http://", 0) != 0 && s.proxy.rfind("https://", 0) != 0 &&
          s.proxy.rfind("socks5://", 0) != 0 && s.proxy.rfind("socks5h://", 0) != 0)
        throw ConfigError(Where(origin, node) + ": key '" + full +
                          "' must be an http://, socks5:// or socks5h:// URL");
    } else if (key == "timezone") {
      std::string v = String(node, origin, full);
      s.timezone_offset_minutes = ParseUtcOffset(v);
      if (!s.timezone_offset_minutes)
        throw ConfigError(Where(origin, node) + ": key '" + full +
                          "' must look like \"+08:00\", got \"" + v + "\"");
    } else if (key == "interval_minutes")
      s.interval_minutes = static_cast<int>(Int(node, origin, full, 0, 525600));
    else if (key == "enabled")
      s.enabled = Bool(node, origin, full);
    else if (key == "per_host_delay_ms")
      s.fetch.per_host_delay_ms = static_cast<int>(Int(node, origin, full, 0, 600000));
    else if (key == "total_timeout_ms")
      s.fetch.total_timeout_ms = static_cast<int>(Int(node, origin, full, 100, 3600000));
    else if (key == "max_retries")
      s.fetch.max_retries = static_cast<int>(Int(node, origin, full, 0, 20));
    else
      throw ConfigError(Where(origin, node) + ": unknown key '" + full + "'");
  }
  if (s.id.empty()) throw ConfigError(Where(origin, where) + ": a source needs an 'id'");
  if (s.url.empty())
    throw ConfigError(Where(origin, where) + ": source '" + s.id + "' needs a 'url'");
  if (!have_kind)
    throw ConfigError(Where(origin, where) + ": source '" + s.id + "' needs a 'kind'");
  if (s.kind == SourceKind::kListing && s.link_selector.empty())
    throw ConfigError(Where(origin, where) + ": listing source '" + s.id + "' needs a 'selector'");
  if (s.channels.empty())
    throw ConfigError(Where(origin, where) + ": source '" + s.id +
                      "' feeds no channel ('channels')");
  return s;
}

std::vector<publish::RemoteConfig> ParseRemotes(const toml::node& node, std::string_view origin,
                                                const std::string& key) {
  std::vector<publish::RemoteConfig> out;
  for (const auto& el : TableArray(node, origin, key)) {
    const toml::table* rt = el.as_table();
    if (!rt) throw ConfigError(Where(origin, el) + ": each [[" + key + "]] entry must be a table");
    publish::RemoteConfig r;
    for (auto&& [rk, rnode] : *rt) {
      std::string rkey(rk.str());
      std::string rfull = key + "." + rkey;
      if (rkey == "name")
        r.name = String(rnode, origin, rfull);
      else if (rkey == "url")
        r.url = String(rnode, origin, rfull);
      else if (rkey == "username")
        r.username = String(rnode, origin, rfull);
      else if (rkey == "password_env")
        r.password_env = String(rnode, origin, rfull);
      else if (rkey == "ssh_key")
        r.ssh_key = String(rnode, origin, rfull);
      else if (rkey == "ssh_public_key")
        r.ssh_public_key = String(rnode, origin, rfull);
      else if (rkey == "ssh_passphrase_env")
        r.ssh_passphrase_env = String(rnode, origin, rfull);
      else
        throw ConfigError(Where(origin, rnode) + ": unknown key '" + rfull + "'");
    }
    if (r.url.empty()) throw ConfigError(Where(origin, el) + ": a remote needs a 'url'");
    if (r.name.empty()) r.name = r.url;
    out.push_back(std::move(r));
  }
  return out;
}

// The table under a top-level key ('site', 'fetch', 'publish', 'publish.archive').
const toml::table& Table(const toml::node& node, std::string_view origin, std::string_view key) {
  const toml::table* t = node.as_table();
  if (!t) throw ConfigError(Where(origin, node) + ": '" + std::string(key) + "' must be a table");
  return *t;
}

// [site]. Its 'output' key names the site directory, which lives in Config, not SiteConfig.
void ParseSite(const toml::table& site, std::string_view origin, SiteConfig& s,
               std::string& output_dir) {
  for (auto&& [skey, snode] : site) {
    std::string sk(skey.str());
    std::string full = "site." + sk;
    if (sk == "title")
      s.title = String(snode, origin, full);
    else if (sk == "menu")
      s.menu = String(snode, origin, full);
    else if (sk == "footer")
      s.footer = String(snode, origin, full);
    else if (sk == "body_wrapper")
      s.body_wrapper = String(snode, origin, full);
    else if (sk == "menu_tag_links") {
      s.menu_tag_links = Bool(snode, origin, full);
    } else if (sk == "link_policy") {
      std::string v = String(snode, origin, full);
      if (!clean::ParseLinkPolicy(v, &s.link_policy))
        throw ConfigError(Where(origin, snode) + ": key '" + full +
                          "' must be \"keep\", \"neutralize\" or \"text\", got \"" + v + "\"");
    } else if (sk == "heading_shift") {
      auto v = snode.value<int64_t>();
      if (!v || *v < -5 || *v > 5)
        throw ConfigError(Where(origin, snode) + ": key '" + full +
                          "' must be an integer from -5 to 5");
      s.heading_shift = static_cast<int>(*v);
    } else if (sk == "index_page_size") {
      s.index_page_size = static_cast<int>(Int(snode, origin, full, 1, 1000));
    } else if (sk == "pager_pages") {
      s.pager_pages = static_cast<int>(Int(snode, origin, full, 1, 100));
    } else if (sk == "index_stamps") {
      s.index_stamps = Bool(snode, origin, full);
    } else if (sk == "base_url") {
      s.base_url = String(snode, origin, full);
      if (!s.base_url.empty() && s.base_url.back() != '/') s.base_url += '/';
    } else if (sk == "rehost_images") {
      s.rehost_images = Bool(snode, origin, full);
    } else if (sk == "max_image_bytes") {
      s.max_image_bytes = Int(snode, origin, full, 1024, int64_t{1} << 30);
    } else if (sk == "promo") {
      s.promo = String(snode, origin, full);
    } else if (sk == "output") {
      output_dir = String(snode, origin, full);
    } else if (sk == "theme") {
      std::string v = String(snode, origin, full);
      if (!ParseTheme(v, &s.theme))
        throw ConfigError(Where(origin, snode) + ": key '" + full +
                          "' must be \"classic\", \"markdown\" or \"html\", got \"" + v + "\"");
    } else {
      throw ConfigError(Where(origin, snode) + ": unknown key '" + full + "'");
    }
  }
}

// [publish.archive]: all three of output, max_articles and link_prefix, or an error.
publish::ArchiveConfig ParseArchive(const toml::node& pnode, std::string_view origin) {
  publish::ArchiveConfig archive;
  for (auto&& [ak, anode] : Table(pnode, origin, "publish.archive")) {
    std::string akey(ak.str());
    std::string afull = "publish.archive." + akey;
    if (akey == "output")
      archive.output = String(anode, origin, afull);
    else if (akey == "max_articles")
      archive.max_articles = Int(anode, origin, afull, 1, int64_t{1} << 40);
    else if (akey == "link_prefix")
      archive.link_prefix = String(anode, origin, afull);
    else if (akey == "remotes")
      archive.remotes = ParseRemotes(anode, origin, afull);
    else
      throw ConfigError(Where(origin, anode) + ": unknown key '" + afull + "'");
  }
  if (archive.output.empty() || archive.max_articles == 0 || archive.link_prefix.empty())
    throw ConfigError(Where(origin, pnode) +
                      ": 'publish.archive' needs 'output', 'max_articles' and 'link_prefix'");
  if (archive.link_prefix.back() != '/') archive.link_prefix += '/';
  return archive;
}

// [publish], with its [publish.archive] and [[publish.remotes]].
void ParsePublish(const toml::table& t, std::string_view origin, publish::PublishConfig& p) {
  for (auto&& [pk, pnode] : t) {
    std::string key(pk.str());
    std::string full = "publish." + key;
    if (key == "branch")
      p.branch = String(pnode, origin, full);
    else if (key == "author_name")
      p.author_name = String(pnode, origin, full);
    else if (key == "author_email")
      p.author_email = String(pnode, origin, full);
    else if (key == "committer_name")
      p.committer_name = String(pnode, origin, full);
    else if (key == "committer_email")
      p.committer_email = String(pnode, origin, full);
    else if (key == "message")
      p.message = String(pnode, origin, full);
    else if (key == "archive")
      p.archive = ParseArchive(pnode, origin);
    else if (key == "remotes")
      p.remotes = ParseRemotes(pnode, origin, "publish.remotes");
    else
      throw ConfigError(Where(origin, pnode) + ": unknown key '" + full + "'");
  }
}

// One [[channels]] entry; its name defaults to its id.
ChannelConfig ParseChannel(const toml::node& el, std::string_view origin) {
  const toml::table* t = el.as_table();
  if (!t) throw ConfigError(Where(origin, el) + ": each [[channels]] entry must be a table");
  ChannelConfig ch;
  for (auto&& [ck, cnode] : *t) {
    std::string key(ck.str());
    std::string full = "channels." + key;
    if (key == "id")
      ch.id = Id(cnode, origin, full, /*channel=*/true);
    else if (key == "name")
      ch.name = String(cnode, origin, full);
    else if (key == "group")
      ch.group = String(cnode, origin, full);
    else
      throw ConfigError(Where(origin, cnode) + ": unknown key '" + full + "'");
  }
  if (ch.id.empty()) throw ConfigError(Where(origin, el) + ": a channel needs an 'id'");
  if (ch.name.empty()) ch.name = ch.id;
  return ch;
}

// [[channels]] entries, appended to `channels`; ids are unique.
void ParseChannels(const toml::node& node, std::string_view origin,
                   std::vector<ChannelConfig>& channels) {
  for (const auto& el : TableArray(node, origin, "channels")) {
    ChannelConfig ch = ParseChannel(el, origin);
    for (const auto& other : channels)
      if (other.id == ch.id)
        throw ConfigError(Where(origin, el) + ": duplicate channel id '" + ch.id + "'");
    channels.push_back(std::move(ch));
  }
}

// [[sources]] entries, appended to `sources`; ids are unique and every channel a source
// names is among `channels` (declared earlier in the file).
void ParseSources(const toml::node& node, std::string_view origin,
                  const std::vector<ChannelConfig>& channels, std::vector<SourceConfig>& sources) {
  for (const auto& el : TableArray(node, origin, "sources")) {
    const toml::table* t = el.as_table();
    if (!t) throw ConfigError(Where(origin, el) + ": each [[sources]] entry must be a table");
    SourceConfig src = ParseSource(*t, origin, el);
    for (const auto& other : sources)
      if (other.id == src.id)
        throw ConfigError(Where(origin, el) + ": duplicate source id '" + src.id + "'");
    for (const auto& ch : src.channels) {
      bool known = false;
      for (const auto& c : channels) known |= c.id == ch;
      if (!known)
        throw ConfigError(Where(origin, el) + ": source '" + src.id + "' names unknown channel '" +
                          ch + "' (declare [[channels]] before [[sources]])");
    }
    sources.push_back(std::move(src));
  }
}

// A relative path is taken from the config file's directory (when there is one).
void RelativeToBase(std::string_view base_dir, std::string& p) {
  if (!p.empty() && p[0] != '/' && !base_dir.empty()) p = std::string(base_dir) + "/" + p;
}

// profiles = ["path", ...], appended to `paths`.
void ParseProfilePaths(const toml::node& node, std::string_view origin, std::string_view base_dir,
                       std::vector<std::string>& paths) {
  const toml::array* arr = node.as_array();
  if (!arr) throw ConfigError(Where(origin, node) + ": key 'profiles' must be an array of paths");
  for (const auto& el : *arr) {
    std::string p = String(el, origin, "profiles");
    RelativeToBase(base_dir, p);
    paths.push_back(p);
  }
}

// Every top-level key of the document, in file order (channels before the sources naming
// them).
void ParseRoot(const toml::table& root, std::string_view origin, std::string_view base_dir,
               Config& cfg) {
  for (auto&& [key, node] : root) {
    std::string k(key.str());
    if (k == "site")
      ParseSite(Table(node, origin, "site"), origin, cfg.site, cfg.output_dir);
    else if (k == "publish")
      ParsePublish(Table(node, origin, "publish"), origin, cfg.publish);
    else if (k == "store")
      cfg.store_path = String(node, origin, "store");
    else if (k == "fetch")
      ParseFetch(Table(node, origin, "fetch"), origin, cfg.fetch);
    else if (k == "channels")
      ParseChannels(node, origin, cfg.channels);
    else if (k == "sources")
      ParseSources(node, origin, cfg.channels, cfg.sources);
    else if (k == "profiles")
      ParseProfilePaths(node, origin, base_dir, cfg.profile_paths);
    else
      throw ConfigError(Where(origin, node) + ": unknown key '" + k + "'");
  }
}

// Defaults for the store and site paths, and every relative path taken from base_dir.
void ApplyDefaultPaths(std::string_view base_dir, Config& cfg) {
  if (cfg.store_path.empty()) cfg.store_path = "samizdat.db";
  if (cfg.output_dir.empty()) cfg.output_dir = "site";
  RelativeToBase(base_dir, cfg.store_path);
  RelativeToBase(base_dir, cfg.output_dir);
  RelativeToBase(base_dir, cfg.publish.archive.output);
  // file:// sources are read under the config file's directory unless told otherwise.
  if (cfg.fetch.file_root.empty())
    cfg.fetch.file_root = base_dir.empty() ? "." : std::string(base_dir);
  else
    RelativeToBase(base_dir, cfg.fetch.file_root);
}

}  // namespace

bool ParseSourceKind(std::string_view text, SourceKind* out) {
  if (text == "rss")
    *out = SourceKind::kRss;
  else if (text == "atom")
    *out = SourceKind::kAtom;
  else if (text == "jsonfeed")
    *out = SourceKind::kJsonFeed;
  else if (text == "sitemap")
    *out = SourceKind::kSitemap;
  else if (text == "listing")
    *out = SourceKind::kListing;
  else
    return false;
  return true;
}

std::string_view SourceKindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::kRss:
      return "rss";
    case SourceKind::kAtom:
      return "atom";
    case SourceKind::kJsonFeed:
      return "jsonfeed";
    case SourceKind::kSitemap:
      return "sitemap";
    case SourceKind::kListing:
      return "listing";
  }
  return "rss";
}

render::PageOptions PageOptionsOf(const SiteConfig& site) {
  render::PageOptions o;
  o.title = site.title;
  o.menu = site.menu;
  o.menu_tag_links = site.menu_tag_links;
  o.footer = site.footer;
  o.body_wrapper = site.body_wrapper;
  o.stylesheet = site.stylesheet;
  o.home_href = site.home_href;
  return o;
}

std::optional<Config> ParseConfig(std::string_view toml_text, std::string_view origin,
                                  std::string_view base_dir, std::string* error) {
  Config cfg;
  bool ok = ParseTomlDocument(
      toml_text, origin,
      [&](const toml::table& root) {
        cfg.origin = std::string(origin);
        ParseRoot(root, origin, base_dir, cfg);
        ApplyDefaultPaths(base_dir, cfg);
      },
      error);
  if (!ok) return std::nullopt;
  return cfg;
}

}  // namespace samizdat::config

namespace samizdat::config {

std::string ScaffoldConfig() {
  return R"TOML(# samizdat.toml: one mirror. Reference: doc/config.md

store = "samizdat.db"            # the article store (SQLite), relative to this file

[site]
title = "My mirror"
output = "site"                  # where `samizdat build` writes the mirror
theme = "classic"                # classic | markdown | html
menu = "#### [Home](../../../..)"
footer = "Original: {url}"
link_policy = "neutralize"       # keep | neutralize | text
heading_shift = 2

[fetch]
user_agent = "samizdat/0.1 (+news mirror)"
concurrency = 8
per_host_concurrency = 2
per_host_delay_ms = 500
total_timeout_ms = 60000
max_retries = 3

[[channels]]
id = "world"
name = "World"
group = "News"

[[sources]]
id = "example-rss"
kind = "rss"                     # rss | atom | jsonfeed | sitemap | listing
url = "https://example.com/feed.xml"
channels = ["world"]

# [[sources]]
# id = "example-listing"
# kind = "listing"
# url = "https://example.com/world.htm"
# selector = "div.post_list div.title a"
# page_url_pattern = "https://example.com/world_{n}.htm"
# backfill_pages = 20
# channels = ["world"]
)TOML";
}

}  // namespace samizdat::config
