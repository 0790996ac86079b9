#include "store/store.h"

#include <sodium.h>
#include <sqlite3.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "store/search_index.h"
#include "util/ids.h"

namespace samizdat::store {
namespace {

// A prepared statement that finalises itself.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return stmt_ != nullptr; }
  Stmt& Bind(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& BindBlob(int i, std::string_view s) {
    sqlite3_bind_blob(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  int Step() { return stmt_ ? sqlite3_step(stmt_) : SQLITE_ERROR; }
  sqlite3_stmt* get() { return stmt_; }
  bool Done() { return Step() == SQLITE_DONE; }
  // Runs a one-row query: true with the row, false when there is none, or the error.
  Result<bool> Row() {
    int rc = Step();
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return Status::IoError("");  // the caller names the step (Store::Error)
  }
  std::string Text(int col) {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back unless Commit() succeeds. Inside a transaction
// already open (Store::InTransaction) it is a savepoint instead: its writes are kept or
// undone on their own, and made durable by the outer commit.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db), nested_(sqlite3_get_autocommit(db) == 0) {
    ok_ = Run(nested_ ? "SAVEPOINT tx" : "BEGIN IMMEDIATE");
  }
  ~Transaction() {
    if (ok_ && !committed_) Run(nested_ ? "ROLLBACK TO tx; RELEASE tx" : "ROLLBACK");
  }
  bool ok() const { return ok_; }
  [[nodiscard]] bool Commit() {
    committed_ = Run(nested_ ? "RELEASE tx" : "COMMIT");
    return committed_;
  }

 private:
  bool Run(const char* sql) {
    return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  sqlite3* db_;
  bool nested_;
  bool ok_ = false;
  bool committed_ = false;
};

// Migration n brings the schema from version n to n+1. Never edit a shipped migration;
// append a new one.
constexpr const char* kMigrations[] = {
    R"SQL(
CREATE TABLE sources (
  id TEXT PRIMARY KEY,
  healthy INTEGER NOT NULL DEFAULT 1,
  note TEXT NOT NULL DEFAULT '',
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  last_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_success_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE fetch_log (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  source_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  status INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  elapsed_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT NOT NULL
);
CREATE INDEX fetch_log_source ON fetch_log(source_id, at);
CREATE TABLE validators (
  url TEXT PRIMARY KEY,
  etag TEXT NOT NULL,
  last_modified TEXT NOT NULL
);
CREATE TABLE raw_pages (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  fetched_at INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  charset TEXT NOT NULL,
  size INTEGER NOT NULL,
  body BLOB NOT NULL          -- zlib-compressed
);
CREATE TABLE articles (
  id INTEGER PRIMARY KEY,
  canonical_url TEXT NOT NULL UNIQUE,
  article_id TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  feed_published TEXT NOT NULL,
  feed_updated TEXT NOT NULL,
  current_revision INTEGER
);
CREATE INDEX articles_article_id ON articles(article_id);
CREATE TABLE revisions (
  id INTEGER PRIMARY KEY,
  article INTEGER NOT NULL REFERENCES articles(id),
  number INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  title TEXT NOT NULL,
  byline TEXT NOT NULL,
  published TEXT NOT NULL,
  modified TEXT NOT NULL,
  lead_image TEXT NOT NULL,   -- JSON {src, alt, caption} or ''
  html TEXT NOT NULL,
  text TEXT NOT NULL,
  raw_page INTEGER REFERENCES raw_pages(id),
  UNIQUE (article, number)
);
CREATE TABLE memberships (
  article INTEGER NOT NULL REFERENCES articles(id),
  channel TEXT NOT NULL,
  source_id TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (article, channel)
);
CREATE INDEX memberships_channel ON memberships(channel, added_at);
)SQL",
    // 2: the channel whose pages/ folder holds an article, fixed when it is first stored
    // (its smallest channel id then), so a page never moves.
    R"SQL(
ALTER TABLE articles ADD COLUMN home_channel TEXT NOT NULL DEFAULT '';
UPDATE articles SET home_channel = COALESCE((SELECT channel FROM memberships m WHERE m.article = articles.id
                                            ORDER BY m.added_at, m.channel LIMIT 1), '');
-- The current revision's title, so indexes never read revisions.
ALTER TABLE articles ADD COLUMN title TEXT NOT NULL DEFAULT '';
UPDATE articles SET title = COALESCE((SELECT title FROM revisions r WHERE r.id = articles.current_revision), '');
-- Channel indexes read memberships in (added_at, article) order straight from the index.
DROP INDEX memberships_channel;
CREATE INDEX memberships_channel ON memberships(channel, added_at, article);
)SQL",
    // 3: a page path names one article. RepairArticleIds (run first, in the same
    // transaction) made every id safe and every (home channel, id) unique; ids compare
    // case-insensitively because case-insensitive file systems (and git checkouts on them)
    // would make Story.md and story.md one file.
    R"SQL(
DROP INDEX articles_article_id;
CREATE INDEX articles_article_id ON articles(article_id COLLATE NOCASE);
CREATE UNIQUE INDEX articles_page ON articles(home_channel, article_id COLLATE NOCASE);
)SQL",
    // 4: the full-text index (store/search_index.h).
    kSearchIndexMigration,
    // 5: near-duplicates (an article repeating an earlier one, found by the LSH band keys of
    // its text) and re-checks (when an article's page was last fetched).
    R"SQL(
ALTER TABLE articles ADD COLUMN duplicate_of INTEGER REFERENCES articles(id);
ALTER TABLE articles ADD COLUMN checked_at INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET checked_at = updated_at;
CREATE INDEX articles_duplicate_of ON articles(duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE INDEX articles_first_seen ON articles(first_seen_at);
CREATE TABLE near_duplicate_bands (
  band INTEGER NOT NULL,
  article INTEGER NOT NULL REFERENCES articles(id),
  PRIMARY KEY (band, article)
) WITHOUT ROWID;
)SQL",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == Store::kSchemaVersion);

// The Status for an SQLite result code: a full disk or database is NoSpace (the run
// stops), a lock still held after the busy timeout Busy, anything else IoError.
Status SqliteStatus(int rc, std::string message) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return Status::NoSpace(std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Busy(std::move(message));
    default:
      return Status::IoError(std::move(message));
  }
}

std::string AsciiLower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Ids already kept while RepairArticleIds walks the articles: lower-cased id -> the home
// channels of the articles holding it.
using KeptIds = std::map<std::string, std::vector<std::string>>;

// Whether an article homed in `home` may not take `id`: an earlier article in the same
// home has it, or either has no home yet (it may get any home later).
bool PageTaken(const KeptIds& kept, const std::string& id, const std::string& home) {
  auto it = kept.find(AsciiLower(id));
  if (it == kept.end()) return false;
  for (const auto& h : it->second)
    if (h == home || h.empty() || home.empty()) return true;
  return false;
}

// Before migration 3: gives every article a safe id, and every later article whose page
// would collide with an earlier one's (same home channel, same id ignoring case) the
// hash-suffixed id. Articles are visited in the order they were stored, so the first one
// keeps its id and its published link. An unsafe id never made a page inside the site, so
// it is replaced by the id it would be given today.
bool RepairArticleIds(sqlite3* db, std::string* error) {
  struct Row {
    int64_t id;
    std::string url, article_id, home;
  };
  std::vector<Row> rows;
  Stmt s(db, "SELECT id, canonical_url, article_id, home_channel FROM articles ORDER BY id");
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) rows.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3)});
  if (rc != SQLITE_DONE) {
    *error = std::string("cannot read articles to renumber: ") + sqlite3_errmsg(db);
    return false;
  }
  KeptIds kept;
  Stmt up(db, "UPDATE articles SET article_id=? WHERE id=?");
  for (const Row& r : rows) {
    const std::string base =
        IsSafeId(r.article_id) ? r.article_id : SafeArticleId(r.article_id, r.url);
    std::string id = base;
    for (int attempt = 0; PageTaken(kept, id, r.home); ++attempt)
      id = CollisionArticleId(base, r.url, attempt);
    kept[AsciiLower(id)].push_back(r.home);
    if (id == r.article_id) continue;
    sqlite3_reset(up.get());
    up.Bind(1, id).Bind(2, r.id);
    if (!up.Done()) {
      *error = "cannot renumber article " + r.url + ": " + sqlite3_errmsg(db);
      return false;
    }
  }
  return true;
}

