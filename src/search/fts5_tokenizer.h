// The search tokenizer (search/tokenizer.h) as an SQLite FTS5 tokenizer named "samizdat".
#pragma once

#include <string>

struct sqlite3;

namespace samizdat::search {

inline constexpr const char* kFts5TokenizerName = "samizdat";

// Registers the tokenizer on `db` (every connection that reads or writes an FTS5 table
// declared with tokenize='samizdat' needs it). False and *error when FTS5 is missing.
bool RegisterFts5Tokenizer(sqlite3* db, std::string* error);

}  // namespace samizdat::search
