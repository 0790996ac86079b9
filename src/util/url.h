// URL handling backed by libcurl's URL API (RFC 3986 parsing and resolution). Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace samizdat {

// Resolves `ref` against `base`. Returns nullopt when the result is not an absolute
// http(s), ftp, data or mailto URL (so "javascript:" and junk never come back).
// With an empty base, only absolute references resolve; "//host/x" gets https.
std::optional<std::string> ResolveUrl(std::string_view base, std::string_view ref);

// The lower-cased host of an absolute URL, or "" when it has none.
std::string UrlHost(std::string_view url);

// The path of an absolute URL ("/gb/21/8/31/n13199494.htm"), or "".
std::string UrlPath(std::string_view url);

// The last path segment without its extension: the seed's article id ("n13199494").
std::string UrlFileStem(std::string_view url);

// The scheme, lower-cased ("https"), or "" when the string has none.
std::string UrlScheme(std::string_view url);

}  // namespace samizdat
