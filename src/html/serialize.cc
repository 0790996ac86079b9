#include "html/serialize.h"

#include <vector>

namespace samizdat::html {

namespace {

// The one escaping loop: &, < and > always; " in attribute values; newlines as "&#10;"
// where the output must not break a line (pre text also drops carriage returns).
void AppendEscaped(std::string& out, std::string_view text, bool quote, bool newline_ref,
                   bool drop_cr) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        if (quote)
          out += "&quot;";
        else
          out.push_back(c);
        break;
      case '\n':
        if (newline_ref)
          out += "&#10;";
        else
          out.push_back(c);
        break;
      case '\r':
        if (!drop_cr) out.push_back(c);
        break;
      default:
        out.push_back(c);
    }
  }
}

}  // namespace

void AppendEscapedText(std::string& out, std::string_view text) {
  AppendEscaped(out, text, false, false, false);
}

void AppendEscapedAttr(std::string& out, std::string_view value) {
  AppendEscaped(out, value, true, true, false);
}

namespace {

bool IsRawText(const Node* n) { return n->Is(Tag::k_script) || n->Is(Tag::k_style); }

void OpenTag(std::string& out, const Node* n, const SerializeOptions& o) {
  out.push_back('<');
  out.append(n->name);
  for (const Attribute* a = n->attrs; a; a = a->next) {
    out.push_back(' ');
    out.append(a->name);
    out += "=\"";
    AppendEscapedAttr(out, a->value);
    out.push_back('"');
  }
  if (IsVoidTag(n->tag) && o.xhtml_void) out.push_back('/');
  out.push_back('>');
}

void CloseTag(std::string& out, const Node* n) {
  if (IsVoidTag(n->tag)) return;
  out += "</";
  out.append(n->name);
  out.push_back('>');
}

void AppendText(std::string& out, const Node* n, int pre_depth, const SerializeOptions& o) {
  if (n->parent && IsRawText(n->parent)) {
    out.append(n->data);
    return;
  }
  const bool pre_block = pre_depth > 0 && o.encode_pre_newlines;
  AppendEscaped(out, n->data, false, pre_block, pre_block);
}

// Iterative walk: serialisation must survive the deepest trees the parser produces.
void Serialize(std::string& out, const Node* scope, bool include_self, const SerializeOptions& o) {
  int pre_depth = 0;
  for (const Node* p = scope; p; p = p->parent)
    if (p->Is(Tag::k_pre) || p->Is(Tag::k_textarea)) ++pre_depth;
  if (include_self) {
    if (scope->type == NodeType::kText) {
      AppendText(out, scope, pre_depth, o);
      return;
    }
    if (scope->type == NodeType::kComment) {
      out += "<!--";
      out.append(scope->data);
      out += "-->";
      return;
    }
    if (scope->IsElement()) OpenTag(out, scope, o);
  }
  const Node* n = scope->first_child;
  while (n) {
    if (n->type == NodeType::kText) {
      AppendText(out, n, pre_depth, o);
    } else if (n->type == NodeType::kComment) {
      out += "<!--";
      out.append(n->data);
      out += "-->";
    } else if (n->IsElement()) {
      OpenTag(out, n, o);
      if (n->first_child && !IsVoidTag(n->tag)) {
        if (n->Is(Tag::k_pre) || n->Is(Tag::k_textarea)) ++pre_depth;
        n = n->first_child;
        continue;
      }
      CloseTag(out, n);
    }
    // Move to the next node, closing finished ancestors.
    while (n && n != scope && !n->next_sibling) {
      n = n->parent;
      if (n && n != scope) {
        if (n->Is(Tag::k_pre) || n->Is(Tag::k_textarea)) --pre_depth;
        CloseTag(out, n);
      }
    }
    if (!n || n == scope) break;
    n = n->next_sibling;
  }
  if (include_self && scope->IsElement()) CloseTag(out, scope);
}

}  // namespace

std::string OuterHtml(const Node* node, const SerializeOptions& options) {
  std::string out;
  Serialize(out, node, true, options);
  return out;
}

std::string InnerHtml(const Node* node, const SerializeOptions& options) {
  std::string out;
  Serialize(out, node, false, options);
  return out;
}

}  // namespace samizdat::html
