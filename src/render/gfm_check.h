// What GitHub will make of a Markdown page: cmark-gfm with GitHub's extensions
// (tagfilter, table, strikethrough, autolink). Used by the render, build and end-to-end
// tests to check how GitHub will show the pages samizdat writes.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace samizdat::render {

struct GfmReport {
  std::string html;     // the rendered HTML
  int html_blocks = 0;  // top-level raw HTML blocks
  int code_blocks = 0;  // top-level code blocks (indented or fenced)
  int paragraphs = 0;   // top-level paragraphs
  int headings = 0;
  int thematic_breaks = 0;
  // First and last source line (1-based) of each top-level raw HTML block.
  std::vector<std::pair<int, int>> html_block_lines;
};

GfmReport CheckGfm(std::string_view markdown);

}  // namespace samizdat::render
