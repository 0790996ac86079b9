// Near-duplicate articles: the same story under two URLs, or syndicated by two sources,
// differs only in boilerplate, a byline, a sentence added at the end. samizdat calls two
// texts near-duplicates by their shingle sets (Broder's w-shingling): the sets' Jaccard
// resemblance, or how much of the shorter text the longer one contains. A MinHash signature
// cut into LSH bands gives a store keys to look candidates up by, so a new article is
// compared with a handful of stored ones, not all of them.
//
// Shingles are runs of consecutive tokens: for CJK text each character is a token (Chinese
// has no spaces), for other scripts each case-folded word; punctuation and white space are
// not tokens, so reformatting changes nothing. Hashes are fixed functions of the bytes
// (stable across runs and machines), since stores keep the band keys. Pure: no I/O.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace samizdat::dedup {

struct NearDuplicateOptions {
  int shingle_tokens = 5;        // tokens per shingle
  int min_shingles = 30;         // shorter texts are never called duplicates: too little text
  double min_resemblance = 0.5;  // Jaccard similarity of the shingle sets, or
  double min_containment = 0.8;  // the share of the shorter text's shingles in the longer
};

// MinHash signature length and its cut into bands of kRowsPerBand values: two texts whose
// resemblance is 0.5 share a band key with probability 1-(1-0.5^3)^21 ≈ 0.94; at 0.6, 0.99;
// two different stories (resemblance ≈ 0.02) almost never do.
// Containment pairs (a short copy inside a long original) are found the same way when their
// resemblance is not too low; verification always uses the exact shingle sets.
constexpr int kSignatureSize = 63;
constexpr int kRowsPerBand = 3;
constexpr int kBands = kSignatureSize / kRowsPerBand;

struct Fingerprint {
  std::vector<uint64_t> shingles;  // sorted, distinct shingle hashes
  std::vector<uint64_t> bands;     // kBands LSH keys; empty when the text is too short
};

Fingerprint FingerprintOf(std::string_view text, const NearDuplicateOptions& options = {});

// Jaccard similarity |A∩B| / |A∪B| of two sorted shingle sets (0 when both are empty).
double Resemblance(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);
// |A∩B| / min(|A|, |B|): 1 when one text is wholly inside the other.
double Containment(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);

// Whether the two texts tell the same story in (nearly) the same words.
bool IsNearDuplicate(const Fingerprint& a, const Fingerprint& b,
                     const NearDuplicateOptions& options = {});

}  // namespace samizdat::dedup
