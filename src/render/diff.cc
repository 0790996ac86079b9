#include "render/diff.h"

#include <algorithm>
#include <cstdint>

#include "render/escape.h"
#include "util/strings.h"

namespace samizdat::render {
namespace {

using Tokens = std::vector<std::string_view>;
using Kind = DiffRun::Kind;

// Beyond this many edits in one block the minimal diff is not worth its cost (the trace is
// O(D²) memory): the block is shown as a whole deletion and a whole insertion instead.
constexpr int kMaxEdits = 1500;

bool IsWordChar(char32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
  return !IsCjk(cp) && !(cp >= 0x3000 && cp <= 0x303F) && !(cp >= 0xFF00 && cp <= 0xFFEF) &&
         !(cp >= 0x2000 && cp <= 0x206F) && cp != 0xA0;
}

bool IsSpace(char32_t cp) { return cp == ' ' || cp == '\t' || cp == '\r' || cp == 0xA0; }

enum class TokenClass { kWord, kSpace, kSingle };

TokenClass ClassOf(char32_t cp) {
  if (IsSpace(cp)) return TokenClass::kSpace;
  if (IsWordChar(cp)) return TokenClass::kWord;
  return TokenClass::kSingle;
}

void AppendAll(Kind kind, size_t count, std::vector<Kind>* ops) {
  ops->insert(ops->end(), count, kind);
}

// Myers' greedy forward search, keeping each round's frontier so the path can be walked
// back. Returns false when more than kMaxEdits edits are needed.
bool MyersTrace(const Tokens& a, const Tokens& b, std::vector<std::vector<int>>* trace) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  const int max = std::min(n + m, kMaxEdits);
  std::vector<int> v(2 * static_cast<size_t>(max) + 3, 0);
  const int offset = max + 1;
  for (int d = 0; d <= max; ++d) {
    for (int k = -d; k <= d; k += 2) {
      bool down = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]);
      int x = down ? v[offset + k + 1] : v[offset + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && a[x] == b[y]) ++x, ++y;
      v[offset + k] = x;
      if (x >= n && y >= m) {
        trace->push_back(v);
        return true;
      }
    }
    trace->push_back(v);
  }
  return false;
}

// Walks the trace back from (n, m) to (0, 0), producing the edit script in order.
std::vector<Kind> MyersPath(const Tokens& a, const Tokens& b,
                            const std::vector<std::vector<int>>& trace) {
  std::vector<Kind> reversed;
  int x = static_cast<int>(a.size()), y = static_cast<int>(b.size());
  const int offset = static_cast<int>(trace.front().size() - 3) / 2 + 1;
  for (int d = static_cast<int>(trace.size()) - 1; d > 0; --d) {
    const std::vector<int>& v = trace[d - 1];
    int k = x - y;
    bool down = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]);
    int prev_k = down ? k + 1 : k - 1;
    int prev_x = v[offset + prev_k], prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) reversed.push_back(Kind::kEqual), --x, --y;
    reversed.push_back(down ? Kind::kInsert : Kind::kDelete);
    x = prev_x;
    y = prev_y;
  }
  while (x > 0 && y > 0) reversed.push_back(Kind::kEqual), --x, --y;
  std::reverse(reversed.begin(), reversed.end());
  return reversed;
}

// The edit script from `a` to `b`: one op per kept, inserted or deleted token.
std::vector<Kind> EditScript(const Tokens& a, const Tokens& b) {
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
    ++suffix;
  std::vector<Kind> ops(prefix, Kind::kEqual);
  Tokens mid_a(a.begin() + prefix, a.end() - suffix), mid_b(b.begin() + prefix, b.end() - suffix);
  std::vector<std::vector<int>> trace;
  if (mid_a.empty() || mid_b.empty() || !MyersTrace(mid_a, mid_b, &trace)) {
    AppendAll(Kind::kDelete, mid_a.size(), &ops);
    AppendAll(Kind::kInsert, mid_b.size(), &ops);
  } else {
    std::vector<Kind> middle = MyersPath(mid_a, mid_b, trace);
    ops.insert(ops.end(), middle.begin(), middle.end());
  }
  ops.insert(ops.end(), suffix, Kind::kEqual);
  return ops;
}

void Emit(Kind kind, std::string_view text, std::vector<DiffRun>* out) {
  if (text.empty()) return;
  if (!out->empty() && out->back().kind == kind) {
    out->back().text.append(text);
  } else {
    out->push_back({kind, std::string(text)});
  }
}

// Applies an edit script: the runs that turn `a` into `b`.
void EmitScript(const std::vector<Kind>& ops, const Tokens& a, const Tokens& b,
                std::vector<DiffRun>* out) {
  size_t i = 0, j = 0;
  for (Kind op : ops) {
    if (op == Kind::kEqual) {
      Emit(op, a[i++], out);
      ++j;
    } else if (op == Kind::kDelete) {
      Emit(op, a[i++], out);
    } else {
      Emit(op, b[j++], out);
    }
  }
}

