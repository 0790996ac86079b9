// Precision and recall of near-duplicate detection on a labelled set built from real pages.
//
//   near_duplicate_eval DATASETS_DIR [--min-precision P --min-recall R]
//
// DATASETS_DIR is ../shared/datasets/extraction. For every page with a reference text
// (wcxb-dev ground truth, zh-cwced-dev cleaned text) the set holds four texts of one story:
//   gold        the reference article text
//   extracted   what samizdat's extractor takes from the page's HTML (the same story as a
//               second site's template would give it: boundaries, captions and asides differ)
//   syndicated  the reference text with a syndication header and footer, last paragraph cut
//   edited      the reference text with one word or character in twenty replaced
// Pairs inside one story's group are duplicates; every pair across groups is a different
// story (many share a topic: one site's pages, one news week). Detection runs as a store
// runs it: candidates by shared LSH band key, then verification of the shingle sets.
// Prints the table; with --min-* exits 1 when a figure falls below the bound.
#include <zlib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dedup/near_duplicate.h"
#include "extract/extract.h"
#include "render/markdown.h"

namespace fs = std::filesystem;
using samizdat::dedup::Fingerprint;

namespace {

struct Text {
  int story = 0;
  std::string name;  // the page's file
  std::string kind;
  Fingerprint fingerprint;
};

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The file's bytes, gunzipped when it ends in .gz.
std::string ReadPage(const fs::path& path) {
  std::string bytes = ReadAll(path);
  if (path.extension() != ".gz") return bytes;
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return {};
  z.next_in = reinterpret_cast<Bytef*>(bytes.data());
  z.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  char buffer[1 << 16];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
  }
  inflateEnd(&z);
  return out;
}

std::string Extracted(const std::string& html) {
  samizdat::extract::ExtractOptions options;
  auto article = samizdat::extract::Extract(html, options);
  return samizdat::render::ToText(article.body);
}

std::string Syndicated(const std::string& gold, bool cjk) {
  std::string body = gold;
  size_t cut = body.rfind('\n', body.size() > 2 ? body.size() - 2 : 0);
  if (cut != std::string::npos && cut > body.size() / 2) body.resize(cut);
  if (cjk)
    return "【转载】来源：合作媒体 责任编辑：李华\n" + body +
           "\n本文版权归原作者所有，转载请注明出处。";
  return "Republished with permission. Source: partner newsroom.\n" + body +
         "\nThis article first appeared on a partner site. All rights reserved.";
}

