#include "extract/images.h"

#include <cstdlib>

#include "util/strings.h"

namespace samizdat::extract {

bool IsPlaceholderSource(std::string_view src) {
  std::string_view s = TrimAscii(src);
  if (s.empty()) return true;
  if (StartsWithIgnoreCase(s, "data:")) return true;
  for (std::string_view marker :
       {"blank.gif", "spacer.gif", "pixel.gif", "placeholder", "lazy.gif", "lazyload",
        "loading.gif", "transparent.gif", "1x1", "grey.gif", "gray.gif"})
    if (ContainsIgnoreCase(s, marker)) return true;
  return false;
}

std::string WidestSrcsetCandidate(std::string_view srcset) {
  std::string best;
  double best_w = -1;
  size_t i = 0;
  while (i < srcset.size()) {
    while (i < srcset.size() && (IsAsciiSpace(srcset[i]) || srcset[i] == ',')) ++i;
    size_t start = i;
    while (i < srcset.size() && !IsAsciiSpace(srcset[i])) ++i;
    std::string_view url = srcset.substr(start, i - start);
    // A URL may itself end with a comma when no descriptor follows.
    bool ended_by_comma = !url.empty() && url.back() == ',';
    if (ended_by_comma) url.remove_suffix(1);
    double w = 1;
    if (!ended_by_comma) {
      while (i < srcset.size() && IsAsciiSpace(srcset[i])) ++i;
      size_t dstart = i;
      while (i < srcset.size() && srcset[i] != ',') ++i;
      std::string desc(TrimAscii(srcset.substr(dstart, i - dstart)));
      if (!desc.empty()) {
        double v = std::atof(desc.c_str());
        if (desc.back() == 'w')
          w = v;
        else if (desc.back() == 'x')
          w = v * 1000;  // density: rank after widths of ~1000px
      }
    }
    if (!url.empty() && w > best_w && !StartsWithIgnoreCase(url, "data:")) {
      best_w = w;
      best = std::string(url);
    }
  }
  return best;
}

std::string BestImageSource(const html::Node* img) {
  for (std::string_view attr : {"data-src", "data-original", "data-lazy-src", "data-url",
                                "data-actualsrc", "data-original-src", "data-hi-res-src",
                                "data-full-src", "data-echo", "data-lazyload", "original"}) {
    std::string_view v = TrimAscii(img->Attr(attr));
    if (!v.empty() && !StartsWithIgnoreCase(v, "data:")) return std::string(v);
  }
  std::string_view src = TrimAscii(img->Attr("src"));
  if (!IsPlaceholderSource(src)) return std::string(src);
  for (std::string_view attr : {"data-srcset", "data-lazy-srcset", "srcset"}) {
    std::string best = WidestSrcsetCandidate(img->Attr(attr));
    if (!best.empty()) return best;
  }
  return std::string(src.empty() || StartsWithIgnoreCase(src, "data:") ? std::string_view() : src);
}

}  // namespace samizdat::extract
