#include "render/qr.h"

#include <qrencode.h>

#include <memory>

#include "render/escape.h"

namespace samizdat::render {
namespace {

constexpr int kQuietZone = 4;

struct QrFree {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

// One "M x yh1v1h-1z" square per dark module, run-length merged along each row.
std::string ModulePath(const QRcode& code) {
  std::string d;
  const int w = code.width;
  for (int y = 0; y < w; ++y) {
    for (int x = 0; x < w;) {
      if (!(code.data[y * w + x] & 1)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < w && (code.data[y * w + x + run] & 1)) ++run;
      d += "M" + std::to_string(x + kQuietZone) + " " + std::to_string(y + kQuietZone) + "h" +
           std::to_string(run) + "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  }
  return d;
}

}  // namespace

std::optional<std::string> QrSvg(std::string_view text, int module_px) {
  std::string data(text);
  std::unique_ptr<QRcode, QrFree> code(
      QRcode_encodeData(static_cast<int>(data.size()),
                        reinterpret_cast<const unsigned char*>(data.data()), 0, QR_ECLEVEL_M));
  if (!code) return std::nullopt;
  const int size = code->width + 2 * kQuietZone;
  const std::string n = std::to_string(size), px = std::to_string(size * module_px);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px + "\" height=\"" + px +
         "\" viewBox=\"0 0 " + n + " " + n + "\" shape-rendering=\"crispEdges\" role=\"img\" " +
         "aria-label=\"QR: " + EscapeHtml(text) + "\"><rect width=\"" + n + "\" height=\"" + n +
         "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + ModulePath(*code) + "\"/></svg>";
}

std::optional<std::string> QrSvgFile(std::string_view text, int module_px) {
  std::optional<std::string> svg = QrSvg(text, module_px);
  if (!svg) return std::nullopt;
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + *svg + "\n";
}

}  // namespace samizdat::render