// Replaces one token in twenty: every 20th CJK character or word becomes another.
std::string Edited(const std::string& gold) {
  std::string out;
  int token = 0;
  size_t i = 0;
  while (i < gold.size()) {
    unsigned char c = static_cast<unsigned char>(gold[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    bool boundary = c == ' ' || c >= 0xE0;
    if (boundary && ++token % 20 == 0) {
      out.append(c == ' ' ? " changed" : "改");
      i += c == ' ' ? 1 : len;
      if (c == ' ')
        while (i < gold.size() && gold[i] != ' ') ++i;
      continue;
    }
    out.append(gold, i, len);
    i += len;
  }
  return out;
}

void AddStory(int story, const std::string& name, const std::string& gold, const std::string& html,
              bool cjk, std::vector<Text>* texts) {
  using samizdat::dedup::FingerprintOf;
  texts->push_back({story, name, "gold", FingerprintOf(gold)});
  texts->push_back({story, name, "extracted", FingerprintOf(Extracted(html))});
  texts->push_back({story, name, "syndicated", FingerprintOf(Syndicated(gold, cjk))});
  texts->push_back({story, name, "edited", FingerprintOf(Edited(gold))});
}

// WCXB holds a few pages twice under one URL (with and without a trailing slash): those are
// one story, found by the URL, not by the detector under test.
int LoadWcxb(const fs::path& dir, int story, std::vector<Text>* texts) {
  std::map<std::string, int> story_of_url;
  for (const auto& entry : fs::directory_iterator(dir / "ground-truth")) {
    auto j = nlohmann::json::parse(ReadAll(entry.path()), nullptr, false);
    if (j.is_discarded() || !j["ground_truth"]["main_content"].is_string()) continue;
    fs::path html = dir / "html" / (entry.path().stem().string() + ".html.gz");
    if (!fs::exists(html)) continue;
    std::string url = j.value("url", entry.path().string());
    while (!url.empty() && url.back() == '/') url.pop_back();
    auto [it, added] = story_of_url.emplace(url, story);
    if (added) ++story;
    AddStory(it->second, html.string(), j["ground_truth"]["main_content"].get<std::string>(),
             ReadPage(html), false, texts);
  }
  return story;
}

int LoadCwced(const fs::path& dir, int story, std::vector<Text>* texts) {
  for (const auto& entry : fs::directory_iterator(dir / "cleaned")) {
    if (entry.path().extension() != ".txt") continue;
    fs::path html = dir / "original" / (entry.path().stem().string() + ".html");
    if (!fs::exists(html)) continue;
    AddStory(story++, html.string(), ReadAll(entry.path()), ReadAll(html), true, texts);
  }
  return story;
}

struct Counts {
  std::map<std::string, std::pair<int, int>> found_by_kind;  // kind pair: found, total
  long true_positives = 0, false_positives = 0, positives = 0, negatives = 0;
  double hardest_negative = 0;  // highest resemblance between two different stories
};

std::string PairKind(const Text& a, const Text& b) {
  return std::min(a.kind, b.kind) + "~" + std::max(a.kind, b.kind);
}

Counts Evaluate(const std::vector<Text>& texts) {
  std::map<uint64_t, std::vector<size_t>> by_band;
  for (size_t i = 0; i < texts.size(); ++i)
    for (uint64_t key : texts[i].fingerprint.bands) by_band[key].push_back(i);
  std::set<std::pair<size_t, size_t>> predicted;
  for (const auto& [key, members] : by_band)
    for (size_t x = 0; x < members.size(); ++x)
      for (size_t y = x + 1; y < members.size(); ++y)
        if (samizdat::dedup::IsNearDuplicate(texts[members[x]].fingerprint,
                                             texts[members[y]].fingerprint))
          predicted.insert({members[x], members[y]});
  Counts c;
  for (size_t i = 0; i < texts.size(); ++i)
    for (size_t j = i + 1; j < texts.size(); ++j) {
      bool same = texts[i].story == texts[j].story, found = predicted.count({i, j}) > 0;
      if (same) {
        ++c.positives;
        auto& slot = c.found_by_kind[PairKind(texts[i], texts[j])];
        slot.first += found;
        ++slot.second;
        c.true_positives += found;
      } else {
        ++c.negatives;
        c.false_positives += found;
        if (found)
          std::printf("different stories called duplicates: %s (%s) ~ %s (%s)\n",
                      texts[i].name.c_str(), texts[i].kind.c_str(), texts[j].name.c_str(),
                      texts[j].kind.c_str());
        if (texts[i].kind == "gold" && texts[j].kind == "gold")
          c.hardest_negative = std::max(
              c.hardest_negative, samizdat::dedup::Resemblance(texts[i].fingerprint.shingles,
                                                               texts[j].fingerprint.shingles));
      }
    }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: near_duplicate_eval DATASETS_DIR [--min-precision P --min-recall R]\n");
    return 2;
  }
  double min_precision = 0, min_recall = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--min-precision") min_precision = std::stod(argv[i + 1]);
    if (flag == "--min-recall") min_recall = std::stod(argv[i + 1]);
  }
  fs::path root = argv[1];
  std::vector<Text> texts;
  int stories = LoadWcxb(root / "wcxb-dev", 0, &texts);
  stories = LoadCwced(root / "zh-cwced-dev", stories, &texts);
  Counts c = Evaluate(texts);
  double precision = c.true_positives + c.false_positives
                         ? double(c.true_positives) / double(c.true_positives + c.false_positives)
                         : 1.0;
  double recall = c.positives ? double(c.true_positives) / double(c.positives) : 0;
  std::printf("stories %d, texts %zu, duplicate pairs %ld, different-story pairs %ld\n", stories,
              texts.size(), c.positives, c.negatives);
  std::printf("| pair | found | of |\n|---|---|---|\n");
  for (const auto& [kind, n] : c.found_by_kind)
    std::printf("| %s | %d | %d |\n", kind.c_str(), n.first, n.second);
  std::printf("precision %.4f (%ld false positives), recall %.4f\n", precision, c.false_positives,
              recall);
  std::printf("highest resemblance between two different stories' reference texts: %.3f\n",
              c.hardest_negative);
  return precision < min_precision || recall < min_recall ? 1 : 0;
}
