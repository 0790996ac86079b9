// The search tokenizer: text to index terms, the same for the store's FTS5 index and the
// static site index (doc/search.md). Pure: no I/O, no globals.
//
// Latin (and every other space-separated script) words are runs of letters, digits and
// combining marks, case-folded (Unicode simple case folding, as unicode61 does). Chinese
// and Japanese text (Han, Hiragana, Katakana) has no spaces, so each such character is a
// unigram term and each pair of adjacent characters in a run a bigram term, placed at the
// first character's position. A query of one character looks up its unigram; a longer run
// is the phrase of its overlapping bigrams at consecutive positions, which matches exactly
// the places where the run occurs (a bigram never spans punctuation, a space or a field).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace samizdat::search {

enum class TokenizeMode {
  kDocument,  // every unigram and bigram, for indexing
  kQuery,     // the fewest terms that pin a phrase down: bigrams, unigrams only when needed
};

struct Token {
  std::string term;   // folded UTF-8
  int32_t start = 0;  // byte offsets of the source text the term covers
  int32_t end = 0;
  int32_t position = 0;    // word/character position; a bigram shares its first character's
  bool colocated = false;  // at the same position as the token before it
};

// Calls `emit` for each token in order; stops early when it returns false. Invalid UTF-8
// bytes are separators.
void Tokenize(std::string_view text, TokenizeMode mode,
              const std::function<bool(const Token&)>& emit);
std::vector<Token> Tokenize(std::string_view text, TokenizeMode mode);

// Whether `c` is a character indexed as unigrams and bigrams (Han, Hiragana, Katakana).
bool IsCjk(char32_t c);
// Whether `text` holds such a character.
bool ContainsCjk(std::string_view text);

// `text` case-folded as terms are: "contains the query" is checked exactly by looking for
// FoldForMatch(query) in FoldForMatch(text).
std::string FoldForMatch(std::string_view text);

}  // namespace samizdat::search
