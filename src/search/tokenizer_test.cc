// The search tokenizer: which terms a text and a query give, and at which positions.
#include "search/tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace samizdat::search {
namespace {

std::vector<std::string> Terms(std::string_view text, TokenizeMode mode) {
  std::vector<std::string> out;
  for (const Token& t : Tokenize(text, mode)) out.push_back(t.term);
  return out;
}

TEST(SearchTokenizer, DocumentGivesUnigramsAndColocatedBigrams) {
  std::vector<Token> tokens = Tokenize("香港警察", TokenizeMode::kDocument);
  std::vector<std::string> terms;
  for (const auto& t : tokens) terms.push_back(t.term);
  EXPECT_EQ(terms, (std::vector<std::string>{"香", "香港", "港", "港警", "警", "警察", "察"}));
  EXPECT_EQ(tokens[1].position, 0);
  EXPECT_TRUE(tokens[1].colocated);
  EXPECT_EQ(tokens[6].position, 3);
  // Byte offsets cover the source text of each term (snippets highlight them).
  EXPECT_EQ(tokens[3].start, 3);
  EXPECT_EQ(tokens[3].end, 9);
}

TEST(SearchTokenizer, LatinWordsAreCaseFoldedAndMixedTextSplits) {
  EXPECT_EQ(Terms("COVID-19疫苗 Straße", TokenizeMode::kDocument),
            (std::vector<std::string>{"covid", "19", "疫", "疫苗", "苗", "straße"}));
  EXPECT_EQ(Terms("Ünïcode ÉTÉ", TokenizeMode::kQuery),
            (std::vector<std::string>{"ünïcode", "été"}));
}

TEST(SearchTokenizer, QueryIsTheBigramPhraseOrTheUnigram) {
  EXPECT_EQ(Terms("港", TokenizeMode::kQuery), (std::vector<std::string>{"港"}));
  EXPECT_EQ(Terms("香港", TokenizeMode::kQuery), (std::vector<std::string>{"香港"}));
  EXPECT_EQ(Terms("香港警察", TokenizeMode::kQuery),
            (std::vector<std::string>{"香港", "港警", "警察"}));
  // A run followed by more terms keeps its last character, so positions stay aligned.
  std::vector<Token> mixed = Tokenize("香港police", TokenizeMode::kQuery);
  ASSERT_EQ(mixed.size(), 3u);
  EXPECT_EQ(mixed[1].term, "港");
  EXPECT_EQ(mixed[1].position, 1);
  EXPECT_EQ(mixed[2].position, 2);
  std::vector<Token> doc = Tokenize("香港police", TokenizeMode::kDocument);
  EXPECT_EQ(doc.back().term, "police");
  EXPECT_EQ(doc.back().position, 2);
}

TEST(SearchTokenizer, PunctuationBreaksBigramsAndBadUtf8IsASeparator) {
  EXPECT_EQ(Terms("香，港", TokenizeMode::kDocument), (std::vector<std::string>{"香", "港"}));
  EXPECT_EQ(Terms("ab\xff\xfe"
                  "cd",
                  TokenizeMode::kDocument),
            (std::vector<std::string>{"ab", "cd"}));
  EXPECT_TRUE(Tokenize("", TokenizeMode::kDocument).empty());
  EXPECT_TRUE(Tokenize(" ,。！", TokenizeMode::kQuery).empty());
}

TEST(SearchTokenizer, KanaIsCjkHangulIsWords) {
  EXPECT_TRUE(IsCjk(U'漢'));
  EXPECT_TRUE(IsCjk(U'か'));
  EXPECT_TRUE(IsCjk(U'カ'));
  EXPECT_FALSE(IsCjk(U'한'));
  EXPECT_FALSE(IsCjk(U'a'));
  EXPECT_EQ(Terms("한국 사람", TokenizeMode::kDocument),
            (std::vector<std::string>{"한국", "사람"}));
  EXPECT_TRUE(ContainsCjk("abc中"));
  EXPECT_FALSE(ContainsCjk("abc"));
  EXPECT_EQ(FoldForMatch("ABC 香港"), "abc 香港");
}

}  // namespace
}  // namespace samizdat::search
