#include "util/toml_reader.h"

#include <sstream>

namespace samizdat {

std::string TomlWhere(std::string_view origin, const toml::node& node) {
  std::ostringstream os;
  os << origin << ":" << node.source().begin.line << ":" << node.source().begin.column;
  return os.str();
}

std::string TomlString(const toml::node& node, std::string_view origin, std::string_view key) {
  if (auto v = node.value<std::string>()) return *v;
  throw TomlError(TomlWhere(origin, node) + ": key '" + std::string(key) + "' must be a string");
}

std::vector<std::string> TomlStrings(const toml::node& node, std::string_view origin,
                                     std::string_view key) {
  std::vector<std::string> out;
  if (node.is_string()) {
    out.push_back(*node.value<std::string>());
    return out;
  }
  const toml::array* arr = node.as_array();
  if (!arr)
    throw TomlError(TomlWhere(origin, node) + ": key '" + std::string(key) +
                    "' must be a string or an array of strings");
  for (const auto& el : *arr) out.push_back(TomlString(el, origin, key));
  return out;
}

int64_t TomlInt(const toml::node& node, std::string_view origin, std::string_view key, int64_t lo,
                int64_t hi) {
  auto v = node.value<int64_t>();
  if (!v || *v < lo || *v > hi)
    throw TomlError(TomlWhere(origin, node) + ": key '" + std::string(key) +
                    "' must be an integer from " + std::to_string(lo) + " to " +
                    std::to_string(hi));
  return *v;
}

// value_exact: toml++'s value<bool>() would also take an integer (1 → true), and a wrong
// type is an error here like everywhere else in a configuration.
bool TomlBool(const toml::node& node, std::string_view origin, std::string_view key) {
  auto v = node.value_exact<bool>();
  if (!v)
    throw TomlError(TomlWhere(origin, node) + ": key '" + std::string(key) +
                    "' must be true or false");
  return *v;
}

void TomlUnknownKey(std::string_view origin, const toml::node& node, std::string_view key) {
  throw TomlError(TomlWhere(origin, node) + ": unknown key '" + std::string(key) + "'");
}

bool ParseTomlDocument(std::string_view text, std::string_view origin,
                       const std::function<void(const toml::table&)>& read, std::string* error) {
  try {
    toml::table table = toml::parse(text, origin);
    read(table);
    return true;
  } catch (const toml::parse_error& e) {
    if (error) {
      std::ostringstream os;
      os << origin << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
         << e.description();
      *error = os.str();
    }
  } catch (const TomlError& e) {
    if (error) *error = e.what();
  }
  return false;
}

}  // namespace samizdat
