#include "util/toml_reader.h"

#include <sstream>

namespace samizdat {

std::string TomlWhere(std::string_view origin, const toml::node& node) {
  std::ostringstream os;
  os << origin << ":" << node.source().begin.line << ":" << node.source().begin.column;
  return os.str();
}

Status TomlInvalid(std::string_view origin, const toml::node& node, std::string_view what) {
  return Status::InvalidArgument(TomlWhere(origin, node) + ": " + std::string(what));
}

Result<std::string> TomlString(const toml::node& node, std::string_view origin,
                               std::string_view key) {
  if (auto v = node.value<std::string>()) return *v;
  return TomlInvalid(origin, node, "key '" + std::string(key) + "' must be a string");
}

Result<std::vector<std::string>> TomlStrings(const toml::node& node, std::string_view origin,
                                             std::string_view key) {
  std::vector<std::string> out;
  if (node.is_string()) {
    out.push_back(*node.value<std::string>());
    return out;
  }
  const toml::array* arr = node.as_array();
  if (!arr)
    return TomlInvalid(origin, node,
                       "key '" + std::string(key) + "' must be a string or an array of strings");
  for (const auto& el : *arr) {
    Result<std::string> s = TomlString(el, origin, key);
    if (!s.ok()) return s.status();
    out.push_back(std::move(s).value());
  }
  return out;
}

Result<int64_t> TomlInt(const toml::node& node, std::string_view origin, std::string_view key,
                        int64_t lo, int64_t hi) {
  auto v = node.value<int64_t>();
  if (!v || *v < lo || *v > hi)
    return TomlInvalid(origin, node,
                       "key '" + std::string(key) + "' must be an integer from " +
                           std::to_string(lo) + " to " + std::to_string(hi));
  return *v;
}

// value_exact: toml++'s value<bool>() would also take an integer (1 → true), and a wrong
// type is an error here like everywhere else in a configuration.
Result<bool> TomlBool(const toml::node& node, std::string_view origin, std::string_view key) {
  auto v = node.value_exact<bool>();
  if (!v) return TomlInvalid(origin, node, "key '" + std::string(key) + "' must be true or false");
  return *v;
}

Status TomlUnknownKey(std::string_view origin, const toml::node& node, std::string_view key) {
  return TomlInvalid(origin, node, "unknown key '" + std::string(key) + "'");
}

// toml++ is built with its default TOML_EXCEPTIONS=1, which must be the same in every
// translation unit that includes it, so toml::parse reports a syntax error only by
// throwing toml::parse_error. This is the one place that exception is caught: it becomes
// a Status here and goes no further.
Status ParseTomlDocument(std::string_view text, std::string_view origin,
                         const std::function<Status(const toml::table&)>& read) {
  toml::table table;
  try {
    table = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << origin << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
       << e.description();
    return Status::InvalidArgument(os.str());
  }
  return read(table);
}

}  // namespace samizdat
