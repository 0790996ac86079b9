#include "store/store.h"

#include <sodium.h>
#include <sqlite3.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <map>

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
  std::string Text(int col) {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back unless Commit() succeeds.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {
    ok_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~Transaction() {
    if (ok_ && !committed_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  bool ok() const { return ok_; }
  bool Commit() {
    committed_ = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
    return committed_;
  }

 private:
  sqlite3* db_;
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
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == Store::kSchemaVersion);

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
  while (s.Step() == SQLITE_ROW) rows.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3)});
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

bool ArticleIdTaken(sqlite3* db, const std::string& id) {
  Stmt s(db, "SELECT 1 FROM articles WHERE article_id=? COLLATE NOCASE LIMIT 1");
  s.Bind(1, id);
  return s.Step() == SQLITE_ROW;
}

// The id a new article gets: the one asked for (made safe), or, when another article
// already has it anywhere in the store, "<id>-<hash of the URL>". Unique across the store,
// so the page never collides whatever home channel the article has or gets.
std::optional<std::string> AllocateArticleId(sqlite3* db, std::string_view wanted,
                                             std::string_view canonical_url) {
  std::string id = IsSafeId(wanted) ? std::string(wanted) : SafeArticleId(wanted, canonical_url);
  if (!ArticleIdTaken(db, id)) return id;
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string other = CollisionArticleId(id, canonical_url, attempt);
    if (!ArticleIdTaken(db, other)) return other;
  }
  return std::nullopt;
}

