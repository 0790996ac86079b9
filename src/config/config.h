// samizdat.toml: the site's settings (format in doc/config.md). Parsing is pure; the
// caller reads the file. Unknown keys and bad values are errors naming file, line and key.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clean/clean.h"

namespace samizdat::config {

enum class Theme { kClassic, kMarkdown, kHtml };
bool ParseTheme(std::string_view text, Theme* out);
std::string_view ThemeName(Theme theme);

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
};

struct Config {
  SiteConfig site;
  // User profile files, resolved relative to the config file's directory.
  std::vector<std::string> profile_paths;
  std::string origin;  // the file it came from
};

// Parses a configuration. `origin` names the file in messages; `base_dir` resolves
// relative paths in it.
std::optional<Config> ParseConfig(std::string_view toml_text, std::string_view origin,
                                  std::string_view base_dir, std::string* error);

}  // namespace samizdat::config
