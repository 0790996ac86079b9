#include "search/fts5_tokenizer.h"

#include <sqlite3.h>

#include "search/tokenizer.h"

namespace samizdat::search {
namespace {

// The tokenizer keeps no state: one static object stands for every instance.
struct Fts5Instance {};
Fts5Instance instance;

int Create(void*, const char**, int, Fts5Tokenizer** out) {
  *out = reinterpret_cast<Fts5Tokenizer*>(&instance);
  return SQLITE_OK;
}

void Delete(Fts5Tokenizer*) {}

// FTS5 asks for query terms (FTS5_TOKENIZE_QUERY, with or without PREFIX) or document
// terms (DOCUMENT, and AUX for snippet() and highlight(), which need the same offsets).
int TokenizeForFts5(Fts5Tokenizer*, void* ctx, int flags, const char* text, int length,
                    int (*token)(void*, int, const char*, int, int, int)) {
  TokenizeMode mode =
      (flags & FTS5_TOKENIZE_QUERY) ? TokenizeMode::kQuery : TokenizeMode::kDocument;
  int rc = SQLITE_OK;
  Tokenize(std::string_view(text ? text : "", text ? static_cast<size_t>(length) : 0), mode,
           [&](const Token& t) {
             rc = token(ctx, t.colocated ? FTS5_TOKEN_COLOCATED : 0, t.term.data(),
                        static_cast<int>(t.term.size()), t.start, t.end);
             return rc == SQLITE_OK;
           });
  return rc;
}

fts5_api* Fts5Api(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK) return nullptr;
  sqlite3_bind_pointer(stmt, 1, reinterpret_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  return api;
}

}  // namespace

bool RegisterFts5Tokenizer(sqlite3* db, std::string* error) {
  fts5_api* api = Fts5Api(db);
  if (!api) {
    *error = "this SQLite has no FTS5";
    return false;
  }
  static fts5_tokenizer methods = {Create, Delete, TokenizeForFts5};
  if (api->xCreateTokenizer(api, kFts5TokenizerName, nullptr, &methods, nullptr) != SQLITE_OK) {
    *error = std::string("cannot register the search tokenizer: ") + sqlite3_errmsg(db);
    return false;
  }
  return true;
}

}  // namespace samizdat::search