// Code a migration needs before its SQL runs (in the same transaction).
bool PrepareMigration(sqlite3* db, int from_version, std::string* error) {
  return from_version != 2 || RepairArticleIds(db, error);
}

Result<bool> ArticleIdTaken(sqlite3* db, const std::string& id) {
  Stmt s(db, "SELECT 1 FROM articles WHERE article_id=? COLLATE NOCASE LIMIT 1");
  s.Bind(1, id);
  return s.Row();
}

// The id a new article gets: the one asked for (made safe), or, when another article
// already has it anywhere in the store, "<id>-<hash of the URL>". Unique across the store,
// so the page never collides whatever home channel the article has or gets.
// An empty string when 16 hashed ids are all taken; the error of a failed lookup.
Result<std::string> AllocateArticleId(sqlite3* db, std::string_view wanted,
                                      std::string_view canonical_url) {
  const std::string id =
      IsSafeId(wanted) ? std::string(wanted) : SafeArticleId(wanted, canonical_url);
  std::string candidate = id;
  for (int attempt = 0; attempt <= 16; ++attempt) {
    Result<bool> taken = ArticleIdTaken(db, candidate);
    if (!taken.ok()) return taken.status();
    if (!*taken) return candidate;
    candidate = CollisionArticleId(id, canonical_url, attempt);
  }
  return std::string();
}

