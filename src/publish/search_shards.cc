#include "publish/search_shards.h"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "publish/search_page.h"
#include "search/tokenizer.h"
#include "util/strings.h"

namespace samizdat::publish {
namespace {

constexpr int64_t kSegmentSizes[] = {10000, 1000, 100};
constexpr int64_t kChunkSize = 64;
constexpr int kFormat = 1;  // bump when the file format changes: every file is rewritten
constexpr const char* kStatePath = ".samizdat/search-state.tsv";

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// What the index knows of an article before reading its text.
struct DocRef {
  int64_t id = 0, revision = 0;
  std::string article_id, home_channel;
};

Result<std::vector<DocRef>> LoadDocRefs(sqlite3* db) {
  sqlite3_stmt* s = nullptr;
  std::vector<DocRef> out;
  int rc = sqlite3_prepare_v2(db,
                              "SELECT id, current_revision, article_id, home_channel FROM "
                              "articles WHERE current_revision IS NOT NULL ORDER BY id",
                              -1, &s, nullptr);
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
      out.push_back({sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
                     reinterpret_cast<const char*>(sqlite3_column_text(s, 2)),
                     reinterpret_cast<const char*>(sqlite3_column_text(s, 3))});
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE)
    return Status::IoError(std::string("cannot list articles for search: ") + sqlite3_errmsg(db));
  return out;
}

// A fingerprint of what a segment or chunk is made from: its articles' revisions and pages.
std::string Signature(const std::vector<DocRef>& docs, int64_t first, int64_t count) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  mix(std::to_string(kFormat));
  for (int64_t i = first; i < first + count; ++i) {
    const DocRef& d = docs[static_cast<size_t>(i)];
    mix(std::to_string(d.id) + ":" + std::to_string(d.revision));
    mix(d.article_id);
    mix(d.home_channel);
  }
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

std::string PagePath(const DocRef& d) {
  return "pages/" + d.home_channel + "/" + d.article_id + ".html";
}

// Reads one article's text, or its title and date, with a prepared statement.
class ArticleReader {
 public:
  ArticleReader(sqlite3* db, const char* sql) : db_(db) {
    sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~ArticleReader() { sqlite3_finalize(stmt_); }
  ArticleReader(const ArticleReader&) = delete;
  ArticleReader& operator=(const ArticleReader&) = delete;
  // The row's columns joined by '\n', or the error.
  Result<std::vector<std::string>> Read(int64_t id, int columns) {
    if (!stmt_) return Status::IoError(std::string("cannot read article: ") + sqlite3_errmsg(db_));
    sqlite3_reset(stmt_);
    sqlite3_bind_int64(stmt_, 1, id);
    std::vector<std::string> out;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
      for (int c = 0; c < columns; ++c) {
        const unsigned char* t = sqlite3_column_text(stmt_, c);
        out.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
      }
      return out;
    }
    if (rc == SQLITE_DONE) return std::vector<std::string>(static_cast<size_t>(columns));
    return Status::IoError("cannot read article " + std::to_string(id) +
                           " for search: " + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// One term's postings in a segment, encoded as they are added: per article the ordinal's
// delta, then (for terms with positions) the count and the position deltas.
struct Postings {
  std::string bytes;
  int64_t last_doc = -1;
  bool positions = true;
};
using PostingMap = std::unordered_map<std::string, Postings>;

// A lone CJK character's postings hold no positions: a one-character query needs only the
// articles, and longer phrases are pinned down by their bigrams.
bool IsUnigram(const std::string& term) {
  return term.size() <= 4 && search::ContainsCjk(term) &&
         search::Tokenize(term, search::TokenizeMode::kDocument).size() == 1;
}

void AddDocument(PostingMap* map, int64_t local, std::string_view text) {
  std::map<std::string, std::vector<int32_t>> positions;
  search::Tokenize(text, search::TokenizeMode::kDocument, [&](const search::Token& t) {
    positions[t.term].push_back(t.position);
    return true;
  });
  for (auto& [term, list] : positions) {
    auto [it, inserted] = map->try_emplace(term);
    Postings& p = it->second;
    if (inserted) p.positions = !IsUnigram(term);
    PutVarint(&p.bytes, static_cast<uint64_t>(local - p.last_doc));
    p.last_doc = local;
    if (!p.positions) continue;
    PutVarint(&p.bytes, list.size());
    int32_t previous = 0;
    for (int32_t pos : list) {
      PutVarint(&p.bytes, static_cast<uint64_t>(pos - previous));
      previous = pos;
    }
  }
}

// The bucket files of a segment: entries sorted by term, each the term's length and bytes,
// a flag (1: postings hold positions), the postings' length and bytes.
std::vector<std::string> EncodeBuckets(const PostingMap& map, int buckets) {
  std::vector<std::vector<const PostingMap::value_type*>> by_bucket(static_cast<size_t>(buckets));
  for (const auto& entry : map)
    by_bucket[SearchTermHash(entry.first) % static_cast<uint32_t>(buckets)].push_back(&entry);
  std::vector<std::string> files;
  for (auto& entries : by_bucket) {
    std::sort(entries.begin(), entries.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });
    std::string file;
    for (const auto* e : entries) {
      PutVarint(&file, e->first.size());
      file += e->first;
      file.push_back(e->second.positions ? 1 : 0);
      PutVarint(&file, e->second.bytes.size());
      file += e->second.bytes;
    }
    files.push_back(std::move(file));
  }
  return files;
}

std::string JsonString(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Previous build's signatures: "segment" or "chunk", name, signature.
std::map<std::string, std::string> LoadState(OutputTree& out) {
  std::map<std::string, std::string> state;
  std::string text;
  if (!out.Read(kStatePath, &text)) return state;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    size_t tab = line.rfind('\t');
    if (tab != std::string::npos) state[line.substr(0, tab)] = line.substr(tab + 1);
    start = end + 1;
  }
  return state;
}

// Writes or keeps one file of the index, counting it in the report.
Status PutFile(OutputTree& out, const std::string& path, const std::string& bytes,
               SearchIndexReport* report) {
  std::string error;
  OutputTree::PutResult r = out.Put(path, bytes, &error);
  if (r == OutputTree::PutResult::kFailed) return Status::IoError(error);
  report->files_total++;
  report->bytes_total += static_cast<int64_t>(bytes.size());
  if (r == OutputTree::PutResult::kWritten) {
    report->files_written++;
    report->bytes_written += static_cast<int64_t>(bytes.size());
  }
  return Status::Ok();
}

// Keeps the files of a segment or chunk that did not change; false when one is missing.
bool KeepFiles(OutputTree& out, const std::vector<std::string>& paths, SearchIndexReport* report) {
  for (const auto& p : paths)
    if (out.Size(p) < 0) return false;
  for (const auto& p : paths) {
    out.Keep(p);
    report->files_total++;
    report->bytes_total += out.Size(p);
  }
  return true;
}

std::vector<std::string> SegmentFiles(const SearchSegment& seg) {
  std::vector<std::string> paths;
  for (int b = 0; b < seg.buckets; ++b)
    paths.push_back("search/" + seg.Name() + "/" + std::to_string(b) + ".bin");
  return paths;
}

Status BuildSegment(sqlite3* db, const std::vector<DocRef>& docs, const SearchSegment& seg,
                    OutputTree& out, SearchIndexReport* report, const TextConvert& convert) {
  ArticleReader reader(db,
                       "SELECT r.title, r.byline, r.text FROM articles a JOIN revisions r "
                       "ON r.id = a.current_revision WHERE a.id = ?");
  PostingMap map;
  for (int64_t i = 0; i < seg.count; ++i) {
    Result<std::vector<std::string>> row =
        reader.Read(docs[static_cast<size_t>(seg.first + i)].id, 3);
    if (!row.ok()) return row.status();
    // Fields are joined by a newline: a separator, so no phrase spans two fields.
    std::string text = (*row)[0] + "\n" + (*row)[1] + "\n" + (*row)[2];
    AddDocument(&map, i, convert ? convert(text) : text);
  }
  std::vector<std::string> files = EncodeBuckets(map, seg.buckets);
  std::vector<std::string> paths = SegmentFiles(seg);
  for (size_t b = 0; b < files.size(); ++b)
    if (Status st = PutFile(out, paths[b], files[b], report); !st.ok()) return st;
  return Status::Ok();
}

// A chunk of article details: a JSON array of [title, date, page path], one per article.
Status BuildChunk(sqlite3* db, const std::vector<DocRef>& docs, int64_t first, int64_t count,
                  const std::string& path, OutputTree& out, SearchIndexReport* report,
                  const TextConvert& convert) {
  ArticleReader reader(db,
                       "SELECT r.title, COALESCE(NULLIF(r.published, ''), a.feed_published) "
                       "FROM articles a JOIN revisions r ON r.id = a.current_revision "
                       "WHERE a.id = ?");
  std::string json = "[";
  for (int64_t i = first; i < first + count; ++i) {
    const DocRef& d = docs[static_cast<size_t>(i)];
    Result<std::vector<std::string>> row = reader.Read(d.id, 2);
    if (!row.ok()) return row.status();
    std::string title = CollapseWhitespace((*row)[0]);
    json += (i > first ? ",\n[" : "\n[") + JsonString(convert ? convert(title) : title) + "," +
            JsonString((*row)[1].substr(0, 10)) + "," + JsonString(PagePath(d)) + "]";
  }
  json += "\n]\n";
  return PutFile(out, path, json, report);
}

std::string Manifest(const std::vector<SearchSegment>& segments, int64_t docs) {
  std::string json = "{\"format\":" + std::to_string(kFormat) +
                     ",\"docs\":" + std::to_string(docs) +
                     ",\"chunk\":" + std::to_string(kChunkSize) + ",\"segments\":[";
  for (size_t i = 0; i < segments.size(); ++i)
    json += (i ? ",[" : "[") + std::to_string(segments[i].first) + "," +
            std::to_string(segments[i].count) + "," + std::to_string(segments[i].buckets) + "]";
  return json + "]}\n";
}

// Builds each segment and chunk whose signature changed (or whose files are missing),
// keeps the others, and records the signatures in *state_out.
Status WriteIndexFiles(sqlite3* db, const std::vector<DocRef>& docs, OutputTree& out,
                       SearchIndexReport* report, std::string* state_out,
                       const TextConvert& convert) {
  const std::map<std::string, std::string> previous = LoadState(out);
  const int64_t n = static_cast<int64_t>(docs.size());
  for (const SearchSegment& seg : SearchSegmentLayout(n)) {
    std::string key = "segment\t" + seg.Name() + "/" + std::to_string(seg.buckets);
    std::string sig = Signature(docs, seg.first, seg.count);
    *state_out += key + "\t" + sig + "\n";
    auto it = previous.find(key);
    if (it != previous.end() && it->second == sig && KeepFiles(out, SegmentFiles(seg), report))
      continue;
    if (Status st = BuildSegment(db, docs, seg, out, report, convert); !st.ok()) return st;
  }
  for (int64_t first = 0; first < n; first += kChunkSize) {
    int64_t count = std::min(kChunkSize, n - first);
    std::string path = "search/docs/" + std::to_string(first / kChunkSize) + ".json";
    std::string key = "chunk\t" + path;
    std::string sig = Signature(docs, first, count);
    *state_out += key + "\t" + sig + "\n";
    auto it = previous.find(key);
    if (it != previous.end() && it->second == sig && KeepFiles(out, {path}, report)) continue;
    if (Status st = BuildChunk(db, docs, first, count, path, out, report, convert); !st.ok())
      return st;
  }
  return PutFile(out, "search/manifest.json", Manifest(SearchSegmentLayout(n), n), report);
}

}  // namespace

std::vector<SearchSegment> SearchSegmentLayout(int64_t docs) {
  std::vector<SearchSegment> out;
  int64_t first = 0;
  for (int64_t size : kSegmentSizes)
    for (; docs - first >= size; first += size) out.push_back({first, size, 0});
  if (first < docs) out.push_back({first, docs - first, 0});
  // About four articles' terms per bucket file: a few kilobytes of postings each.
  for (SearchSegment& s : out) s.buckets = static_cast<int>(std::max<int64_t>(1, s.count / 4));
  return out;
}

uint32_t SearchTermHash(std::string_view term) {
  uint32_t h = 2166136261u;
  for (unsigned char c : term) h = (h ^ c) * 16777619u;
  return h;
}

Status WriteStaticSearch(const std::string& site_title, const std::string& lang,
                         store::Store& store, OutputTree& out, SearchIndexReport* report,
                         const TextConvert& convert) {
  Result<std::vector<DocRef>> docs = LoadDocRefs(store.db());
  if (!docs.ok()) return docs.status();
  std::string state;
  if (Status st = WriteIndexFiles(store.db(), *docs, out, report, &state, convert); !st.ok())
    return st;
  // The page, the script and the state are not part of the index's byte counts.
  std::string error;
  for (const auto& [path, bytes] :
       {std::pair<std::string, std::string>{"search.html", SearchPageHtml(site_title, lang)},
        {"search.js", std::string(SearchScript())},
        {kStatePath, state}})
    if (out.Put(path, bytes, &error) == OutputTree::PutResult::kFailed)
      return Status::IoError(error);
  return Status::Ok();
}

}  // namespace samizdat::publish
