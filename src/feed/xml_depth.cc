#include "feed/xml_depth.h"

namespace samizdat::feed {
namespace {

enum class MarkupKind { kStartTag, kEmptyTag, kEndTag, kOther };

struct Markup {
  MarkupKind kind = MarkupKind::kOther;
  size_t end = 0;  // one past the markup's last byte
};

// One past `terminator` found at or after `from`, or the end of the text.
size_t After(std::string_view xml, size_t from, std::string_view terminator) {
  size_t pos = xml.find(terminator, from);
  return pos == std::string_view::npos ? xml.size() : pos + terminator.size();
}

// The end of a tag starting at `start`: the first '>' outside a quoted attribute value.
size_t TagEnd(std::string_view xml, size_t start) {
  for (size_t i = start + 1; i < xml.size(); ++i) {
    char c = xml[i];
    if (c == '"' || c == '\'') {
      size_t close = xml.find(c, i + 1);
      if (close == std::string_view::npos) return xml.size();
      i = close;
    } else if (c == '>') {
      return i + 1;
    }
  }
  return xml.size();
}

// A DOCTYPE may hold an internal subset in brackets, which contains '>' itself.
size_t DoctypeEnd(std::string_view xml, size_t start) {
  size_t gt = xml.find('>', start);
  size_t bracket = xml.find('[', start);
  if (bracket != std::string_view::npos && (gt == std::string_view::npos || bracket < gt))
    return After(xml, bracket, "]>");
  return gt == std::string_view::npos ? xml.size() : gt + 1;
}

// Classifies the markup that starts with the '<' at `start`.
Markup ReadMarkup(std::string_view xml, size_t start) {
  std::string_view rest = xml.substr(start);
  if (rest.substr(0, 4) == "<!--") return {MarkupKind::kOther, After(xml, start + 4, "-->")};
  if (rest.substr(0, 9) == "<![CDATA[") return {MarkupKind::kOther, After(xml, start + 9, "]]>")};
  if (rest.substr(0, 2) == "<?") return {MarkupKind::kOther, After(xml, start + 2, "?>")};
  if (rest.substr(0, 2) == "<!") return {MarkupKind::kOther, DoctypeEnd(xml, start)};
  size_t end = TagEnd(xml, start);
  if (rest.substr(0, 2) == "</") return {MarkupKind::kEndTag, end};
  bool empty = end >= 2 && xml[end - 1] == '>' && xml[end - 2] == '/';
  return {empty ? MarkupKind::kEmptyTag : MarkupKind::kStartTag, end};
}

}  // namespace

bool CapXmlDepth(std::string_view xml, int max_depth, std::string* out) {
  int depth = 0;
  bool removed = false;
  size_t copied_to = 0;                       // xml[0, copied_to) is settled in `out`
  size_t drop_from = std::string_view::npos;  // start of the element being dropped
  for (size_t lt = xml.find('<'); lt != std::string_view::npos; lt = xml.find('<', lt)) {
    Markup m = ReadMarkup(xml, lt);
    if (m.kind == MarkupKind::kStartTag || m.kind == MarkupKind::kEmptyTag) {
      if (drop_from == std::string_view::npos && depth + 1 > max_depth) {
        if (!removed) out->clear();
        removed = true;
        out->append(xml.substr(copied_to, lt - copied_to));
        drop_from = lt;
      }
      if (m.kind == MarkupKind::kStartTag) ++depth;
    } else if (m.kind == MarkupKind::kEndTag && depth > 0) {
      --depth;
    }
    if (drop_from != std::string_view::npos && depth <= max_depth) {
      copied_to = m.end;  // the dropped element ended with this markup
      drop_from = std::string_view::npos;
    }
    lt = m.end;
  }
  if (!removed) return false;
  if (drop_from == std::string_view::npos) out->append(xml.substr(copied_to));
  return true;
}

}  // namespace samizdat::feed
