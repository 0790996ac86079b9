// libFuzzer target: HTML -> parse -> clean -> Markdown, checking what the renderer promises
// for any input: the Markdown is valid UTF-8, and no "<script" reaches it unescaped (text
// that looks like a tag is written with a backslash, and script elements are removed).
// Run by scripts/fuzz.sh in CI.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "clean/clean.h"
#include "html/parser.h"
#include "render/markdown.h"
#include "util/strings.h"

namespace {

// True when `md` holds "<script" (any case) not escaped as "\<script".
bool HasRawScriptTag(const std::string& md) {
  std::string lower = samizdat::AsciiLowerCopy(md);
  for (size_t p = lower.find("<script"); p != std::string::npos; p = lower.find("<script", p + 1))
    if (p == 0 || lower[p - 1] != '\\') return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view html(reinterpret_cast<const char*>(data), size);
  auto doc = samizdat::html::ParseHtml(html);
  samizdat::html::Node* body = doc->body();
  if (body) {
    samizdat::clean::CleanOptions co;
    samizdat::clean::CleanBody(*doc, body, "https://news.example.org/a/b.html", co);
  }
  std::string md = samizdat::render::ToMarkdown(body);
  if (!samizdat::IsValidUtf8(md)) __builtin_trap();
  if (HasRawScriptTag(md)) __builtin_trap();
  return 0;
}
