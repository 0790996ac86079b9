#include "render/markdown.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "util/strings.h"

namespace samizdat::render {
namespace {

using html::Node;
using html::Tag;

enum class Mode { kMarkdown, kText };

bool IsBlock(const Node* n) {
  if (!n->IsElement()) return false;
  return html::IsBlockTag(n->tag) && !n->Is(Tag::k_br);
}

bool ContainsBlock(const Node* n) {
  for (const Node* c = n->first_child; c; c = html::NextInTree(c, n))
    if (IsBlock(c)) return true;
  return false;
}

void EscapeMarkdown(std::string& out, std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    switch (c) {
      case '\\':
      case '*':
      case '_':
      case '`':
      case '[':
      case ']':
      case '<':
      case '>':
      case '~':
      case '|':
        out.push_back('\\');
        out.push_back(c);
        break;
      case '&': {
        // Only an ampersand that would start an entity ("&amp;", "&#39;") needs escaping.
        size_t k = i + 1;
        if (k < text.size() && text[k] == '#') ++k;
        size_t start = k;
        while (k < text.size() && isalnum(static_cast<unsigned char>(text[k]))) ++k;
        out += (k > start && k < text.size() && text[k] == ';') ? "&amp;" : "&";
        break;
      }
      default:
        out.push_back(c);
    }
  }
}

std::string EscapeUrl(std::string_view url) {
  std::string out;
  for (char c : url) {
    if (c == ' ')
      out += "%20";
    else if (c == '(')
      out += "%28";
    else if (c == ')')
      out += "%29";
    else if (c == '<' || c == '>')
      out += c == '<' ? "%3C" : "%3E";
    else
      out.push_back(c);
  }
  return out;
}

// Trims each line and drops space-only lines; collapses runs of spaces.
std::string TidyInline(const std::string& raw) {
  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  while (i <= raw.size()) {
    size_t nl = raw.find('\n', i);
    if (nl == std::string::npos) nl = raw.size();
    std::string line = CollapseWhitespace(std::string_view(raw).substr(i, nl - i));
    // A hard break in Markdown is "  \n"; CollapseWhitespace removed the trailing spaces.
    bool hard = nl >= 2 && nl < raw.size() && raw.compare(nl - 2, 2, "  ") == 0;
    if (!line.empty()) {
      if (!out.empty()) out += "\n";
      out += line;
      if (hard) out += "  ";
    }
    i = nl + 1;
  }
  while (out.size() >= 2 && out.compare(out.size() - 2, 2, "  ") == 0) out.resize(out.size() - 2);
  return out;
}

// Protects a line start that Markdown would read as a block marker.
std::string ProtectLineStarts(const std::string& s) {
  std::string out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t nl = s.find('\n', i);
    if (nl == std::string::npos) nl = s.size();
    std::string_view line = std::string_view(s).substr(i, nl - i);
    if (!line.empty()) {
      char c = line[0];
      if (c == '#' || c == '+' || c == '-' || c == '=') {
        out.push_back('\\');
      } else if (isdigit(static_cast<unsigned char>(c))) {
        size_t k = 0;
        while (k < line.size() && isdigit(static_cast<unsigned char>(line[k]))) ++k;
        if (k < line.size() && (line[k] == '.' || line[k] == ')') && k < 10) {
          out.append(line.substr(0, k));
          out.push_back('\\');
          line = line.substr(k);
        }
      }
    }
    out.append(line);
    if (nl < s.size()) out.push_back('\n');
    i = nl + 1;
  }
  return out;
}

std::string Indent(const std::string& s, std::string_view first, std::string_view rest) {
  std::string out;
  bool first_line = true;
  size_t i = 0;
  while (i <= s.size()) {
    size_t nl = s.find('\n', i);
    if (nl == std::string::npos) nl = s.size();
    std::string_view line = std::string_view(s).substr(i, nl - i);
    if (first_line) {
      out.append(first);
    } else if (!line.empty()) {
      out.append(rest);
    } else if (!rest.empty() && rest[0] == '>') {
      out.append(TrimAscii(rest));
    }
    out.append(line);
    if (nl < s.size()) out.push_back('\n');
    first_line = false;
    i = nl + 1;
  }
  return out;
}