std::optional<std::string> Compress(std::string_view data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()),
                6) != Z_OK)
    return std::nullopt;
  out.resize(size);
  return out;
}

}  // namespace

std::unique_ptr<Store> Store::Open(const std::string& path, std::string* error) {
  if (sodium_init() < 0) {
    *error = "libsodium failed to initialise";
    return nullptr;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    *error = "cannot open store " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return nullptr;
  }
  std::unique_ptr<Store> store(new Store(db));
  // Another connection may be writing (or creating the schema): wait for it, up to this long.
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // WAL: readers never block the writer; FULL: a committed article survives power loss.
  if (!store->SetJournalModeWal(error) || !store->Exec("PRAGMA synchronous=FULL", error) ||
      !store->Exec("PRAGMA foreign_keys=ON", error) || !PrepareSearchConnection(db, error) ||
      !store->Migrate(error)) {
    *error = "store " + path + ": " + *error;
    return nullptr;
  }
  return store;
}

bool Store::SetJournalModeWal(std::string* error) {
  // Switching a fresh file to WAL needs an exclusive lock. When two connections race for
  // it, SQLite may answer SQLITE_BUSY at once instead of calling the busy handler (to break
  // a deadlock), so this retries for as long as the busy timeout would have waited.
  constexpr int kPauseMs = 5;
  for (int waited = 0;; waited += kPauseMs) {
    char* msg = nullptr;
    int rc = sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, &msg);
    if (rc == SQLITE_OK) return true;
    bool busy = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
    if (!busy || waited >= kBusyTimeoutMs) {
      *error = msg ? msg : "cannot switch to WAL";
      sqlite3_free(msg);
      return false;
    }
    sqlite3_free(msg);
    sqlite3_sleep(kPauseMs);
  }
}

Store::~Store() { sqlite3_close(db_); }

bool Store::Exec(const char* sql, std::string* error) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    if (error) *error = msg ? msg : "sqlite error";
    sqlite3_free(msg);
    return false;
  }
  return true;
}

Status Store::Error(std::string_view step, std::string_view subject) const {
  std::string message(step);
  if (!subject.empty()) message += " for " + std::string(subject);
  message += ": ";
  message += sqlite3_errmsg(db_);
  return SqliteStatus(sqlite3_extended_errcode(db_), std::move(message));
}

Result<int> Store::schema_version() const {
  Stmt s(db_, "PRAGMA user_version");
  if (s.Step() != SQLITE_ROW) return Error("cannot read the schema version");
  return static_cast<int>(s.Int(0));
}

bool Store::CheckVersion(int version, std::string* error) const {
  if (version <= kSchemaVersion) return true;
  *error = "schema version " + std::to_string(version) + " is newer than this samizdat (" +
           std::to_string(kSchemaVersion) + ")";
  return false;
}

bool Store::Migrate(std::string* error) {
  Result<int> read = schema_version();
  if (!read.ok()) {
    *error = read.status().message();
    return false;
  }
  int version = *read;
  if (!CheckVersion(version, error)) return false;
  if (version == kSchemaVersion) return true;  // the common case: no write lock taken
  // The version is read again inside one BEGIN IMMEDIATE transaction that applies every
  // pending migration: a second process opening the same fresh store waits for the first
  // (busy timeout), then finds the new version and has nothing to do. A failed migration
  // leaves the store as it was.
  Transaction tx(db_);
  if (!tx.ok()) {
    *error = std::string("cannot begin the schema transaction: ") + sqlite3_errmsg(db_);
    return false;
  }
  read = schema_version();
  if (!read.ok()) {
    *error = read.status().message();
    return false;
  }
  version = *read;
  if (!CheckVersion(version, error)) return false;
  for (; version < kSchemaVersion; ++version)
    if (!PrepareMigration(db_, version, error) || !Exec(kMigrations[version], error)) return false;
  std::string set = "PRAGMA user_version=" + std::to_string(kSchemaVersion);
  if (!Exec(set.c_str(), error)) return false;
  if (!tx.Commit()) {
    *error = std::string("cannot commit the schema: ") + sqlite3_errmsg(db_);
    return false;
  }
  return true;
}

