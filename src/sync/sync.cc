#include "sync/sync.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "clean/clean.h"
#include "extract/extract.h"
#include "feed/feed.h"
#include "html/serialize.h"
#include "render/markdown.h"
#include "util/dates.h"
#include "util/ids.h"
#include "util/strings.h"

namespace samizdat::sync {
namespace {

struct Candidate {
  std::string url;  // canonical
  std::string title;
  std::string published;
  std::string published_utc;  // sort key: the same instant in UTC ("" when unknown)
  std::string updated;
  std::vector<std::string> channels;
  const config::SourceConfig* source = nullptr;
  size_t order = 0;
  bool from_local_file = false;  // found in a local file (fetch::Request::may_read_file)
};

bool HasMarker(const std::string& title, const std::vector<std::string>& markers) {
  for (const auto& m : markers)
    if (!m.empty() && ContainsIgnoreCase(title, m)) return true;
  return false;
}

// After a fatal store error (disk full, I/O error) no write can succeed: the run stops at
// once, fetching nothing more and saving no validators or health, since a source's
// validators must never be saved before all of its articles are.
SyncReport StopAtFatalStoreError(SyncReport report, std::vector<SourceReport>& sources) {
  for (auto& sr : sources) report.sources.push_back(std::move(sr));
  return report;
}

}  // namespace

bool SyncReport::AnyFailed() const {
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

SyncReport RunSync(const config::Config& config, store::Store& store, fetch::HttpClient& http,
                   const extract::ProfileSet& profiles, const SyncOptions& options,
                   const Progress& progress) {
  SyncReport report;
  const int64_t now = options.now ? options.now : static_cast<int64_t>(std::time(nullptr));

  // 1. Which sources are due, and their requests (conditional when we have validators).
  std::vector<const config::SourceConfig*> due;
  std::vector<fetch::Request> requests;
  std::vector<size_t> request_source;  // index into `due`
  for (const auto& src : config.sources) {
    if (!src.enabled) continue;
    if (!options.only_source.empty() && src.id != options.only_source) continue;
    auto health = store.GetSourceHealth(src.id);
    if (src.interval_minutes > 0 && health && health->last_success_at > 0 &&
        now - health->last_success_at < int64_t{src.interval_minutes} * 60) {
      SourceReport r;
      r.id = src.id;
      r.due = false;
      report.sources.push_back(r);
      continue;
    }
    due.push_back(&src);
    auto add = [&](const std::string& url, bool conditional) {
      fetch::Request req{url, "", "", src.proxy, src.id, /*may_read_file=*/true};
      if (conditional) {
        if (auto v = store.GetValidators(url)) {
          req.etag = v->etag;
          req.last_modified = v->last_modified;
        }
      }
      requests.push_back(req);
      request_source.push_back(due.size() - 1);
    };
    // First sync of a listing: backfill its older pages, oldest (n = backfill_pages) first,
    // then the first page, so articles are met oldest first.
    bool first = !health || health->last_success_at == 0;
    if (src.kind == config::SourceKind::kListing && first && src.backfill_pages > 0 &&
        src.page_url_pattern.find("{n}") != std::string::npos)
      for (int n = src.backfill_pages; n >= 1; --n)
        add(ReplaceAll(src.page_url_pattern, "{n}", std::to_string(n)), false);
    add(src.url, true);
  }
  std::vector<fetch::Response> responses = http.FetchAll(requests);
  report.requests += static_cast<int64_t>(requests.size());
  for (const auto& r : requests)
    if (!r.etag.empty() || !r.last_modified.empty()) ++report.conditional_requests;

  // 2. Parse each source; collect candidate articles, merged across sources by URL.
  std::vector<SourceReport> source_reports(due.size());
  std::vector<std::vector<std::pair<std::string, store::Validators>>> source_validators(due.size());
  std::map<std::string, Candidate> candidates;
  std::vector<std::string> candidate_order;
  std::vector<std::set<std::string>> source_urls(due.size());
  size_t order = 0;
  for (size_t i = 0; i < due.size(); ++i) {
    source_reports[i].id = due[i]->id;
  }
  for (size_t k = 0; k < requests.size(); ++k) {
    size_t si = request_source[k];
    const config::SourceConfig& src = *due[si];
    SourceReport& sr = source_reports[si];
    const fetch::Response& resp = responses[k];
    if (!options.dry_run && !resp.not_modified) {
      store.LogFetch({resp.url, src.id, now, resp.status, static_cast<int64_t>(resp.body.size()),
                      resp.elapsed_ms, resp.attempts, resp.error});
    }
    if (!resp.ok) {
      sr.source_failed = true;
      sr.healthy = false;
      sr.health_note = resp.error;
      sr.failures.push_back(resp.error);
      continue;
    }
    if (resp.not_modified) {
      if (resp.url == src.url) sr.not_modified = true;
      continue;
    }
    feed::ParseOptions po;
    po.url = resp.final_url.empty() ? resp.url : resp.final_url;
    po.http_charset = resp.charset;
    po.default_offset_minutes = src.timezone_offset_minutes;
    feed::Feed parsed = src.kind == config::SourceKind::kListing
                            ? feed::ParseListing(resp.body, src.link_selector, po)
                            : feed::ParseFeed(resp.body, po);
    if (parsed.not_a_feed) {
      sr.source_failed = true;
      sr.healthy = false;
      sr.health_note = resp.url + ": " + parsed.bozo_exception;
      sr.failures.push_back(sr.health_note);
      continue;
    }
    bool local = resp.from_local_file;  // and so every document the entries came from
    // A sitemap index points at more sitemaps: fetch them now (one level).
    if (parsed.version == "sitemapindex") {
      std::vector<fetch::Request> subs;
      for (const auto& e : parsed.entries)
        if (e.is_sitemap) subs.push_back({e.link, "", "", src.proxy, src.id, local});
      auto sub_responses = http.FetchAll(subs);
      report.requests += static_cast<int64_t>(subs.size());
      parsed.entries.clear();
      for (const auto& sub : sub_responses) {
        if (!sub.ok) {
          sr.failures.push_back(sub.error);
          ++sr.failed;
          continue;
        }
        local = local && sub.from_local_file;
        po.url = sub.final_url;
        feed::Feed f2 = feed::ParseFeed(sub.body, po);
        for (auto& e : f2.entries) parsed.entries.push_back(std::move(e));
      }
    }
    sr.entries += static_cast<int>(parsed.entries.size());
    if (!resp.etag.empty() || !resp.last_modified.empty())
      source_validators[si].push_back({resp.url, {resp.etag, resp.last_modified}});
    // Feeds and listings are newest first; walk them oldest first.
    for (auto it = parsed.entries.rbegin(); it != parsed.entries.rend(); ++it) {
      if (it->link.empty() || it->is_sitemap) continue;
      std::string url = CanonicalArticleUrl(it->link);
      source_urls[si].insert(url);
      auto [c, inserted] = candidates.try_emplace(url);
      if (inserted) {
        c->second.url = url;
        c->second.title = it->title;
        c->second.published = it->published.value_or("");
        if (!c->second.published.empty())
          c->second.published_utc = ToUtc(c->second.published).value_or(c->second.published);
        c->second.updated = it->updated.value_or("");
        c->second.source = &src;
        c->second.order = order++;
        c->second.from_local_file = local;
        candidate_order.push_back(url);
      }
      for (const auto& ch : src.channels)
        if (std::find(c->second.channels.begin(), c->second.channels.end(), ch) ==
            c->second.channels.end())
          c->second.channels.push_back(ch);
    }
  }
  for (size_t i = 0; i < due.size(); ++i) {
    SourceReport& sr = source_reports[i];
    if (!sr.source_failed && !sr.not_modified && sr.entries == 0) {
      sr.healthy = false;
      sr.health_note = due[i]->url + ": no items";
    }
  }

  // 3. Oldest first: by feed date where known, else in the order met (already oldest first).
  std::vector<Candidate*> ordered;
  for (const auto& url : candidate_order) ordered.push_back(&candidates[url]);
  std::stable_sort(ordered.begin(), ordered.end(), [](const Candidate* a, const Candidate* b) {
    if (!a->published_utc.empty() && !b->published_utc.empty() &&
        a->published_utc != b->published_utc)
      return a->published_utc < b->published_utc;
    return a->order < b->order;
  });

  // 4. Decide what to fetch: new articles, and known ones whose feed says they changed.
  std::map<std::string, size_t> source_index;
  for (size_t i = 0; i < due.size(); ++i) source_index[due[i]->id] = i;
  std::vector<Candidate*> to_fetch;
  std::vector<fetch::Request> article_requests;
  for (Candidate* c : ordered) {
    SourceReport& sr = source_reports[source_index[c->source->id]];
    auto existing = store.FindArticle(c->url);
    if (existing) {
      if (!options.dry_run) {
        std::vector<std::string> missing;
        for (const auto& ch : c->channels)
          if (std::find(existing->channels.begin(), existing->channels.end(), ch) ==
              existing->channels.end())
            missing.push_back(ch);
        if (!missing.empty()) store.AddMemberships(c->url, missing, c->source->id, now);
      }
      bool feed_changed = !c->updated.empty() && c->updated != existing->feed_updated;
      bool marked = HasMarker(c->title, options.update_markers) && c->title != existing->title;
      if (!feed_changed && !marked) {
        ++sr.unchanged;
        continue;
      }
    }
    fetch::Request req{c->url, "", "", c->source->proxy, c->source->id, c->from_local_file};
    if (existing) {
      if (auto v = store.GetValidators(c->url)) {
        req.etag = v->etag;
        req.last_modified = v->last_modified;
        ++report.conditional_requests;
      }
    }
    to_fetch.push_back(c);
    article_requests.push_back(req);
  }
  report.requests += static_cast<int64_t>(article_requests.size());

  // 5. Extract, clean and store each, one transaction per article.
  std::vector<int> bodies_empty(due.size(), 0), bodies_total(due.size(), 0);
  int done = 0;
  // In batches: bounded memory on large backfills, and stored progress between them.
  const size_t batch = static_cast<size_t>(std::max(16, config.fetch.max_concurrency * 4));
  std::vector<fetch::Response> article_responses;
  size_t batch_start = 0;
  for (size_t k = 0; k < to_fetch.size(); ++k) {
    if (k % batch == 0) {
      batch_start = k;
      std::vector<fetch::Request> chunk(
          article_requests.begin() + static_cast<std::ptrdiff_t>(k),
          article_requests.begin() +
              static_cast<std::ptrdiff_t>(std::min(k + batch, to_fetch.size())));
      article_responses = http.FetchAll(chunk);
    }
    Candidate& c = *to_fetch[k];
    size_t si = source_index[c.source->id];
    SourceReport& sr = source_reports[si];
    const fetch::Response& resp = article_responses[k - batch_start];
    if (progress) progress(c.source->id, ++done, static_cast<int>(to_fetch.size()));
    if (!options.dry_run && !resp.not_modified)
      store.LogFetch({resp.url, c.source->id, now, resp.status,
                      static_cast<int64_t>(resp.body.size()), resp.elapsed_ms, resp.attempts,
                      resp.error});
    if (!resp.ok) {
      ++sr.failed;
      sr.failures.push_back(resp.error);
      continue;
    }
    if (resp.not_modified) {
      ++sr.unchanged;
      continue;
    }
    extract::ExtractOptions eo;
    eo.url = resp.final_url.empty() ? c.url : resp.final_url;
    eo.http_charset = resp.charset;
    eo.profiles = &profiles;
    eo.profile_name = c.source->profile;
    extract::Article a = extract::Extract(resp.body, eo);
    // Cleaned once, here, without site options: the builder applies the site's own.
    clean::CleanArticle(a, clean::CleanOptions{});
    ++bodies_total[si];
    if (!a.body) {
      ++bodies_empty[si];
      ++sr.failed;
      sr.failures.push_back(c.url + ": no article found");
      continue;
    }
    store::ArticleInput in;
    in.canonical_url = c.url;
    in.article_id = a.id.empty() ? extract::DefaultArticleId(c.url) : SafeArticleId(a.id, c.url);
    in.source_id = c.source->id;
    in.channels = c.channels;
    in.feed_published = c.published;
    in.feed_updated = c.updated;
    in.title = a.title.value_or(c.title);
    in.byline = a.byline.value_or("");
    in.published = a.published.value_or(c.published);
    in.modified = a.modified.value_or("");
    if (a.lead_image)
      in.lead_image_json =
          store::LeadImageToJson({a.lead_image->src, a.lead_image->alt, a.lead_image->caption});
    html::SerializeOptions so;
    so.xhtml_void = false;
    in.html = html::InnerHtml(a.body, so);
    in.text = render::ToText(a.body);
    in.raw_body = resp.body;
    in.content_type = resp.content_type;
    in.charset = a.charset.charset;
    in.fetched_url = resp.final_url;
    if (options.dry_run) {
      auto existing = store.FindArticle(c.url);
      if (!existing)
        ++sr.new_articles;
      else if (existing->content_hash != store::Store::ContentHash(in.title, in.html))
        ++sr.changed;
      else
        ++sr.unchanged;
      continue;
    }
    std::string error;
    auto outcome = store.SaveArticle(in, now, &error);
    if (!outcome) {
      ++sr.failed;
      sr.failures.push_back(error);
      if (!store.fatal_error().empty())
        return StopAtFatalStoreError(std::move(report), source_reports);
      continue;
    }
    if (!resp.etag.empty() || !resp.last_modified.empty())
      store.PutValidators(c.url, {resp.etag, resp.last_modified});
    switch (*outcome) {
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

  // 6. Health, and the sources' validators now that their articles are safe.
  for (size_t i = 0; i < due.size(); ++i) {
    SourceReport& sr = source_reports[i];
    if (!sr.source_failed && bodies_total[i] > 0 && bodies_empty[i] == bodies_total[i]) {
      sr.healthy = false;
      sr.health_note =
          "every article page came out empty (" + std::to_string(bodies_total[i]) + ")";
    }
    if (options.dry_run) continue;
    if (sr.failed == 0)
      for (const auto& [url, v] : source_validators[i]) store.PutValidators(url, v);
    auto previous = store.GetSourceHealth(sr.id);
    store::SourceHealth h;
    h.source_id = sr.id;
    h.healthy = sr.healthy;
    h.note = sr.health_note;
    h.consecutive_failures =
        sr.source_failed ? (previous ? previous->consecutive_failures + 1 : 1) : 0;
    // Timestamps move only when something happened, so a no-change run writes nothing.
    bool changed_content = sr.new_articles + sr.changed > 0;
    h.last_success_at =
        !sr.source_failed && (changed_content || !previous || previous->last_success_at == 0)
            ? now
            : (previous ? previous->last_success_at : 0);
    h.last_attempt_at =
        (sr.source_failed || changed_content || !previous) ? now : previous->last_attempt_at;
    store.SetSourceHealth(h);
  }
  for (auto& sr : source_reports) report.sources.push_back(std::move(sr));
  return report;
}

}  // namespace samizdat::sync
