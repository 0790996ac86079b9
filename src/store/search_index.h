// The store's full-text index (doc/store.md, doc/search.md): an FTS5 table over each
// article's current title, byline and body text, tokenized by search/tokenizer.h. It is an
// external-content table over the view search_documents, so the text is stored once (in
// revisions); SaveArticle keeps it in step inside the article's transaction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

struct sqlite3;

namespace samizdat::store {

class Store;

// Migration 4: the view, the FTS5 table, and the index of the articles already stored.
inline constexpr const char* kSearchIndexMigration = R"SQL(
CREATE VIEW search_documents AS
  SELECT a.id AS id, r.title AS title, r.byline AS byline, r.text AS body
  FROM articles a JOIN revisions r ON r.id = a.current_revision;
CREATE VIRTUAL TABLE article_search USING fts5(
  title, byline, body, content='search_documents', content_rowid='id', tokenize='samizdat');
INSERT INTO article_search(article_search) VALUES('rebuild');
)SQL";

// Registers the tokenizer the index needs on a new connection.
bool PrepareSearchConnection(sqlite3* db, std::string* error);

// Takes article `article`'s current revision out of the index (before it is replaced), and
// puts it in (after). Both run inside the caller's transaction.
Status UnindexArticle(sqlite3* db, int64_t article);
Status IndexArticle(sqlite3* db, int64_t article);

struct SearchOptions {
  std::string channel;  // only articles in this channel; "" for all
  int limit = 20;
  // Wrapped around each matching term in the snippet.
  std::string mark_open = "«", mark_close = "»";
};

struct SearchHit {
  int64_t article = 0;
  std::string article_id, home_channel, title, date;  // date: published, else the feed's
  std::string snippet;
  double score = 0;  // bm25: lower is better
};

// The FTS5 expression for a user's query: each whitespace-separated piece is a phrase
// (all must occur); "" when the query holds no term.
std::string Fts5Query(std::string_view query);

// The best `limit` articles for `query`, best first (bm25, title weighted over byline over
// body). A piece holding Chinese or Japanese text must occur literally (case-folded) in
// the title, byline or body; each candidate is checked against its text.
Result<std::vector<SearchHit>> SearchArticles(Store& store, std::string_view query,
                                              const SearchOptions& options);

}  // namespace samizdat::store