Result<std::optional<Validators>> Store::GetValidators(std::string_view url) {
  Stmt s(db_, "SELECT etag, last_modified FROM validators WHERE url=?");
  s.Bind(1, url);
  Result<bool> row = s.Row();
  if (!row.ok()) return Error("cannot read validators", url);
  if (!*row) return std::optional<Validators>();
  return std::optional<Validators>(Validators{s.Text(0), s.Text(1)});
}

Status Store::PutValidators(std::string_view url, const Validators& v) {
  Stmt s(db_,
         "INSERT INTO validators(url, etag, last_modified) VALUES(?,?,?) "
         "ON CONFLICT(url) DO UPDATE SET etag=excluded.etag, last_modified=excluded.last_modified "
         "WHERE etag<>excluded.etag OR last_modified<>excluded.last_modified");
  s.Bind(1, url).Bind(2, v.etag).Bind(3, v.last_modified);
  return s.Done() ? Status::Ok() : Error("cannot save validators", url);
}

Status Store::LogFetch(const FetchLogEntry& e) {
  Stmt s(db_,
         "INSERT INTO fetch_log(url, source_id, at, status, bytes, elapsed_ms, attempts, error) "
         "VALUES(?,?,?,?,?,?,?,?)");
  s.Bind(1, e.url).Bind(2, e.source_id).Bind(3, e.at).Bind(4, e.status).Bind(5, e.bytes);
  s.Bind(6, e.elapsed_ms).Bind(7, e.attempts).Bind(8, e.error);
  return s.Done() ? Status::Ok() : Error("cannot log the fetch", e.url);
}

Result<std::optional<StoredArticle>> Store::FindArticle(std::string_view canonical_url) {
  Stmt s(
      db_,
      "SELECT a.id, a.canonical_url, a.article_id, a.feed_published, a.feed_updated, "
      "COALESCE(r.title,''), COALESCE(r.content_hash,''), "
      "(SELECT COUNT(*) FROM revisions WHERE article=a.id), a.first_seen_at, a.checked_at "
      "FROM articles a LEFT JOIN revisions r ON r.id=a.current_revision WHERE a.canonical_url=?");
  s.Bind(1, canonical_url);
  Result<bool> row = s.Row();
  if (!row.ok()) return Error("cannot read article", canonical_url);
  if (!*row) return std::optional<StoredArticle>();
  StoredArticle a;
  a.id = s.Int(0);
  a.canonical_url = s.Text(1);
  a.article_id = s.Text(2);
  a.feed_published = s.Text(3);
  a.feed_updated = s.Text(4);
  a.title = s.Text(5);
  a.content_hash = s.Text(6);
  a.revisions = static_cast<int>(s.Int(7));
  a.first_seen_at = s.Int(8);
  a.checked_at = s.Int(9);
  Stmt m(db_, "SELECT channel FROM memberships WHERE article=? ORDER BY channel");
  m.Bind(1, a.id);
  int rc;
  while ((rc = m.Step()) == SQLITE_ROW) a.channels.push_back(m.Text(0));
  if (rc != SQLITE_DONE) return Error("cannot read memberships", canonical_url);
  return std::optional<StoredArticle>(std::move(a));
}

