#include "store/pg_store.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "store/store.h"
#include "util/ids.h"

namespace samizdat::store {
namespace {

// Migration n brings the schema from version n to n+1 (never edit a shipped one). The
// first holds what the SQLite store reached in its version 3, and the shared work of
// `sync --worker`. Article ids are unique across the store, ignoring ASCII case (the
// database is created with the C locale, where lower() folds ASCII only).
constexpr const char* kMigrations[] = {
    R"SQL(
CREATE TABLE sources (
  id TEXT PRIMARY KEY,
  healthy INTEGER NOT NULL DEFAULT 1,
  note TEXT NOT NULL DEFAULT '',
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  last_attempt_at BIGINT NOT NULL DEFAULT 0,
  last_success_at BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE fetch_log (
  id BIGSERIAL PRIMARY KEY,
  url TEXT NOT NULL,
  source_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  status INTEGER NOT NULL,
  bytes BIGINT NOT NULL,
  elapsed_ms BIGINT NOT NULL,
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
  id BIGSERIAL PRIMARY KEY,
  url TEXT NOT NULL,
  fetched_at BIGINT NOT NULL,
  content_type TEXT NOT NULL,
  charset TEXT NOT NULL,
  size BIGINT NOT NULL,
  body BYTEA NOT NULL
);
CREATE TABLE articles (
  id BIGSERIAL PRIMARY KEY,
  canonical_url TEXT NOT NULL UNIQUE,
  article_id TEXT NOT NULL,
  first_seen_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  feed_published TEXT NOT NULL,
  feed_updated TEXT NOT NULL,
  current_revision BIGINT,
  home_channel TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX articles_article_id ON articles(lower(article_id));
CREATE TABLE revisions (
  id BIGSERIAL PRIMARY KEY,
  article BIGINT NOT NULL REFERENCES articles(id),
  number INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  content_hash TEXT NOT NULL,
  title TEXT NOT NULL,
  byline TEXT NOT NULL,
  published TEXT NOT NULL,
  modified TEXT NOT NULL,
  lead_image TEXT NOT NULL,
  html TEXT NOT NULL,
  text TEXT NOT NULL,
  raw_page BIGINT REFERENCES raw_pages(id),
  UNIQUE (article, number)
);
CREATE TABLE memberships (
  article BIGINT NOT NULL REFERENCES articles(id),
  channel TEXT NOT NULL,
  source_id TEXT NOT NULL,
  added_at BIGINT NOT NULL,
  PRIMARY KEY (article, channel)
);
CREATE INDEX memberships_channel ON memberships(channel, added_at, article);
CREATE TABLE fetch_jobs (
  id BIGSERIAL PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  source_id TEXT NOT NULL,
  url TEXT NOT NULL,
  host TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'pending',
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_until BIGINT NOT NULL DEFAULT 0,  -- microseconds, on the database's clock
  attempts INTEGER NOT NULL DEFAULT 0,
  planned_at BIGINT NOT NULL DEFAULT 0,
  finished_at BIGINT NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL DEFAULT ''
);
CREATE INDEX fetch_jobs_open ON fetch_jobs(id) WHERE state IN ('pending', 'leased');
CREATE TABLE fetch_hosts (
  host TEXT PRIMARY KEY,
  delay_ms BIGINT NOT NULL DEFAULT 0,
  next_at BIGINT NOT NULL DEFAULT 0,      -- microseconds, on the database's clock
  owner TEXT NOT NULL DEFAULT ''
);
CREATE TABLE job_memberships (
  url TEXT NOT NULL,
  channel TEXT NOT NULL,
  source_id TEXT NOT NULL,
  PRIMARY KEY (url, channel)
);
)SQL",
    // Near-duplicates and re-checks, as in the SQLite store's schema 5 (doc/store.md).
    R"SQL(
ALTER TABLE articles ADD COLUMN duplicate_of BIGINT REFERENCES articles(id);
ALTER TABLE articles ADD COLUMN checked_at BIGINT NOT NULL DEFAULT 0;
UPDATE articles SET checked_at = updated_at;
CREATE INDEX articles_duplicate_of ON articles(duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE INDEX articles_first_seen ON articles(first_seen_at);
CREATE TABLE near_duplicate_bands (
  band BIGINT NOT NULL,
  article BIGINT NOT NULL REFERENCES articles(id),
  PRIMARY KEY (band, article)
);
)SQL",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == PgStore::kSchemaVersion);

// Any number, the same in every process: the advisory lock that orders schema migrations.
constexpr int64_t kSchemaLockKey = 0x73616d697a646174;  // "samizdat"
constexpr int kSaveAttempts = 8;

// The Status for a failed statement, by SQLSTATE class: 53100 disk full is NoSpace; a
// unique violation, serialization failure, deadlock or lock timeout means another writer
// got there first (Busy: the caller may try again); anything else IoError.
Status PgStatus(const PGresult* res, std::string message) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string code = state ? state : "";
  if (code == "53100") return Status::NoSpace(std::move(message));
  if (code == "23505" || code == "40001" || code == "40P01" || code == "55P03")
    return Status::Busy(std::move(message));
  return Status::IoError(std::move(message));
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

// A transaction on the connection, rolled back unless Commit() succeeds.
class PgTransaction {
 public:
  explicit PgTransaction(const PgStore& store) : store_(store) {
    begun_ = store_.Exec("begin", "BEGIN");
  }
  ~PgTransaction() {
    if (begun_.ok() && !done_) (void)store_.Exec("rollback", "ROLLBACK");
  }
  const Status& begun() const { return begun_; }
  Status Commit() {
    done_ = true;
    return store_.Exec("commit", "COMMIT");
  }

 private:
  const PgStore& store_;
  Status begun_;
  bool done_ = false;
};

std::string Text(const PgRows& r, size_t row, size_t col) { return r.rows[row][col]; }

}  // namespace

int64_t PgRows::Int(size_t row, size_t col) const {
  return std::strtoll(rows[row][col].c_str(), nullptr, 10);
}

std::unique_ptr<PgStore> PgStore::Open(const std::string& uri, std::string* error) {
  if (sodium_init() < 0) {
    *error = "libsodium failed to initialise";
    return nullptr;
  }
  PGconn* conn = PQconnectdb(uri.c_str());
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    *error = "cannot connect to the store " + uri + ": " +
             (conn ? PQerrorMessage(conn) : "out of memory");
    while (!error->empty() && error->back() == '\n') error->pop_back();
    PQfinish(conn);
    return nullptr;
  }
  // Notices ("relation already exists, skipping") are the server talking to itself.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  std::unique_ptr<PgStore> store(new PgStore(conn));
  if (!store->Migrate(error)) return nullptr;
  return store;
}

PgStore::~PgStore() { PQfinish(conn_); }

Result<PgRows> PgStore::Query(std::string_view step, std::string_view subject,
                              const std::string& sql, const std::vector<PgParam>& params) const {
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const PgParam& p : params) {
    values.push_back(p.null ? nullptr : p.value.c_str());
    lengths.push_back(static_cast<int>(p.value.size()));
    formats.push_back(p.binary ? 1 : 0);
  }
  // Without parameters the simple protocol runs it, so a migration may hold many statements.
  PGresult* res = params.empty()
                      ? PQexec(conn_, sql.c_str())
                      : PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                     values.data(), lengths.data(), formats.data(), 0);
  ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string message = std::string(step);
    if (!subject.empty()) message += " for " + std::string(subject);
    message += ": ";
    message += res ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    Status st = PgStatus(res, std::move(message));
    PQclear(res);
    return st;
  }
  PgRows out;
  const int rows = PQntuples(res), cols = PQnfields(res);
  out.rows.resize(rows);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      out.rows[r].emplace_back(PQgetvalue(res, r, c), PQgetlength(res, r, c));
  out.affected = std::strtoll(PQcmdTuples(res), nullptr, 10);
  PQclear(res);
  return out;
}

