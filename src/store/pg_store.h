// The article store in PostgreSQL (libpq): one database shared by any number of sync
// workers on any number of machines, and read by build anywhere (doc/scale-out.md).
//
// Same semantics as the SQLite store (doc/store.md): an article is keyed by canonical URL
// and stored once; a changed article gets revision n+1 and keeps the old ones; each save
// is one transaction. Concurrent savers of one article are ordered by a row lock on it
// (SELECT … FOR UPDATE), so a revision is recorded once however many workers fetched the
// page; the unique constraints (canonical URL, article id, article+revision number) hold
// even against a bug. A save that loses a race on a unique key is retried from the start.
//
// The schema also holds the shared work of `sync --worker` (src/sync/worker.h): fetch
// jobs, the per-host schedule and the memberships waiting for an article.
//
// Not supported yet: full-text search (Status::NotSupported).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/article_store.h"
#include "util/status.h"

typedef struct pg_conn PGconn;

namespace samizdat::store {

// One parameter of a query: text, bytea (binary) or SQL NULL.
struct PgParam {
  std::string value;
  bool binary = false;
  bool null = false;
  PgParam(std::string v) : value(std::move(v)) {}   // NOLINT: implicit by design
  PgParam(std::string_view v) : value(v) {}         // NOLINT
  PgParam(const char* v) : value(v) {}              // NOLINT
  PgParam(int64_t v) : value(std::to_string(v)) {}  // NOLINT
  PgParam(int v) : value(std::to_string(v)) {}      // NOLINT
  static PgParam Bytes(std::string_view v) {
    PgParam p(v);
    p.binary = true;
    return p;
  }
  static PgParam Null() {
    PgParam p("");
    p.null = true;
    return p;
  }
};

// The rows of a query, every value as text ("" for NULL), and the rows a command changed.
struct PgRows {
  std::vector<std::vector<std::string>> rows;
  int64_t affected = 0;
  bool empty() const { return rows.empty(); }
  int64_t Int(size_t row, size_t col) const;
};

class PgStore : public ArticleStore {
 public:
  // Connects to `uri` (postgresql://…) and creates or migrates the schema (one transaction
  // under an advisory lock, so many workers may open a fresh database at once).
  static std::unique_ptr<PgStore> Open(const std::string& uri, std::string* error);
  ~PgStore() override;

  static constexpr int kSchemaVersion = 2;
  Result<int> schema_version() const override;

  // Each PostgreSQL write commits on its own (SaveArticle is one transaction): `writes` runs
  // as it is, without a grouping transaction around it.
  Status InTransaction(const std::function<Status()>& writes) override { return writes(); }
  Result<std::optional<Validators>> GetValidators(std::string_view url) override;
  Status PutValidators(std::string_view url, const Validators& v) override;
  Status LogFetch(const FetchLogEntry& entry) override;
  Result<std::optional<StoredArticle>> FindArticle(std::string_view canonical_url) override;
  Result<SaveOutcome> SaveArticle(const ArticleInput& in, int64_t now) override;
  Result<int> AddMemberships(std::string_view canonical_url,
                             const std::vector<Membership>& memberships, int64_t now) override;
  Status ForEachCurrentArticle(
      const std::function<void(const CurrentArticle&)>& fn,
      const std::function<bool(const CurrentArticle&)>& want = nullptr) override;
  Result<std::vector<ArticlePath>> ArticlePaths() override;
  Result<std::optional<CurrentArticle>> CurrentArticleById(int64_t id) override;
  Result<std::vector<IndexEntry>> ChannelIndex(std::string_view channel) override;
  Result<int64_t> LatestUpdate() override;
  Result<std::vector<RevisionRecord>> Revisions(int64_t article) override;
  Result<std::vector<ChangedArticle>> ChangedArticles(int limit) override;
  Result<std::vector<DuplicateCandidate>> NearDuplicateCandidates(
      const std::vector<uint64_t>& bands, int limit) override;
  Result<std::vector<DuplicateLink>> NearDuplicates() override;
  Result<std::vector<StoredArticle>> ArticlesToRecheck(std::string_view source_id,
                                                       int64_t first_seen_after,
                                                       int64_t checked_before, int limit) override;
  Status MarkChecked(std::string_view canonical_url, int64_t at) override;
  Status SetSourceHealth(const SourceHealth& h) override;
  Result<std::optional<SourceHealth>> GetSourceHealth(std::string_view source_id) override;
  Result<int64_t> CountArticles() override;
  Result<int64_t> CountRevisions() override;
  Result<int64_t> CountFetches() override;
  // "ok" when the article rows agree with their revisions, else the first disagreement.
  std::string IntegrityCheck() override;

  // Full-text search is not in the PostgreSQL store yet.
  Status SearchNotSupported() const;

  // Runs one statement (outside or inside a transaction begun with Exec("BEGIN")). A
  // failure maps SQLSTATE to a code: disk full is NoSpace, a lock or serialization
  // conflict Busy, anything else IoError; the message names `step` and `subject`.
  Result<PgRows> Query(std::string_view step, std::string_view subject, const std::string& sql,
                       const std::vector<PgParam>& params = {}) const;
  Status Exec(std::string_view step, const std::string& sql,
              const std::vector<PgParam>& params = {}) const;

 private:
  explicit PgStore(PGconn* conn) : conn_(conn) {}
  bool Migrate(std::string* error);
  Result<SaveOutcome> SaveArticleOnce(const ArticleInput& in, int64_t now);
  Result<int64_t> InsertArticle(const ArticleInput& in, int64_t now);
  Status InsertRevision(const ArticleInput& in, int64_t article, const std::string& hash,
                        int64_t now);
  Status InsertDuplicateBands(int64_t article, const ArticleInput& in);
  Status InsertMemberships(int64_t article, std::string_view url,
                           const std::vector<Membership>& memberships, int64_t now,
                           int* added = nullptr);
  Result<int64_t> Count(const std::string& sql) const;

  PGconn* conn_;
};

}  // namespace samizdat::store
