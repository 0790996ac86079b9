// JSON parsing with a nesting cap, for JSON taken from fetched content (JSON Feed,
// JSON-LD). nlohmann's parser keeps its state on the heap, but dump(), comparisons and our
// own walks recurse on depth; values nested deeper than the cap are discarded while
// parsing, so no later walk can go deeper.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace samizdat {

// Like libxml2's default limit for XML: real documents nest a dozen levels at most.
constexpr int kMaxJsonDepth = 256;

// Parses `text` without exceptions (a syntax error gives a discarded value). Arrays and
// objects nested deeper than `max_depth` are dropped from their parent; `*capped` is set
// when that happened.
inline nlohmann::json ParseJsonWithDepthCap(std::string_view text, bool* capped,
                                            int max_depth = kMaxJsonDepth) {
  auto cap = [capped, max_depth](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    bool opens = event == nlohmann::json::parse_event_t::object_start ||
                 event == nlohmann::json::parse_event_t::array_start;
    if (!opens || depth < max_depth) return true;
    *capped = true;
    return false;
  };
  return nlohmann::json::parse(text, cap, false);
}

}  // namespace samizdat