Status PgStore::Exec(std::string_view step, const std::string& sql,
                     const std::vector<PgParam>& params) const {
  return Query(step, "", sql, params).status();
}

// The version check and every pending migration run in one transaction under an advisory
// lock: the first opener migrates, the others wait, then find the new version.
bool PgStore::Migrate(std::string* error) {
  PgTransaction tx(*this);
  Status st = tx.begun();
  if (st.ok()) st = Exec("lock the schema", "SELECT pg_advisory_xact_lock($1)", {kSchemaLockKey});
  if (st.ok())
    st = Exec("create the version table",
              "CREATE TABLE IF NOT EXISTS samizdat_schema (version INTEGER NOT NULL)");
  Result<int> version = st.ok() ? schema_version() : Result<int>(st);
  if (!version.ok()) {
    *error = "cannot read the store's schema version: " + version.status().message();
    return false;
  }
  if (*version > kSchemaVersion) {
    *error = "the store's schema version " + std::to_string(*version) +
             " is newer than this samizdat knows (" + std::to_string(kSchemaVersion) +
             "); upgrade samizdat";
    return false;
  }
  for (int v = *version; v < kSchemaVersion && st.ok(); ++v)
    st = Exec("migrate the schema", kMigrations[v]);
  if (st.ok() && *version < kSchemaVersion)
    st = Exec("set the schema version",
              "DELETE FROM samizdat_schema; INSERT INTO samizdat_schema VALUES (" +
                  std::to_string(kSchemaVersion) + ")");
  if (st.ok()) st = tx.Commit();
  if (!st.ok()) *error = "cannot create the store's schema: " + st.message();
  return st.ok();
}

