#include "search/tokenizer.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

namespace samizdat::search {
namespace {

enum class CharClass { kSeparator, kWord, kCjk };

CharClass Classify(UChar32 c) {
  if (c < 0) return CharClass::kSeparator;
  if (IsCjk(static_cast<char32_t>(c))) return CharClass::kCjk;
  if (u_isalnum(c)) return CharClass::kWord;
  int8_t type = u_charType(c);
  if (type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK)
    return CharClass::kWord;
  return CharClass::kSeparator;
}

void AppendUtf8(std::string* out, UChar32 c) {
  char buf[4];
  int32_t n = 0;
  U8_APPEND_UNSAFE(buf, n, c);
  out->append(buf, static_cast<size_t>(n));
}

// One decoded character and where it sits in the text.
struct Char {
  UChar32 c;
  int32_t start, end;
  CharClass cls;
};

// Splits `text` into runs: a word (adjacent kWord chars) or a CJK run (adjacent kCjk chars).
struct Run {
  CharClass cls;
  std::vector<Char> chars;
};

std::vector<Run> Runs(std::string_view text) {
  std::vector<Run> runs;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  int32_t length = static_cast<int32_t>(text.size());
  CharClass previous = CharClass::kSeparator;
  for (int32_t i = 0; i < length;) {
    Char ch{0, i, 0, CharClass::kSeparator};
    U8_NEXT(s, i, length, ch.c);
    ch.end = i;
    ch.cls = Classify(ch.c);
    if (ch.cls != CharClass::kSeparator) {
      if (ch.cls != previous) runs.push_back(Run{ch.cls, {}});
      runs.back().chars.push_back(ch);
    }
    previous = ch.cls;
  }
  return runs;
}

std::string Folded(const std::vector<Char>& chars, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) AppendUtf8(&out, u_foldCase(chars[i].c, U_FOLD_CASE_DEFAULT));
  return out;
}

// Emits one CJK run starting at `position`. In a document: each character's unigram, and
// the bigram it starts, colocated. In a query: the run's bigrams in turn (a lone character
// is its unigram), and the last character's unigram when more tokens follow, so that their
// positions stay those of the document.
bool EmitCjkRun(const Run& run, TokenizeMode mode, bool more_follow, int32_t position,
                const std::function<bool(const Token&)>& emit) {
  const auto& c = run.chars;
  for (size_t i = 0; i < c.size(); ++i) {
    const bool has_pair = i + 1 < c.size();
    const int32_t at = position + static_cast<int32_t>(i);
    const bool unigram =
        mode == TokenizeMode::kDocument || c.size() == 1 || (i + 1 == c.size() && more_follow);
    if (unigram && !emit(Token{Folded(c, i, i + 1), c[i].start, c[i].end, at, false})) return false;
    if (has_pair && !emit(Token{Folded(c, i, i + 2), c[i].start, c[i + 1].end, at, unigram}))
      return false;
  }
  return true;
}

}  // namespace

bool IsCjk(char32_t c) {
  UErrorCode status = U_ZERO_ERROR;
  UScriptCode script = uscript_getScript(static_cast<UChar32>(c), &status);
  if (U_FAILURE(status)) return false;
  return script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA;
}

bool ContainsCjk(std::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c >= 0 && IsCjk(static_cast<char32_t>(c))) return true;
  }
  return false;
}

void Tokenize(std::string_view text, TokenizeMode mode,
              const std::function<bool(const Token&)>& emit) {
  std::vector<Run> runs = Runs(text);
  int32_t position = 0;
  for (size_t r = 0; r < runs.size(); ++r) {
    const Run& run = runs[r];
    if (run.cls == CharClass::kWord) {
      Token t{Folded(run.chars, 0, run.chars.size()), run.chars.front().start, run.chars.back().end,
              position, false};
      if (!emit(t)) return;
      ++position;
      continue;
    }
    if (!EmitCjkRun(run, mode, r + 1 < runs.size(), position, emit)) return;
    position += static_cast<int32_t>(run.chars.size());
  }
}

std::vector<Token> Tokenize(std::string_view text, TokenizeMode mode) {
  std::vector<Token> out;
  Tokenize(text, mode, [&out](const Token& t) {
    out.push_back(t);
    return true;
  });
  return out;
}

std::string FoldForMatch(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  int32_t length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c >= 0) AppendUtf8(&out, u_foldCase(c, U_FOLD_CASE_DEFAULT));
  }
  return out;
}

}  // namespace samizdat::search
