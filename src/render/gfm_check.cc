#include "render/gfm_check.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <cstdlib>
#include <mutex>

namespace samizdat::render {

GfmReport CheckGfm(std::string_view markdown) {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
  GfmReport report;
  cmark_parser* parser = cmark_parser_new(CMARK_OPT_DEFAULT);
  for (const char* name : {"tagfilter", "table", "strikethrough", "autolink"}) {
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser, ext);
  }
  cmark_parser_feed(parser, markdown.data(), markdown.size());
  cmark_node* doc = cmark_parser_finish(parser);
  for (cmark_node* n = cmark_node_first_child(doc); n; n = cmark_node_next(n)) {
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_HTML_BLOCK:
        report.html_blocks++;
        report.html_block_lines.emplace_back(cmark_node_get_start_line(n),
                                             cmark_node_get_end_line(n));
        break;
      case CMARK_NODE_CODE_BLOCK:
        report.code_blocks++;
        break;
      case CMARK_NODE_PARAGRAPH:
        report.paragraphs++;
        break;
      case CMARK_NODE_HEADING:
        report.headings++;
        break;
      case CMARK_NODE_THEMATIC_BREAK:
        report.thematic_breaks++;
        break;
      default:
        break;
    }
  }
  char* html = cmark_render_html(doc, CMARK_OPT_DEFAULT | CMARK_OPT_UNSAFE,
                                 cmark_parser_get_syntax_extensions(parser));
  report.html = html;
  std::free(html);
  cmark_node_free(doc);
  cmark_parser_free(parser);
  return report;
}

}  // namespace samizdat::render