Result<int> PgStore::schema_version() const {
  Result<PgRows> r =
      Query("read the schema version", "", "SELECT COALESCE(MAX(version), 0) FROM samizdat_schema");
  if (!r.ok()) return r.status();
  return static_cast<int>(r->Int(0, 0));
}

Result<std::optional<Validators>> PgStore::GetValidators(std::string_view url) {
  Result<PgRows> r = Query("cannot read validators", url,
                           "SELECT etag, last_modified FROM validators WHERE url=$1", {url});
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<Validators>();
  return std::optional<Validators>(Validators{Text(*r, 0, 0), Text(*r, 0, 1)});
}

Status PgStore::PutValidators(std::string_view url, const Validators& v) {
  return Query("cannot save validators", url,
               "INSERT INTO validators(url, etag, last_modified) VALUES($1,$2,$3) "
               "ON CONFLICT(url) DO UPDATE SET etag=excluded.etag, "
               "last_modified=excluded.last_modified WHERE validators.etag<>excluded.etag OR "
               "validators.last_modified<>excluded.last_modified",
               {url, v.etag, v.last_modified})
      .status();
}

Status PgStore::LogFetch(const FetchLogEntry& e) {
  return Query("cannot log the fetch", e.url,
               "INSERT INTO fetch_log(url, source_id, at, status, bytes, elapsed_ms, attempts, "
               "error) VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
               {e.url, e.source_id, e.at, e.status, e.bytes, e.elapsed_ms, e.attempts, e.error})
      .status();
}

Result<std::optional<StoredArticle>> PgStore::FindArticle(std::string_view canonical_url) {
  Result<PgRows> r = Query(
      "cannot read article", canonical_url,
      "SELECT a.id, a.canonical_url, a.article_id, a.feed_published, a.feed_updated, "
      "COALESCE(r.title,''), COALESCE(r.content_hash,''), "
      "(SELECT COUNT(*) FROM revisions WHERE article=a.id), "
      "COALESCE((SELECT string_agg(channel, E'\\n' ORDER BY channel COLLATE \"C\") "
      "FROM memberships WHERE article=a.id), ''), a.first_seen_at, a.checked_at "
      "FROM articles a LEFT JOIN revisions r ON r.id=a.current_revision WHERE a.canonical_url=$1",
      {canonical_url});
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<StoredArticle>();
  StoredArticle a;
  a.id = r->Int(0, 0);
  a.canonical_url = Text(*r, 0, 1);
  a.article_id = Text(*r, 0, 2);
  a.feed_published = Text(*r, 0, 3);
  a.feed_updated = Text(*r, 0, 4);
  a.title = Text(*r, 0, 5);
  a.content_hash = Text(*r, 0, 6);
  a.revisions = static_cast<int>(r->Int(0, 7));
  a.first_seen_at = r->Int(0, 9);
  a.checked_at = r->Int(0, 10);
  const std::string& channels = Text(*r, 0, 8);
  for (size_t start = 0; !channels.empty() && start <= channels.size();) {
    size_t end = channels.find('\n', start);
    if (end == std::string::npos) end = channels.size();
    a.channels.push_back(channels.substr(start, end - start));
    start = end + 1;
  }
  return std::optional<StoredArticle>(std::move(a));
}

