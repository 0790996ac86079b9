// libFuzzer target for article ids: bytes -> URL -> sync::CanonicalArticleUrl -> the id
// derivations that name page files (DefaultArticleId, a profile's id_pattern capture,
// SafeArticleId of a raw candidate, CollisionArticleId). Invariant for every derived id:
// safe (util/ids.h, which also bounds it to kMaxIdBytes), and the same for the same input.
#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>
#include <string_view>

#include "extract/profile.h"
#include "sync/sync.h"
#include "util/ids.h"

namespace {

// A derived id must be safe and short; anything else would name a file outside the site.
void CheckId(const std::string& id) {
  if (!samizdat::IsSafeId(id) || id.size() > samizdat::kMaxIdBytes) __builtin_trap();
}

// Profiles with the id_pattern shapes that real profiles use, built once.
const std::vector<samizdat::extract::Profile>& Profiles() {
  static const std::vector<samizdat::extract::Profile> profiles = [] {
    std::vector<samizdat::extract::Profile> out;
    for (const char* pattern :
         {R"(/(n\d+)\.htm)", R"(/([^/?#]+)\.html?)", R"([?&]id=([^&#]*))", R"(/([^/]*)/?$)"}) {
      samizdat::extract::Profile p;
      p.name = pattern;
      p.id_pattern = std::regex(pattern, std::regex::ECMAScript);
      out.push_back(std::move(p));
    }
    return out;
  }();
  return profiles;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // libstdc++'s regex executor recurses per input character; real URLs are far shorter.
  if (size > 4096) return 0;
  std::string raw(reinterpret_cast<const char*>(data), size);
  std::string url = samizdat::sync::CanonicalArticleUrl(raw);
  if (samizdat::sync::CanonicalArticleUrl(url) != url) __builtin_trap();  // idempotent
  std::string id = samizdat::extract::DefaultArticleId(url);
  CheckId(id);
  if (samizdat::extract::DefaultArticleId(url) != id) __builtin_trap();
  for (const auto& profile : Profiles()) {
    std::string pid = profile.ArticleId(url);
    CheckId(pid);
    if (profile.ArticleId(url) != pid) __builtin_trap();
  }
  // The raw bytes as a candidate (an id_pattern capture can be anything in the URL).
  std::string candidate_id = samizdat::SafeArticleId(raw, url);
  CheckId(candidate_id);
  if (samizdat::SafeArticleId(raw, url) != candidate_id) __builtin_trap();
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string collision = samizdat::CollisionArticleId(candidate_id, url, attempt);
    CheckId(collision);
    if (collision == candidate_id) __builtin_trap();  // a collision id differs from the taken one
  }
  return 0;
}
