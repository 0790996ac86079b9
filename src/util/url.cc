#include "util/url.h"

#include <curl/curl.h>

#include <memory>

#include "util/strings.h"

namespace samizdat {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

std::string GetPart(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* out = nullptr;
  if (curl_url_get(u, part, &out, flags) != CURLUE_OK || out == nullptr) return {};
  std::string s(out);
  curl_free(out);
  return s;
}

// Strips ASCII whitespace and control characters the way browsers do before parsing a URL.
std::string CleanRef(std::string_view ref) {
  std::string s;
  s.reserve(ref.size());
  for (char c : TrimAscii(ref)) {
    if (c == '\n' || c == '\r' || c == '\t') continue;
    if (c == ' ') {
      s += "%20";
      continue;
    }
    s.push_back(c);
  }
  return s;
}

bool AllowedScheme(std::string_view scheme) {
  return scheme == "http" || scheme == "https" || scheme == "ftp" || scheme == "mailto" ||
         scheme == "data" || scheme == "file";
}

}  // namespace

std::string UrlScheme(std::string_view url) {
  std::string_view s = TrimAscii(url);
  size_t i = 0;
  while (i < s.size() &&
         (isalnum(static_cast<unsigned char>(s[i])) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
    ++i;
  if (i == 0 || i >= s.size() || s[i] != ':' || !isalpha(static_cast<unsigned char>(s[0])))
    return {};
  return AsciiLowerCopy(s.substr(0, i));
}

std::optional<std::string> ResolveUrl(std::string_view base, std::string_view ref) {
  std::string cleaned = CleanRef(ref);
  if (cleaned.empty()) return std::nullopt;
  std::string scheme = UrlScheme(cleaned);
  if (!scheme.empty()) {
    if (!AllowedScheme(scheme)) return std::nullopt;
    // mailto: and data: have no hierarchy; curl would refuse or mangle them.
    if (scheme == "mailto" || scheme == "data") return cleaned;
  }
  if (cleaned.rfind("//", 0) == 0) {
    std::string base_scheme = UrlScheme(base);
    cleaned = (base_scheme.empty() ? std::string("https") : base_scheme) + ":" + cleaned;
  }
  UrlHandle u(curl_url());
  if (!u) return std::nullopt;
  const unsigned flags = CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE;
  if (!base.empty() && scheme.empty()) {
    std::string base_str(TrimAscii(base));
    if (curl_url_set(u.get(), CURLUPART_URL, base_str.c_str(), flags) != CURLUE_OK)
      return std::nullopt;
  }
  if (curl_url_set(u.get(), CURLUPART_URL, cleaned.c_str(), flags) != CURLUE_OK)
    return std::nullopt;
  std::string out = GetPart(u.get(), CURLUPART_URL);
  if (out.empty() || !AllowedScheme(UrlScheme(out))) return std::nullopt;
  // Percent-escapes in upper case, as browsers write them ("%E5", not "%e5").
  for (size_t i = 0; i + 2 < out.size(); ++i) {
    if (out[i] == '%' && isxdigit(static_cast<unsigned char>(out[i + 1])) &&
        isxdigit(static_cast<unsigned char>(out[i + 2]))) {
      out[i + 1] = static_cast<char>(toupper(static_cast<unsigned char>(out[i + 1])));
      out[i + 2] = static_cast<char>(toupper(static_cast<unsigned char>(out[i + 2])));
      i += 2;
    }
  }
  return out;
}

std::string UrlHost(std::string_view url) {
  UrlHandle u(curl_url());
  std::string s(TrimAscii(url));
  if (curl_url_set(u.get(), CURLUPART_URL, s.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
    return {};
  return AsciiLowerCopy(GetPart(u.get(), CURLUPART_HOST));
}

std::string UrlPath(std::string_view url) {
  UrlHandle u(curl_url());
  std::string s(TrimAscii(url));
  if (curl_url_set(u.get(), CURLUPART_URL, s.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
    return {};
  return GetPart(u.get(), CURLUPART_PATH);
}

std::string UrlFileStem(std::string_view url) {
  std::string path = UrlPath(url);
  while (!path.empty() && path.back() == '/') path.pop_back();
  size_t slash = path.rfind('/');
  std::string last = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = last.find('.');
  if (dot != std::string::npos && dot > 0) last.resize(dot);
  return last;
}

}  // namespace samizdat
