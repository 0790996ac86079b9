#include "publish/share.h"

#include "render/qr.h"

namespace samizdat::publish {
namespace {

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string Stem(const std::string& relative) {
  size_t slash = relative.rfind('/');
  size_t dot = relative.rfind('.');
  return dot == std::string::npos || (slash != std::string::npos && dot < slash)
             ? relative
             : relative.substr(0, dot);
}

std::string BaseName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

std::string PercentEncodePath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (Unreserved(c) || c == '/') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string PercentEncodeNonAscii(std::string_view url) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : url) {
    if (c > 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::vector<std::string> ShareFileNames(size_t hosts, const std::string& relative) {
  std::vector<std::string> names;
  for (size_t i = 1; i <= hosts; ++i)
    names.push_back(Stem(relative) + ".qr" + std::to_string(i) + ".svg");
  return names;
}

ShareBlock ShareBlockFor(const std::vector<std::string>& public_urls, const std::string& relative,
                         bool inline_svg) {
  ShareBlock block;
  std::vector<std::string> files = ShareFileNames(public_urls.size(), relative);
  for (size_t i = 0; i < public_urls.size(); ++i) {
    render::ShareCode code;
    code.url = PercentEncodeNonAscii(public_urls[i]) + PercentEncodePath(relative);
    if (inline_svg) {
      code.svg = render::QrSvg(code.url).value_or("");
    } else if (std::optional<std::string> svg = render::QrSvgFile(code.url)) {
      code.svg_href = BaseName(files[i]);
      block.files.emplace_back(files[i], std::move(*svg));
    }
    block.codes.push_back(std::move(code));
  }
  return block;
}

}  // namespace samizdat::publish