std::string Store::ContentHash(std::string_view title, std::string_view html) {
  crypto_generichash_state st;
  unsigned char out[16];
  crypto_generichash_init(&st, nullptr, 0, sizeof out);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(title.data()),
                            title.size());
  const unsigned char sep = 0;
  crypto_generichash_update(&st, &sep, 1);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(html.data()), html.size());
  crypto_generichash_final(&st, out, sizeof out);
  char hex[sizeof out * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

Result<int64_t> Store::InsertArticle(const ArticleInput& in, int64_t now) {
  std::string home;
  for (const auto& m : in.memberships)
    if (home.empty() || m.channel < home) home = m.channel;
  Result<std::string> id = AllocateArticleId(db_, in.article_id, in.canonical_url);
  if (!id.ok()) return Error("cannot allocate an article id", in.canonical_url);
  if (id->empty()) return Status::IoError("no free article id for " + in.canonical_url);
  Stmt s(db_,
         "INSERT INTO articles(canonical_url, article_id, first_seen_at, updated_at, "
         "feed_published, feed_updated, home_channel, checked_at, duplicate_of) "
         "VALUES(?,?,?,?,?,?,?,?,(SELECT id FROM articles WHERE id=?))");
  s.Bind(1, in.canonical_url).Bind(2, *id).Bind(3, now).Bind(4, now);
  s.Bind(5, in.feed_published).Bind(6, in.feed_updated).Bind(7, home).Bind(8, now);
  s.Bind(9, in.duplicate_of);
  if (!s.Done()) return Error("cannot insert article", in.canonical_url);
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Status Store::InsertRevision(const ArticleInput& in, int64_t article, const std::string& hash,
                             int64_t now) {
  std::optional<std::string> packed = Compress(in.raw_body);
  if (!packed) return Status::IoError("cannot compress the raw page of " + in.canonical_url);
  Stmt raw(db_,
           "INSERT INTO raw_pages(url, fetched_at, content_type, charset, size, body) "
           "VALUES(?,?,?,?,?,?)");
  raw.Bind(1, in.fetched_url.empty() ? in.canonical_url : in.fetched_url).Bind(2, now);
  raw.Bind(3, in.content_type).Bind(4, in.charset);
  raw.Bind(5, static_cast<int64_t>(in.raw_body.size())).BindBlob(6, *packed);
  if (!raw.Done()) return Error("cannot store raw page", in.canonical_url);
  int64_t raw_id = sqlite3_last_insert_rowid(db_);
  Stmt rev(db_,
           "INSERT INTO revisions(article, number, created_at, content_hash, title, byline, "
           "published, modified, lead_image, html, text, raw_page) "
           "VALUES(?, (SELECT COUNT(*)+1 FROM revisions WHERE article=?), ?,?,?,?,?,?,?,?,?,?)");
  rev.Bind(1, article).Bind(2, article).Bind(3, now).Bind(4, hash).Bind(5, in.title);
  rev.Bind(6, in.byline).Bind(7, in.published).Bind(8, in.modified).Bind(9, in.lead_image_json);
  rev.Bind(10, in.html).Bind(11, in.text).Bind(12, raw_id);
  if (!rev.Done()) return Error("cannot insert revision", in.canonical_url);
  int64_t rev_id = sqlite3_last_insert_rowid(db_);
  Stmt up(db_, "UPDATE articles SET current_revision=?, updated_at=?, title=? WHERE id=?");
  up.Bind(1, rev_id).Bind(2, now).Bind(3, in.title).Bind(4, article);
  if (!up.Done()) return Error("cannot update article", in.canonical_url);
  return Status::Ok();
}

Status Store::InsertMemberships(int64_t article, const ArticleInput& in, int64_t now) {
  Stmt m(db_,
         "INSERT OR IGNORE INTO memberships(article, channel, source_id, added_at) "
         "VALUES(?,?,?,?)");
  for (const auto& membership : in.memberships) {
    sqlite3_reset(m.get());
    m.Bind(1, article).Bind(2, membership.channel).Bind(3, membership.source_id).Bind(4, now);
    if (!m.Done()) return Error("cannot add membership", in.canonical_url);
  }
  return Status::Ok();
}

Status Store::InTransaction(const std::function<Status()>& writes) {
  Transaction tx(db_);
  if (!tx.ok()) return Error("cannot begin transaction");
  if (Status st = writes(); !st.ok()) return st;
  if (!tx.Commit()) return Error("cannot commit");
  return Status::Ok();
}

Result<SaveOutcome> Store::SaveArticle(const ArticleInput& in, int64_t now) {
  Transaction tx(db_);
  if (!tx.ok()) return Error("cannot begin transaction", in.canonical_url);
  std::string hash = ContentHash(in.title, in.html);
  Result<std::optional<StoredArticle>> found = FindArticle(in.canonical_url);
  if (!found.ok()) return found.status();
  const std::optional<StoredArticle>& existing = *found;
  SaveOutcome outcome = !existing                        ? SaveOutcome::kNew
                        : existing->content_hash == hash ? SaveOutcome::kUnchanged
                                                         : SaveOutcome::kChanged;
  int64_t article = existing ? existing->id : 0;
  if (!existing) {
    Result<int64_t> inserted = InsertArticle(in, now);
    if (!inserted.ok()) return inserted.status();
    article = *inserted;
    if (Status st = InsertDuplicateBands(article, in); !st.ok()) return st;
  } else if (existing->feed_updated != in.feed_updated ||
             existing->feed_published != in.feed_published) {
    Stmt s(db_, "UPDATE articles SET feed_published=?, feed_updated=? WHERE id=?");
    s.Bind(1, in.feed_published).Bind(2, in.feed_updated).Bind(3, article);
    if (!s.Done()) return Error("cannot update article", in.canonical_url);
  }
  if (outcome != SaveOutcome::kUnchanged) {
    if (Status st = existing ? UnindexArticle(db_, article) : Status::Ok(); !st.ok()) return st;
    if (Status st = InsertRevision(in, article, hash, now); !st.ok()) return st;
    if (Status st = IndexArticle(db_, article); !st.ok()) return st;
  }
  if (Status st = InsertMemberships(article, in, now); !st.ok()) return st;
  if (existing)
    if (Status st = MarkChecked(in.canonical_url, now); !st.ok()) return st;
  if (!tx.Commit()) return Error("cannot commit", in.canonical_url);
  return outcome;
}

Result<int> Store::AddMemberships(std::string_view canonical_url,
                                  const std::vector<Membership>& memberships, int64_t now) {
  Transaction tx(db_);
  if (!tx.ok()) return Error("cannot begin transaction", canonical_url);
  int added = 0;
  std::string home;
  Stmt m(db_,
         "INSERT OR IGNORE INTO memberships(article, channel, source_id, added_at) "
         "SELECT id, ?, ?, ? FROM articles WHERE canonical_url=?");
  for (const auto& membership : memberships) {
    sqlite3_reset(m.get());
    m.Bind(1, membership.channel).Bind(2, membership.source_id).Bind(3, now).Bind(4, canonical_url);
    if (!m.Done()) return Error("cannot add membership", canonical_url);
    added += sqlite3_changes(db_);
    if (home.empty() || membership.channel < home) home = membership.channel;
  }
  if (added > 0) {
    Stmt h(db_, "UPDATE articles SET home_channel=? WHERE canonical_url=? AND home_channel=''");
    h.Bind(1, home).Bind(2, canonical_url);
    if (!h.Done()) return Error("cannot set the home channel", canonical_url);
  }
  if (!tx.Commit()) return Error("cannot commit memberships", canonical_url);
  return added;
}

namespace {
constexpr const char* kHomeChannel =
    "(SELECT channel FROM memberships m WHERE m.article=a.id ORDER BY m.added_at, m.channel LIMIT "
    "1)";
constexpr const char* kHomeSource =
    "(SELECT source_id FROM memberships m WHERE m.article=a.id ORDER BY m.added_at, m.channel "
    "LIMIT 1)";
}  // namespace

Status Store::ForEachCurrentArticle(const std::function<void(const CurrentArticle&)>& fn,
                                    const std::function<bool(const CurrentArticle&)>& want) {
  std::string sql = std::string("SELECT a.id, a.current_revision, a.article_id, COALESCE(") +
                    kHomeChannel + ", ''), COALESCE(" + kHomeSource +
                    ", '') FROM articles a WHERE a.current_revision IS NOT NULL ORDER BY a.id";
  Stmt s(db_, sql.c_str());
  Stmt full(
      db_,
      "SELECT a.canonical_url, r.title, r.byline, r.published, r.modified, r.lead_image, r.html "
      "FROM articles a JOIN revisions r ON r.id=a.current_revision WHERE a.id=?");
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    CurrentArticle c;
    c.id = s.Int(0);
    c.revision_id = s.Int(1);
    c.article_id = s.Text(2);
    c.home_channel = s.Text(3);
    c.source_id = s.Text(4);
    if (!want || want(c)) {
      sqlite3_reset(full.get());
      full.Bind(1, c.id);
      Result<bool> row = full.Row();
      if (!row.ok()) return Error("cannot read article", c.article_id);
      if (*row) {
        c.content_loaded = true;
        c.canonical_url = full.Text(0);
        c.title = full.Text(1);
        c.byline = full.Text(2);
        c.published = full.Text(3);
        c.modified = full.Text(4);
        c.lead_image_json = full.Text(5);
        c.html = full.Text(6);
      }
    }
    fn(c);
  }
  return rc == SQLITE_DONE ? Status::Ok() : Error("cannot list articles");
}

Result<std::optional<CurrentArticle>> Store::CurrentArticleById(int64_t id) {
  Stmt s(db_,
         "SELECT a.current_revision, a.article_id, a.home_channel, a.canonical_url, r.title, "
         "r.byline, r.published, r.modified, r.lead_image, r.html FROM articles a "
         "JOIN revisions r ON r.id=a.current_revision WHERE a.id=?");
  s.Bind(1, id);
  Result<bool> row = s.Row();
  if (!row.ok()) return Error("cannot read article", std::to_string(id));
  if (!*row) return std::optional<CurrentArticle>();
  CurrentArticle c;
  c.id = id;
  c.revision_id = s.Int(0);
  c.article_id = s.Text(1);
  c.home_channel = s.Text(2);
  c.canonical_url = s.Text(3);
  c.title = s.Text(4);
  c.byline = s.Text(5);
  c.published = s.Text(6);
  c.modified = s.Text(7);
  c.lead_image_json = s.Text(8);
  c.html = s.Text(9);
  c.content_loaded = true;
  return std::optional<CurrentArticle>(std::move(c));
}

Result<std::vector<Store::ArticlePath>> Store::ArticlePaths() {
  Stmt s(db_, "SELECT id, canonical_url, article_id, home_channel FROM articles ORDER BY id");
  std::vector<ArticlePath> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3)});
  if (rc != SQLITE_DONE) return Error("cannot list article paths");
  return out;
}

