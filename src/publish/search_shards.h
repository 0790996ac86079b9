// The html theme's static search (doc/search.md): search.html and search.js at the site's
// root, and an index under search/ that a browser reads with no server.
//
// The index is split two ways so that a query downloads a few small files and a build
// that adds articles rewrites few bytes. Articles (in store order, oldest first) fall into
// segments of fixed size — 10,000, then 1,000, then 100, then the rest — so a segment once
// full never changes unless one of its articles gets a new revision. Within a segment,
// each term's postings sit in one of N bucket files chosen by the term's hash. A query
// fetches, per term, one bucket file per segment; a build writes only the segments whose
// articles changed. Titles, dates and page paths sit in chunks of 64 articles.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "publish/output_tree.h"
#include "store/store.h"
#include "util/status.h"

namespace samizdat::publish {

// What a variant tree does to text (publish/variants.h): WriteStaticSearch applies it to
// every title and body it indexes, so a tree in Traditional script is searched in it.
using TextConvert = std::function<std::string(const std::string&)>;

// A run of articles indexed together: ordinals [first, first + count).
struct SearchSegment {
  int64_t first = 0;
  int64_t count = 0;
  int buckets = 1;
  std::string Name() const { return std::to_string(first) + "-" + std::to_string(count); }
};

// The segments of an index of `docs` articles: a pure function of the count, so the
// layout of the articles already indexed never moves when more are added.
std::vector<SearchSegment> SearchSegmentLayout(int64_t docs);

// FNV-1a (32 bits) of a term's UTF-8 bytes: the bucket is this modulo the segment's
// bucket count (search.js computes the same).
uint32_t SearchTermHash(std::string_view term);

struct SearchIndexReport {
  int64_t files_written = 0;  // new or changed files
  int64_t bytes_written = 0;  // their sizes
  int64_t files_total = 0;
  int64_t bytes_total = 0;  // of every file of the index
};

// Writes search.html, search.js and search/ for the current articles of `store` (page
// paths pages/<home channel>/<id>.html). Segments and chunks whose articles did not
// change are kept as they are (.samizdat/search-state.tsv remembers what each was made
// from). A store read error stops it and is returned; nothing is half-written, since every
// file goes through `out`.
Status WriteStaticSearch(const std::string& site_title, const std::string& lang,
                         store::Store& store, OutputTree& out, SearchIndexReport* report,
                         const TextConvert& convert = nullptr);

}  // namespace samizdat::publish
