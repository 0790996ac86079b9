#include "config/config.h"

#include <toml++/toml.h>

#include <sstream>
#include <stdexcept>

namespace samizdat::config {
namespace {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string Where(std::string_view origin, const toml::node& node) {
  std::ostringstream os;
  os << origin << ":" << node.source().begin.line << ":" << node.source().begin.column;
  return os.str();
}

std::string String(const toml::node& node, std::string_view origin, std::string_view key) {
  if (auto v = node.value<std::string>()) return *v;
  throw ConfigError(Where(origin, node) + ": key '" + std::string(key) + "' must be a string");
}

}  // namespace

bool ParseTheme(std::string_view text, Theme* out) {
  if (text == "classic")
    *out = Theme::kClassic;
  else if (text == "markdown")
    *out = Theme::kMarkdown;
  else if (text == "html")
    *out = Theme::kHtml;
  else
    return false;
  return true;
}

std::string_view ThemeName(Theme theme) {
  switch (theme) {
    case Theme::kClassic:
      return "classic";
    case Theme::kMarkdown:
      return "markdown";
    case Theme::kHtml:
      return "html";
  }
  return "markdown";
}

std::optional<Config> ParseConfig(std::string_view toml_text, std::string_view origin,
                                  std::string_view base_dir, std::string* error) {
  try {
    toml::table root = toml::parse(toml_text, origin);
    Config cfg;
    cfg.origin = std::string(origin);
    for (auto&& [key, node] : root) {
      std::string k(key.str());
      if (k == "site") {
        const toml::table* site = node.as_table();
        if (!site) throw ConfigError(Where(origin, node) + ": 'site' must be a table");
        for (auto&& [skey, snode] : *site) {
          std::string sk(skey.str());
          std::string full = "site." + sk;
          SiteConfig& s = cfg.site;
          if (sk == "title")
            s.title = String(snode, origin, full);
          else if (sk == "menu")
            s.menu = String(snode, origin, full);
          else if (sk == "footer")
            s.footer = String(snode, origin, full);
          else if (sk == "body_wrapper")
            s.body_wrapper = String(snode, origin, full);
          else if (sk == "menu_tag_links") {
            auto b = snode.value<bool>();
            if (!b)
              throw ConfigError(Where(origin, snode) + ": key '" + full +
                                "' must be true or false");
            s.menu_tag_links = *b;
          } else if (sk == "link_policy") {
            std::string v = String(snode, origin, full);
            if (!clean::ParseLinkPolicy(v, &s.link_policy))
              throw ConfigError(Where(origin, snode) + ": key '" + full +
                                "' must be \"keep\", \"neutralize\" or \"text\", got \"" + v +
                                "\"");
          } else if (sk == "heading_shift") {
            auto v = snode.value<int64_t>();
            if (!v || *v < -5 || *v > 5)
              throw ConfigError(Where(origin, snode) + ": key '" + full +
                                "' must be an integer from -5 to 5");
            s.heading_shift = static_cast<int>(*v);
          } else if (sk == "theme") {
            std::string v = String(snode, origin, full);
            if (!ParseTheme(v, &s.theme))
              throw ConfigError(Where(origin, snode) + ": key '" + full +
                                "' must be \"classic\", \"markdown\" or \"html\", got \"" + v +
                                "\"");
          } else {
            throw ConfigError(Where(origin, snode) + ": unknown key '" + full + "'");
          }
        }
      } else if (k == "profiles") {
        const toml::array* arr = node.as_array();
        if (!arr)
          throw ConfigError(Where(origin, node) + ": key 'profiles' must be an array of paths");
        for (const auto& el : *arr) {
          std::string p = String(el, origin, "profiles");
          if (!p.empty() && p[0] != '/' && !base_dir.empty()) p = std::string(base_dir) + "/" + p;
          cfg.profile_paths.push_back(p);
        }
      } else {
        throw ConfigError(Where(origin, node) + ": unknown key '" + k + "'");
      }
    }
    return cfg;
  } catch (const toml::parse_error& e) {
    if (error) {
      std::ostringstream os;
      os << origin << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
         << e.description();
      *error = os.str();
    }
  } catch (const ConfigError& e) {
    if (error) *error = e.what();
  }
  return std::nullopt;
}

}  // namespace samizdat::config