Result<std::vector<IndexEntry>> Store::ChannelIndex(std::string_view channel) {
  Stmt s(db_,
         "SELECT a.id, a.article_id, a.title, a.home_channel, m.added_at, r.published, "
         "r.modified, a.updated_at FROM memberships m JOIN articles a ON a.id=m.article "
         "JOIN revisions r ON r.id=a.current_revision WHERE m.channel=? "
         "ORDER BY m.added_at, m.article");
  s.Bind(1, channel);
  std::vector<IndexEntry> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW)
    out.push_back(
        {s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Text(5), s.Text(6), s.Int(7)});
  if (rc != SQLITE_DONE) return Error("cannot read the channel index", channel);
  return out;
}

Result<int64_t> Store::Count(const char* sql) {
  Stmt s(db_, sql);
  if (s.Step() != SQLITE_ROW) return Error(sql);
  return s.Int(0);
}

Result<int64_t> Store::LatestUpdate() {
  return Count("SELECT COALESCE(MAX(updated_at), 0) FROM articles");
}

Status Store::SetSourceHealth(const SourceHealth& h) {
  Result<std::optional<SourceHealth>> current = GetSourceHealth(h.source_id);
  if (!current.ok()) return current.status();
  const std::optional<SourceHealth>& c = *current;
  if (c && c->healthy == h.healthy && c->note == h.note &&
      c->consecutive_failures == h.consecutive_failures &&
      c->last_success_at == h.last_success_at && c->last_attempt_at == h.last_attempt_at)
    return Status::Ok();
  Stmt s(db_,
         "INSERT INTO sources(id, healthy, note, consecutive_failures, last_attempt_at, "
         "last_success_at) VALUES(?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
         "healthy=excluded.healthy, note=excluded.note, "
         "consecutive_failures=excluded.consecutive_failures, "
         "last_attempt_at=excluded.last_attempt_at, last_success_at=excluded.last_success_at");
  s.Bind(1, h.source_id).Bind(2, h.healthy ? 1 : 0).Bind(3, h.note).Bind(4, h.consecutive_failures);
  s.Bind(5, h.last_attempt_at).Bind(6, h.last_success_at);
  return s.Done() ? Status::Ok() : Error("cannot save source health", h.source_id);
}

