// QR codes as SVG, for the share block of every page. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace samizdat::render {

// The QR code of `text` (8-bit mode, error correction level M, a 4-module quiet zone) as
// one SVG element: white background, one black path, `module_px` pixels per module,
// role="img" and an aria-label naming the text. nullopt when the text does not fit a QR
// code (over ~2.3 kB).
std::optional<std::string> QrSvg(std::string_view text, int module_px = 4);

// The same as a standalone .svg file (XML declaration first).
std::optional<std::string> QrSvgFile(std::string_view text, int module_px = 4);

}  // namespace samizdat::render
