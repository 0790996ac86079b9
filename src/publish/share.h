// Share blocks: a page's public address on each host the mirror is served from
// ([site] public_urls), with its QR code. Pure.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "render/page_options.h"

namespace samizdat::publish {

// `path` with every byte outside RFC 3986's unreserved set and '/' percent-encoded (UTF-8
// Chinese file names become %E4%B8%AD...), so the URL survives messaging apps and QR
// readers exactly.
std::string PercentEncodePath(std::string_view path);

// `url` with its non-ASCII bytes, spaces and control characters percent-encoded (a
// configured address such as "https://host/镜像/"), the rest as it is.
std::string PercentEncodeNonAscii(std::string_view url);

struct ShareBlock {
  std::vector<render::ShareCode> codes;
  // classic/markdown: the sibling .svg files to write, (tree-relative path, contents).
  std::vector<std::pair<std::string, std::string>> files;
};

// The share block of the page at `relative` (from its tree's root): one code per public
// URL. With `inline_svg` (html) the QR codes go inside the page; otherwise each is a
// sibling file "<page stem>.qr<n>.svg" the page links to.
ShareBlock ShareBlockFor(const std::vector<std::string>& public_urls, const std::string& relative,
                         bool inline_svg);

// The sibling files ShareBlockFor writes for `relative` (to keep them when the page is
// up to date).
std::vector<std::string> ShareFileNames(size_t hosts, const std::string& relative);

}  // namespace samizdat::publish