Result<std::optional<SourceHealth>> Store::GetSourceHealth(std::string_view source_id) {
  Stmt s(db_,
         "SELECT healthy, note, consecutive_failures, last_attempt_at, last_success_at "
         "FROM sources WHERE id=?");
  s.Bind(1, source_id);
  Result<bool> row = s.Row();
  if (!row.ok()) return Error("cannot read source health", source_id);
  if (!*row) return std::optional<SourceHealth>();
  return std::optional<SourceHealth>(SourceHealth{std::string(source_id), s.Int(0) != 0, s.Text(1),
                                                  static_cast<int>(s.Int(2)), s.Int(3), s.Int(4)});
}

Result<int64_t> Store::CountArticles() { return Count("SELECT COUNT(*) FROM articles"); }
Result<int64_t> Store::CountRevisions() { return Count("SELECT COUNT(*) FROM revisions"); }
Result<int64_t> Store::CountFetches() { return Count("SELECT COUNT(*) FROM fetch_log"); }

std::string Store::IntegrityCheck() {
  Stmt s(db_, "PRAGMA integrity_check");
  return s.Step() == SQLITE_ROW ? s.Text(0) : "cannot run integrity_check";
}

Status Store::InsertDuplicateBands(int64_t article, const ArticleInput& in) {
  Stmt b(db_, "INSERT OR IGNORE INTO near_duplicate_bands(band, article) VALUES(?,?)");
  for (uint64_t band : in.duplicate_bands) {
    sqlite3_reset(b.get());
    b.Bind(1, static_cast<int64_t>(band)).Bind(2, article);
    if (!b.Done()) return Error("cannot store near-duplicate keys", in.canonical_url);
  }
  return Status::Ok();
}