std::string Compress(std::string_view data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()),
                6) != Z_OK)
    return {};
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
      !store->Exec("PRAGMA foreign_keys=ON", error) || !store->Migrate(error)) {
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

void Store::NoteFatalError() {
  if (!fatal_error_.empty()) return;
  switch (sqlite3_extended_errcode(db_) & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
      fatal_error_ = sqlite3_errmsg(db_);
      break;
    default:
      break;
  }
}

int Store::schema_version() const {
  sqlite3_stmt* s = nullptr;
  int v = -1;
  if (sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return v;
}

bool Store::CheckVersion(int version, std::string* error) const {
  if (version <= kSchemaVersion) return true;
  *error = "schema version " + std::to_string(version) + " is newer than this samizdat (" +
           std::to_string(kSchemaVersion) + ")";
  return false;
}

bool Store::Migrate(std::string* error) {
  int version = schema_version();
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
  version = schema_version();
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

std::optional<Validators> Store::GetValidators(std::string_view url) {
  Stmt s(db_, "SELECT etag, last_modified FROM validators WHERE url=?");
  s.Bind(1, url);
  if (s.Step() != SQLITE_ROW) return std::nullopt;
  return Validators{s.Text(0), s.Text(1)};
}

bool Store::PutValidators(std::string_view url, const Validators& v) {
  Stmt s(db_,
         "INSERT INTO validators(url, etag, last_modified) VALUES(?,?,?) "
         "ON CONFLICT(url) DO UPDATE SET etag=excluded.etag, last_modified=excluded.last_modified "
         "WHERE etag<>excluded.etag OR last_modified<>excluded.last_modified");
  s.Bind(1, url).Bind(2, v.etag).Bind(3, v.last_modified);
  return s.Done();
}

bool Store::LogFetch(const FetchLogEntry& e) {
  Stmt s(db_,
         "INSERT INTO fetch_log(url, source_id, at, status, bytes, elapsed_ms, attempts, error) "
         "VALUES(?,?,?,?,?,?,?,?)");
  s.Bind(1, e.url).Bind(2, e.source_id).Bind(3, e.at).Bind(4, e.status).Bind(5, e.bytes);
  s.Bind(6, e.elapsed_ms).Bind(7, e.attempts).Bind(8, e.error);
  return s.Done();
}

std::optional<StoredArticle> Store::FindArticle(std::string_view canonical_url) {
  Stmt s(
      db_,
      "SELECT a.id, a.canonical_url, a.article_id, a.feed_published, a.feed_updated, "
      "COALESCE(r.title,''), COALESCE(r.content_hash,''), "
      "(SELECT COUNT(*) FROM revisions WHERE article=a.id) "
      "FROM articles a LEFT JOIN revisions r ON r.id=a.current_revision WHERE a.canonical_url=?");
  s.Bind(1, canonical_url);
  if (s.Step() != SQLITE_ROW) return std::nullopt;
  StoredArticle a;
  a.id = s.Int(0);
  a.canonical_url = s.Text(1);
  a.article_id = s.Text(2);
  a.feed_published = s.Text(3);
  a.feed_updated = s.Text(4);
  a.title = s.Text(5);
  a.content_hash = s.Text(6);
  a.revisions = static_cast<int>(s.Int(7));
  Stmt m(db_, "SELECT channel FROM memberships WHERE article=? ORDER BY channel");
  m.Bind(1, a.id);
  while (m.Step() == SQLITE_ROW) a.channels.push_back(m.Text(0));
  return a;
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

std::optional<SaveOutcome> Store::SaveArticle(const ArticleInput& in, int64_t now,
                                              std::string* error) {
  auto fail = [&](const char* what) -> std::optional<SaveOutcome> {
    NoteFatalError();
    *error = std::string(what) + " for " + in.canonical_url + ": " + sqlite3_errmsg(db_);
    return std::nullopt;
  };
  Transaction tx(db_);
  if (!tx.ok()) return fail("cannot begin transaction");
  std::string hash = ContentHash(in.title, in.html);
  std::optional<StoredArticle> existing = FindArticle(in.canonical_url);
  SaveOutcome outcome = !existing                        ? SaveOutcome::kNew
                        : existing->content_hash == hash ? SaveOutcome::kUnchanged
                                                         : SaveOutcome::kChanged;
  int64_t article = existing ? existing->id : 0;
  if (!existing) {
    std::string home = in.channels.empty()
                           ? std::string()
                           : *std::min_element(in.channels.begin(), in.channels.end());
    std::optional<std::string> id = AllocateArticleId(db_, in.article_id, in.canonical_url);
    if (!id) return fail("no free article id");
    Stmt s(db_,
           "INSERT INTO articles(canonical_url, article_id, first_seen_at, updated_at, "
           "feed_published, feed_updated, home_channel) VALUES(?,?,?,?,?,?,?)");
    s.Bind(1, in.canonical_url).Bind(2, *id).Bind(3, now).Bind(4, now);
    s.Bind(5, in.feed_published).Bind(6, in.feed_updated).Bind(7, home);
    if (!s.Done()) return fail("cannot insert article");
    article = sqlite3_last_insert_rowid(db_);
  } else if (existing->feed_updated != in.feed_updated ||
             existing->feed_published != in.feed_published) {
    Stmt s(db_, "UPDATE articles SET feed_published=?, feed_updated=? WHERE id=?");
    s.Bind(1, in.feed_published).Bind(2, in.feed_updated).Bind(3, article);
    if (!s.Done()) return fail("cannot update article");
  }
  if (outcome != SaveOutcome::kUnchanged) {
    std::string packed = Compress(in.raw_body);
    Stmt raw(db_,
             "INSERT INTO raw_pages(url, fetched_at, content_type, charset, size, body) "
             "VALUES(?,?,?,?,?,?)");
    raw.Bind(1, in.fetched_url.empty() ? in.canonical_url : in.fetched_url).Bind(2, now);
    raw.Bind(3, in.content_type)
        .Bind(4, in.charset)
        .Bind(5, static_cast<int64_t>(in.raw_body.size()));
    raw.BindBlob(6, packed);
    if (!raw.Done()) return fail("cannot store raw page");
    int64_t raw_id = sqlite3_last_insert_rowid(db_);
    Stmt rev(db_,
             "INSERT INTO revisions(article, number, created_at, content_hash, title, byline, "
             "published, modified, lead_image, html, text, raw_page) "
             "VALUES(?, (SELECT COUNT(*)+1 FROM revisions WHERE article=?), ?,?,?,?,?,?,?,?,?,?)");
    rev.Bind(1, article).Bind(2, article).Bind(3, now).Bind(4, hash).Bind(5, in.title);
    rev.Bind(6, in.byline).Bind(7, in.published).Bind(8, in.modified).Bind(9, in.lead_image_json);
    rev.Bind(10, in.html).Bind(11, in.text).Bind(12, raw_id);
    if (!rev.Done()) return fail("cannot insert revision");
    int64_t rev_id = sqlite3_last_insert_rowid(db_);
    Stmt up(db_, "UPDATE articles SET current_revision=?, updated_at=?, title=? WHERE id=?");
    up.Bind(1, rev_id).Bind(2, now).Bind(3, in.title).Bind(4, article);
    if (!up.Done()) return fail("cannot update article");
  }
  for (const auto& ch : in.channels) {
    Stmt m(
        db_,
        "INSERT OR IGNORE INTO memberships(article, channel, source_id, added_at) VALUES(?,?,?,?)");
    m.Bind(1, article).Bind(2, ch).Bind(3, in.source_id).Bind(4, now);
    if (!m.Done()) return fail("cannot add membership");
  }
  if (!tx.Commit()) return fail("cannot commit");
  return outcome;
}

int Store::AddMemberships(std::string_view canonical_url, const std::vector<std::string>& channels,
                          std::string_view source_id, int64_t now) {
  Transaction tx(db_);
  int added = 0;
  for (const auto& ch : channels) {
    Stmt m(db_,
           "INSERT OR IGNORE INTO memberships(article, channel, source_id, added_at) "
           "SELECT id, ?, ?, ? FROM articles WHERE canonical_url=?");
    m.Bind(1, ch).Bind(2, source_id).Bind(3, now).Bind(4, canonical_url);
    if (m.Done()) added += sqlite3_changes(db_);
  }
  if (added > 0 && !channels.empty()) {
    Stmt h(db_, "UPDATE articles SET home_channel=? WHERE canonical_url=? AND home_channel=''");
    h.Bind(1, *std::min_element(channels.begin(), channels.end())).Bind(2, canonical_url);
    h.Done();
  }
  tx.Commit();
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

void Store::ForEachCurrentArticle(const std::function<void(const CurrentArticle&)>& fn,
                                  const std::function<bool(const CurrentArticle&)>& want) {
  std::string sql = std::string("SELECT a.id, a.current_revision, a.article_id, COALESCE(") +
                    kHomeChannel + ", ''), COALESCE(" + kHomeSource +
                    ", '') FROM articles a WHERE a.current_revision IS NOT NULL ORDER BY a.id";
  Stmt s(db_, sql.c_str());
  Stmt full(
      db_,
      "SELECT a.canonical_url, r.title, r.byline, r.published, r.modified, r.lead_image, r.html "
      "FROM articles a JOIN revisions r ON r.id=a.current_revision WHERE a.id=?");
  while (s.Step() == SQLITE_ROW) {
    CurrentArticle c;
    c.id = s.Int(0);
    c.revision_id = s.Int(1);
    c.article_id = s.Text(2);
    c.home_channel = s.Text(3);
    c.source_id = s.Text(4);
    if (!want || want(c)) {
      sqlite3_reset(full.get());
      full.Bind(1, c.id);
      if (full.Step() == SQLITE_ROW) {
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
}

std::vector<Store::ArticlePath> Store::ArticlePaths() {
  Stmt s(db_, "SELECT id, canonical_url, article_id, home_channel FROM articles ORDER BY id");
  std::vector<ArticlePath> out;
  while (s.Step() == SQLITE_ROW) out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3)});
  return out;
}

std::vector<IndexEntry> Store::ChannelIndex(std::string_view channel) {
  Stmt s(db_,
         "SELECT a.id, a.article_id, a.title, a.home_channel, m.added_at FROM memberships m "
         "JOIN articles a ON a.id=m.article WHERE m.channel=? AND a.current_revision IS NOT NULL "
         "ORDER BY m.added_at, m.article");
  s.Bind(1, channel);
  std::vector<IndexEntry> out;
  while (s.Step() == SQLITE_ROW)
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4)});
  return out;
}

int64_t Store::LatestUpdate() {
  Stmt s(db_, "SELECT COALESCE(MAX(updated_at), 0) FROM articles");
  return s.Step() == SQLITE_ROW ? s.Int(0) : 0;
}

bool Store::SetSourceHealth(const SourceHealth& h) {
  auto current = GetSourceHealth(h.source_id);
  if (current && current->healthy == h.healthy && current->note == h.note &&
      current->consecutive_failures == h.consecutive_failures &&
      current->last_success_at == h.last_success_at &&
      current->last_attempt_at == h.last_attempt_at)
    return true;
  Stmt s(db_,
         "INSERT INTO sources(id, healthy, note, consecutive_failures, last_attempt_at, "
         "last_success_at) VALUES(?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
         "healthy=excluded.healthy, note=excluded.note, "
         "consecutive_failures=excluded.consecutive_failures, "
         "last_attempt_at=excluded.last_attempt_at, last_success_at=excluded.last_success_at");
  s.Bind(1, h.source_id).Bind(2, h.healthy ? 1 : 0).Bind(3, h.note).Bind(4, h.consecutive_failures);
  s.Bind(5, h.last_attempt_at).Bind(6, h.last_success_at);
  return s.Done();
}

std::optional<SourceHealth> Store::GetSourceHealth(std::string_view source_id) {
  Stmt s(db_,
         "SELECT healthy, note, consecutive_failures, last_attempt_at, last_success_at "
         "FROM sources WHERE id=?");
  s.Bind(1, source_id);
  if (s.Step() != SQLITE_ROW) return std::nullopt;
  return SourceHealth{std::string(source_id),     s.Int(0) != 0, s.Text(1),
                      static_cast<int>(s.Int(2)), s.Int(3),      s.Int(4)};
}

int64_t Store::CountArticles() {
  Stmt s(db_, "SELECT COUNT(*) FROM articles");
  return s.Step() == SQLITE_ROW ? s.Int(0) : -1;
}
int64_t Store::CountRevisions() {
  Stmt s(db_, "SELECT COUNT(*) FROM revisions");
  return s.Step() == SQLITE_ROW ? s.Int(0) : -1;
}
int64_t Store::CountFetches() {
  Stmt s(db_, "SELECT COUNT(*) FROM fetch_log");
  return s.Step() == SQLITE_ROW ? s.Int(0) : -1;
}

std::string Store::IntegrityCheck() {
  Stmt s(db_, "PRAGMA integrity_check");
  return s.Step() == SQLITE_ROW ? s.Text(0) : "cannot run integrity_check";
}

}  // namespace samizdat::store
