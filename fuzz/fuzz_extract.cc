// libFuzzer target: bytes -> charset -> parse -> extract -> clean -> every renderer.
// Any crash, sanitizer report, or hang is a bug. Run by scripts/fuzz.sh in CI.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "clean/clean.h"
#include "config/config.h"
#include "extract/extract.h"
#include "render/gfm_check.h"
#include "render/markdown.h"
#include "render/page.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  samizdat::extract::ExtractOptions eo;
  // The first byte picks a URL so that profile paths are exercised too.
  eo.url = (size > 0 && (data[0] & 1)) ? "https://www.epochtimes.com/gb/26/9/20/n1.htm"
                                       : "https://news.example.org/a/b.html";
  auto article = samizdat::extract::Extract(bytes, eo);
  samizdat::clean::CleanOptions co;
  co.links = (size > 1 && (data[1] & 1)) ? samizdat::clean::LinkPolicy::kNeutralize
                                         : samizdat::clean::LinkPolicy::kKeep;
  co.heading_shift = 2;
  samizdat::clean::CleanArticle(article, co);
  samizdat::render::ToText(article.body);
  std::string md = samizdat::render::ToMarkdown(article.body);
  samizdat::config::SiteConfig site;
  site.menu = "#### [home](../..)";
  for (auto theme : {samizdat::config::Theme::kClassic, samizdat::config::Theme::kMarkdown,
                     samizdat::config::Theme::kHtml}) {
    std::string page =
        samizdat::render::RenderPage(article, samizdat::config::PageOptionsOf(site), theme);
    // The classic body must stay one HTML block: no blank line inside it.
    if (theme == samizdat::config::Theme::kClassic && article.body) {
      std::string body = samizdat::render::BodyHtmlBlock(article.body);
      if (body.find("\n\n") != std::string::npos) __builtin_trap();
    }
  }
  samizdat::render::CheckGfm(md);
  return 0;
}
