#include <nlohmann/json.hpp>

#include "store/store.h"

namespace samizdat::store {

std::string LeadImageToJson(const LeadImage& image) {
  nlohmann::json j{{"src", image.src}, {"alt", image.alt}, {"caption", image.caption}};
  // Text from pages may hold invalid UTF-8: replaced, never thrown on.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<LeadImage> LeadImageFromJson(std::string_view text) {
  if (text.empty()) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  auto field = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  return LeadImage{field("src"), field("alt"), field("caption")};
}

}  // namespace samizdat::store
