#include "util/ids.h"

#include <cstdint>
#include <cstdio>

namespace samizdat {
namespace {

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// Windows reserves these names for devices whatever the extension: "nul.md" is NUL.
bool IsWindowsDeviceName(std::string_view id) {
  std::string_view base = id.substr(0, id.find('.'));
  std::string up;
  for (char c : base) up.push_back(Upper(c));
  if (up == "CON" || up == "PRN" || up == "AUX" || up == "NUL") return true;
  return up.size() == 4 && (up.compare(0, 3, "COM") == 0 || up.compare(0, 3, "LPT") == 0) &&
         up[3] >= '1' && up[3] <= '9';
}

// FNV-1a, 64 bits: stable across platforms and releases (ids derived from it are
// published and must never change).
uint64_t Fnv1a(std::string_view data, uint64_t h = 1469598103934665603ull) {
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string UnsafeIdReason(std::string_view id) {
  if (id.empty()) return "is empty";
  if (id.size() > kMaxIdBytes) return "is longer than " + std::to_string(kMaxIdBytes) + " bytes";
  for (char c : id) {
    if (IsIdChar(c)) continue;
    unsigned char u = static_cast<unsigned char>(c);
    char buf[48];
    if (u < 0x20 || u == 0x7f)
      std::snprintf(buf, sizeof buf, "contains control character 0x%02x", u);
    else if (u >= 0x80)
      std::snprintf(buf, sizeof buf, "contains a non-ASCII byte");
    else
      std::snprintf(buf, sizeof buf, "contains '%c'", c);
    return buf;
  }
  if (id.front() == '.' || id.front() == '-') return "starts with '" + std::string(1, id[0]) + "'";
  if (id.back() == '.') return "ends with '.'";
  if (IsWindowsDeviceName(id)) return "is a Windows device name";
  return {};
}

std::string ShortUrlHash(std::string_view url, int attempt) {
  uint64_t h = Fnv1a(url);
  if (attempt > 0) h = Fnv1a("#" + std::to_string(attempt), h);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(h >> 32));
  return buf;
}

std::string SafeArticleId(std::string_view candidate, std::string_view url) {
  if (candidate != "index" && IsSafeId(candidate)) return std::string(candidate);
  // The form DefaultArticleId has always used, so stores keep deriving the same ids.
  char buf[20];
  std::snprintf(buf, sizeof buf, "u%016llx", static_cast<unsigned long long>(Fnv1a(url)));
  return buf;
}

std::string CollisionArticleId(std::string_view id, std::string_view url, int attempt) {
  std::string suffix = "-" + ShortUrlHash(url, attempt);
  return std::string(id.substr(0, kMaxIdBytes - suffix.size())) + suffix;
}

}  // namespace samizdat
