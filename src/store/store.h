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

#include "util/status.h"

struct sqlite3;

namespace samizdat::store {

// A revision's lead image. Stored as JSON {src, alt, caption} (sync writes it, the site
// builder reads it); these two functions are the one definition of that text.
struct LeadImage {
  std::string src;  // absolute URL
  std::string alt;
  std::string caption;
};
std::string LeadImageToJson(const LeadImage& image);
// nullopt for "" (no lead image) and for text that is not such an object.
std::optional<LeadImage> LeadImageFromJson(std::string_view json);

struct Validators {
  std::string etag;
  std::string last_modified;
};

struct FetchLogEntry {
  std::string url;
  std::string source_id;
  int64_t at = 0;  // unix seconds
  int status = 0;  // HTTP status, 0 when no response
  int64_t bytes = 0;
  int64_t elapsed_ms = 0;
  int attempts = 1;
  std::string error;
};

// An article's place in a channel, and the source whose listing put it there.
struct Membership {
  std::string channel;
  std::string source_id;
};

// What sync hands the store for one fetched and extracted article.
struct ArticleInput {
  std::string canonical_url;
  // The page name wanted (n13199494). The store makes it safe (util/ids.h) and unique: an
  // id another article has gets "-<hash of the URL>"; an article keeps its id forever.
  std::string article_id;
  std::vector<Membership> memberships;
  std::string feed_published;  // RFC 3339 from the feed, or ""
  std::string feed_updated;
  // Extracted content.
  std::string title, byline, published, modified, lead_image_json, html, text;
  // The raw page, kept compressed so re-extraction never re-fetches.
  std::string raw_body;
  std::string content_type;
  std::string charset;
  std::string fetched_url;
};

struct StoredArticle {
  int64_t id = 0;
  std::string canonical_url;
  std::string article_id;
  std::string feed_published;
  std::string feed_updated;
  std::string title;
  std::string content_hash;  // of the current revision
  int revisions = 0;
  std::vector<std::string> channels;
};

enum class SaveOutcome { kNew, kChanged, kUnchanged };

// The current revision of an article, as the site builder needs it.
struct CurrentArticle {
  int64_t id = 0;
  int64_t revision_id = 0;
  std::string canonical_url;
  std::string article_id;
  std::string title, byline, published, modified, lead_image_json, html;
  std::string home_channel;     // the channel whose pages/ folder holds the article
  std::string source_id;        // the source that added it to its home channel
  bool content_loaded = false;  // false when ForEachCurrentArticle's `want` declined it
};

// One line of a channel index: memberships in the order they were added.
struct IndexEntry {
  int64_t article = 0;
  std::string article_id;
  std::string title;
  std::string home_channel;
  int64_t added_at = 0;
};

struct SourceHealth {
  std::string source_id;
  bool healthy = true;
  std::string note;
  int consecutive_failures = 0;
  int64_t last_attempt_at = 0;
  int64_t last_success_at = 0;
};

// Every operation that can fail returns a Status or Result. SQLite errors map to codes a
// caller can act on: SQLITE_FULL is NoSpace, SQLITE_BUSY/LOCKED (after the busy timeout)
// Busy, anything else IoError; the message names the SQL step and the article URL or
// source. A lookup that finds nothing is a value (an empty optional), never an error.
class Store {
 public:
  // Opens (creating and migrating as needed). nullptr and *error on failure.
  static std::unique_ptr<Store> Open(const std::string& path, std::string* error);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  static constexpr int kSchemaVersion = 4;
  Result<int> schema_version() const;

  Result<std::optional<Validators>> GetValidators(std::string_view url);
  Status PutValidators(std::string_view url, const Validators& v);

  Status LogFetch(const FetchLogEntry& entry);

  Result<std::optional<StoredArticle>> FindArticle(std::string_view canonical_url);

  // Saves one article in one transaction: raw page, article row, a revision when the
  // content hash differs from the current one, channel memberships. On failure nothing is
  // written.
  Result<SaveOutcome> SaveArticle(const ArticleInput& in, int64_t now);

  // Adds channel memberships for an article already stored (no fetch needed), in one
  // transaction. Returns how many were new.
  Result<int> AddMemberships(std::string_view canonical_url,
                             const std::vector<Membership>& memberships, int64_t now);

  // Streams every article's current revision (ordered by article id). `home_channel` is
  // the channel of its earliest membership (ties by channel id). When `want` is given, it
  // sees each article with only id, revision_id, article_id and home_channel filled; an
  // article it declines is passed on that way, its content never read. A read error stops
  // the stream and is returned.
  Status ForEachCurrentArticle(const std::function<void(const CurrentArticle&)>& fn,
                               const std::function<bool(const CurrentArticle&)>& want = nullptr);
  // Every article's place in the mirror, ordered by article (oldest first).
  struct ArticlePath {
    int64_t id = 0;
    std::string canonical_url, article_id, home_channel;
  };
  Result<std::vector<ArticlePath>> ArticlePaths();
  // The channel's entries, oldest membership first (ties by article id).
  Result<std::vector<IndexEntry>> ChannelIndex(std::string_view channel);
  Result<int64_t> LatestUpdate();  // max(updated_at) over articles, 0 when empty

  Status SetSourceHealth(const SourceHealth& h);
  Result<std::optional<SourceHealth>> GetSourceHealth(std::string_view source_id);

  // Counts, for reports and tests.
  Result<int64_t> CountArticles();
  Result<int64_t> CountRevisions();
  Result<int64_t> CountFetches();
  // "ok" when PRAGMA integrity_check passes, else its first message.
  std::string IntegrityCheck();

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
  Result<int64_t> Count(const char* sql);

  sqlite3* db_;
};

}  // namespace samizdat::store
