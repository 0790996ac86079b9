#include "extract/profile.h"

#include <toml++/toml.h>

#include <sstream>
#include <stdexcept>

#include "util/dates.h"
#include "util/ids.h"
#include "util/strings.h"
#include "util/toml_reader.h"
#include "util/url.h"

namespace samizdat::extract {

const std::vector<std::pair<std::string_view, std::string_view>>& BuiltInProfileTexts();

namespace {

using ProfileError = TomlError;
std::string Where(std::string_view origin, const toml::source_region& src) {
  return std::string(origin) + ":" + std::to_string(src.begin.line) + ":" +
         std::to_string(src.begin.column);
}
constexpr auto GetString = TomlString;
constexpr auto GetStrings = TomlStrings;

html::Selector GetSelector(const toml::node& node, std::string_view origin, std::string_view key) {
  std::string text = GetString(node, origin, key);
  std::string err;
  auto sel = html::Selector::Parse(text, &err);
  if (!sel)
    throw ProfileError(Where(origin, node.source()) + ": key '" + std::string(key) +
                       "': bad selector \"" + text + "\": " + err);
  return *sel;
}

std::regex GetRegex(const toml::node& node, std::string_view origin, std::string_view key) {
  std::string text = GetString(node, origin, key);
  try {
    return std::regex(text, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw ProfileError(Where(origin, node.source()) + ": key '" + std::string(key) +
                       "': bad regular expression \"" + text + "\": " + e.what());
  }
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
  bool ok = ParseTomlDocument(
      toml_text, origin,
      [&](const toml::table& table) {
        p.origin = std::string(origin);
        for (auto&& [key, node] : table) {
          std::string k(key.str());
          if (k == "name")
            p.name = GetString(node, origin, k);
          else if (k == "description")
            p.description = GetString(node, origin, k);
          else if (k == "hosts") {
            for (auto& h : GetStrings(node, origin, k)) p.hosts.push_back(AsciiLowerCopy(h));
          } else if (k == "url_patterns") {
            p.url_pattern_texts = GetStrings(node, origin, k);
            const toml::array* arr = node.as_array();
            if (arr) {
              for (const auto& el : *arr) p.url_patterns.push_back(GetRegex(el, origin, k));
            } else {
              p.url_patterns.push_back(GetRegex(node, origin, k));
            }
          } else if (k == "id_pattern")
            p.id_pattern = GetRegex(node, origin, k);
          else if (k == "timezone") {
            std::string tz = GetString(node, origin, k);
            p.timezone_offset_minutes = ParseUtcOffset(tz);
            if (!p.timezone_offset_minutes)
              throw ProfileError(Where(origin, node.source()) +
                                 ": key 'timezone' must look like \"+08:00\", got \"" + tz + "\"");
          } else if (k == "generic_fallback") {
            auto b = node.value_exact<bool>();  // value<bool>() would take 1 for true
            if (!b)
              throw ProfileError(Where(origin, node.source()) +
                                 ": key 'generic_fallback' must be a boolean");
            p.generic_fallback = *b;
          } else if (k == "remove_containing")
            p.remove_containing = GetStrings(node, origin, k);
          else if (k == "selectors") {
            const toml::table* sel = node.as_table();
            if (!sel)
              throw ProfileError(Where(origin, node.source()) + ": 'selectors' must be a table");
            for (auto&& [skey, snode] : *sel) {
              std::string sk(skey.str());
              std::string full = "selectors." + sk;
              if (sk == "body")
                p.body = GetSelector(snode, origin, full);
              else if (sk == "title")
                p.title = GetSelector(snode, origin, full);
              else if (sk == "byline")
                p.byline = GetSelector(snode, origin, full);
              else if (sk == "date")
                p.date = GetSelector(snode, origin, full);
              else if (sk == "lead_image")
                p.lead_image = GetSelector(snode, origin, full);
              else if (sk == "caption")
                p.caption = GetSelector(snode, origin, full);
              else if (sk == "remove") {
                const toml::array* arr = snode.as_array();
                if (!arr)
                  throw ProfileError(Where(origin, snode.source()) + ": key '" + full +
                                     "' must be an array");
                for (const auto& el : *arr) p.remove.push_back(GetSelector(el, origin, full));
              } else {
                throw ProfileError(Where(origin, snode.source()) + ": unknown key '" + full + "'");
              }
            }
          } else {
            throw ProfileError(Where(origin, node.source()) + ": unknown key '" + k + "'");
          }
        }
        if (p.name.empty()) throw ProfileError(std::string(origin) + ": missing key 'name'");
        if (p.hosts.empty()) throw ProfileError(std::string(origin) + ": missing key 'hosts'");
      },
      error);
  if (!ok) return std::nullopt;
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
