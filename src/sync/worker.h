// `samizdat sync --worker`: one of any number of processes, on any number of machines,
// sharing the sync of one mirror through its PostgreSQL store (doc/scale-out.md).
//
// The work is a queue of fetch jobs in the store (fetch_jobs): one per due source, one per
// article to fetch. A worker
//   - plans: every configured source that is due gets a job, unless one is open or ran
//     since this worker started (so there is no separate enqueue step);
//   - claims the oldest job whose host may be asked now, with SELECT … FOR UPDATE SKIP
//     LOCKED, as a lease (lease_ms); a job whose lease ran out (its worker died or hung) is
//     claimed again by another;
//   - keeps per-host politeness across all workers through one schedule row per host
//     (fetch_hosts): claiming reserves the host until the lease ends plus its delay; the
//     response moves that to now plus the delay. So two requests to one host never start
//     less than the delay apart, whoever sends them, even when a worker dies mid-request;
//   - processes the job: a source's document is fetched and parsed, and each new or
//     changed article becomes a job (memberships wait in job_memberships until it is
//     stored); an article is fetched, extracted, cleaned and saved (PgStore::SaveArticle
//     stores it once, a revision once, whoever else fetched it);
//   - exits when no job is open (pending, or leased by anyone).
//
// Not handled by workers (the single-process `sync` does them): listing backfill pages and
// sitemap indexes (their top document is read; nested sitemaps are not followed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "extract/profile.h"
#include "fetch/fetcher.h"
#include "store/pg_store.h"
#include "util/clock.h"
#include "util/status.h"

namespace samizdat::sync {

struct WorkerOptions {
  std::string owner;  // this worker's name in leases: "<host name>:<pid>"
  // How long a claimed job is this worker's. Longer than a fetch can take (the fetch
  // timeout with its retries), or a slow job is fetched twice (still stored once).
  int64_t lease_ms = 300000;
  int max_attempts = 3;          // a job failing this often stays failed until planned again
  Clock* clock = Clock::Real();  // article and health timestamps
  std::vector<std::string> update_markers = {"更新", "更新版", "updated"};
};

struct WorkerReport {
  int64_t jobs = 0;  // jobs this worker finished
  int64_t sources = 0;
  int64_t new_articles = 0, changed = 0, unchanged = 0, failed = 0;
  std::vector<std::string> failures;  // one line per failure, with the URL and reason
  Status store_error;                 // the store error that stopped the worker, or ok
};

WorkerReport RunWorker(const config::Config& config, store::PgStore& store, fetch::HttpClient& http,
                       const extract::ProfileSet& profiles, const WorkerOptions& options);

// The politeness key of a URL: its lower-cased host, with ":port" when the URL names one.
std::string PolitenessHost(const std::string& url);

}  // namespace samizdat::sync
