#include "store/search_index.h"

#include <sqlite3.h>

#include "search/fts5_tokenizer.h"
#include "search/tokenizer.h"
#include "store/store.h"

namespace samizdat::store {

namespace {

Status SqlError(sqlite3* db, std::string_view step, int64_t article) {
  std::string message =
      std::string(step) + " for article " + std::to_string(article) + ": " + sqlite3_errmsg(db);
  return (sqlite3_extended_errcode(db) & 0xff) == SQLITE_FULL ? Status::NoSpace(message)
                                                              : Status::IoError(message);
}

// Runs `sql` with `article` bound to ?1; the statement reads search_documents.
Status RunForArticle(sqlite3* db, const char* sql, int64_t article, std::string_view step) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(stmt, 1, article);
    rc = sqlite3_step(stmt);
  }
  Status status = rc == SQLITE_DONE ? Status::Ok() : SqlError(db, step, article);
  sqlite3_finalize(stmt);
  return status;
}

std::vector<std::string> Pieces(std::string_view query) {
  std::vector<std::string> pieces;
  std::string current;
  for (char c : query) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!current.empty()) pieces.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) pieces.push_back(std::move(current));
  return pieces;
}

// The folded pieces every hit must contain literally (those with CJK text).
std::vector<std::string> LiteralPieces(std::string_view query) {
  std::vector<std::string> out;
  for (const std::string& piece : Pieces(query))
    if (search::ContainsCjk(piece)) out.push_back(search::FoldForMatch(piece));
  return out;
}

// FTS5 marks only the first character of each matched bigram; a CJK piece is marked
// whole instead, wherever it occurs literally in the snippet.
std::string MarkPieces(std::string snippet, const std::vector<std::string>& pieces,
                       const SearchOptions& o) {
  for (const std::string* mark : {&o.mark_open, &o.mark_close})
    for (size_t at; !mark->empty() && (at = snippet.find(*mark)) != std::string::npos;)
      snippet.erase(at, mark->size());
  for (const std::string& piece : pieces)
    for (size_t at = snippet.find(piece); at != std::string::npos;
         at = snippet.find(piece, at + o.mark_open.size() + piece.size() + o.mark_close.size()))
      snippet.insert(at + piece.size(), o.mark_close).insert(at, o.mark_open);
  return snippet;
}

bool ContainsAll(const std::vector<std::string>& pieces, const std::string& folded) {
  for (const auto& p : pieces)
    if (folded.find(p) == std::string::npos) return false;
  return true;
}

std::string Column(sqlite3_stmt* stmt, int col) {
  const unsigned char* t = sqlite3_column_text(stmt, col);
  return t ? reinterpret_cast<const char*>(t) : "";
}

constexpr const char* kSearchSql =
    "SELECT a.id, a.article_id, a.home_channel, r.title, "
    "COALESCE(NULLIF(r.published, ''), a.feed_published), "
    "snippet(article_search, -1, ?2, ?3, '…', 24), bm25(article_search, 10.0, 3.0, 1.0), "
    "r.title || char(10) || r.byline || char(10) || r.text "
    "FROM article_search s JOIN articles a ON a.id = s.rowid "
    "JOIN revisions r ON r.id = a.current_revision "
    "WHERE article_search MATCH ?1 AND (?4 = '' OR EXISTS (SELECT 1 FROM memberships m "
    "WHERE m.article = a.id AND m.channel = ?4)) "
    "ORDER BY bm25(article_search, 10.0, 3.0, 1.0), a.id";

}  // namespace

bool PrepareSearchConnection(sqlite3* db, std::string* error) {
  return search::RegisterFts5Tokenizer(db, error);
}

Status UnindexArticle(sqlite3* db, int64_t article) {
  return RunForArticle(db,
                       "INSERT INTO article_search(article_search, rowid, title, byline, body) "
                       "SELECT 'delete', id, title, byline, body FROM search_documents "
                       "WHERE id = ?1",
                       article, "cannot take the article out of the search index");
}

Status IndexArticle(sqlite3* db, int64_t article) {
  return RunForArticle(db,
                       "INSERT INTO article_search(rowid, title, byline, body) "
                       "SELECT id, title, byline, body FROM search_documents WHERE id = ?1",
                       article, "cannot index the article");
}

std::string Fts5Query(std::string_view query) {
  std::string out;
  for (const std::string& piece : Pieces(query)) {
    if (search::Tokenize(piece, search::TokenizeMode::kQuery).empty()) continue;
    if (!out.empty()) out += " AND ";
    out += '"';
    for (char c : piece) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    out += '"';
  }
  return out;
}

Result<std::vector<SearchHit>> SearchArticles(Store& store, std::string_view query,
                                              const SearchOptions& options) {
  std::vector<SearchHit> hits;
  const std::string expression = Fts5Query(query);
  if (expression.empty() || options.limit <= 0) return hits;
  const std::vector<std::string> literal = LiteralPieces(query);
  std::vector<std::string> raw_pieces;
  for (const std::string& piece : Pieces(query))
    if (search::ContainsCjk(piece)) raw_pieces.push_back(piece);
  sqlite3* db = store.db();
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, kSearchSql, -1, &stmt, nullptr) != SQLITE_OK)
    return SqlError(db, "cannot search", 0);
  sqlite3_bind_text(stmt, 1, expression.data(), static_cast<int>(expression.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt, 2, options.mark_open.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt, 3, options.mark_close.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt, 4, options.channel.c_str(), -1, SQLITE_TRANSIENT);
  int rc = SQLITE_DONE;
  while (static_cast<int>(hits.size()) < options.limit && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (!literal.empty() && !ContainsAll(literal, search::FoldForMatch(Column(stmt, 7)))) continue;
    hits.push_back(SearchHit{
        sqlite3_column_int64(stmt, 0), Column(stmt, 1), Column(stmt, 2), Column(stmt, 3),
        Column(stmt, 4),
        literal.empty() ? Column(stmt, 5) : MarkPieces(Column(stmt, 5), raw_pieces, options),
        sqlite3_column_double(stmt, 6)});
  }
  bool failed = static_cast<int>(hits.size()) < options.limit && rc != SQLITE_DONE;
  Status status = failed ? SqlError(db, "cannot search", 0) : Status::Ok();
  sqlite3_finalize(stmt);
  if (!status.ok()) return status;
  return hits;
}

}  // namespace samizdat::store
