// Sync: the run that keeps a mirror current. Fetches every due source, parses it, fetches
// the new and changed articles (oldest first), extracts and cleans them, and stores them
// with their revisions. One failing source never stops the others; a failing store stops
// the run.
//
// Crash safety: each article is saved in one transaction; a source's HTTP validators are
// saved only after all of its articles were processed, so a run killed half-way re-reads
// the source next time instead of skipping what it had not stored yet.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/config.h"
#include "extract/profile.h"
#include "fetch/fetcher.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"

namespace samizdat::sync {

struct SyncOptions {
  bool dry_run = false;     // fetch and parse, write nothing
  std::string only_source;  // "" for every due source
  // The time of the run: due times, fetch-log and health timestamps, article dates.
  Clock* clock = Clock::Real();
  // Title words that mark an article as updated (the seed re-fetched on 更新).
  std::vector<std::string> update_markers = {"更新", "更新版", "updated"};
};

struct SourceReport {
  std::string id;
  bool due = true;
  bool not_modified = false;
  int entries = 0;
  int new_articles = 0;
  int changed = 0;
  int unchanged = 0;
  int failed = 0;
  bool source_failed = false;  // the source itself could not be fetched or parsed
  bool healthy = true;
  std::string health_note;            // why it is unhealthy
  std::vector<std::string> failures;  // one line per failure, with the URL and reason
};

struct SyncReport {
  std::vector<SourceReport> sources;
  int64_t requests = 0;
  int64_t conditional_requests = 0;
  // Requests for stored articles whose feed entry did not change, made because they are
  // recent enough to re-check (config: recheck_days), and how many of those found an edit.
  int64_t recheck_requests = 0;
  int64_t recheck_changed = 0;
  // New articles stored as near-duplicates of one already stored.
  int64_t near_duplicates = 0;
  // The store error that stopped the run (a full disk, an I/O error, a lock held past the
  // busy timeout), or ok. After one the run fetches nothing more and saves no validators
  // or health; every article saved before it is intact.
  Status store_error;
  bool AnyFailed() const;
};

// Progress callback: (source id, articles done, articles to do).
using Progress = std::function<void(const std::string&, int, int)>;

SyncReport RunSync(const config::Config& config, store::ArticleStore& store,
                   fetch::HttpClient& http, const extract::ProfileSet& profiles,
                   const SyncOptions& options, const Progress& progress = nullptr);

// The store key of an article URL: fragment removed, tracking parameters (utm_*) dropped.
std::string CanonicalArticleUrl(const std::string& url);

}  // namespace samizdat::sync
