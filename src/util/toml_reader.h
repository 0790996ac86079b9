// Reading TOML documents with errors that name file, line and key (configuration and
// site profiles). Helpers throw TomlError; ParseTomlDocument turns both toml++'s parse
// errors and TomlError into one message for the caller.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace samizdat {

struct TomlError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "file:line:column" of a node.
std::string TomlWhere(std::string_view origin, const toml::node& node);

std::string TomlString(const toml::node& node, std::string_view origin, std::string_view key);
// A string, or an array of strings.
std::vector<std::string> TomlStrings(const toml::node& node, std::string_view origin,
                                     std::string_view key);
int64_t TomlInt(const toml::node& node, std::string_view origin, std::string_view key, int64_t lo,
                int64_t hi);
bool TomlBool(const toml::node& node, std::string_view origin, std::string_view key);
[[noreturn]] void TomlUnknownKey(std::string_view origin, const toml::node& node,
                                 std::string_view key);

// Parses `text` and hands the table to `read`, which throws TomlError on bad content.
// Returns false and sets *error ("file:line:column: what") on any failure.
bool ParseTomlDocument(std::string_view text, std::string_view origin,
                       const std::function<void(const toml::table&)>& read, std::string* error);

}  // namespace samizdat
