#include "sync/sync.h"

#include "sync/article_input.h"

#include <algorithm>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "clean/clean.h"
#include "dedup/near_duplicate.h"
#include "extract/extract.h"
#include "feed/feed.h"
#include "html/serialize.h"
#include "render/markdown.h"
#include "sync/pipeline.h"
#include "util/dates.h"
#include "util/ids.h"
#include "util/strings.h"
#include "util/thread_pool.h"

namespace samizdat::sync {
namespace {

// A source due in this run, and what the run learns about it.
struct DueSource {
  const config::SourceConfig* config = nullptr;
  std::optional<store::SourceHealth> previous;  // its health before this run
  SourceReport report;
  // The validators of its documents, saved only once all of its articles are stored.
  std::vector<std::pair<std::string, store::Validators>> validators;
  int bodies_total = 0;  // article pages extracted
  int bodies_empty = 0;  // of which no article came out
};

// A request for one of a source's documents (its URL, a backfill page).
struct SourceRequest {
  fetch::Request request;
  size_t source = 0;  // index into the due sources
};

// An article met in the sources, merged across them by canonical URL.
struct Candidate {
  std::string url;  // canonical
  std::string title;
  std::string published;
  std::string published_utc;  // sort key: the same instant in UTC ("" when unknown)
  std::string updated;
  std::vector<store::Membership> memberships;  // each channel, with the source listing it
  std::vector<size_t> sources;                 // every due source listing it, first met first
  size_t order = 0;
  bool from_local_file = false;  // found in a local file (fetch::Request::may_read_file)
  bool stored = false;           // already in the store
  bool recheck = false;          // fetched only to see whether its page was edited
};

// An article to fetch, and the request for it.
struct ArticleFetch {
  Candidate* candidate = nullptr;
  fetch::Request request;
};

// A fetched article page, extracted and cleaned (on a pipeline worker), ready to store.
struct PreparedArticle {
  fetch::Response response;  // its body moved to input.raw_body
  size_t body_bytes = 0;
  bool extracted = false;  // the response was a page (not a failure, not a 304)
  bool has_body = false;   // and an article came out of it
  store::ArticleInput input;
  dedup::Fingerprint fingerprint;  // a new article's, for near-duplicate lookup
};

bool HasMarker(const std::string& title, const std::vector<std::string>& markers) {
  for (const auto& m : markers)
    if (!m.empty() && ContainsIgnoreCase(title, m)) return true;
  return false;
}

// Whether `src` is due: never synced, no interval, or its interval has passed since the
// last success.
// Whether a stored article is recent enough, and last fetched long enough ago, to be fetched
// again in case its page was edited in place (config: recheck_days, recheck_interval_minutes).
bool DueForRecheck(const config::SourceConfig& src, const store::StoredArticle& a, int64_t now) {
  if (src.recheck_days <= 0) return false;
  const int64_t window = int64_t{src.recheck_days} * 86400;
  const int64_t interval = int64_t{src.recheck_interval_minutes} * 60;
  return a.first_seen_at >= now - window && a.checked_at <= now - interval;
}

bool IsDue(const config::SourceConfig& src, const std::optional<store::SourceHealth>& health,
           int64_t now) {
  return src.interval_minutes <= 0 || !health || health->last_success_at <= 0 ||
         now - health->last_success_at >= int64_t{src.interval_minutes} * 60;
}

void MarkSourceFailed(SourceReport& sr, const std::string& why) {
  sr.source_failed = true;
  sr.healthy = false;
  sr.health_note = why;
  sr.failures.push_back(why);
}

void CountOutcome(SourceReport& sr, store::SaveOutcome outcome) {
  switch (outcome) {
    case store::SaveOutcome::kNew:
      ++sr.new_articles;
      break;
    case store::SaveOutcome::kChanged:
      ++sr.changed;
      break;
    case store::SaveOutcome::kUnchanged:
      ++sr.unchanged;
      break;
  }
}

// The health to store for a source after this run. Timestamps move only when something
// happened, so a run that changed nothing writes nothing.
store::SourceHealth NextHealth(const DueSource& d, int64_t now) {
  const SourceReport& sr = d.report;
  const std::optional<store::SourceHealth>& previous = d.previous;
  store::SourceHealth h;
  h.source_id = sr.id;
  h.healthy = sr.healthy;
  h.note = sr.health_note;
  h.consecutive_failures =
      sr.source_failed ? (previous ? previous->consecutive_failures + 1 : 1) : 0;
  bool changed_content = sr.new_articles + sr.changed > 0;
  h.last_success_at =
      !sr.source_failed && (changed_content || !previous || previous->last_success_at == 0)
          ? now
          : (previous ? previous->last_success_at : 0);
  h.last_attempt_at =
      (sr.source_failed || changed_content || !previous) ? now : previous->last_attempt_at;
  return h;
}

// One sync run: the state its steps share. Every step that touches the store returns its
// Status; the first store error ends the run (SyncReport::store_error).
class SyncRun {
 public:
  SyncRun(const config::Config& config, store::ArticleStore& store, fetch::HttpClient& http,
          const extract::ProfileSet& profiles, const SyncOptions& options, const Progress& progress)
      : config_(config),
        store_(store),
        http_(http),
        profiles_(profiles),
        options_(options),
        progress_(progress),
        now_(options.clock->UnixSeconds()) {}