class Renderer {
 public:
  explicit Renderer(Mode mode) : mode_(mode) {}

  // `list_item`: a nested list follows its item's text without a blank line, which keeps
  // the list tight.
  std::string Blocks(const Node* container, bool list_item = false) {
    std::vector<std::string> blocks;
    std::vector<bool> is_list;
    std::string inline_run;
    auto flush = [&] {
      std::string tidy = TidyInline(inline_run);
      inline_run.clear();
      if (tidy.empty()) return;
      blocks.push_back(md() ? ProtectLineStarts(tidy) : tidy);
    };
    for (const Node* c = container->first_child; c; c = c->next_sibling) {
      if (c->IsText() || (c->IsElement() && !IsBlock(c) && !ContainsBlock(c))) {
        Inline(c, inline_run);
        continue;
      }
      if (!c->IsElement()) continue;
      if (!IsBlock(c)) {
        // An inline element wrapping blocks (<a><div>..</div></a>): treat as a container.
        flush();
        std::string inner = Blocks(c);
        if (!inner.empty()) blocks.push_back(inner);
        continue;
      }
      flush();
      std::string b = Block(c);
      if (!b.empty()) {
        blocks.push_back(b);
        is_list.resize(blocks.size() - 1);
        is_list.push_back(c->Is(Tag::k_ul) || c->Is(Tag::k_ol));
      }
    }
    flush();
    is_list.resize(blocks.size());
    std::string out;
    for (size_t i = 0; i < blocks.size(); ++i) {
      if (!out.empty()) out += (list_item && is_list[i]) ? "\n" : "\n\n";
      out += blocks[i];
    }
    return out;
  }

 private:
  bool md() const { return mode_ == Mode::kMarkdown; }

  std::string Block(const Node* e) {
    int level = html::HeadingLevel(e->tag);
    if (level) {
      std::string raw;
      InlineChildren(e, raw);
      std::string text = CollapseWhitespace(raw);
      if (text.empty()) return {};
      return md() ? std::string(level, '#') + " " + text : text;
    }
    switch (e->tag) {
      case Tag::k_hr:
        return md() ? "* * *" : "";
      case Tag::k_pre:
        return Pre(e);
      case Tag::k_blockquote: {
        std::string inner = Blocks(e);
        if (inner.empty()) return {};
        return md() ? Indent(inner, "> ", "> ") : inner;
      }
      case Tag::k_ul:
      case Tag::k_ol:
        return List(e);
      case Tag::k_table:
        return Table(e);
      case Tag::k_dl: {
        std::string out;
        for (const Node* c = e->first_child; c; c = c->next_sibling) {
          if (!c->IsElement()) continue;
          std::string inner = Blocks(c);
          if (inner.empty()) continue;
          if (!out.empty()) out += "\n\n";
          if (md() && c->Is(Tag::k_dt))
            out += "**" + inner + "**";
          else
            out += inner;
        }
        return out;
      }
      case Tag::k_figure:
      case Tag::k_figcaption:
      default:
        return Blocks(e);
    }
  }

  std::string Pre(const Node* e) {
    std::string code = html::TextContent(e);
    while (!code.empty() && (code.back() == '\n' || code.back() == '\r')) code.pop_back();
    if (!code.empty() && code.front() == '\n') code.erase(0, 1);
    if (!md()) return code;
    // A fence longer than any backtick run inside.
    size_t longest = 0, run = 0;
    for (char c : code) {
      run = c == '`' ? run + 1 : 0;
      longest = std::max(longest, run);
    }
    std::string fence(std::max<size_t>(3, longest + 1), '`');
    return fence + "\n" + code + "\n" + fence;
  }

