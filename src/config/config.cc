#include "config/config.h"

#include <toml++/toml.h>

#include "publish/variants.h"
#include "store/article_store.h"
#include "util/dates.h"
#include "util/ids.h"
#include "util/status.h"
#include "util/toml_reader.h"

// Every reader returns a Status (or Result<T>) and stops at the first error, so a bad
// configuration is refused with one message naming its file, line, column and key.
namespace samizdat::config {
namespace {

constexpr auto Invalid = TomlInvalid;
constexpr auto String = TomlString;
constexpr auto Strings = TomlStrings;
constexpr auto Int = TomlInt;
constexpr auto Bool = TomlBool;
constexpr auto UnknownKey = TomlUnknownKey;

Result<const toml::array*> TableArray(const toml::node& node, std::string_view origin,
                                      std::string_view key) {
  const toml::array* arr = node.as_array();
  if (!arr)
    return Invalid(
        origin, node,
        "'" + std::string(key) + "' must be an array of tables ([[" + std::string(key) + "]])");
  return arr;
}

// An id that names files of the site (util/ids.h). A channel id also names files with
// extensions beside its directory (indexes/<id>.jsonl next to indexes/<id>/), so it may not
// contain '.': channel "x.jsonl" would otherwise own the directory that is channel "x"'s file.
Result<std::string> Id(const toml::node& node, std::string_view origin, std::string_view key,
                       bool channel) {
  Result<std::string> id = String(node, origin, key);
  if (!id.ok()) return id;
  std::string why = UnsafeIdReason(*id);
  if (why.empty() && channel && id->find('.') != std::string::npos) why = "contains '.'";
  if (!why.empty())
    return Invalid(origin, node,
                   "key '" + std::string(key) + "' " + why +
                       ": an id may use only ASCII letters, digits, '_', '-' and '.' (not in a "
                       "channel id), start with a letter, digit or '_', hold at most " +
                       std::to_string(kMaxIdBytes) + " bytes and not be a Windows device name");
  return id;
}

// A string that must be one of a closed set of words, parsed by `parse`; `expected` says
// which ("must be ... , got \"v\"").
template <typename T, typename Parse>
Status Enum(const toml::node& node, std::string_view origin, const std::string& full, Parse parse,
            std::string_view expected, T* out) {
  Result<std::string> v = String(node, origin, full);
  if (!v.ok()) return v.status();
  if (!parse(*v, out))
    return Invalid(origin, node,
                   "key '" + full + "' must be " + std::string(expected) + ", got \"" + *v + "\"");
  return Status::Ok();
}

// One key of [fetch].
Status ParseFetchKey(const std::string& key, const toml::node& node, std::string_view origin,
                     fetch::FetchOptions& f) {
  std::string full = "fetch." + key;
  if (key == "user_agent") return TomlAssign(String(node, origin, full), f.user_agent);
  if (key == "concurrency") return TomlAssign(Int(node, origin, full, 1, 256), f.max_concurrency);
  if (key == "per_host_concurrency")
    return TomlAssign(Int(node, origin, full, 1, 64), f.per_host_concurrency);
  if (key == "per_host_delay_ms")
    return TomlAssign(Int(node, origin, full, 0, 600000), f.per_host_delay_ms);
  if (key == "max_redirects") return TomlAssign(Int(node, origin, full, 0, 50), f.max_redirects);
  if (key == "connect_timeout_ms")
    return TomlAssign(Int(node, origin, full, 100, 600000), f.connect_timeout_ms);
  if (key == "total_timeout_ms")
    return TomlAssign(Int(node, origin, full, 100, 3600000), f.total_timeout_ms);
  if (key == "min_bytes_per_sec")
    return TomlAssign(Int(node, origin, full, 0, 1 << 30), f.low_speed_bytes_per_sec);
  if (key == "min_rate_window_s")
    return TomlAssign(Int(node, origin, full, 1, 3600), f.low_speed_time_s);
  if (key == "max_body_bytes")
    return TomlAssign(Int(node, origin, full, 1024, int64_t{1} << 34), f.max_body_bytes);
  if (key == "max_retries") return TomlAssign(Int(node, origin, full, 0, 20), f.max_retries);
  if (key == "backoff_base_ms")
    return TomlAssign(Int(node, origin, full, 1, 600000), f.backoff_base_ms);
  if (key == "max_retry_after_s")
    return TomlAssign(Int(node, origin, full, 0, 86400), f.max_retry_after_s);
  if (key == "allow_private") return TomlAssign(Bool(node, origin, full), f.allow_private);
  if (key == "allow_loopback") return TomlAssign(Bool(node, origin, full), f.allow_loopback);
  if (key == "allow_file") return TomlAssign(Bool(node, origin, full), f.allow_file);
  if (key == "file_root") {
    if (Status st = TomlAssign(String(node, origin, full), f.file_root); !st.ok()) return st;
    if (f.file_root.empty())
      return Invalid(
          origin, node,
          "'" + full + "' must name a directory (allow_file = false reads no local file)");
    return Status::Ok();
  }
  return UnknownKey(origin, node, full);
}

Status ParseFetch(const toml::table& t, std::string_view origin, fetch::FetchOptions& f) {
  for (auto&& [k, node] : t)
    if (Status st = ParseFetchKey(std::string(k.str()), node, origin, f); !st.ok()) return st;
  return Status::Ok();
}

// sources.url: an http://, https:// or file:// URL (scheme in any case).
Status ParseSourceUrl(const toml::node& node, std::string_view origin, const std::string& full,
                      std::string& url) {
  if (Status st = TomlAssign(String(node, origin, full), url); !st.ok()) return st;
  std::string lower = url.substr(0, 8);
  for (char& c : lower) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0 &&
      lower.rfind("file://", 0) != 0)
    return Invalid(origin, node, "key '" + full + "' must be an http://, https:// or file:// URL");
  return Status::Ok();
}

// sources.proxy: an http://, https://, socks5:// or socks5h:// URL.
Status ParseSourceProxy(const toml::node& node, std::string_view origin, const std::string& full,
                        std::string& proxy) {
  if (Status st = TomlAssign(String(node, origin, full), proxy); !st.ok()) return st;
  if (proxy.rfind("http://", 0) != 0 && proxy.rfind("https://", 0) != 0 &&
      proxy.rfind("socks5://", 0) != 0 && proxy.rfind("socks5h://", 0) != 0)
    return Invalid(origin, node,
                   "key '" + full + "' must be an http://, socks5:// or socks5h:// URL");
  return Status::Ok();
}

// sources.timezone: a fixed UTC offset such as "+08:00".
Status ParseSourceTimezone(const toml::node& node, std::string_view origin, const std::string& full,
                           std::optional<int>& offset) {
  Result<std::string> v = String(node, origin, full);
  if (!v.ok()) return v.status();
  offset = ParseUtcOffset(*v);
  if (!offset)
    return Invalid(origin, node,
                   "key '" + full + "' must look like \"+08:00\", got \"" + *v + "\"");
  return Status::Ok();
}

// One key of a [[sources]] entry; `have_kind` is set when it is 'kind'.
Status ParseSourceKey(const std::string& key, const toml::node& node, std::string_view origin,
                      SourceConfig& s, bool& have_kind) {
  std::string full = "sources." + key;
  if (key == "id") return TomlAssign(Id(node, origin, full, /*channel=*/false), s.id);
  if (key == "kind") {
    have_kind = true;
    return Enum(node, origin, full, ParseSourceKind, "rss, atom, jsonfeed, sitemap or listing",
                &s.kind);
  }
  if (key == "url") return ParseSourceUrl(node, origin, full, s.url);
  if (key == "channels") return TomlAssign(Strings(node, origin, full), s.channels);
  if (key == "profile") return TomlAssign(String(node, origin, full), s.profile);
  if (key == "selector") return TomlAssign(String(node, origin, full), s.link_selector);
  if (key == "page_url_pattern") return TomlAssign(String(node, origin, full), s.page_url_pattern);
  if (key == "backfill_pages")
    return TomlAssign(Int(node, origin, full, 0, 1000), s.backfill_pages);
  if (key == "proxy") return ParseSourceProxy(node, origin, full, s.proxy);
  if (key == "timezone") return ParseSourceTimezone(node, origin, full, s.timezone_offset_minutes);
  if (key == "interval_minutes")
    return TomlAssign(Int(node, origin, full, 0, 525600), s.interval_minutes);
  if (key == "enabled") return TomlAssign(Bool(node, origin, full), s.enabled);
  if (key == "recheck_days") return TomlAssign(Int(node, origin, full, 0, 365), s.recheck_days);
  if (key == "recheck_interval_minutes")
    return TomlAssign(Int(node, origin, full, 1, 525600), s.recheck_interval_minutes);
  if (key == "per_host_delay_ms")
    return TomlAssign(Int(node, origin, full, 0, 600000), s.fetch.per_host_delay_ms);
  if (key == "total_timeout_ms")
    return TomlAssign(Int(node, origin, full, 100, 3600000), s.fetch.total_timeout_ms);
  if (key == "max_retries") return TomlAssign(Int(node, origin, full, 0, 20), s.fetch.max_retries);
  return UnknownKey(origin, node, full);
}

// The keys every source needs, checked once the whole entry is read.
Status CheckSource(const SourceConfig& s, bool have_kind, std::string_view origin,
                   const toml::node& where) {
  if (s.id.empty()) return Invalid(origin, where, "a source needs an 'id'");
  if (s.url.empty()) return Invalid(origin, where, "source '" + s.id + "' needs a 'url'");
  if (!have_kind) return Invalid(origin, where, "source '" + s.id + "' needs a 'kind'");
  if (s.kind == SourceKind::kListing && s.link_selector.empty())
    return Invalid(origin, where, "listing source '" + s.id + "' needs a 'selector'");
  if (s.channels.empty())
    return Invalid(origin, where, "source '" + s.id + "' feeds no channel ('channels')");
  return Status::Ok();
}

Result<SourceConfig> ParseSource(const toml::table& t, std::string_view origin,
                                 const toml::node& where) {
  SourceConfig s;
  bool have_kind = false;
  for (auto&& [k, node] : t)
    if (Status st = ParseSourceKey(std::string(k.str()), node, origin, s, have_kind); !st.ok())
      return st;
  if (Status st = CheckSource(s, have_kind, origin, where); !st.ok()) return st;
  return s;
}

// One key of a remote table under `key` ("publish.remotes", "publish.archive.remotes").
Status ParseRemoteKey(const std::string& rkey, const toml::node& rnode, std::string_view origin,
                      const std::string& key, publish::RemoteConfig& r) {
  std::string rfull = key + "." + rkey;
  if (rkey == "name") return TomlAssign(String(rnode, origin, rfull), r.name);
  if (rkey == "url") return TomlAssign(String(rnode, origin, rfull), r.url);
  if (rkey == "username") return TomlAssign(String(rnode, origin, rfull), r.username);
  if (rkey == "password_env") return TomlAssign(String(rnode, origin, rfull), r.password_env);
  if (rkey == "ssh_key") return TomlAssign(String(rnode, origin, rfull), r.ssh_key);
  if (rkey == "ssh_public_key") return TomlAssign(String(rnode, origin, rfull), r.ssh_public_key);
  if (rkey == "ssh_passphrase_env")
    return TomlAssign(String(rnode, origin, rfull), r.ssh_passphrase_env);
  return UnknownKey(origin, rnode, rfull);
}

Result<std::vector<publish::RemoteConfig>> ParseRemotes(const toml::node& node,
                                                        std::string_view origin,
                                                        const std::string& key) {
  Result<const toml::array*> arr = TableArray(node, origin, key);
  if (!arr.ok()) return arr.status();
  std::vector<publish::RemoteConfig> out;
  for (const auto& el : **arr) {
    const toml::table* rt = el.as_table();
    if (!rt) return Invalid(origin, el, "each [[" + key + "]] entry must be a table");
    publish::RemoteConfig r;
    for (auto&& [rk, rnode] : *rt)
      if (Status st = ParseRemoteKey(std::string(rk.str()), rnode, origin, key, r); !st.ok())
        return st;
    if (r.url.empty()) return Invalid(origin, el, "a remote needs a 'url'");
    if (r.name.empty()) r.name = r.url;
    out.push_back(std::move(r));
  }
  return out;
}

// The table under a top-level key ('site', 'fetch', 'publish', 'publish.archive').
Result<const toml::table*> Table(const toml::node& node, std::string_view origin,
                                 std::string_view key) {
  const toml::table* t = node.as_table();
  if (!t) return Invalid(origin, node, "'" + std::string(key) + "' must be a table");
  return t;
}

// site.heading_shift: an integer from -5 to 5.
Status ParseHeadingShift(const toml::node& node, std::string_view origin, const std::string& full,
                         int& shift) {
  auto v = node.value<int64_t>();
  if (!v || *v < -5 || *v > 5)
    return Invalid(origin, node, "key '" + full + "' must be an integer from -5 to 5");
  shift = static_cast<int>(*v);
  return Status::Ok();
}

// site.base_url, ending in '/' when not empty.
Status ParseBaseUrl(const toml::node& node, std::string_view origin, const std::string& full,
                    std::string& base_url) {
  if (Status st = TomlAssign(String(node, origin, full), base_url); !st.ok()) return st;
  if (!base_url.empty() && base_url.back() != '/') base_url += '/';
  return Status::Ok();
}

// site.variants: each a tag publish::FindVariant knows.
Status ParseVariants(const toml::node& node, std::string_view origin, const std::string& full,
                     std::vector<std::string>& variants) {
  if (Status st = TomlAssign(Strings(node, origin, full), variants); !st.ok()) return st;
  for (const auto& v : variants)
    if (!publish::FindVariant(v))
      return Invalid(
          origin, node,
          "key '" + full + "': unknown variant '" + v + "' (\"zh-Hant\", \"zh-TW\" or \"zh-HK\")");
  return Status::Ok();
}

// site.public_urls: absolute http(s) URLs, each made to end in '/'.
Status ParsePublicUrls(const toml::node& node, std::string_view origin, const std::string& full,
                       std::vector<std::string>& urls) {
  if (Status st = TomlAssign(Strings(node, origin, full), urls); !st.ok()) return st;
  for (auto& u : urls) {
    if (u.rfind("https://", 0) != 0 && u.rfind("http://", 0) != 0)
      return Invalid(origin, node, "key '" + full + "': '" + u + "' is not an http(s) URL");
    if (u.back() != '/') u += '/';
  }
  return Status::Ok();
}

// One key of [site]. Its 'output' key names the site directory, which lives in Config,
// not SiteConfig.
Status ParseSiteKey(const std::string& sk, const toml::node& snode, std::string_view origin,
                    SiteConfig& s, std::string& output_dir) {
  std::string full = "site." + sk;
  if (sk == "title") return TomlAssign(String(snode, origin, full), s.title);
  if (sk == "menu") return TomlAssign(String(snode, origin, full), s.menu);
  if (sk == "footer") return TomlAssign(String(snode, origin, full), s.footer);
  if (sk == "body_wrapper") return TomlAssign(String(snode, origin, full), s.body_wrapper);
  if (sk == "menu_tag_links") return TomlAssign(Bool(snode, origin, full), s.menu_tag_links);
  if (sk == "link_policy")
    return Enum(snode, origin, full, clean::ParseLinkPolicy, "\"keep\", \"neutralize\" or \"text\"",
                &s.link_policy);
  if (sk == "heading_shift") return ParseHeadingShift(snode, origin, full, s.heading_shift);
  if (sk == "index_page_size")
    return TomlAssign(Int(snode, origin, full, 1, 1000), s.index_page_size);
  if (sk == "pager_pages") return TomlAssign(Int(snode, origin, full, 1, 100), s.pager_pages);
  if (sk == "index_stamps") return TomlAssign(Bool(snode, origin, full), s.index_stamps);
  if (sk == "base_url") return ParseBaseUrl(snode, origin, full, s.base_url);
  if (sk == "rehost_images") return TomlAssign(Bool(snode, origin, full), s.rehost_images);
  if (sk == "max_image_bytes")
    return TomlAssign(Int(snode, origin, full, 1024, int64_t{1} << 30), s.max_image_bytes);
  if (sk == "promo") return TomlAssign(String(snode, origin, full), s.promo);
  if (sk == "lang") return TomlAssign(String(snode, origin, full), s.lang);
  if (sk == "variants") return ParseVariants(snode, origin, full, s.variants);
  if (sk == "public_urls") return ParsePublicUrls(snode, origin, full, s.public_urls);
  if (sk == "output") return TomlAssign(String(snode, origin, full), output_dir);
  if (sk == "theme")
    return Enum(snode, origin, full, render::ParseTheme, "\"classic\", \"markdown\" or \"html\"",
                &s.theme);
  return UnknownKey(origin, snode, full);
}

Status ParseSite(const toml::table& site, std::string_view origin, SiteConfig& s,
                 std::string& output_dir) {
  for (auto&& [skey, snode] : site)
    if (Status st = ParseSiteKey(std::string(skey.str()), snode, origin, s, output_dir); !st.ok())
      return st;
  return Status::Ok();
}

// One key of [publish.archive].
Status ParseArchiveKey(const std::string& akey, const toml::node& anode, std::string_view origin,
                       publish::ArchiveConfig& archive) {
  std::string afull = "publish.archive." + akey;
  if (akey == "output") return TomlAssign(String(anode, origin, afull), archive.output);
  if (akey == "max_articles")
    return TomlAssign(Int(anode, origin, afull, 1, int64_t{1} << 40), archive.max_articles);
  if (akey == "link_prefix") return TomlAssign(String(anode, origin, afull), archive.link_prefix);
  if (akey == "remotes") return TomlAssign(ParseRemotes(anode, origin, afull), archive.remotes);
  return UnknownKey(origin, anode, afull);
}

// [publish.archive]: all three of output, max_articles and link_prefix, or an error.
Result<publish::ArchiveConfig> ParseArchive(const toml::node& pnode, std::string_view origin) {
  Result<const toml::table*> t = Table(pnode, origin, "publish.archive");
  if (!t.ok()) return t.status();
  publish::ArchiveConfig archive;
  for (auto&& [ak, anode] : **t)
    if (Status st = ParseArchiveKey(std::string(ak.str()), anode, origin, archive); !st.ok())
      return st;
  if (archive.output.empty() || archive.max_articles == 0 || archive.link_prefix.empty())
    return Invalid(origin, pnode,
                   "'publish.archive' needs 'output', 'max_articles' and 'link_prefix'");
  if (archive.link_prefix.back() != '/') archive.link_prefix += '/';
  return archive;
}

// One key of [publish], with its [publish.archive] and [[publish.remotes]].
Status ParsePublishKey(const std::string& key, const toml::node& pnode, std::string_view origin,
                       publish::PublishConfig& p) {
  std::string full = "publish." + key;
  if (key == "branch") return TomlAssign(String(pnode, origin, full), p.branch);
  if (key == "author_name") return TomlAssign(String(pnode, origin, full), p.author_name);
  if (key == "author_email") return TomlAssign(String(pnode, origin, full), p.author_email);
  if (key == "committer_name") return TomlAssign(String(pnode, origin, full), p.committer_name);
  if (key == "committer_email") return TomlAssign(String(pnode, origin, full), p.committer_email);
  if (key == "message") return TomlAssign(String(pnode, origin, full), p.message);
  if (key == "archive") return TomlAssign(ParseArchive(pnode, origin), p.archive);
  if (key == "remotes")
    return TomlAssign(ParseRemotes(pnode, origin, "publish.remotes"), p.remotes);
  return UnknownKey(origin, pnode, full);
}

Status ParsePublish(const toml::table& t, std::string_view origin, publish::PublishConfig& p) {
  for (auto&& [pk, pnode] : t)
    if (Status st = ParsePublishKey(std::string(pk.str()), pnode, origin, p); !st.ok()) return st;
  return Status::Ok();
}

// One key of [sign].
Status ParseSignKey(const std::string& key, const toml::node& node, std::string_view origin,
                    SignConfig& sign) {
  std::string full = "sign." + key;
  if (key == "secret_key") return TomlAssign(String(node, origin, full), sign.secret_key);
  if (key == "password_env") return TomlAssign(String(node, origin, full), sign.password_env);
  if (key == "password_file") return TomlAssign(String(node, origin, full), sign.password_file);
  return UnknownKey(origin, node, full);
}

Status ParseSign(const toml::table& t, std::string_view origin, SignConfig& sign) {
  for (auto&& [k, node] : t)
    if (Status st = ParseSignKey(std::string(k.str()), node, origin, sign); !st.ok()) return st;
  return Status::Ok();
}

// One key of a [[channels]] entry.
Status ParseChannelKey(const std::string& key, const toml::node& cnode, std::string_view origin,
                       ChannelConfig& ch) {
  std::string full = "channels." + key;
  if (key == "id") return TomlAssign(Id(cnode, origin, full, /*channel=*/true), ch.id);
  if (key == "name") return TomlAssign(String(cnode, origin, full), ch.name);
  if (key == "group") return TomlAssign(String(cnode, origin, full), ch.group);
  return UnknownKey(origin, cnode, full);
}

// One [[channels]] entry; its name defaults to its id.
Result<ChannelConfig> ParseChannel(const toml::node& el, std::string_view origin) {
  const toml::table* t = el.as_table();
  if (!t) return Invalid(origin, el, "each [[channels]] entry must be a table");
  ChannelConfig ch;
  for (auto&& [ck, cnode] : *t)
    if (Status st = ParseChannelKey(std::string(ck.str()), cnode, origin, ch); !st.ok()) return st;
  if (ch.id.empty()) return Invalid(origin, el, "a channel needs an 'id'");
  if (ch.name.empty()) ch.name = ch.id;
  return ch;
}

// [[channels]] entries, appended to `channels`; ids are unique.
Status ParseChannels(const toml::node& node, std::string_view origin,
                     std::vector<ChannelConfig>& channels) {
  Result<const toml::array*> arr = TableArray(node, origin, "channels");
  if (!arr.ok()) return arr.status();
  for (const auto& el : **arr) {
    Result<ChannelConfig> ch = ParseChannel(el, origin);
    if (!ch.ok()) return ch.status();
    for (const auto& other : channels)
      if (other.id == ch->id) return Invalid(origin, el, "duplicate channel id '" + ch->id + "'");
    channels.push_back(std::move(ch).value());
  }
  return Status::Ok();
}

// A source read from entry `el` is new among `sources` and names only declared channels.
Status CheckSourceAgainst(const SourceConfig& src, const toml::node& el, std::string_view origin,
                          const std::vector<ChannelConfig>& channels,
                          const std::vector<SourceConfig>& sources) {
  for (const auto& other : sources)
    if (other.id == src.id) return Invalid(origin, el, "duplicate source id '" + src.id + "'");
  for (const auto& ch : src.channels) {
    bool known = false;
    for (const auto& c : channels) known |= c.id == ch;
    if (!known)
      return Invalid(origin, el,
                     "source '" + src.id + "' names unknown channel '" + ch +
                         "' (declare [[channels]] before [[sources]])");
  }
  return Status::Ok();
}

// [[sources]] entries, appended to `sources`; ids are unique and every channel a source
// names is among `channels` (declared earlier in the file).
Status ParseSources(const toml::node& node, std::string_view origin,
                    const std::vector<ChannelConfig>& channels,
                    std::vector<SourceConfig>& sources) {
  Result<const toml::array*> arr = TableArray(node, origin, "sources");
  if (!arr.ok()) return arr.status();
  for (const auto& el : **arr) {
    const toml::table* t = el.as_table();
    if (!t) return Invalid(origin, el, "each [[sources]] entry must be a table");
    Result<SourceConfig> src = ParseSource(*t, origin, el);
    if (!src.ok()) return src.status();
    if (Status st = CheckSourceAgainst(*src, el, origin, channels, sources); !st.ok()) return st;
    sources.push_back(std::move(src).value());
  }
  return Status::Ok();
}

// A relative path is taken from the config file's directory (when there is one).
void RelativeToBase(std::string_view base_dir, std::string& p) {
  if (!p.empty() && p[0] != '/' && !base_dir.empty()) p = std::string(base_dir) + "/" + p;
}

// profiles = ["path", ...], appended to `paths`.
Status ParseProfilePaths(const toml::node& node, std::string_view origin, std::string_view base_dir,
                         std::vector<std::string>& paths) {
  const toml::array* arr = node.as_array();
  if (!arr) return Invalid(origin, node, "key 'profiles' must be an array of paths");
  for (const auto& el : *arr) {
    Result<std::string> p = String(el, origin, "profiles");
    if (!p.ok()) return p.status();
    RelativeToBase(base_dir, *p);
    paths.push_back(std::move(p).value());
  }
  return Status::Ok();
}

// A top-level table key ('site', 'publish', 'fetch') read by `parse` into `out`.
template <typename T, typename Parse>
Status ParseTableKey(const toml::node& node, std::string_view origin, std::string_view key,
                     Parse parse, T& out) {
  Result<const toml::table*> t = Table(node, origin, key);
  if (!t.ok()) return t.status();
  return parse(**t, origin, out);
}

// One top-level key of the document.
Status ParseRootKey(const std::string& k, const toml::node& node, std::string_view origin,
                    std::string_view base_dir, Config& cfg) {
  if (k == "site") {
    Result<const toml::table*> t = Table(node, origin, "site");
    if (!t.ok()) return t.status();
    return ParseSite(**t, origin, cfg.site, cfg.output_dir);
  }
  if (k == "publish") return ParseTableKey(node, origin, "publish", ParsePublish, cfg.publish);
  if (k == "sign") return ParseTableKey(node, origin, "sign", ParseSign, cfg.sign);
  if (k == "store") return TomlAssign(String(node, origin, "store"), cfg.store_path);
  if (k == "fetch") return ParseTableKey(node, origin, "fetch", ParseFetch, cfg.fetch);
  if (k == "channels") return ParseChannels(node, origin, cfg.channels);
  if (k == "sources") return ParseSources(node, origin, cfg.channels, cfg.sources);
  if (k == "profiles") return ParseProfilePaths(node, origin, base_dir, cfg.profile_paths);
  return UnknownKey(origin, node, k);
}

// Every top-level key of the document, in file order (channels before the sources naming
// them).
Status ParseRoot(const toml::table& root, std::string_view origin, std::string_view base_dir,
                 Config& cfg) {
  for (auto&& [key, node] : root)
    if (Status st = ParseRootKey(std::string(key.str()), node, origin, base_dir, cfg); !st.ok())
      return st;
  return Status::Ok();
}

// Defaults for the store and site paths, and every relative path taken from base_dir.
void ApplyDefaultPaths(std::string_view base_dir, Config& cfg) {
  if (cfg.store_path.empty()) cfg.store_path = "samizdat.db";
  if (cfg.output_dir.empty()) cfg.output_dir = "site";
  // A PostgreSQL connection URI is not a path (doc/scale-out.md).
  if (!store::IsPostgresLocation(cfg.store_path)) RelativeToBase(base_dir, cfg.store_path);
  RelativeToBase(base_dir, cfg.output_dir);
  RelativeToBase(base_dir, cfg.publish.archive.output);
  if (!cfg.sign.secret_key.empty()) RelativeToBase(base_dir, cfg.sign.secret_key);
  if (!cfg.sign.password_file.empty()) RelativeToBase(base_dir, cfg.sign.password_file);
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
  Status st = ParseTomlDocument(toml_text, origin, [&](const toml::table& root) {
    cfg.origin = std::string(origin);
    if (Status read = ParseRoot(root, origin, base_dir, cfg); !read.ok()) return read;
    ApplyDefaultPaths(base_dir, cfg);
    return Status::Ok();
  });
  if (!st.ok()) {
    if (error) *error = st.message();
    return std::nullopt;
  }
  return cfg;
}

}  // namespace samizdat::config