  SyncReport Run();

 private:
  Status RunSteps();
  Status PlanDueSources(std::vector<SourceRequest>* requests);
  Status AddSourceRequests(size_t source, std::vector<SourceRequest>* requests);
  Status FetchSources(const std::vector<SourceRequest>& requests);
  Status ReadSourceDocument(size_t source, const fetch::Response& resp);
  std::optional<feed::Feed> ParseSource(DueSource& d, const fetch::Response& resp);
  void ExpandSitemapIndex(DueSource& d, feed::Feed& index, feed::ParseOptions po, bool* local);
  void CollectCandidates(size_t source, const feed::Feed& parsed, bool local);
  void MarkSourcesWithoutItems();
  std::vector<Candidate*> OrderOldestFirst();
  Status DecideWhatToFetch(const std::vector<Candidate*>& ordered,
                           std::vector<ArticleFetch>* to_fetch);
  Status AddMissingMemberships(const Candidate& c, const store::StoredArticle& existing);
  Status FetchAndStoreArticles(const std::vector<ArticleFetch>& to_fetch);
  PreparedArticle PrepareArticle(const Candidate& c, fetch::Response resp) const;
  Status StoreGroup(const std::vector<ArticleFetch>& to_fetch, size_t first,
                    std::vector<PreparedArticle>& group);
  Status WriteArticle(const Candidate& c, PreparedArticle& p,
                      std::optional<store::SaveOutcome>* outcome);
  void CountArticle(const Candidate& c, const PreparedArticle& p,
                    const std::optional<store::SaveOutcome>& outcome);
  Status FindNearDuplicate(PreparedArticle& p);
  Status AddRecheckCandidates();
  store::ArticleInput MakeArticleInput(const Candidate& c, const extract::Article& a,
                                       const fetch::Response& resp) const;
  Result<store::SaveOutcome> DryRunOutcome(const Candidate& c, const store::ArticleInput& in);
  void CountFailure(const Candidate& c, const std::string& why);
  Status RecordHealthAndValidators();
  Status LogFetch(const fetch::Response& resp, const std::string& source_id, size_t body_bytes);

  // The source that met the article first: its proxy and profile fetch and extract it.
  DueSource& Lister(const Candidate& c) { return due_[c.sources.front()]; }
  const DueSource& Lister(const Candidate& c) const { return due_[c.sources.front()]; }

  const config::Config& config_;
  store::ArticleStore& store_;
  fetch::HttpClient& http_;
  const extract::ProfileSet& profiles_;
  const SyncOptions& options_;
  const Progress& progress_;
  const int64_t now_;

