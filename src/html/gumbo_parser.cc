// Gumbo-backed HtmlParser. Gumbo builds its own tree, which we copy into the arena DOM
// iteratively; gumbo frees its tree recursively, so both steps run on a thread with a
// large stack to stay safe on pathologically deep documents.
#include <gumbo.h>
#include <pthread.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "html/nesting_cap.h"
#include "html/parser.h"
#include "util/strings.h"

namespace samizdat::html {
namespace {

// Like Blink's tree builder, elements nested deeper than this become children of the
// ancestor at this depth, which bounds every ancestor walk later in the pipeline.
constexpr int kMaxTreeDepth = 512;

struct Pending {
  const GumboNode* gparent;
  Node* parent;
  int depth;
};

void ConvertTree(const GumboNode* groot, Document& doc) {
  std::vector<Pending> stack;
  stack.push_back({groot, doc.root(), 0});
  std::string name_buf;
  while (!stack.empty()) {
    auto [gparent, parent, depth] = stack.back();
    stack.pop_back();
    const GumboVector* children = gparent->type == GUMBO_NODE_DOCUMENT
                                      ? &gparent->v.document.children
                                      : &gparent->v.element.children;
    for (unsigned i = 0; i < children->length; ++i) {
      const auto* g = static_cast<const GumboNode*>(children->data[i]);
      switch (g->type) {
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_WHITESPACE:
        case GUMBO_NODE_CDATA: {
          Node* t = doc.CreateText(g->v.text.text);
          doc.AppendChild(parent, t);
          break;
        }
        case GUMBO_NODE_COMMENT:
          doc.AppendChild(parent, doc.CreateComment(g->v.text.text));
          break;
        case GUMBO_NODE_ELEMENT:
        case GUMBO_NODE_TEMPLATE: {
          const GumboElement& el = g->v.element;
          Node* e;
          if (el.tag != GUMBO_TAG_UNKNOWN) {
            e = doc.CreateElement(gumbo_normalized_tagname(el.tag));
          } else {
            GumboStringPiece piece = el.original_tag;
            gumbo_tag_from_original_text(&piece);
            name_buf = AsciiLowerCopy(std::string_view(piece.data, piece.length));
            e = doc.CreateElement(name_buf.empty() ? std::string_view("unknown") : name_buf);
          }
          for (unsigned k = 0; k < el.attributes.length; ++k) {
            const auto* a = static_cast<const GumboAttribute*>(el.attributes.data[k]);
            name_buf = AsciiLowerCopy(a->name);
            if (!e->HasAttr(name_buf)) doc.SetAttr(e, name_buf, a->value);
          }
          doc.AppendChild(parent, e);
          if (el.children.length > 0) {
            if (depth + 1 < kMaxTreeDepth) {
              stack.push_back({g, e, depth + 1});
            } else {
              // Flatten: the children are appended after `e` as its siblings' content.
              stack.push_back({g, parent, depth});
            }
          }
          break;
        }
        case GUMBO_NODE_DOCUMENT:
          break;
      }
    }
  }
}

// Gumbo's tree builder spends time per tag in proportion to the nesting depth and
// re-creates open formatting elements on every text run; it never sees more than the caps,
// and the page says what was cut. Returns the input to parse (`html` or `*capped`).
std::string_view CapParserWork(std::string_view html, std::string* capped, Document& doc) {
  NestingLimits limits;
  limits.max_depth = kMaxTreeDepth;
  NestingReport report = CapNesting(html, limits, capped);
  if (report.depth_capped)
    doc.AddParseWarning("nesting deeper than " + std::to_string(limits.max_depth) +
                        " levels flattened");
  if (report.formatting_capped)
    doc.AddParseWarning("more than " + std::to_string(limits.max_open_formatting) +
                        " open formatting elements dropped");
  if (report.truncated)
    doc.AddParseWarning("page cut off after " + std::to_string(limits.max_nodes) + " nodes");
  return report.changed() ? std::string_view(*capped) : html;
}

struct ParseJob {
  std::string_view html;
  std::unique_ptr<Document> doc;
};

void RunParse(ParseJob* job) {
  job->doc = std::make_unique<Document>();
  std::string capped;
  std::string_view html = CapParserWork(job->html, &capped, *job->doc);
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // error records are never used; collecting them costs time
  GumboOutput* out = gumbo_parse_with_options(&options, html.data(), html.size());
  if (out) {
    ConvertTree(out->document, *job->doc);
    gumbo_destroy_output(&options, out);
  }
}

void* ParseThreadMain(void* arg) {
  RunParse(static_cast<ParseJob*>(arg));
  return nullptr;
}

class GumboParserImpl final : public HtmlParser {
 public:
  std::unique_ptr<Document> Parse(std::string_view html) const override {
    ParseJob job{html, nullptr};
    // Small inputs cannot nest deeply enough to threaten the stack.
    if (html.size() < 64 * 1024) {
      RunParse(&job);
      return std::move(job.doc);
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    // Stack pages are only committed when touched, so a large reservation is cheap.
    pthread_attr_setstacksize(&attr, size_t{1} << 30);
    pthread_t thread;
    int rc = pthread_create(&thread, &attr, ParseThreadMain, &job);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
      RunParse(&job);
    } else {
      pthread_join(thread, nullptr);
    }
    return std::move(job.doc);
  }
};

}  // namespace

const HtmlParser& GumboHtmlParser() {
  static const GumboParserImpl parser;
  return parser;
}

std::unique_ptr<Document> ParseHtml(std::string_view html) { return GumboHtmlParser().Parse(html); }

}  // namespace samizdat::html