// The id a new article gets, as in the SQLite store: the one asked for (made safe), or
// "<id>-<hash of the URL>" when another article has it. The unique index settles a race
// between two workers; the loser's save is retried and picks the next id.
Result<int64_t> PgStore::InsertArticle(const ArticleInput& in, int64_t now) {
  std::string home;
  for (const auto& m : in.memberships)
    if (home.empty() || m.channel < home) home = m.channel;
  const std::string base =
      IsSafeId(in.article_id) ? in.article_id : SafeArticleId(in.article_id, in.canonical_url);
  std::string id = base;
  for (int attempt = 0;; ++attempt) {
    Result<PgRows> taken = Query("cannot allocate an article id", in.canonical_url,
                                 "SELECT 1 FROM articles WHERE lower(article_id)=lower($1)", {id});
    if (!taken.ok()) return taken.status();
    if (taken->empty()) break;
    if (attempt == 16) return Status::IoError("no free article id for " + in.canonical_url);
    id = CollisionArticleId(base, in.canonical_url, attempt);
  }
  Result<PgRows> r = Query(
      "cannot insert article", in.canonical_url,
      "INSERT INTO articles(canonical_url, article_id, first_seen_at, updated_at, "
      "feed_published, feed_updated, home_channel, checked_at, duplicate_of) "
      "VALUES($1,$2,$3,$4,$5,$6,$7,$3,(SELECT id FROM articles WHERE id=$8)) RETURNING id",
      {in.canonical_url, id, now, now, in.feed_published, in.feed_updated, home, in.duplicate_of});
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

Status PgStore::InsertRevision(const ArticleInput& in, int64_t article, const std::string& hash,
                               int64_t now) {
  std::optional<std::string> packed = Compress(in.raw_body);
  if (!packed) return Status::IoError("cannot compress the raw page of " + in.canonical_url);
  Result<PgRows> raw =
      Query("cannot store raw page", in.canonical_url,
            "INSERT INTO raw_pages(url, fetched_at, content_type, charset, size, body) "
            "VALUES($1,$2,$3,$4,$5,$6) RETURNING id",
            {in.fetched_url.empty() ? in.canonical_url : in.fetched_url, now, in.content_type,
             in.charset, static_cast<int64_t>(in.raw_body.size()), PgParam::Bytes(*packed)});
  if (!raw.ok()) return raw.status();
  Result<PgRows> rev =
      Query("cannot insert revision", in.canonical_url,
            "INSERT INTO revisions(article, number, created_at, content_hash, title, byline, "
            "published, modified, lead_image, html, text, raw_page) VALUES($1, (SELECT COUNT(*)+1 "
            "FROM revisions WHERE article=$1), $2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id",
            {article, now, hash, in.title, in.byline, in.published, in.modified, in.lead_image_json,
             in.html, in.text, raw->Int(0, 0)});
  if (!rev.ok()) return rev.status();
  return Query("cannot update article", in.canonical_url,
               "UPDATE articles SET current_revision=$1, updated_at=$2, title=$3 WHERE id=$4",
               {rev->Int(0, 0), now, in.title, article})
      .status();
}

Status PgStore::InsertMemberships(int64_t article, std::string_view url,
                                  const std::vector<Membership>& memberships, int64_t now,
                                  int* added) {
  for (const auto& m : memberships) {
    Result<PgRows> r = Query("cannot add membership", url,
                             "INSERT INTO memberships(article, channel, source_id, added_at) "
                             "VALUES($1,$2,$3,$4) ON CONFLICT DO NOTHING",
                             {article, m.channel, m.source_id, now});
    if (!r.ok()) return r.status();
    if (added) *added += static_cast<int>(r->affected);
  }
  return Status::Ok();
}

// One attempt: the article's row is locked first (FOR UPDATE), so two workers saving one
// article take turns and the second sees the first's revision.
Result<SaveOutcome> PgStore::SaveArticleOnce(const ArticleInput& in, int64_t now) {
  PgTransaction tx(*this);
  if (!tx.begun().ok()) return tx.begun();
  Result<PgRows> lock =
      Query("cannot lock article", in.canonical_url,
            "SELECT id FROM articles WHERE canonical_url=$1 FOR UPDATE", {in.canonical_url});
  if (!lock.ok()) return lock.status();
  std::string hash = Store::ContentHash(in.title, in.html);
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
    Status st = Exec("cannot update article",
                     "UPDATE articles SET feed_published=$1, feed_updated=$2 WHERE id=$3",
                     {in.feed_published, in.feed_updated, article});
    if (!st.ok()) return st;
  }
  if (outcome != SaveOutcome::kUnchanged)
    if (Status st = InsertRevision(in, article, hash, now); !st.ok()) return st;
  if (Status st = InsertMemberships(article, in.canonical_url, in.memberships, now); !st.ok())
    return st;
  if (existing)
    if (Status st = MarkChecked(in.canonical_url, now); !st.ok()) return st;
  if (Status st = tx.Commit(); !st.ok()) return st;
  return outcome;
}