  SyncReport report_;
  std::vector<DueSource> due_;
  std::map<std::string, Candidate> candidates_;
  std::vector<std::string> candidate_order_;    // canonical URLs, in the order met
  int articles_done_ = 0, articles_total_ = 0;  // for progress
};

SyncReport SyncRun::Run() {
  report_.store_error = RunSteps();
  for (auto& d : due_) report_.sources.push_back(std::move(d.report));
  return std::move(report_);
}

Status SyncRun::RunSteps() {
  std::vector<SourceRequest> requests;
  if (Status st = PlanDueSources(&requests); !st.ok()) return st;
  if (Status st = FetchSources(requests); !st.ok()) return st;
  MarkSourcesWithoutItems();
  if (Status st = AddRecheckCandidates(); !st.ok()) return st;
  std::vector<ArticleFetch> to_fetch;
  if (Status st = DecideWhatToFetch(OrderOldestFirst(), &to_fetch); !st.ok()) return st;
  if (Status st = FetchAndStoreArticles(to_fetch); !st.ok()) return st;
  return RecordHealthAndValidators();
}

// Which sources are due, and the requests for their documents.
Status SyncRun::PlanDueSources(std::vector<SourceRequest>* requests) {
  for (const auto& src : config_.sources) {
    if (!src.enabled) continue;
    if (!options_.only_source.empty() && src.id != options_.only_source) continue;
    Result<std::optional<store::SourceHealth>> health = store_.GetSourceHealth(src.id);
    if (!health.ok()) return health.status();
    if (!IsDue(src, *health, now_)) {
      SourceReport r;
      r.id = src.id;
      r.due = false;
      report_.sources.push_back(r);
      continue;
    }
    DueSource d;
    d.config = &src;
    d.previous = *health;
    d.report.id = src.id;
    due_.push_back(std::move(d));
    if (Status st = AddSourceRequests(due_.size() - 1, requests); !st.ok()) return st;
  }
  return Status::Ok();
}

// The source's URL, conditional when its validators are stored. On the first sync of a
// listing, its older pages come first, oldest (n = backfill_pages) first, so articles are
// met oldest first.
Status SyncRun::AddSourceRequests(size_t source, std::vector<SourceRequest>* requests) {
  const config::SourceConfig& src = *due_[source].config;
  const std::optional<store::SourceHealth>& health = due_[source].previous;
  bool first = !health || health->last_success_at == 0;
  if (src.kind == config::SourceKind::kListing && first && src.backfill_pages > 0 &&
      src.page_url_pattern.find("{n}") != std::string::npos)
    for (int n = src.backfill_pages; n >= 1; --n)
      requests->push_back({{ReplaceAll(src.page_url_pattern, "{n}", std::to_string(n)), "", "",
                            src.proxy, src.id, /*may_read_file=*/true, src.fetch},
                           source});
  fetch::Request req{src.url, "", "", src.proxy, src.id, /*may_read_file=*/true, src.fetch};
  Result<std::optional<store::Validators>> v = store_.GetValidators(src.url);
  if (!v.ok()) return v.status().WithContext("source " + src.id);
  if (*v) {
    req.etag = (*v)->etag;
    req.last_modified = (*v)->last_modified;
  }
  requests->push_back({req, source});
  return Status::Ok();
}

Status SyncRun::FetchSources(const std::vector<SourceRequest>& requests) {
  std::vector<fetch::Request> plain;
  for (const auto& r : requests) {
    plain.push_back(r.request);
    if (!r.request.etag.empty() || !r.request.last_modified.empty()) ++report_.conditional_requests;
  }
  std::vector<fetch::Response> responses = http_.FetchAll(plain);
  report_.requests += static_cast<int64_t>(plain.size());
  for (size_t k = 0; k < requests.size(); ++k)
    if (Status st = ReadSourceDocument(requests[k].source, responses[k]); !st.ok()) return st;
  return Status::Ok();
}

// Logs the fetch of one of a source's documents, parses it and collects its articles.
Status SyncRun::ReadSourceDocument(size_t source, const fetch::Response& resp) {
  DueSource& d = due_[source];
  if (Status st = LogFetch(resp, d.config->id, resp.body.size()); !st.ok()) return st;
  if (!resp.ok) {
    MarkSourceFailed(d.report, resp.error);
    return Status::Ok();
  }
  if (resp.not_modified) {
    if (resp.url == d.config->url) d.report.not_modified = true;
    return Status::Ok();
  }
  std::optional<feed::Feed> parsed = ParseSource(d, resp);
  if (!parsed) return Status::Ok();
  // Only a document read from a local file, and every sitemap it led to, may name more.
  bool local = resp.from_local_file;
  if (parsed->version == "sitemapindex") {
    feed::ParseOptions po;
    po.default_offset_minutes = d.config->timezone_offset_minutes;
    ExpandSitemapIndex(d, *parsed, po, &local);
  }
  d.report.entries += static_cast<int>(parsed->entries.size());
  if (!resp.etag.empty() || !resp.last_modified.empty())
    d.validators.push_back({resp.url, {resp.etag, resp.last_modified}});
  CollectCandidates(source, *parsed, local);
  return Status::Ok();
}

// The source's feed or listing page; nullopt (the source marked failed) when it is not one.
std::optional<feed::Feed> SyncRun::ParseSource(DueSource& d, const fetch::Response& resp) {
  const config::SourceConfig& src = *d.config;
  feed::ParseOptions po;
  po.url = resp.final_url.empty() ? resp.url : resp.final_url;
  po.http_charset = resp.charset;
  po.default_offset_minutes = src.timezone_offset_minutes;
  feed::Feed parsed = src.kind == config::SourceKind::kListing
                          ? feed::ParseListing(resp.body, src.link_selector, po)
                          : feed::ParseFeed(resp.body, po);
  if (parsed.not_a_feed) {
    MarkSourceFailed(d.report, resp.url + ": " + parsed.bozo_exception);
    return std::nullopt;
  }
  return parsed;
}

// A sitemap index points at more sitemaps: fetches them (one level) and puts their
// entries in place of the index's. A sitemap that cannot be fetched counts as a failed
// article of the source, so its validators are not saved and the index is read again.
void SyncRun::ExpandSitemapIndex(DueSource& d, feed::Feed& index, feed::ParseOptions po,
                                 bool* local) {
  std::vector<fetch::Request> subs;
  for (const auto& e : index.entries)
    if (e.is_sitemap)
      subs.push_back({e.link, "", "", d.config->proxy, d.config->id, *local, d.config->fetch});
  std::vector<fetch::Response> responses = http_.FetchAll(subs);
  report_.requests += static_cast<int64_t>(subs.size());
  index.entries.clear();
  for (const auto& sub : responses) {
    if (!sub.ok) {
      d.report.failures.push_back(sub.error);
      ++d.report.failed;
      continue;
    }
    *local = *local && sub.from_local_file;
    po.url = sub.final_url;
    po.http_charset = sub.charset;
    feed::Feed sitemap = feed::ParseFeed(sub.body, po);
    for (auto& e : sitemap.entries) index.entries.push_back(std::move(e));
  }
}

// Adds the source's entries to the candidates. Feeds and listings are newest first; they
// are walked oldest first, so the order met is oldest first.
void SyncRun::CollectCandidates(size_t source, const feed::Feed& parsed, bool local) {
  const config::SourceConfig& src = *due_[source].config;
  for (auto it = parsed.entries.rbegin(); it != parsed.entries.rend(); ++it) {
    if (it->link.empty() || it->is_sitemap) continue;
    std::string url = CanonicalArticleUrl(it->link);
    auto [slot, inserted] = candidates_.try_emplace(url);
    Candidate& c = slot->second;
    if (inserted) {
      c.url = url;
      c.title = it->title;
      c.published = it->published.value_or("");
      if (!c.published.empty()) c.published_utc = ToUtc(c.published).value_or(c.published);
      c.updated = it->updated.value_or("");
      c.order = candidate_order_.size();
      c.from_local_file = local;
      candidate_order_.push_back(url);
    }
    if (std::find(c.sources.begin(), c.sources.end(), source) == c.sources.end())
      c.sources.push_back(source);
    for (const auto& ch : src.channels) {
      auto same = [&](const store::Membership& m) { return m.channel == ch; };
      if (std::none_of(c.memberships.begin(), c.memberships.end(), same))
        c.memberships.push_back({ch, src.id});
    }
  }
}

// Recent articles of each due source whose page was last fetched long enough ago, whether
// or not the source still lists them (or answered 304): a story edited in place shows in
// no feed, so it is found only by fetching its page again (conditionally).
Status SyncRun::AddRecheckCandidates() {
  constexpr int kMaxRechecksPerSource = 200;
  for (size_t source = 0; source < due_.size(); ++source) {
    const config::SourceConfig& src = *due_[source].config;
    if (src.recheck_days <= 0 || due_[source].report.source_failed) continue;
    auto stale = store_.ArticlesToRecheck(src.id, now_ - int64_t{src.recheck_days} * 86400,
                                          now_ - int64_t{src.recheck_interval_minutes} * 60,
                                          kMaxRechecksPerSource);
    if (!stale.ok()) return stale.status();
    for (const store::StoredArticle& a : *stale) {
      auto [slot, inserted] = candidates_.try_emplace(a.canonical_url);
      Candidate& c = slot->second;
      if (!inserted) continue;  // listed by a feed this run: decided there
      c.url = a.canonical_url;
      c.title = a.title;
      c.published = a.feed_published;
      c.updated = a.feed_updated;
      c.order = candidate_order_.size();
      c.from_local_file = src.url.rfind("file://", 0) == 0;
      c.sources.push_back(source);
      candidate_order_.push_back(c.url);
    }
  }
  return Status::Ok();
}

void SyncRun::MarkSourcesWithoutItems() {
  for (DueSource& d : due_) {
    SourceReport& sr = d.report;
    if (!sr.source_failed && !sr.not_modified && sr.entries == 0) {
      sr.healthy = false;
      sr.health_note = d.config->url + ": no items";
    }
  }
}

// Oldest first: by feed date where known, else in the order met (already oldest first).
std::vector<Candidate*> SyncRun::OrderOldestFirst() {
  std::vector<Candidate*> ordered;
  for (const auto& url : candidate_order_) ordered.push_back(&candidates_[url]);
  std::stable_sort(ordered.begin(), ordered.end(), [](const Candidate* a, const Candidate* b) {
    if (!a->published_utc.empty() && !b->published_utc.empty() &&
        a->published_utc != b->published_utc)
      return a->published_utc < b->published_utc;
    return a->order < b->order;
  });
  return ordered;
}

// New articles, and stored ones whose feed entry says they changed (a newer updated date,
// or an update marker in a new title). A stored article gets the channels it lacks.
Status SyncRun::DecideWhatToFetch(const std::vector<Candidate*>& ordered,
                                  std::vector<ArticleFetch>* to_fetch) {
  for (Candidate* c : ordered) {
    Result<std::optional<store::StoredArticle>> found = store_.FindArticle(c->url);
    if (!found.ok()) return found.status();
    const std::optional<store::StoredArticle>& existing = *found;
    const config::SourceConfig& src = *Lister(*c).config;
    fetch::Request req{c->url, "", "", src.proxy, src.id, c->from_local_file, src.fetch};
    if (existing) {
      if (Status st = AddMissingMemberships(*c, *existing); !st.ok()) return st;
      bool feed_changed = !c->updated.empty() && c->updated != existing->feed_updated;
      bool marked = HasMarker(c->title, options_.update_markers) && c->title != existing->title;
      c->stored = true;
      c->recheck = !feed_changed && !marked && DueForRecheck(src, *existing, now_);
      if (!feed_changed && !marked && !c->recheck) {
        ++Lister(*c).report.unchanged;
        continue;
      }
      if (c->recheck) ++report_.recheck_requests;
      Result<std::optional<store::Validators>> v = store_.GetValidators(c->url);
      if (!v.ok()) return v.status();
      if (*v) {
        req.etag = (*v)->etag;
        req.last_modified = (*v)->last_modified;
        ++report_.conditional_requests;
      }
    }
    to_fetch->push_back({c, req});
  }
  report_.requests += static_cast<int64_t>(to_fetch->size());
  return Status::Ok();
}

Status SyncRun::AddMissingMemberships(const Candidate& c, const store::StoredArticle& existing) {
  if (options_.dry_run) return Status::Ok();
  std::vector<store::Membership> missing;
  for (const auto& m : c.memberships)
    if (std::find(existing.channels.begin(), existing.channels.end(), m.channel) ==
        existing.channels.end())
      missing.push_back(m);
  if (missing.empty()) return Status::Ok();
  return store_.AddMemberships(c.url, missing, now_).status();
}

// Fetches, extracts and stores the articles on the pipeline of sync/pipeline.h: requests
// stay in flight while pages are extracted on every usable CPU, and the articles are
// stored in order, those ready together in one transaction. An article counts (and
// progress moves) only once that transaction is committed, so a crash never loses an
// article reported stored.
Status SyncRun::FetchAndStoreArticles(const std::vector<ArticleFetch>& to_fetch) {
  std::vector<fetch::Request> requests;
  for (const auto& f : to_fetch) requests.push_back(f.request);
  articles_total_ = static_cast<int>(to_fetch.size());
  PipelineOptions po;
  po.workers = UsableCpus();
  po.window = static_cast<size_t>(std::max(16, config_.fetch.max_concurrency * 4));
  Status stopped;
  RunFetchPipeline<PreparedArticle>(
      http_, requests, po,
      [&](size_t k, fetch::Response resp) {
        return PrepareArticle(*to_fetch[k].candidate, std::move(resp));
      },
      [&](size_t first, std::vector<PreparedArticle>& group) {
        stopped = StoreGroup(to_fetch, first, group);
        return stopped.ok();
      });
  return stopped;
}

// Extracts and cleans one fetched page. Runs on a pipeline worker: reads only the
// candidate, the lister's configuration and the profiles, none of which change meanwhile.
PreparedArticle SyncRun::PrepareArticle(const Candidate& c, fetch::Response resp) const {
  PreparedArticle p;
  p.body_bytes = resp.body.size();
  if (resp.ok && !resp.not_modified) {
    extract::ExtractOptions eo;
    eo.url = resp.final_url.empty() ? c.url : resp.final_url;
    eo.http_charset = resp.charset;
    eo.profiles = &profiles_;
    eo.profile_name = Lister(c).config->profile;
    extract::Article a = extract::Extract(resp.body, eo);
    // Cleaned once, here, without site options: the builder applies the site's own.
    clean::CleanArticle(a, clean::CleanOptions{});
    p.extracted = true;
    p.has_body = a.body != nullptr;
    if (p.has_body) {
      p.input = MakeArticleInput(c, a, resp);
      p.input.raw_body = std::move(resp.body);
      if (!c.stored) {  // a new article: its near-duplicate keys (dedup/near_duplicate.h)
        p.fingerprint = dedup::FingerprintOf(p.input.text);
        p.input.duplicate_bands = p.fingerprint.bands;
      }
    }
  }
  p.response = std::move(resp);
  return p;
}

// Writes the group (the articles from index `first` on) in one transaction, each article
// in a savepoint of its own; then counts them. When an article's write fails, the articles
// before it are still committed, and the run stops with the failure.
Status SyncRun::StoreGroup(const std::vector<ArticleFetch>& to_fetch, size_t first,
                           std::vector<PreparedArticle>& group) {
  std::vector<std::optional<store::SaveOutcome>> outcomes(group.size());
  size_t written = 0;
  Status failed;
  auto write_group = [&]() -> Status {
    for (; written < group.size(); ++written) {
      const Candidate& c = *to_fetch[first + written].candidate;
      auto write = [&] { return WriteArticle(c, group[written], &outcomes[written]); };
      failed = options_.dry_run ? write() : store_.InTransaction(write);
      if (!failed.ok()) break;
    }
    return Status::Ok();
  };
  Status committed = options_.dry_run ? write_group() : store_.InTransaction(write_group);
  // Some errors (a full disk) roll the whole transaction back, and the commit then fails
  // for want of one: the article's failure is the cause to report.
  if (committed.ok())
    for (size_t k = 0; k < written; ++k)
      CountArticle(*to_fetch[first + k].candidate, group[k], outcomes[k]);
  if (!failed.ok()) {
    CountFailure(*to_fetch[first + written].candidate, failed.message());
    return failed;
  }
  return committed;
}

// The writes of one article: its fetch-log row, then (when it has content) the article
// and its validators. `outcome` is what saving did (or, in a dry run, would do).
Status SyncRun::WriteArticle(const Candidate& c, PreparedArticle& p,
                             std::optional<store::SaveOutcome>* outcome) {
  const fetch::Response& resp = p.response;
  if (Status st = LogFetch(resp, Lister(c).report.id, p.body_bytes); !st.ok()) return st;
  if (resp.ok && resp.not_modified && !options_.dry_run)
    if (Status st = store_.MarkChecked(c.url, now_); !st.ok()) return st;
  if (!p.has_body) return Status::Ok();
  if (!options_.dry_run)
    if (Status st = FindNearDuplicate(p); !st.ok()) return st;
  Result<store::SaveOutcome> saved =
      options_.dry_run ? DryRunOutcome(c, p.input) : store_.SaveArticle(p.input, now_);
  if (!saved.ok()) return saved.status();
  *outcome = *saved;
  if (options_.dry_run || (resp.etag.empty() && resp.last_modified.empty())) return Status::Ok();
  return store_.PutValidators(c.url, {resp.etag, resp.last_modified});
}

// Counts a written article in its sources' reports, and moves the progress.
void SyncRun::CountArticle(const Candidate& c, const PreparedArticle& p,
                           const std::optional<store::SaveOutcome>& outcome) {
  DueSource& lister = Lister(c);
  if (progress_) progress_(lister.report.id, ++articles_done_, articles_total_);
  if (!p.response.ok) return CountFailure(c, p.response.error);
  if (!p.extracted) {
    ++lister.report.unchanged;  // 304: the page did not change
    return;
  }
  for (size_t source : c.sources) {
    ++due_[source].bodies_total;
    if (!p.has_body) ++due_[source].bodies_empty;
  }
  if (!p.has_body) return CountFailure(c, c.url + ": no article found");
  if (!outcome) return;
  CountOutcome(lister.report, *outcome);
  if (c.recheck && *outcome == store::SaveOutcome::kChanged) ++report_.recheck_changed;
  if (*outcome == store::SaveOutcome::kNew && p.input.duplicate_of != 0) ++report_.near_duplicates;
}

// A new article's stored near-duplicate, if any: the stored articles sharing a band key of
// its fingerprint (made in PrepareArticle) are verified on their shingle sets
// (dedup/near_duplicate.h).
Status SyncRun::FindNearDuplicate(PreparedArticle& p) {
  if (p.fingerprint.bands.empty()) return Status::Ok();
  constexpr int kMaxCandidates = 16;
  auto candidates = store_.NearDuplicateCandidates(p.fingerprint.bands, kMaxCandidates);
  if (!candidates.ok()) return candidates.status();
  for (const auto& candidate : *candidates) {
    if (dedup::IsNearDuplicate(p.fingerprint, dedup::FingerprintOf(candidate.text))) {
      p.input.duplicate_of = candidate.article;
      break;
    }
  }
  return Status::Ok();
}

store::ArticleInput SyncRun::MakeArticleInput(const Candidate& c, const extract::Article& a,
                                              const fetch::Response& resp) const {
  store::ArticleInput in = ArticleInputFrom(c.url, {c.title, c.published, c.updated}, a, resp);
  in.memberships = c.memberships;
  return in;
}

// What saving would do, for a dry run, which writes nothing.
Result<store::SaveOutcome> SyncRun::DryRunOutcome(const Candidate& c,
                                                  const store::ArticleInput& in) {
  Result<std::optional<store::StoredArticle>> found = store_.FindArticle(c.url);
  if (!found.ok()) return found.status();
  const std::optional<store::StoredArticle>& existing = *found;
  if (!existing) return store::SaveOutcome::kNew;
  return existing->content_hash != store::Store::ContentHash(in.title, in.html)
             ? store::SaveOutcome::kChanged
             : store::SaveOutcome::kUnchanged;
}

// A failed article counts against every source that listed it: none of them may save its
// validators, or a 304 next time would hide the article from that source's channels.
void SyncRun::CountFailure(const Candidate& c, const std::string& why) {
  for (size_t source : c.sources) {
    SourceReport& sr = due_[source].report;
    ++sr.failed;
    sr.failures.push_back(why);
  }
}

// Health, and the sources' validators now that their articles are safe. A source with a
// failed article, or an unhealthy one (no items, every page empty), keeps no validators: it
// is read again in full next time, never answered 304, so its health is judged afresh.
Status SyncRun::RecordHealthAndValidators() {
  for (DueSource& d : due_) {
    SourceReport& sr = d.report;
    if (!sr.source_failed && d.bodies_total > 0 && d.bodies_empty == d.bodies_total) {
      sr.healthy = false;
      sr.health_note = "every article page came out empty (" + std::to_string(d.bodies_total) + ")";
    }
    if (options_.dry_run) continue;
    if (sr.failed == 0 && sr.healthy)
      for (const auto& [url, v] : d.validators)
        if (Status st = store_.PutValidators(url, v); !st.ok())
          return st.WithContext("source " + sr.id);
    if (Status st = store_.SetSourceHealth(NextHealth(d, now_)); !st.ok()) return st;
  }
  return Status::Ok();
}

Status SyncRun::LogFetch(const fetch::Response& resp, const std::string& source_id,
                         size_t body_bytes) {
  if (options_.dry_run || resp.not_modified) return Status::Ok();
  return store_
      .LogFetch({resp.url, source_id, now_, resp.status, static_cast<int64_t>(body_bytes),
                 resp.elapsed_ms, resp.attempts, resp.error})
      .WithContext("source " + source_id);
}

}  // namespace

bool SyncReport::AnyFailed() const {
  if (!store_error.ok()) return true;
  for (const auto& s : sources)
    if (s.source_failed || s.failed > 0) return true;
  return false;
}

std::string CanonicalArticleUrl(const std::string& url) {
  std::string u = url.substr(0, url.find('#'));
  size_t q = u.find('?');
  if (q == std::string::npos) return u;
  std::string base = u.substr(0, q), kept;
  size_t i = q + 1;
  while (i <= u.size()) {
    size_t amp = u.find('&', i);
    if (amp == std::string::npos) amp = u.size();
    std::string param = u.substr(i, amp - i);
    if (!param.empty() && param.rfind("utm_", 0) != 0 && param.rfind("fbclid", 0) != 0 &&
        param.rfind("srsltid", 0) != 0) {
      kept += kept.empty() ? "?" : "&";
      kept += param;
    }
    i = amp + 1;
  }
  return base + kept;
}

SyncReport RunSync(const config::Config& config, store::ArticleStore& store,
                   fetch::HttpClient& http, const extract::ProfileSet& profiles,
                   const SyncOptions& options, const Progress& progress) {
  return SyncRun(config, store, http, profiles, options, progress).Run();
}

}  // namespace samizdat::sync
