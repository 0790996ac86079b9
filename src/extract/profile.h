// Site profiles: per-site extraction rules written as TOML (format in doc/profiles.md).
// Built-in profiles ship in profiles/ and are compiled into the binary; users add their
// own from configuration. Parsing is pure: callers read files and pass their text.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "html/selector.h"

namespace samizdat::extract {

// URLs longer than this are never matched against a profile's regular expressions:
// std::regex recurses once per input character, so a hostile URL of 100,000 characters in
// a feed would overflow the stack. No real article URL comes near it.
constexpr size_t kMaxRegexInput = 2048;

struct Profile {
  std::string name;
  std::string description;
  std::vector<std::string> hosts;  // exact host or any subdomain of it
  std::vector<std::string> url_pattern_texts;
  std::vector<std::regex> url_patterns;  // ECMAScript regexes searched in the full URL
  std::optional<html::Selector> body;
  std::optional<html::Selector> title;
  std::optional<html::Selector> byline;
  std::optional<html::Selector> date;
  std::optional<html::Selector> lead_image;
  std::optional<html::Selector> caption;
  std::vector<html::Selector> remove;
  // Block elements whose text contains one of these strings are removed (e.g. a site's
  // own "do not mirror" notice).
  std::vector<std::string> remove_containing;
  // Regex with one capture group giving the article id from the URL; default: file stem.
  std::optional<std::regex> id_pattern;
  std::optional<int> timezone_offset_minutes;  // for dates written without a zone
  // When the body selector fails, fall back to the generic extractor (default true).
  bool generic_fallback = true;
  std::string origin;  // where it was loaded from, for messages

  bool MatchesUrl(std::string_view url) const;
  // The article id for `url`: id_pattern's first group, else the URL's file stem; either
  // only when it is a safe id (util/ids.h), else a stable hash of `url`. Always safe.
  std::string ArticleId(std::string_view url) const;
};

// Parses one profile. On error returns nullopt and sets *error to
// "<origin>:<line>:<column>: <what>" naming the key at fault.
std::optional<Profile> ParseProfile(std::string_view toml_text, std::string_view origin,
                                    std::string* error);

class ProfileSet {
 public:
  // The profiles compiled in from profiles/. One that does not parse is left out and named
  // in warnings().
  static const ProfileSet& BuiltIn();
  // Parses built-in profile texts ({file name, TOML text}); each one that does not parse is
  // left out with a warning "built-in profile error: <origin>:<line>:<column>: <what>".
  static ProfileSet FromTexts(
      const std::vector<std::pair<std::string_view, std::string_view>>& texts);

  // Adds or replaces (by name) a profile. Later additions win when matching.
  void Add(Profile profile);
  // The best profile for `url`: the last added whose host and patterns match; nullptr if none.
  const Profile* Match(std::string_view url) const;
  const Profile* Find(std::string_view name) const;
  const std::vector<Profile>& profiles() const { return profiles_; }
  // Problems met while building the set, for the caller to show (a library prints nothing).
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  std::vector<Profile> profiles_;
  std::vector<std::string> warnings_;
};

// Default article id for a URL with no profile: the URL's file stem when it is a safe id
// (util/ids.h), else a stable hash of the URL. Always safe.
std::string DefaultArticleId(std::string_view url);

}  // namespace samizdat::extract
