#include "dedup/near_duplicate.h"

#include <algorithm>
#include <string>

#include "util/strings.h"

namespace samizdat::dedup {
namespace {

// splitmix64's finaliser: a fixed, well-mixed 64-bit hash step.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a over the token's bytes, then mixed.
uint64_t HashToken(std::string_view token) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : token) h = (h ^ c) * 0x100000001b3ULL;
  return Mix(h);
}

bool IsWordChar(char32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
  if (IsCjk(cp)) return false;
  // General punctuation, CJK symbols and punctuation, fullwidth forms: separators.
  return !(cp >= 0x2000 && cp <= 0x206F) && !(cp >= 0x3000 && cp <= 0x303F) &&
         !(cp >= 0xFF00 && cp <= 0xFF20) && !(cp >= 0xFF3B && cp <= 0xFF40) &&
         !(cp >= 0xFF5B && cp <= 0xFF65) && cp != 0xA0 && cp != 0xB7;
}

// Token hashes in text order: each CJK character, each case-folded word.
std::vector<uint64_t> TokenHashes(std::string_view text) {
  std::vector<uint64_t> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(HashToken(word));
    word.clear();
  };
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    char32_t cp = DecodeUtf8(text, i);
    if (IsCjk(cp)) {
      flush();
      out.push_back(HashToken(text.substr(start, i - start)));
    } else if (IsWordChar(cp)) {
      if (cp < 0x80)
        word.push_back(static_cast<char>(cp | (cp >= 'A' && cp <= 'Z' ? 0x20 : 0)));
      else
        word.append(text.substr(start, i - start));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

std::vector<uint64_t> Shingles(const std::vector<uint64_t>& tokens, int width) {
  std::vector<uint64_t> out;
  if (tokens.empty()) return out;
  size_t w = std::min<size_t>(static_cast<size_t>(std::max(width, 1)), tokens.size());
  for (size_t i = 0; i + w <= tokens.size(); ++i) {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t j = 0; j < w; ++j) h = Mix(h ^ tokens[i + j]) + j;
    out.push_back(h);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<uint64_t> BandKeys(const std::vector<uint64_t>& shingles) {
  uint64_t signature[kSignatureSize];
  for (int k = 0; k < kSignatureSize; ++k) {
    const uint64_t seed = Mix(0x5a17d0c5ULL + static_cast<uint64_t>(k));
    uint64_t best = ~0ULL;
    for (uint64_t s : shingles) best = std::min(best, Mix(s ^ seed));
    signature[k] = best;
  }
  std::vector<uint64_t> bands;
  for (int b = 0; b < kBands; ++b) {
    uint64_t h = Mix(static_cast<uint64_t>(b) + 1);
    for (int r = 0; r < kRowsPerBand; ++r) h = Mix(h ^ signature[b * kRowsPerBand + r]);
    bands.push_back(h);
  }
  return bands;
}

size_t IntersectionSize(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  size_t i = 0, j = 0, n = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j])
      ++i;
    else if (b[j] < a[i])
      ++j;
    else
      ++n, ++i, ++j;
  }
  return n;
}

}  // namespace

Fingerprint FingerprintOf(std::string_view text, const NearDuplicateOptions& options) {
  Fingerprint f;
  f.shingles = Shingles(TokenHashes(text), options.shingle_tokens);
  if (static_cast<int>(f.shingles.size()) >= options.min_shingles) f.bands = BandKeys(f.shingles);
  return f;
}

double Resemblance(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  if (a.empty() && b.empty()) return 0;
  size_t common = IntersectionSize(a, b);
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

double Containment(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  size_t smaller = std::min(a.size(), b.size());
  if (smaller == 0) return 0;
  return static_cast<double>(IntersectionSize(a, b)) / static_cast<double>(smaller);
}

bool IsNearDuplicate(const Fingerprint& a, const Fingerprint& b,
                     const NearDuplicateOptions& options) {
  const size_t min = static_cast<size_t>(std::max(options.min_shingles, 1));
  if (a.shingles.size() < min || b.shingles.size() < min) return false;
  return Resemblance(a.shingles, b.shingles) >= options.min_resemblance ||
         Containment(a.shingles, b.shingles) >= options.min_containment;
}

}  // namespace samizdat::dedup