Status Store::MarkChecked(std::string_view canonical_url, int64_t at) {
  Stmt s(db_, "UPDATE articles SET checked_at=? WHERE canonical_url=?");
  s.Bind(1, at).Bind(2, canonical_url);
  return s.Done() ? Status::Ok() : Error("cannot record the check", canonical_url);
}

Result<std::vector<StoredArticle>> Store::ArticlesToRecheck(std::string_view source_id,
                                                            int64_t first_seen_after,
                                                            int64_t checked_before, int limit) {
  Stmt s(db_,
         "SELECT a.canonical_url, a.title, a.feed_published, a.feed_updated, a.first_seen_at, "
         "a.checked_at FROM articles a WHERE a.first_seen_at >= ? AND a.checked_at <= ? AND "
         "EXISTS (SELECT 1 FROM memberships m WHERE m.article=a.id AND m.source_id=?) "
         "ORDER BY a.first_seen_at DESC, a.id DESC LIMIT ?");
  s.Bind(1, first_seen_after).Bind(2, checked_before).Bind(3, source_id);
  s.Bind(4, static_cast<int64_t>(limit));
  std::vector<StoredArticle> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    StoredArticle a;
    a.canonical_url = s.Text(0);
    a.title = s.Text(1);
    a.feed_published = s.Text(2);
    a.feed_updated = s.Text(3);
    a.first_seen_at = s.Int(4);
    a.checked_at = s.Int(5);
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return Error("cannot list articles to re-check", source_id);
  return out;
}

Result<std::vector<RevisionRecord>> Store::Revisions(int64_t article) {
  Stmt s(db_,
         "SELECT number, created_at, title, text FROM revisions WHERE article=? ORDER BY number");
  s.Bind(1, article);
  std::vector<RevisionRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW)
    out.push_back({static_cast<int>(s.Int(0)), s.Int(1), s.Text(2), s.Text(3)});
  if (rc != SQLITE_DONE) return Error("cannot read revisions", std::to_string(article));
  return out;
}

Result<std::vector<ChangedArticle>> Store::ChangedArticles(int limit) {
  Stmt s(db_,
         "SELECT a.id, a.article_id, a.home_channel, a.title, a.canonical_url, n.count, "
         "r.created_at FROM (SELECT article, COUNT(*) AS count FROM revisions GROUP BY article "
         "HAVING COUNT(*) > 1) n JOIN articles a ON a.id=n.article "
         "JOIN revisions r ON r.id=a.current_revision ORDER BY r.created_at DESC, a.id DESC "
         "LIMIT ?");
  s.Bind(1, static_cast<int64_t>(limit > 0 ? limit : -1));
  std::vector<ChangedArticle> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW)
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), static_cast<int>(s.Int(5)),
                   s.Int(6)});
  if (rc != SQLITE_DONE) return Error("cannot list changed articles");
  return out;
}

Result<std::vector<DuplicateCandidate>> Store::NearDuplicateCandidates(
    const std::vector<uint64_t>& bands, int limit) {
  // Each band is looked up by the primary key; an article repeating an earlier one is never
  // a candidate itself, so a story stored three times points at its first copy.
  Stmt s(db_,
         "SELECT DISTINCT a.id, r.text FROM near_duplicate_bands b JOIN articles a ON "
         "a.id=b.article JOIN revisions r ON r.id=a.current_revision WHERE b.band=? AND "
         "a.duplicate_of IS NULL");
  std::vector<DuplicateCandidate> out;
  for (uint64_t band : bands) {
    sqlite3_reset(s.get());
    s.Bind(1, static_cast<int64_t>(band));
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW && static_cast<int>(out.size()) < limit) {
      int64_t id = s.Int(0);
      bool seen = std::any_of(out.begin(), out.end(), [&](auto& c) { return c.article == id; });
      if (!seen) out.push_back({id, s.Text(1)});
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Error("cannot look up near-duplicates");
  }
  return out;
}

Result<std::vector<DuplicateLink>> Store::NearDuplicates() {
  Stmt s(db_,
         "SELECT id, duplicate_of, canonical_url, article_id, home_channel FROM articles "
         "WHERE duplicate_of IS NOT NULL AND current_revision IS NOT NULL ORDER BY id");
  std::vector<DuplicateLink> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW)
    out.push_back({s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4)});
  if (rc != SQLITE_DONE) return Error("cannot list near-duplicates");
  return out;
}

}  // namespace samizdat::store
