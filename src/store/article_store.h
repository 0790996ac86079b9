// The article store as sync, build and the command line see it: one interface, two
// backends. store::Store keeps the store in one SQLite file (the embedded default);
// store::PgStore keeps it in a PostgreSQL database shared by many workers (doc/scale-out.md).
// Both give the same semantics (doc/store.md): articles keyed by canonical URL and stored
// once, a revision per content change, channel memberships, validators, a fetch log and
// source health; every write of an article is one transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

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
  // Near-duplicates (dedup/near_duplicate.h): the text's LSH band keys, kept for articles
  // stored later to find this one by; and the stored article this one repeats, or 0.
  std::vector<uint64_t> duplicate_bands;
  int64_t duplicate_of = 0;
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
  int64_t first_seen_at = 0;
  int64_t checked_at = 0;  // when its page was last fetched (stored, unchanged or 304)
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
  // The current revision's dates as the page gave them (RFC 3339 or ""), and when the
  // article last changed in the store (Unix seconds).
  std::string published, modified;
  int64_t updated_at = 0;
};

// One revision's text, for history pages.
struct RevisionRecord {
  int number = 0;
  int64_t created_at = 0;
  std::string title;
  std::string text;
};

// An article that changed after it was first stored.
struct ChangedArticle {
  int64_t article = 0;
  std::string article_id, home_channel, title, canonical_url;
  int revisions = 0;
  int64_t changed_at = 0;  // when its latest revision was stored
};

// A stored article sharing a near-duplicate band key with a new one, and its current text.
struct DuplicateCandidate {
  int64_t article = 0;
  std::string text;
};

// A stored article that repeats another (`duplicate_of`), with what an index needs to link it.
struct DuplicateLink {
  int64_t article = 0;
  int64_t duplicate_of = 0;
  std::string canonical_url, article_id, home_channel;
};

struct SourceHealth {
  std::string source_id;
  bool healthy = true;
  std::string note;
  int consecutive_failures = 0;
  int64_t last_attempt_at = 0;
  int64_t last_success_at = 0;
};

// Every operation that can fail returns a Status or Result: NoSpace when the store is full,
// Busy when it stayed locked, IoError for anything else, the message naming the step and
// the article URL or source. A lookup that finds nothing is a value (an empty optional),
// never an error. A backend that lacks an operation returns NotSupported (never crashes).
class ArticleStore {
 public:
  virtual ~ArticleStore() = default;

  virtual Result<int> schema_version() const = 0;

  // Runs `writes` as one transaction where the backend groups writes (SQLite: a savepoint
  // inside an enclosing InTransaction, so a batch of articles is one commit); every write
  // below stays all-or-nothing on its own either way.
  virtual Status InTransaction(const std::function<Status()>& writes) = 0;

  virtual Result<std::optional<Validators>> GetValidators(std::string_view url) = 0;
  virtual Status PutValidators(std::string_view url, const Validators& v) = 0;

  virtual Status LogFetch(const FetchLogEntry& entry) = 0;

  virtual Result<std::optional<StoredArticle>> FindArticle(std::string_view canonical_url) = 0;

  // Saves one article in one transaction: raw page, article row, a revision when the
  // content hash differs from the current one, channel memberships. On failure nothing is
  // written.
  virtual Result<SaveOutcome> SaveArticle(const ArticleInput& in, int64_t now) = 0;

  // Adds channel memberships for an article already stored (no fetch needed), in one
  // transaction. Returns how many were new.
  virtual Result<int> AddMemberships(std::string_view canonical_url,
                                     const std::vector<Membership>& memberships, int64_t now) = 0;

  // Streams every article's current revision (ordered by article id). `home_channel` is
  // the channel of its earliest membership (ties by channel id). When `want` is given, it
  // sees each article with only id, revision_id, article_id and home_channel filled; an
  // article it declines is passed on that way, its content never read. A read error stops
  // the stream and is returned.
  virtual Status ForEachCurrentArticle(
      const std::function<void(const CurrentArticle&)>& fn,
      const std::function<bool(const CurrentArticle&)>& want = nullptr) = 0;
  // Every article's place in the mirror, ordered by article (oldest first).
  struct ArticlePath {
    int64_t id = 0;
    std::string canonical_url, article_id, home_channel;
  };
  virtual Result<std::vector<ArticlePath>> ArticlePaths() = 0;
  // The channel's entries, oldest membership first (ties by article id).
  // One article's current revision, content loaded; nullopt when there is none.
  virtual Result<std::optional<CurrentArticle>> CurrentArticleById(int64_t id) = 0;
  virtual Result<std::vector<IndexEntry>> ChannelIndex(std::string_view channel) = 0;
  virtual Result<int64_t> LatestUpdate() = 0;  // max(updated_at) over articles, 0 when empty

  // Revisions, re-checks and near-duplicates (doc/store.md).
  // Every revision of the article, oldest first.
  virtual Result<std::vector<RevisionRecord>> Revisions(int64_t article) = 0;
  // Articles with more than one revision, latest change first; at most `limit` (0: all).
  virtual Result<std::vector<ChangedArticle>> ChangedArticles(int limit) = 0;
  // Stored articles sharing any of the band keys (at most `limit`), with their current text;
  // an article stored as a near-duplicate is never a candidate itself.
  virtual Result<std::vector<DuplicateCandidate>> NearDuplicateCandidates(
      const std::vector<uint64_t>& bands, int limit) = 0;
  // Every article stored as a near-duplicate of another.
  virtual Result<std::vector<DuplicateLink>> NearDuplicates() = 0;
  // Articles listed by `source_id`, first seen at or after `first_seen_after` and last
  // fetched at or before `checked_before`, newest first, at most `limit`: the ones a sync
  // fetches again to see whether they were edited. Filled: canonical_url, title,
  // feed_published, feed_updated, first_seen_at, checked_at.
  virtual Result<std::vector<StoredArticle>> ArticlesToRecheck(std::string_view source_id,
                                                               int64_t first_seen_after,
                                                               int64_t checked_before,
                                                               int limit) = 0;
  // Records that the article's page was fetched at `at` and found unchanged (or 304).
  virtual Status MarkChecked(std::string_view canonical_url, int64_t at) = 0;

  virtual Status SetSourceHealth(const SourceHealth& h) = 0;
  virtual Result<std::optional<SourceHealth>> GetSourceHealth(std::string_view source_id) = 0;

  // Counts, for reports and tests.
  virtual Result<int64_t> CountArticles() = 0;
  virtual Result<int64_t> CountRevisions() = 0;
  virtual Result<int64_t> CountFetches() = 0;
  // "ok" when the backend's own consistency check passes, else its first message.
  virtual std::string IntegrityCheck() = 0;

 protected:
  ArticleStore() = default;
  ArticleStore(const ArticleStore&) = delete;
  ArticleStore& operator=(const ArticleStore&) = delete;
};

// Whether `location` (the config's `store`) names a PostgreSQL database: a
// postgresql:// or postgres:// connection URI. Anything else is an SQLite file path.
bool IsPostgresLocation(std::string_view location);

// Opens the store at `location`: PostgreSQL for a connection URI, else the SQLite file
// (created and migrated as needed). nullptr and *error on failure.
std::unique_ptr<ArticleStore> OpenStore(const std::string& location, std::string* error);

}  // namespace samizdat::store
