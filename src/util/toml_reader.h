// Reading TOML documents with errors that name file, line and key (configuration and
// site profiles). Every reader returns a Status or Result<T>: a bad value is an
// InvalidArgument whose message is "file:line:column: what", and no reader throws.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace samizdat {

// "file:line:column" of a node.
std::string TomlWhere(std::string_view origin, const toml::node& node);
// InvalidArgument "file:line:column: `what`" at `node`.
Status TomlInvalid(std::string_view origin, const toml::node& node, std::string_view what);

Result<std::string> TomlString(const toml::node& node, std::string_view origin,
                               std::string_view key);
// A string, or an array of strings.
Result<std::vector<std::string>> TomlStrings(const toml::node& node, std::string_view origin,
                                             std::string_view key);
Result<int64_t> TomlInt(const toml::node& node, std::string_view origin, std::string_view key,
                        int64_t lo, int64_t hi);
Result<bool> TomlBool(const toml::node& node, std::string_view origin, std::string_view key);
// The error for a key the reader does not know.
Status TomlUnknownKey(std::string_view origin, const toml::node& node, std::string_view key);

// Stores a read value in `out` (converted to its type) or returns the read's error, so
// that one key reads as one line: `return TomlAssign(TomlInt(...), opts.limit);`.
template <typename T, typename U>
Status TomlAssign(Result<T> read, U& out) {
  if (!read.ok()) return read.status();
  out = static_cast<U>(std::move(read).value());
  return Status::Ok();
}

// Parses `text` and hands the table to `read`. Returns the first error: a syntax error
// from toml++ or an error from `read`, each as "file:line:column: what".
Status ParseTomlDocument(std::string_view text, std::string_view origin,
                         const std::function<Status(const toml::table&)>& read);

}  // namespace samizdat
