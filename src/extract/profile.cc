#include "extract/profile.h"

#include <toml++/toml.h>

#include "util/dates.h"
#include "util/ids.h"
#include "util/status.h"
#include "util/strings.h"
#include "util/toml_reader.h"
#include "util/url.h"

namespace samizdat::extract {

const std::vector<std::pair<std::string_view, std::string_view>>& BuiltInProfileTexts();

namespace {

// Every reader returns a Status (or Result<T>) and stops at the first error, so a bad
// profile is refused with one message naming its file, line, column and key.
constexpr auto Invalid = TomlInvalid;
constexpr auto GetString = TomlString;
constexpr auto GetStrings = TomlStrings;

Result<html::Selector> GetSelector(const toml::node& node, std::string_view origin,
                                   std::string_view key) {
  Result<std::string> text = GetString(node, origin, key);
  if (!text.ok()) return text.status();
  std::string err;
  auto sel = html::Selector::Parse(*text, &err);
  if (!sel)
    return Invalid(origin, node,
                   "key '" + std::string(key) + "': bad selector \"" + *text + "\": " + err);
  return *sel;
}

// std::regex reports a bad pattern only by throwing regex_error; it is converted here.
Result<std::regex> GetRegex(const toml::node& node, std::string_view origin, std::string_view key) {
  Result<std::string> text = GetString(node, origin, key);
  if (!text.ok()) return text.status();
  try {
    return std::regex(*text, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return Invalid(
        origin, node,
        "key '" + std::string(key) + "': bad regular expression \"" + *text + "\": " + e.what());
  }
}

// url_patterns: one regex or an array of them; their texts are kept too.
Status ParseUrlPatterns(const toml::node& node, std::string_view origin, std::string_view k,
                        Profile& p) {
  if (Status st = TomlAssign(GetStrings(node, origin, k), p.url_pattern_texts); !st.ok()) return st;
  std::vector<const toml::node*> nodes;
  if (const toml::array* arr = node.as_array())
    for (const auto& el : *arr) nodes.push_back(&el);
  else
    nodes.push_back(&node);
  for (const toml::node* el : nodes) {
    Result<std::regex> re = GetRegex(*el, origin, k);
    if (!re.ok()) return re.status();
    p.url_patterns.push_back(std::move(re).value());
  }
  return Status::Ok();
}

// selectors.remove: an array of selectors.
Status ParseRemoveSelectors(const toml::node& snode, std::string_view origin,
                            const std::string& full, std::vector<html::Selector>& remove) {
  const toml::array* arr = snode.as_array();
  if (!arr) return Invalid(origin, snode, "key '" + full + "' must be an array");
  for (const auto& el : *arr) {
    Result<html::Selector> sel = GetSelector(el, origin, full);
    if (!sel.ok()) return sel.status();
    remove.push_back(std::move(sel).value());
  }
  return Status::Ok();
}

// One key of the [selectors] table.
Status ParseSelectorKey(const std::string& sk, const toml::node& snode, std::string_view origin,
                        Profile& p) {
  std::string full = "selectors." + sk;
  if (sk == "body") return TomlAssign(GetSelector(snode, origin, full), p.body);
  if (sk == "title") return TomlAssign(GetSelector(snode, origin, full), p.title);
  if (sk == "byline") return TomlAssign(GetSelector(snode, origin, full), p.byline);
  if (sk == "date") return TomlAssign(GetSelector(snode, origin, full), p.date);
  if (sk == "lead_image") return TomlAssign(GetSelector(snode, origin, full), p.lead_image);
  if (sk == "caption") return TomlAssign(GetSelector(snode, origin, full), p.caption);
  if (sk == "remove") return ParseRemoveSelectors(snode, origin, full, p.remove);
  return TomlUnknownKey(origin, snode, full);
}

Status ParseSelectors(const toml::node& node, std::string_view origin, Profile& p) {
  const toml::table* sel = node.as_table();
  if (!sel) return Invalid(origin, node, "'selectors' must be a table");
  for (auto&& [skey, snode] : *sel)
    if (Status st = ParseSelectorKey(std::string(skey.str()), snode, origin, p); !st.ok())
      return st;
  return Status::Ok();
}

Status ParseTimezone(const toml::node& node, std::string_view origin, std::string_view k,
                     Profile& p) {
  Result<std::string> tz = GetString(node, origin, k);
  if (!tz.ok()) return tz.status();
  p.timezone_offset_minutes = ParseUtcOffset(*tz);
  if (!p.timezone_offset_minutes)
    return Invalid(origin, node, "key 'timezone' must look like \"+08:00\", got \"" + *tz + "\"");
  return Status::Ok();
}

Status ParseGenericFallback(const toml::node& node, std::string_view origin, Profile& p) {
  auto b = node.value_exact<bool>();  // value<bool>() would take 1 for true
  if (!b) return Invalid(origin, node, "key 'generic_fallback' must be a boolean");
  p.generic_fallback = *b;
  return Status::Ok();
}

// One top-level key of a profile.
Status ParseProfileKey(const std::string& k, const toml::node& node, std::string_view origin,
                       Profile& p) {
  if (k == "name") return TomlAssign(GetString(node, origin, k), p.name);
  if (k == "description") return TomlAssign(GetString(node, origin, k), p.description);
  if (k == "hosts") {
    Result<std::vector<std::string>> hosts = GetStrings(node, origin, k);
    if (!hosts.ok()) return hosts.status();
    for (auto& h : *hosts) p.hosts.push_back(AsciiLowerCopy(h));
    return Status::Ok();
  }
  if (k == "url_patterns") return ParseUrlPatterns(node, origin, k, p);
  if (k == "id_pattern") return TomlAssign(GetRegex(node, origin, k), p.id_pattern);
  if (k == "timezone") return ParseTimezone(node, origin, k, p);
  if (k == "generic_fallback") return ParseGenericFallback(node, origin, p);
  if (k == "remove_containing") return TomlAssign(GetStrings(node, origin, k), p.remove_containing);
  if (k == "selectors") return ParseSelectors(node, origin, p);
  return TomlUnknownKey(origin, node, k);
}

// Every key of the document, then the keys every profile needs.
Status ParseProfileTable(const toml::table& table, std::string_view origin, Profile& p) {
  p.origin = std::string(origin);
  for (auto&& [key, node] : table)
    if (Status st = ParseProfileKey(std::string(key.str()), node, origin, p); !st.ok()) return st;
  if (p.name.empty()) return Status::InvalidArgument(std::string(origin) + ": missing key 'name'");
  if (p.hosts.empty())
    return Status::InvalidArgument(std::string(origin) + ": missing key 'hosts'");
  return Status::Ok();
}

}  // namespace

bool Profile::MatchesUrl(std::string_view url) const {
  std::string host = UrlHost(url);
  if (host.empty()) return false;
  bool host_ok = hosts.empty();
  for (const auto& h : hosts) {
    if (host == h ||
        (host.size() > h.size() && host.compare(host.size() - h.size(), h.size(), h) == 0 &&
         host[host.size() - h.size() - 1] == '.')) {
      host_ok = true;
      break;
    }
  }
  if (!host_ok) return false;
  if (url_patterns.empty()) return true;
  if (url.size() > kMaxRegexInput) return false;
  std::string u(url);
  for (const auto& re : url_patterns)
    if (std::regex_search(u, re)) return true;
  return false;
}

std::string Profile::ArticleId(std::string_view url) const {
  if (id_pattern && url.size() <= kMaxRegexInput) {
    std::string u(url);
    std::smatch m;
    if (std::regex_search(u, m, *id_pattern) && m.size() > 1 && m[1].length() > 0)
      return SafeArticleId(m[1].str(), url);
  }
  return DefaultArticleId(url);
}

std::string DefaultArticleId(std::string_view url) { return SafeArticleId(UrlFileStem(url), url); }

std::optional<Profile> ParseProfile(std::string_view toml_text, std::string_view origin,
                                    std::string* error) {
  Profile p;
  Status st = ParseTomlDocument(toml_text, origin, [&](const toml::table& table) {
    return ParseProfileTable(table, origin, p);
  });
  if (!st.ok()) {
    if (error) *error = st.message();
    return std::nullopt;
  }
  return p;
}

ProfileSet ProfileSet::FromTexts(
    const std::vector<std::pair<std::string_view, std::string_view>>& texts) {
  ProfileSet s;
  for (const auto& [name, text] : texts) {
    std::string err;
    auto p = ParseProfile(text, std::string("profiles/") + std::string(name), &err);
    if (!p) {
      s.warnings_.push_back("built-in profile error: " + err);
      continue;
    }
    s.Add(std::move(*p));
  }
  return s;
}

const ProfileSet& ProfileSet::BuiltIn() {
  // Built-ins are checked by the test suite; a broken one is a build defect, reported in
  // warnings() for the caller to show.
  static const ProfileSet set = FromTexts(BuiltInProfileTexts());
  return set;
}

void ProfileSet::Add(Profile profile) {
  for (auto& p : profiles_) {
    if (p.name == profile.name) {
      p = std::move(profile);
      return;
    }
  }
  profiles_.push_back(std::move(profile));
}

const Profile* ProfileSet::Match(std::string_view url) const {
  for (auto it = profiles_.rbegin(); it != profiles_.rend(); ++it)
    if (it->MatchesUrl(url)) return &*it;
  return nullptr;
}

const Profile* ProfileSet::Find(std::string_view name) const {
  for (const auto& p : profiles_)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace samizdat::extract
