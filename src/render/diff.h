// Differences between two revisions of an article's text, as readers see them on a history
// page: words for Latin text, single characters for CJK text (a Chinese edit is often one
// character, and Chinese has no spaces to find words by).
//
// Pure: no I/O, no globals. The diff is minimal in tokens (Myers' O(ND) algorithm) within
// each changed paragraph; paragraphs are matched first, so the work stays bounded on long
// articles and a moved or rewritten paragraph reads as one deletion and one insertion.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace samizdat::render {

// One run of a diff. Concatenating the kEqual and kDelete runs gives the old text;
// concatenating the kEqual and kInsert runs gives the new text.
struct DiffRun {
  enum class Kind { kEqual, kInsert, kDelete };
  Kind kind = Kind::kEqual;
  std::string text;
};

// Splits text into diff tokens: each CJK character (Han, kana, hangul, fullwidth
// punctuation) alone, each run of letters/digits of other scripts as one word, each run of
// white space, and each other character alone. Invalid UTF-8 bytes are single tokens.
std::vector<std::string_view> DiffTokens(std::string_view text);

// The difference from `old_text` to `new_text`, paragraph by paragraph (paragraphs are
// separated by "\n"). Adjacent runs of one kind are merged; the result is empty only when
// both texts are empty.
std::vector<DiffRun> DiffTexts(std::string_view old_text, std::string_view new_text);

// Counts of changed tokens, for a history page's summary line.
struct DiffStats {
  int inserted = 0;  // tokens
  int deleted = 0;
};
DiffStats CountChanges(const std::vector<DiffRun>& runs);

// The diff as HTML: escaped text with <ins> and <del>, paragraphs as <p>. Safe to embed.
std::string DiffToHtml(const std::vector<DiffRun>& runs);

// The diff as GitHub-flavoured Markdown: <ins>/<del> (GitHub keeps both tags), text escaped
// for Markdown and HTML, paragraphs separated by blank lines.
std::string DiffToMarkdown(const std::vector<DiffRun>& runs);

}  // namespace samizdat::render