// A save that lost a race (another worker inserted the same URL or took the same id
// first) is rolled back and tried again; the next attempt sees the winner's rows.
Result<SaveOutcome> PgStore::SaveArticle(const ArticleInput& in, int64_t now) {
  Result<SaveOutcome> outcome = Status::Busy("not tried");
  for (int attempt = 0; attempt < kSaveAttempts; ++attempt) {
    outcome = SaveArticleOnce(in, now);
    if (outcome.ok() || outcome.status().code() != Status::Code::kBusy) break;
  }
  return outcome;
}

Status PgStore::InsertDuplicateBands(int64_t article, const ArticleInput& in) {
  for (uint64_t band : in.duplicate_bands) {
    Status st = Exec("cannot store near-duplicate keys",
                     "INSERT INTO near_duplicate_bands(band, article) VALUES($1,$2) "
                     "ON CONFLICT DO NOTHING",
                     {static_cast<int64_t>(band), article});
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Status PgStore::MarkChecked(std::string_view canonical_url, int64_t at) {
  return Exec("cannot record the check", "UPDATE articles SET checked_at=$1 WHERE canonical_url=$2",
              {at, canonical_url});
}

Result<std::vector<StoredArticle>> PgStore::ArticlesToRecheck(std::string_view source_id,
                                                              int64_t first_seen_after,
                                                              int64_t checked_before, int limit) {
  Result<PgRows> r =
      Query("cannot list articles to re-check", source_id,
            "SELECT a.canonical_url, a.title, a.feed_published, a.feed_updated, a.first_seen_at, "
            "a.checked_at FROM articles a WHERE a.first_seen_at >= $1 AND a.checked_at <= $2 AND "
            "EXISTS (SELECT 1 FROM memberships m WHERE m.article=a.id AND m.source_id=$3) "
            "ORDER BY a.first_seen_at DESC, a.id DESC LIMIT $4",
            {first_seen_after, checked_before, source_id, static_cast<int64_t>(limit)});
  if (!r.ok()) return r.status();
  std::vector<StoredArticle> out;
  for (size_t k = 0; k < r->rows.size(); ++k) {
    StoredArticle a;
    a.canonical_url = Text(*r, k, 0);
    a.title = Text(*r, k, 1);
    a.feed_published = Text(*r, k, 2);
    a.feed_updated = Text(*r, k, 3);
    a.first_seen_at = r->Int(k, 4);
    a.checked_at = r->Int(k, 5);
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<RevisionRecord>> PgStore::Revisions(int64_t article) {
  Result<PgRows> r = Query("cannot read revisions", std::to_string(article),
                           "SELECT number, created_at, title, text FROM revisions WHERE "
                           "article=$1 ORDER BY number",
                           {article});
  if (!r.ok()) return r.status();
  std::vector<RevisionRecord> out;
  for (size_t k = 0; k < r->rows.size(); ++k)
    out.push_back({static_cast<int>(r->Int(k, 0)), r->Int(k, 1), Text(*r, k, 2), Text(*r, k, 3)});
  return out;
}

Result<std::vector<ChangedArticle>> PgStore::ChangedArticles(int limit) {
  Result<PgRows> r =
      Query("cannot list changed articles", "",
            "SELECT a.id, a.article_id, a.home_channel, a.title, a.canonical_url, n.count, "
            "r.created_at FROM (SELECT article, COUNT(*) AS count FROM revisions GROUP BY article "
            "HAVING COUNT(*) > 1) n JOIN articles a ON a.id=n.article JOIN revisions r ON "
            "r.id=a.current_revision ORDER BY r.created_at DESC, a.id DESC LIMIT $1",
            {static_cast<int64_t>(limit > 0 ? limit : std::numeric_limits<int32_t>::max())});
  if (!r.ok()) return r.status();
  std::vector<ChangedArticle> out;
  for (size_t k = 0; k < r->rows.size(); ++k)
    out.push_back({r->Int(k, 0), Text(*r, k, 1), Text(*r, k, 2), Text(*r, k, 3), Text(*r, k, 4),
                   static_cast<int>(r->Int(k, 5)), r->Int(k, 6)});
  return out;
}

Result<std::vector<DuplicateCandidate>> PgStore::NearDuplicateCandidates(
    const std::vector<uint64_t>& bands, int limit) {
  std::vector<DuplicateCandidate> out;
  for (uint64_t band : bands) {
    Result<PgRows> r = Query("cannot look up near-duplicates", "",
                             "SELECT DISTINCT a.id, r.text FROM near_duplicate_bands b JOIN "
                             "articles a ON a.id=b.article JOIN revisions r ON "
                             "r.id=a.current_revision WHERE b.band=$1 AND a.duplicate_of IS NULL",
                             {static_cast<int64_t>(band)});
    if (!r.ok()) return r.status();
    for (size_t k = 0; k < r->rows.size() && static_cast<int>(out.size()) < limit; ++k) {
      int64_t id = r->Int(k, 0);
      bool seen = std::any_of(out.begin(), out.end(), [&](auto& c) { return c.article == id; });
      if (!seen) out.push_back({id, Text(*r, k, 1)});
    }
  }
  return out;
}

Result<std::vector<DuplicateLink>> PgStore::NearDuplicates() {
  Result<PgRows> r = Query("cannot list near-duplicates", "",
                           "SELECT id, duplicate_of, canonical_url, article_id, home_channel "
                           "FROM articles WHERE duplicate_of IS NOT NULL AND current_revision IS "
                           "NOT NULL ORDER BY id");
  if (!r.ok()) return r.status();
  std::vector<DuplicateLink> out;
  for (size_t k = 0; k < r->rows.size(); ++k)
    out.push_back({r->Int(k, 0), r->Int(k, 1), Text(*r, k, 2), Text(*r, k, 3), Text(*r, k, 4)});
  return out;
}

Result<int> PgStore::AddMemberships(std::string_view canonical_url,
                                    const std::vector<Membership>& memberships, int64_t now) {
  PgTransaction tx(*this);
  if (!tx.begun().ok()) return tx.begun();
  Result<PgRows> article =
      Query("cannot lock article", canonical_url,
            "SELECT id FROM articles WHERE canonical_url=$1 FOR UPDATE", {canonical_url});
  if (!article.ok()) return article.status();
  if (article->empty()) return 0;
  int added = 0;
  std::string home;
  for (const auto& m : memberships)
    if (home.empty() || m.channel < home) home = m.channel;
  if (Status st = InsertMemberships(article->Int(0, 0), canonical_url, memberships, now, &added);
      !st.ok())
    return st;
  if (added > 0) {
    Status st = Exec("cannot set the home channel",
                     "UPDATE articles SET home_channel=$1 WHERE id=$2 AND home_channel=''",
                     {home, article->Int(0, 0)});
    if (!st.ok()) return st;
  }
  if (Status st = tx.Commit(); !st.ok()) return st;
  return added;
}

namespace {
constexpr const char* kHomeChannel =
    "(SELECT channel FROM memberships m WHERE m.article=a.id ORDER BY m.added_at, m.channel "
    "COLLATE \"C\" LIMIT 1)";
constexpr const char* kHomeSource =
    "(SELECT source_id FROM memberships m WHERE m.article=a.id ORDER BY m.added_at, m.channel "
    "COLLATE \"C\" LIMIT 1)";
}  // namespace

Result<std::optional<CurrentArticle>> PgStore::CurrentArticleById(int64_t id) {
  Result<PgRows> r = Query("cannot read article", std::to_string(id),
                           "SELECT a.current_revision, a.article_id, a.home_channel, "
                           "a.canonical_url, r.title, r.byline, r.published, r.modified, "
                           "r.lead_image, r.html FROM articles a JOIN revisions r ON "
                           "r.id=a.current_revision WHERE a.id=$1",
                           {id});
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<CurrentArticle>();
  const auto& row = r->rows[0];
  CurrentArticle c;
  c.id = id;
  c.revision_id = r->Int(0, 0);
  c.article_id = row[1];
  c.home_channel = row[2];
  c.canonical_url = row[3];
  c.title = row[4];
  c.byline = row[5];
  c.published = row[6];
  c.modified = row[7];
  c.lead_image_json = row[8];
  c.html = row[9];
  c.content_loaded = true;
  return std::optional<CurrentArticle>(std::move(c));
}

Status PgStore::ForEachCurrentArticle(const std::function<void(const CurrentArticle&)>& fn,
                                      const std::function<bool(const CurrentArticle&)>& want) {
  Result<PgRows> list = Query("cannot list articles", "",
                              std::string("SELECT a.id, a.current_revision, a.article_id, "
                                          "COALESCE(") +
                                  kHomeChannel + ", ''), COALESCE(" + kHomeSource +
                                  ", '') FROM articles a WHERE a.current_revision IS NOT NULL "
                                  "ORDER BY a.id");
  if (!list.ok()) return list.status();
  for (size_t k = 0; k < list->rows.size(); ++k) {
    CurrentArticle c;
    c.id = list->Int(k, 0);
    c.revision_id = list->Int(k, 1);
    c.article_id = Text(*list, k, 2);
    c.home_channel = Text(*list, k, 3);
    c.source_id = Text(*list, k, 4);
    if (!want || want(c)) {
      Result<PgRows> full =
          Query("cannot read article", c.article_id,
                "SELECT a.canonical_url, r.title, r.byline, r.published, r.modified, "
                "r.lead_image, r.html FROM articles a JOIN revisions r ON "
                "r.id=a.current_revision WHERE a.id=$1",
                {c.id});
      if (!full.ok()) return full.status();
      if (!full->empty()) {
        const auto& row = full->rows[0];
        c.content_loaded = true;
        c.canonical_url = row[0];
        c.title = row[1];
        c.byline = row[2];
        c.published = row[3];
        c.modified = row[4];
        c.lead_image_json = row[5];
        c.html = row[6];
      }
    }
    fn(c);
  }
  return Status::Ok();
}

Result<std::vector<ArticleStore::ArticlePath>> PgStore::ArticlePaths() {
  Result<PgRows> r =
      Query("cannot list article paths", "",
            "SELECT id, canonical_url, article_id, home_channel FROM articles ORDER BY id");
  if (!r.ok()) return r.status();
  std::vector<ArticlePath> out;
  for (size_t k = 0; k < r->rows.size(); ++k)
    out.push_back({r->Int(k, 0), Text(*r, k, 1), Text(*r, k, 2), Text(*r, k, 3)});
  return out;
}

Result<std::vector<IndexEntry>> PgStore::ChannelIndex(std::string_view channel) {
  Result<PgRows> r =
      Query("cannot read the channel index", channel,
            "SELECT a.id, a.article_id, a.title, a.home_channel, m.added_at, r.published, "
            "r.modified, a.updated_at FROM memberships m JOIN articles a ON a.id=m.article "
            "JOIN revisions r ON r.id=a.current_revision WHERE m.channel=$1 "
            "ORDER BY m.added_at, m.article",
            {channel});
  if (!r.ok()) return r.status();
  std::vector<IndexEntry> out;
  for (size_t k = 0; k < r->rows.size(); ++k)
    out.push_back({r->Int(k, 0), Text(*r, k, 1), Text(*r, k, 2), Text(*r, k, 3), r->Int(k, 4),
                   Text(*r, k, 5), Text(*r, k, 6), r->Int(k, 7)});
  return out;
}

Result<int64_t> PgStore::Count(const std::string& sql) const {
  Result<PgRows> r = Query(sql, "", sql);
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

Result<int64_t> PgStore::LatestUpdate() {
  return Count("SELECT COALESCE(MAX(updated_at), 0) FROM articles");
}

Status PgStore::SetSourceHealth(const SourceHealth& h) {
  return Query("cannot save source health", h.source_id,
               "INSERT INTO sources(id, healthy, note, consecutive_failures, last_attempt_at, "
               "last_success_at) VALUES($1,$2,$3,$4,$5,$6) ON CONFLICT(id) DO UPDATE SET "
               "healthy=excluded.healthy, note=excluded.note, "
               "consecutive_failures=excluded.consecutive_failures, "
               "last_attempt_at=excluded.last_attempt_at, last_success_at=excluded.last_success_at "
               "WHERE (sources.healthy, sources.note, sources.consecutive_failures, "
               "sources.last_attempt_at, sources.last_success_at) IS DISTINCT FROM "
               "(excluded.healthy, excluded.note, excluded.consecutive_failures, "
               "excluded.last_attempt_at, excluded.last_success_at)",
               {h.source_id, h.healthy ? 1 : 0, h.note, h.consecutive_failures, h.last_attempt_at,
                h.last_success_at})
      .status();
}

Result<std::optional<SourceHealth>> PgStore::GetSourceHealth(std::string_view source_id) {
  Result<PgRows> r = Query("cannot read source health", source_id,
                           "SELECT healthy, note, consecutive_failures, last_attempt_at, "
                           "last_success_at FROM sources WHERE id=$1",
                           {source_id});
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<SourceHealth>();
  return std::optional<SourceHealth>(SourceHealth{std::string(source_id), r->Int(0, 0) != 0,
                                                  Text(*r, 0, 1), static_cast<int>(r->Int(0, 2)),
                                                  r->Int(0, 3), r->Int(0, 4)});
}

Result<int64_t> PgStore::CountArticles() { return Count("SELECT COUNT(*) FROM articles"); }
Result<int64_t> PgStore::CountRevisions() { return Count("SELECT COUNT(*) FROM revisions"); }
Result<int64_t> PgStore::CountFetches() { return Count("SELECT COUNT(*) FROM fetch_log"); }

std::string PgStore::IntegrityCheck() {
  Result<PgRows> r = Query(
      "integrity check", "",
      "SELECT a.canonical_url FROM articles a LEFT JOIN revisions r ON r.id=a.current_revision "
      "WHERE a.current_revision IS NOT NULL AND (r.id IS NULL OR r.article<>a.id) "
      "UNION ALL SELECT 'revision numbers of article ' || article FROM revisions "
      "GROUP BY article HAVING MAX(number)<>COUNT(*) LIMIT 1");
  if (!r.ok()) return r.status().message();
  return r->empty() ? "ok" : "inconsistent: " + Text(*r, 0, 0);
}

Status PgStore::SearchNotSupported() const {
  return Status::NotSupported("full-text search is not available in the PostgreSQL store yet");
}

}  // namespace samizdat::store