Tokens Paragraphs(std::string_view text) {
  Tokens out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end == text.size() ? end - start : end - start + 1));
    start = end + 1;
  }
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

// The token diff of one changed block: the deleted paragraphs against the inserted ones.
void DiffBlock(const Tokens& old_paragraphs, const Tokens& new_paragraphs,
               std::vector<DiffRun>* out) {
  std::string old_text, new_text;
  for (auto p : old_paragraphs) old_text.append(p);
  for (auto p : new_paragraphs) new_text.append(p);
  Tokens a = DiffTokens(old_text), b = DiffTokens(new_text);
  EmitScript(EditScript(a, b), a, b, out);
}

}  // namespace

std::vector<std::string_view> DiffTokens(std::string_view text) {
  Tokens out;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    char32_t cp = DecodeUtf8(text, i);
    TokenClass cls = cp == '\n' ? TokenClass::kSingle : ClassOf(cp);
    if (cls != TokenClass::kSingle) {
      size_t next = i;
      while (next < text.size()) {
        size_t probe = next;
        char32_t c = DecodeUtf8(text, probe);
        if (c == '\n' || ClassOf(c) != cls) break;
        next = probe;
      }
      i = next;
    }
    out.push_back(text.substr(start, i - start));
  }
  return out;
}

std::vector<DiffRun> DiffTexts(std::string_view old_text, std::string_view new_text) {
  Tokens a = Paragraphs(old_text), b = Paragraphs(new_text);
  std::vector<Kind> ops = EditScript(a, b);
  std::vector<DiffRun> out;
  size_t i = 0, j = 0, k = 0;
  while (k < ops.size()) {
    if (ops[k] == Kind::kEqual) {
      Emit(Kind::kEqual, a[i++], &out);
      ++j;
      ++k;
      continue;
    }
    Tokens deleted, inserted;
    for (; k < ops.size() && ops[k] != Kind::kEqual; ++k) {
      if (ops[k] == Kind::kDelete)
        deleted.push_back(a[i++]);
      else
        inserted.push_back(b[j++]);
    }
    DiffBlock(deleted, inserted, &out);
  }
  return out;
}

DiffStats CountChanges(const std::vector<DiffRun>& runs) {
  DiffStats stats;
  for (const auto& run : runs) {
    if (run.kind == Kind::kEqual) continue;
    int tokens = 0;
    for (auto t : DiffTokens(run.text))
      if (ClassOf(static_cast<unsigned char>(t[0])) != TokenClass::kSpace && t != "\n") ++tokens;
    (run.kind == Kind::kInsert ? stats.inserted : stats.deleted) += tokens;
  }
  return stats;
}

namespace {

// Writes the runs paragraph by paragraph: `open`/`close` wrap each paragraph, `piece`
// renders one run's text (no line breaks) with its kind.
template <typename Piece>
std::string RenderParagraphs(const std::vector<DiffRun>& runs, std::string_view open,
                             std::string_view close, Piece piece) {
  std::string out, paragraph;
  auto flush = [&] {
    if (paragraph.empty()) return;
    out.append(open).append(paragraph).append(close);
    paragraph.clear();
  };
  for (const auto& run : runs) {
    size_t start = 0;
    while (start < run.text.size()) {
      size_t nl = run.text.find('\n', start);
      size_t end = nl == std::string::npos ? run.text.size() : nl;
      if (end > start)
        paragraph.append(piece(run.kind, std::string_view(run.text).substr(start, end - start)));
      if (nl == std::string::npos) break;
      flush();
      start = nl + 1;
    }
  }
  flush();
  return out;
}

// The run's escaped text inside <ins> or <del> as its kind says.
std::string Wrap(Kind kind, const std::string& escaped) {
  if (kind == Kind::kEqual) return escaped;
  std::string_view tag = kind == Kind::kInsert ? "ins" : "del";
  std::string out;
  out.reserve(escaped.size() + 11);
  out.append("<").append(tag).append(">").append(escaped);
  out.append("</").append(tag).append(">");
  return out;
}

}  // namespace

std::string DiffToHtml(const std::vector<DiffRun>& runs) {
  return RenderParagraphs(runs, "<p>", "</p>\n", [](Kind kind, std::string_view text) {
    return Wrap(kind, EscapeHtml(text));
  });
}

std::string DiffToMarkdown(const std::vector<DiffRun>& runs) {
  return RenderParagraphs(runs, "", "\n\n", [](Kind kind, std::string_view text) {
    // Spaces at a run's edge would be lost by the collapsing escaper; keep one.
    std::string inner = EscapeMarkdownText(text), escaped;
    if (text.front() == ' ' && (inner.empty() || inner.front() != ' ')) escaped.push_back(' ');
    escaped.append(inner);
    if (text.size() > 1 && text.back() == ' ' && escaped.back() != ' ') escaped.push_back(' ');
    return Wrap(kind, escaped);
  });
}

}  // namespace samizdat::render