namespace samizdat::config {

std::string ScaffoldConfig(const std::string& example_feed_url) {
  return R"TOML(# samizdat.toml: one mirror. Reference: doc/config.md
# Every value shown is the default unless marked otherwise.

store = "samizdat.db"            # the article store (SQLite), relative to this file

[site]
title = "My mirror"              # (default "samizdat mirror")
output = "site"                  # where `samizdat build` writes the mirror
theme = "markdown"               # classic | markdown | html
link_policy = "keep"             # keep | neutralize | text
heading_shift = 0

[fetch]
concurrency = 8
per_host_concurrency = 2
per_host_delay_ms = 250
total_timeout_ms = 60000
max_retries = 3

[[channels]]
id = "example"
name = "Example"

# A feed on this disk, written by `samizdat init`, so the first `samizdat sync` works offline.
# Replace it with the sites you mirror.
[[sources]]
id = "example"
kind = "rss"                     # rss | atom | jsonfeed | sitemap | listing
url = ")TOML" +
         example_feed_url +
         R"TOML("
channels = ["example"]

# [[sources]]
# id = "world"
# kind = "listing"
# url = "https://news.example/world.htm"
# selector = "div.post_list div.title a"
# page_url_pattern = "https://news.example/world_{n}.htm"
# backfill_pages = 20
# channels = ["example"]
)TOML";
}

std::vector<std::pair<std::string, std::string>> ScaffoldExample() {
  std::string paragraphs;
  for (const char* p :
       {"This page and the feed beside it were written by samizdat init, so that a first sync "
        "has something to mirror without a network.",
        "Run samizdat sync, then samizdat build, and open the output directory: this article "
        "is there, extracted, cleaned and rendered with the configured theme.",
        "Then replace the example source in samizdat.toml with the feeds, sitemaps or listing "
        "pages of the sites you mean to mirror, and run sync again."})
    paragraphs += std::string("<p>") + p + "</p>\n";
  return {{"example/feed.xml",
           "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel>"
           "<title>Example</title><link>first-article.html</link>\n"
           "<item><title>Welcome to your mirror</title><link>first-article.html</link>"
           "<pubDate>Thu, 01 Jan 2026 00:00:00 +0000</pubDate></item>\n</channel></rss>\n"},
          {"example/first-article.html",
           "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<title>Welcome to your mirror</title></head>\n<body><article>"
           "<h1>Welcome to your mirror</h1>\n" +
               paragraphs + "</article></body></html>\n"}};
}

}  // namespace samizdat::config