  std::string List(const Node* e) {
    bool ordered = e->Is(Tag::k_ol);
    int number = 1;
    if (ordered && e->HasAttr("start")) number = std::atoi(std::string(e->Attr("start")).c_str());
    std::string out;
    bool loose = false;
    for (const Node* li = e->first_child; li; li = li->next_sibling) {
      if (!li->IsElement()) continue;
      std::string inner = li->Is(Tag::k_li) ? Blocks(li, true) : Block(li);
      if (inner.empty()) continue;
      if (inner.find("\n\n") != std::string::npos) loose = true;
      std::string marker;
      if (!md()) {
        marker = "";
      } else if (ordered) {
        marker = std::to_string(number++) + ". ";
      } else {
        marker = "- ";
      }
      std::string indent(marker.size(), ' ');
      if (!out.empty()) out += loose ? "\n\n" : "\n";
      out += Indent(inner, marker, indent);
    }
    return out;
  }

  std::string Table(const Node* table) {
    std::vector<std::vector<std::string>> rows;
    bool header_row = false;
    bool simple = true;
    for (const Node* n = table->first_child; n; n = html::NextInTree(n, table)) {
      if (n->Is(Tag::k_table) && n != table) simple = false;
      if (!n->Is(Tag::k_tr)) continue;
      // Only rows of this table, not of a nested one.
      const Node* owner = n->parent;
      while (owner && !owner->Is(Tag::k_table)) owner = owner->parent;
      if (owner != table) continue;
      std::vector<std::string> cells;
      bool all_th = true;
      for (const Node* c = n->first_child; c; c = c->next_sibling) {
        if (!c->Is(Tag::k_td) && !c->Is(Tag::k_th)) continue;
        if (!c->Is(Tag::k_th)) all_th = false;
        if (ContainsBlock(c)) simple = false;
        std::string raw;
        if (ContainsBlock(c)) {
          raw = Blocks(c);
        } else {
          InlineChildren(c, raw);
        }
        cells.push_back(raw);
      }
      if (rows.empty() && all_th && !cells.empty()) header_row = true;
      if (!cells.empty()) rows.push_back(std::move(cells));
    }
    if (rows.empty()) return {};
    if (!md() || !simple) {
      // Layout tables and text mode: each cell's content as its own block.
      std::string out;
      for (auto& row : rows) {
        std::string line;
        for (auto& cell : row) {
          std::string c = md() ? cell : TidyInline(cell);
          if (simple) c = CollapseWhitespace(c);
          if (c.empty()) continue;
          if (!line.empty()) line += simple ? (md() ? " " : "\t") : "\n\n";
          line += c;
        }
        if (line.empty()) continue;
        if (!out.empty()) out += simple ? "\n" : "\n\n";
        out += line;
      }
      return out;
    }
    size_t cols = 0;
    for (auto& r : rows) cols = std::max(cols, r.size());
    auto row_text = [&](const std::vector<std::string>& r) {
      std::string line = "|";
      for (size_t i = 0; i < cols; ++i) {
        std::string cell = i < r.size() ? CollapseWhitespace(r[i]) : "";
        line += " " + cell + " |";
      }
      return line;
    };
    std::string out;
    size_t start = 0;
    if (header_row) {
      out = row_text(rows[0]);
      start = 1;
    } else {
      out = row_text(std::vector<std::string>(cols));
    }
    out += "\n|";
    for (size_t i = 0; i < cols; ++i) out += " --- |";
    for (size_t r = start; r < rows.size(); ++r) out += "\n" + row_text(rows[r]);
    return out;
  }

  void InlineChildren(const Node* e, std::string& out) {
    for (const Node* c = e->first_child; c; c = c->next_sibling) Inline(c, out);
  }

