#include "sync/worker.h"

#include "sync/article_input.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "clean/clean.h"
#include "extract/extract.h"
#include "feed/feed.h"
#include "html/serialize.h"
#include "render/markdown.h"
#include "sync/sync.h"
#include "util/ids.h"
#include "util/strings.h"

namespace samizdat::sync {
namespace {

using store::PgParam;
using store::PgRows;

// The database's clock in microseconds: every lease and schedule time is on it, so the
// clocks of the workers' machines never matter. (Whole milliseconds would round a
// schedule time by up to half a millisecond, enough to start a request early.)
constexpr const char* kNowUs = "(extract(epoch FROM statement_timestamp())*1000000)::bigint";

// The oldest open job whose host may be asked now, leased to this worker, and its host
// reserved until the lease ends plus the host's delay. Both rows are locked SKIP LOCKED,
// so concurrent workers take different jobs and never one host at once.
const std::string kClaimSql =
    std::string(
        "WITH c AS (SELECT j.id, h.host, h.delay_ms FROM fetch_jobs j JOIN fetch_hosts h "
        "ON h.host=j.host WHERE (j.state='pending' OR (j.state='leased' AND "
        "j.lease_until < ") +
    kNowUs + ")) AND h.next_at <= " + kNowUs +
    " ORDER BY j.id LIMIT 1 FOR UPDATE OF j, h SKIP LOCKED), "
    "hu AS (UPDATE fetch_hosts SET next_at=" +
    kNowUs +
    "+($2::bigint+c.delay_ms)*1000, owner=$1 FROM c WHERE fetch_hosts.host=c.host) "
    "UPDATE fetch_jobs j SET state='leased', lease_owner=$1, lease_until=" +
    kNowUs +
    "+$2::bigint*1000, attempts=j.attempts+1 FROM c WHERE j.id=c.id "
    "RETURNING j.id, j.kind, j.source_id, j.url, j.payload, j.attempts, j.host";

struct Job {
  int64_t id = 0;
  std::string kind, source_id, url, payload, host;
  int attempts = 0;
};

// What a source's feed says of one article, carried in its job.
struct ArticleLead {
  std::string title, published, updated;
  bool local = false;  // met in a local file: its URL may be read as a file too
};

std::string LeadJson(const ArticleLead& lead) {
  return nlohmann::json{{"title", lead.title},
                        {"published", lead.published},
                        {"updated", lead.updated},
                        {"local", lead.local}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ArticleLead LeadFromJson(const std::string& text) {
  ArticleLead lead;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return lead;
  lead.title = j.value("title", "");
  lead.published = j.value("published", "");
  lead.updated = j.value("updated", "");
  lead.local = j.value("local", false);
  return lead;
}

bool HasMarker(const std::string& title, const std::vector<std::string>& markers) {
  for (const auto& m : markers)
    if (!m.empty() && ContainsIgnoreCase(title, m)) return true;
  return false;
}

bool IsDue(const config::SourceConfig& src, const std::optional<store::SourceHealth>& health,
           int64_t now) {
  return src.interval_minutes <= 0 || !health || health->last_success_at <= 0 ||
         now - health->last_success_at >= int64_t{src.interval_minutes} * 60;
}

// One worker's run: the state its steps share. The first store error ends it.
class Worker {
 public:
  Worker(const config::Config& config, store::PgStore& store, fetch::HttpClient& http,
         const extract::ProfileSet& profiles, const WorkerOptions& options)
      : config_(config), store_(store), http_(http), profiles_(profiles), options_(options) {}

  WorkerReport Run();

 private:
  Status Loop();
  Status PlanDueSources();
  Status EnsureHost(const std::string& url, const fetch::SourceOverrides& overrides);
  Status Enqueue(const std::string& key, const std::string& kind, const std::string& source_id,
                 const std::string& url, const std::string& payload, int64_t not_after);
  Result<std::optional<Job>> Claim();
  Result<bool> WaitForOpenJobs();
  Status Process(const Job& job);
  Result<fetch::Response> Fetch(const Job& job, fetch::Request request);
  Status Finish(const Job& job, bool failed, const std::string& outcome);
  Status ProcessSource(const Job& job, const config::SourceConfig& src);
  Status ReadEntries(const config::SourceConfig& src, const feed::Feed& parsed, bool local);
  Status ReadEntry(const config::SourceConfig& src, const feed::Entry& entry, bool local);
  Status RecordSourceHealth(const config::SourceConfig& src, const std::string& failure);
  Status ProcessArticle(const Job& job, const config::SourceConfig& src);
  Result<std::vector<store::Membership>> WaitingMemberships(const std::string& url);
  store::ArticleInput MakeArticleInput(const Job& job, const ArticleLead& lead,
                                       const extract::Article& a,
                                       const fetch::Response& resp) const;
  const config::SourceConfig* FindSource(const std::string& id) const;
  int64_t Now() const { return options_.clock->UnixSeconds(); }

  const config::Config& config_;
  store::PgStore& store_;
  fetch::HttpClient& http_;
  const extract::ProfileSet& profiles_;
  const WorkerOptions& options_;
  int64_t started_us_ = 0;  // on the database's clock
  WorkerReport report_;
};

WorkerReport Worker::Run() {
  report_.store_error = Loop();
  return std::move(report_);
}

Status Worker::Loop() {
  Result<PgRows> now = store_.Query("read the database clock", "", std::string("SELECT ") + kNowUs);
  if (!now.ok()) return now.status();
  started_us_ = now->Int(0, 0);
  if (Status st = PlanDueSources(); !st.ok()) return st;
  for (;;) {
    Result<std::optional<Job>> job = Claim();
    if (!job.ok()) return job.status();
    if (*job) {
      if (Status st = Process(**job); !st.ok()) return st;
      ++report_.jobs;
      continue;
    }
    Result<bool> open = WaitForOpenJobs();
    if (!open.ok()) return open.status();
    if (!*open) return Status::Ok();
  }
}

// Every due source gets a job, unless it has an open one or one finished since this
// worker started (another worker already read it for this round).
Status Worker::PlanDueSources() {
  for (const auto& src : config_.sources) {
    if (!src.enabled) continue;
    Result<std::optional<store::SourceHealth>> health = store_.GetSourceHealth(src.id);
    if (!health.ok()) return health.status();
    if (!IsDue(src, *health, Now())) continue;
    if (Status st = EnsureHost(src.url, src.fetch); !st.ok()) return st;
    if (Status st = Enqueue("source:" + src.id, "source", src.id, src.url, "", started_us_);
        !st.ok())
      return st;
  }
  return Status::Ok();
}

// The host's schedule row, its delay the largest any source asks for it.
Status Worker::EnsureHost(const std::string& url, const fetch::SourceOverrides& overrides) {
  const int64_t delay = overrides.per_host_delay_ms.value_or(config_.fetch.per_host_delay_ms);
  return store_.Exec("cannot schedule a host",
                     "INSERT INTO fetch_hosts(host, delay_ms) VALUES($1,$2) ON CONFLICT(host) "
                     "DO UPDATE SET delay_ms=excluded.delay_ms WHERE "
                     "fetch_hosts.delay_ms < excluded.delay_ms",
                     {PolitenessHost(url), delay});
}

// A new job, or a finished one opened again when it finished before `not_after` (µs on
// the database's clock); an open job is left as it is, so a job exists once.
Status Worker::Enqueue(const std::string& key, const std::string& kind,
                       const std::string& source_id, const std::string& url,
                       const std::string& payload, int64_t not_after) {
  return store_.Exec(
      "cannot queue a fetch job",
      std::string("INSERT INTO fetch_jobs(key, kind, source_id, url, host, payload, planned_at) "
                  "VALUES($1,$2,$3,$4,$5,$6,") +
          kNowUs +
          ") ON CONFLICT(key) DO UPDATE SET state='pending', attempts=0, "
          "source_id=excluded.source_id, payload=excluded.payload, "
          "planned_at=excluded.planned_at, lease_owner='', lease_until=0, outcome='' "
          "WHERE fetch_jobs.state IN ('done','failed') AND fetch_jobs.finished_at < $7",
      {key, kind, source_id, url, PolitenessHost(url), payload, not_after});
}

Result<std::optional<Job>> Worker::Claim() {
  Result<PgRows> r =
      store_.Query("cannot claim a fetch job", "", kClaimSql, {options_.owner, options_.lease_ms});
  if (!r.ok()) return r.status();
  if (r->empty()) return std::optional<Job>();
  const auto& row = r->rows[0];
  Job job{r->Int(0, 0), row[1], row[2], row[3], row[4], row[6], static_cast<int>(r->Int(0, 5))};
  return std::optional<Job>(std::move(job));
}

// False when no job is open anywhere (the work is done). Otherwise waits until the
// earliest open job might be claimable (its host's turn, or its lease's end), at most
// half a second, and returns true.
Result<bool> Worker::WaitForOpenJobs() {
  Result<PgRows> r = store_.Query(
      "cannot look for open jobs", "",
      std::string("SELECT COUNT(*), COALESCE(MIN(GREATEST(h.next_at, CASE WHEN j.state='leased' "
                  "THEN j.lease_until ELSE 0 END)) - ") +
          kNowUs +
          ", 0) FROM fetch_jobs j JOIN fetch_hosts h ON h.host=j.host "
          "WHERE j.state IN ('pending','leased')");
  if (!r.ok()) return r.status();
  if (r->Int(0, 0) == 0) return false;
  const int64_t wait_ms = std::clamp<int64_t>(r->Int(0, 1) / 1000, 1, 500);
  std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  return true;
}

const config::SourceConfig* Worker::FindSource(const std::string& id) const {
  for (const auto& src : config_.sources)
    if (src.id == id) return &src;
  return nullptr;
}

Status Worker::Process(const Job& job) {
  const config::SourceConfig* src = FindSource(job.source_id);
  if (!src) return Finish(job, true, "source " + job.source_id + " is not configured here");
  return job.kind == "source" ? ProcessSource(job, *src) : ProcessArticle(job, *src);
}

// Fetches the job's one request, then hands its host on: the next request to it may
// start the host's delay from now. The fetch is logged (a 304 is not, as in sync).
Result<fetch::Response> Worker::Fetch(const Job& job, fetch::Request request) {
  std::vector<fetch::Response> responses = http_.FetchAll({std::move(request)});
  fetch::Response resp = std::move(responses.front());
  Status st = store_.Exec("cannot hand on a host",
                          std::string("UPDATE fetch_hosts SET next_at=") + kNowUs +
                              "+delay_ms*1000, owner='' WHERE host=$1 AND owner=$2",
                          {job.host, options_.owner});
  if (!st.ok()) return st;
  if (!resp.not_modified)
    st = store_.LogFetch({resp.url, job.source_id, Now(), resp.status,
                          static_cast<int64_t>(resp.body.size()), resp.elapsed_ms, resp.attempts,
                          resp.error});
  if (!st.ok()) return st;
  return resp;
}

// Marks the job done, or failed: a failed job is tried again (by any worker) until it
// has failed max_attempts times. A job whose lease this worker lost is left alone.
Status Worker::Finish(const Job& job, bool failed, const std::string& outcome) {
  if (failed) {
    ++report_.failed;
    report_.failures.push_back(outcome);
  }
  const char* state = !failed                                ? "done"
                      : job.attempts < options_.max_attempts ? "pending"
                                                             : "failed";
  return store_.Exec("cannot finish a fetch job",
                     std::string("UPDATE fetch_jobs SET state=$3, finished_at=") + kNowUs +
                         ", outcome=$4, lease_owner='', lease_until=0 "
                         "WHERE id=$1 AND lease_owner=$2 AND state='leased'",
                     {job.id, options_.owner, state, outcome});
}

// Reads a source's document and queues its new and changed articles. Its validators are
// saved after the articles' jobs exist, so a 304 next time hides nothing: the jobs are in
// the store whatever happens to this worker.
Status Worker::ProcessSource(const Job& job, const config::SourceConfig& src) {
  ++report_.sources;
  fetch::Request req{src.url, "", "", src.proxy, src.id, /*may_read_file=*/true, src.fetch};
  Result<std::optional<store::Validators>> v = store_.GetValidators(src.url);
  if (!v.ok()) return v.status();
  if (*v) {
    req.etag = (*v)->etag;
    req.last_modified = (*v)->last_modified;
  }
  Result<fetch::Response> resp = Fetch(job, std::move(req));
  if (!resp.ok()) return resp.status();
  std::string failure = !resp->ok ? resp->error : "";
  if (failure.empty() && !resp->not_modified) {
    feed::ParseOptions po;
    po.url = resp->final_url.empty() ? resp->url : resp->final_url;
    po.http_charset = resp->charset;
    po.default_offset_minutes = src.timezone_offset_minutes;
    feed::Feed parsed = src.kind == config::SourceKind::kListing
                            ? feed::ParseListing(resp->body, src.link_selector, po)
                            : feed::ParseFeed(resp->body, po);
    if (parsed.not_a_feed) failure = resp->url + ": " + parsed.bozo_exception;
    if (failure.empty()) {
      if (Status st = ReadEntries(src, parsed, resp->from_local_file); !st.ok()) return st;
      if (!resp->etag.empty() || !resp->last_modified.empty())
        if (Status st = store_.PutValidators(src.url, {resp->etag, resp->last_modified}); !st.ok())
          return st;
    }
  }
  if (Status st = RecordSourceHealth(src, failure); !st.ok()) return st;
  return Finish(job, !failure.empty(), failure.empty() ? "read" : failure);
}

// Oldest first (feeds list newest first), so jobs, claimed in order, store oldest first.
Status Worker::ReadEntries(const config::SourceConfig& src, const feed::Feed& parsed, bool local) {
  for (auto it = parsed.entries.rbegin(); it != parsed.entries.rend(); ++it)
    if (!it->link.empty() && !it->is_sitemap)
      if (Status st = ReadEntry(src, *it, local); !st.ok()) return st;
  return Status::Ok();
}

// One entry: its channels wait in job_memberships; a stored article gets them at once and
// is fetched again only when its feed entry says it changed; a new one is queued. The
// waiting rows are written before the article is looked up, and read again after it is
// saved, so a membership is never lost to a save running at the same moment.
Status Worker::ReadEntry(const config::SourceConfig& src, const feed::Entry& entry, bool local) {
  const std::string url = CanonicalArticleUrl(entry.link);
  std::vector<store::Membership> memberships;
  for (const auto& channel : src.channels) {
    memberships.push_back({channel, src.id});
    Status st = store_.Exec("cannot queue a membership",
                            "INSERT INTO job_memberships(url, channel, source_id) "
                            "VALUES($1,$2,$3) ON CONFLICT DO NOTHING",
                            {url, channel, src.id});
    if (!st.ok()) return st;
  }
  Result<std::optional<store::StoredArticle>> found = store_.FindArticle(url);
  if (!found.ok()) return found.status();
  ArticleLead lead{entry.title, entry.published.value_or(""), entry.updated.value_or(""), local};
  if (*found) {
    const store::StoredArticle& existing = **found;
    if (Status st = store_.AddMemberships(url, memberships, Now()).status(); !st.ok()) return st;
    bool feed_changed = !lead.updated.empty() && lead.updated != existing.feed_updated;
    bool marked = HasMarker(lead.title, options_.update_markers) && lead.title != existing.title;
    if (!feed_changed && !marked) {
      ++report_.unchanged;
      return Status::Ok();
    }
  }
  if (Status st = EnsureHost(url, src.fetch); !st.ok()) return st;
  // Any finished job for the URL may be opened again: the feed asked for this fetch now.
  return Enqueue("article:" + url, "article", src.id, url, LeadJson(lead), INT64_MAX);
}

// The source's health after its document was read: failures count up, a success resets
// them and moves last_success_at.
Status Worker::RecordSourceHealth(const config::SourceConfig& src, const std::string& failure) {
  Result<std::optional<store::SourceHealth>> previous = store_.GetSourceHealth(src.id);
  if (!previous.ok()) return previous.status();
  store::SourceHealth h;
  h.source_id = src.id;
  h.healthy = failure.empty();
  h.note = failure;
  h.consecutive_failures =
      failure.empty() ? 0 : (*previous ? (*previous)->consecutive_failures : 0) + 1;
  h.last_attempt_at = Now();
  h.last_success_at = failure.empty() ? Now() : (*previous ? (*previous)->last_success_at : 0);
  return store_.SetSourceHealth(h);
}

Result<std::vector<store::Membership>> Worker::WaitingMemberships(const std::string& url) {
  Result<PgRows> r = store_.Query("cannot read queued memberships", url,
                                  "SELECT channel, source_id FROM job_memberships WHERE url=$1 "
                                  "ORDER BY channel COLLATE \"C\"",
                                  {url});
  if (!r.ok()) return r.status();
  std::vector<store::Membership> out;
  for (const auto& row : r->rows) out.push_back({row[0], row[1]});
  return out;
}

// Fetches, extracts, cleans and saves one article with every membership waiting for it.
Status Worker::ProcessArticle(const Job& job, const config::SourceConfig& src) {
  const ArticleLead lead = LeadFromJson(job.payload);
  fetch::Request req{job.url, "", "", src.proxy, src.id, lead.local, src.fetch};
  Result<std::optional<store::Validators>> v = store_.GetValidators(job.url);
  if (!v.ok()) return v.status();
  if (*v) {
    req.etag = (*v)->etag;
    req.last_modified = (*v)->last_modified;
  }
  Result<fetch::Response> resp = Fetch(job, std::move(req));
  if (!resp.ok()) return resp.status();
  if (!resp->ok) return Finish(job, true, resp->error);
  if (resp->not_modified) {
    ++report_.unchanged;
    return Finish(job, false, "not modified");
  }
  extract::ExtractOptions eo;
  eo.url = resp->final_url.empty() ? job.url : resp->final_url;
  eo.http_charset = resp->charset;
  eo.profiles = &profiles_;
  eo.profile_name = src.profile;
  extract::Article a = extract::Extract(resp->body, eo);
  clean::CleanArticle(a, clean::CleanOptions{});
  if (!a.body) return Finish(job, true, job.url + ": no article found");
  store::ArticleInput in = MakeArticleInput(job, lead, a, *resp);
  Result<std::vector<store::Membership>> waiting = WaitingMemberships(job.url);
  if (!waiting.ok()) return waiting.status();
  in.memberships = *waiting;
  Result<store::SaveOutcome> outcome = store_.SaveArticle(in, Now());
  if (!outcome.ok()) return outcome.status();
  if (!resp->etag.empty() || !resp->last_modified.empty())
    if (Status st = store_.PutValidators(job.url, {resp->etag, resp->last_modified}); !st.ok())
      return st;
  Result<std::vector<store::Membership>> late = WaitingMemberships(job.url);
  if (!late.ok()) return late.status();
  if (late->size() != in.memberships.size())
    if (Status st = store_.AddMemberships(job.url, *late, Now()).status(); !st.ok()) return st;
  const bool is_new = *outcome == store::SaveOutcome::kNew;
  const bool changed = *outcome == store::SaveOutcome::kChanged;
  ++(is_new ? report_.new_articles : changed ? report_.changed : report_.unchanged);
  return Finish(job, false, is_new ? "new" : changed ? "changed" : "unchanged");
}

// The article as sync stores it (sync/article_input.h), with the raw page.
store::ArticleInput Worker::MakeArticleInput(const Job& job, const ArticleLead& lead,
                                             const extract::Article& a,
                                             const fetch::Response& resp) const {
  store::ArticleInput in =
      ArticleInputFrom(job.url, {lead.title, lead.published, lead.updated}, a, resp);
  in.raw_body = resp.body;
  return in;
}

}  // namespace

std::string PolitenessHost(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority =
      url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  for (char& c : authority)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return authority;
}

WorkerReport RunWorker(const config::Config& config, store::PgStore& store, fetch::HttpClient& http,
                       const extract::ProfileSet& profiles, const WorkerOptions& options) {
  return Worker(config, store, http, profiles, options).Run();
}

}  // namespace samizdat::sync
