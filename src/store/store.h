// The article store: SQLite in WAL mode, schema versioned with migrations (doc/store.md).
//
// Every write is one transaction, so a killed process leaves the store as it was before or
// after an article, never between. Articles are keyed by canonical URL and stored once
// however many channels list them; a changed article gets a new revision and keeps the old.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/article_store.h"
#include "util/status.h"

struct sqlite3;

namespace samizdat::store {

// Every operation that can fail returns a Status or Result. SQLite errors map to codes a
// caller can act on: SQLITE_FULL is NoSpace, SQLITE_BUSY/LOCKED (after the busy timeout)
// Busy, anything else IoError; the message names the SQL step and the article URL or
// source. A lookup that finds nothing is a value (an empty optional), never an error.
class Store : public ArticleStore {
 public:
  // Opens (creating and migrating as needed). nullptr and *error on failure.
  static std::unique_ptr<Store> Open(const std::string& path, std::string* error);
  ~Store() override;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  static constexpr int kSchemaVersion = 5;
  Result<int> schema_version() const override;

  // Runs `writes` in one transaction: every write it makes is kept, or none (when it fails,
  // or the commit does). Inside another InTransaction it is a savepoint of the outer one,
  // kept or undone on its own and made durable by the outer commit: a batch of articles
  // can be one commit, each article all-or-nothing. Each write below is such a transaction.
  Status InTransaction(const std::function<Status()>& writes) override;

  Result<std::optional<Validators>> GetValidators(std::string_view url) override;
  Status PutValidators(std::string_view url, const Validators& v) override;

  Status LogFetch(const FetchLogEntry& entry) override;

  Result<std::optional<StoredArticle>> FindArticle(std::string_view canonical_url) override;

  // Saves one article in one transaction: raw page, article row, a revision when the
  // content hash differs from the current one, channel memberships. On failure nothing is
  // written.
  Result<SaveOutcome> SaveArticle(const ArticleInput& in, int64_t now) override;

  // Adds channel memberships for an article already stored (no fetch needed), in one
  // transaction. Returns how many were new.
  Result<int> AddMemberships(std::string_view canonical_url,
                             const std::vector<Membership>& memberships, int64_t now) override;

  // Streams every article's current revision (ordered by article id). `home_channel` is
  // the channel of its earliest membership (ties by channel id). When `want` is given, it
  // sees each article with only id, revision_id, article_id and home_channel filled; an
  // article it declines is passed on that way, its content never read. A read error stops
  // the stream and is returned.
  Status ForEachCurrentArticle(
      const std::function<void(const CurrentArticle&)>& fn,
      const std::function<bool(const CurrentArticle&)>& want = nullptr) override;
  Result<std::vector<ArticlePath>> ArticlePaths() override;
  // The channel's entries, oldest membership first (ties by article id).
  Result<std::optional<CurrentArticle>> CurrentArticleById(int64_t id) override;
  Result<std::vector<IndexEntry>> ChannelIndex(std::string_view channel) override;
  Result<int64_t> LatestUpdate() override;  // max(updated_at) over articles, 0 when empty

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

  // Counts, for reports and tests.
  Result<int64_t> CountArticles() override;
  Result<int64_t> CountRevisions() override;
  Result<int64_t> CountFetches() override;
  // "ok" when PRAGMA integrity_check passes, else its first message.
  std::string IntegrityCheck() override;

  // Content hash used to decide whether an article changed (BLAKE2b of title and body).
  static std::string ContentHash(std::string_view title, std::string_view html);

  sqlite3* db() { return db_; }

 private:
  explicit Store(sqlite3* db) : db_(db) {}
  static constexpr int kBusyTimeoutMs = 10000;
  bool SetJournalModeWal(std::string* error);
  bool CheckVersion(int version, std::string* error) const;
  bool Migrate(std::string* error);
  bool Exec(const char* sql, std::string* error = nullptr);
  // The Status for the connection's last error, at `step` (for `subject`, a URL or source).
  Status Error(std::string_view step, std::string_view subject = {}) const;
  // Writes the rows of a new or changed article inside SaveArticle's transaction.
  Result<int64_t> InsertArticle(const ArticleInput& in, int64_t now);
  Status InsertRevision(const ArticleInput& in, int64_t article, const std::string& hash,
                        int64_t now);
  Status InsertMemberships(int64_t article, const ArticleInput& in, int64_t now);
  Status InsertDuplicateBands(int64_t article, const ArticleInput& in);
  Result<int64_t> Count(const char* sql);

  sqlite3* db_;
};

}  // namespace samizdat::store