  void Inline(const Node* n, std::string& out) {
    if (n->IsText()) {
      if (md()) {
        EscapeMarkdown(out, n->data);
      } else {
        out.append(n->data);
      }
      return;
    }
    if (!n->IsElement()) return;
    switch (n->tag) {
      case Tag::k_br:
        out += md() ? "  \n" : "\n";
        return;
      case Tag::k_img:
        InlineImage(n, out);
        return;
      case Tag::k_a:
        InlineLink(n, out);
        return;
      case Tag::k_em:
      case Tag::k_i:
      case Tag::k_cite:
      case Tag::k_var:
        Wrap(n, out, "*");
        return;
      case Tag::k_strong:
      case Tag::k_b:
        Wrap(n, out, "**");
        return;
      case Tag::k_del:
      case Tag::k_s:
      case Tag::k_strike:
        Wrap(n, out, "~~");
        return;
      case Tag::k_code:
      case Tag::k_kbd:
      case Tag::k_samp:
        InlineCode(n, out);
        return;
      case Tag::k_script:
      case Tag::k_style:
      case Tag::k_noscript:
      case Tag::k_template:
        return;
      default:
        if (IsBlock(n)) {
          // Blocks inside inline context (after flattening) become line breaks.
          out += "\n";
          InlineChildren(n, out);
          out += "\n";
          return;
        }
        InlineChildren(n, out);
        return;
    }
  }

  // ![alt](src) in Markdown; nothing in text mode or without a source.
  void InlineImage(const Node* n, std::string& out) {
    if (!md()) return;
    std::string_view src = n->Attr("src");
    if (src.empty()) return;
    out += "![";
    EscapeMarkdown(out, CollapseWhitespace(n->Attr("alt")));
    out += "](" + EscapeUrl(src) + ")";
  }

  // [text](href) in Markdown; the bare text in text mode, without a target or without text.
  void InlineLink(const Node* n, std::string& out) {
    std::string inner;
    InlineChildren(n, inner);
    std::string text = CollapseWhitespace(inner);
    std::string_view href = n->Attr("href");
    if (!md() || href.empty() || text.empty()) {
      out += inner;
      return;
    }
    out += "[" + text + "](" + EscapeUrl(href) + ")";
  }

  // A code span fenced with one more backtick than the longest run inside (CommonMark),
  // padded when the code starts or ends with one.
  void InlineCode(const Node* n, std::string& out) {
    std::string code = html::TextContent(n);
    if (!md()) {
      out += code;
      return;
    }
    std::string collapsed = CollapseWhitespace(code);
    if (collapsed.empty()) return;
    size_t longest = 0, run = 0;
    for (char c : collapsed) {
      run = c == '`' ? run + 1 : 0;
      longest = std::max(longest, run);
    }
    std::string fence(longest + 1, '`');
    bool pad = collapsed.front() == '`' || collapsed.back() == '`';
    out += fence + (pad ? " " : "") + collapsed + (pad ? " " : "") + fence;
  }

  void Wrap(const Node* n, std::string& out, std::string_view marker) {
    std::string inner;
    InlineChildren(n, inner);
    if (!md()) {
      out += inner;
      return;
    }
    std::string_view trimmed = TrimAscii(inner);
    if (trimmed.empty()) {
      out += inner;
      return;
    }
    // Keep surrounding spaces outside the markers, or the emphasis will not parse.
    if (IsAsciiSpace(inner.front())) out.push_back(' ');
    out.append(marker);
    out.append(trimmed);
    out.append(marker);
    if (IsAsciiSpace(inner.back())) out.push_back(' ');
  }

  Mode mode_;
};

}  // namespace

std::string ToMarkdown(const Node* body) {
  if (!body) return {};
  return Renderer(Mode::kMarkdown).Blocks(body);
}

std::string ToText(const Node* body) {
  if (!body) return {};
  return Renderer(Mode::kText).Blocks(body);
}

}  // namespace samizdat::render
