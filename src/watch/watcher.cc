#include "watch/watcher.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "sync/sync.h"

namespace samizdat::watch {
std::string JsonQuote(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int64_t RetryAfterInError(const std::string& error) {
  static const std::string kNote = "(Retry-After ";
  size_t at = error.find(kNote);
  if (at == std::string::npos) return -1;
  const char* digits = error.c_str() + at + kNote.size();
  char* end = nullptr;
  long long secs = std::strtoll(digits, &end, 10);
  return end == digits ? -1 : secs;
}

std::vector<fetch::Response> ObservingHttpClient::FetchAll(
    const std::vector<fetch::Request>& requests) {
  std::vector<fetch::Response> responses = inner_.FetchAll(requests);
  for (const auto& r : responses) {
    metrics_.RecordFetch(source_, r.elapsed_ms, r.ok ? "" : FetchErrorKind(r.status, r.error));
    if (int64_t secs = RetryAfterInError(r.error); secs > 0)
      retry_after_ms_ = std::max(retry_after_ms_, secs * 1000);
  }
  return responses;
}

void Watcher::SetConfig(const config::Config& config) {
  config_ = config;
  std::map<std::string, SourceState> kept;
  int64_t now = ctx_.clock->MonotonicMs();
  for (const auto& s : config_.sources) {
    auto it = state_.find(s.id);
    kept[s.id] = it != state_.end() ? it->second : SourceState{now, 0};
  }
  state_ = std::move(kept);
}

int64_t Watcher::NextDueMs() const {
  if (state_.empty()) return ctx_.clock->MonotonicMs() + ctx_.schedule.interval_ms;
  int64_t next = state_.begin()->second.due_ms;
  for (const auto& [id, s] : state_) next = std::min(next, s.due_ms);
  return next;
}

int Watcher::SyncSource(const config::SourceConfig& source, CycleResult& result) {
  ObservingHttpClient http(*ctx_.http, *ctx_.metrics);
  http.BeginSource(source.id);
  sync::SyncOptions options;
  options.only_source = source.id;
  options.clock = ctx_.clock;
  int64_t started = ctx_.clock->MonotonicMs();
  sync::SyncReport report = sync::RunSync(config_, *ctx_.store, http, *ctx_.profiles, options);
  int64_t elapsed = ctx_.clock->MonotonicMs() - started;
  result.store_error = report.store_error;
  ++result.sources_synced;
  SourceState& state = state_[source.id];
  bool failed = !report.store_error.ok();
  int stored = 0;
  for (const auto& s : report.sources) {
    failed |= s.source_failed;
    stored += s.new_articles + s.changed;
    ctx_.metrics->RecordSync(s.id, s.new_articles, s.changed, s.failed, s.source_failed, s.healthy,
                             ctx_.clock->UnixSeconds());
    ctx_.log(s.source_failed || !s.healthy ? "warning" : "info", "source_synced",
             {{"source", JsonQuote(s.id)},
              {"new", std::to_string(s.new_articles)},
              {"changed", std::to_string(s.changed)},
              {"failed", std::to_string(s.failed)},
              {"source_failed", s.source_failed ? "true" : "false"},
              {"healthy", s.healthy ? "true" : "false"},
              {"elapsed_ms", std::to_string(elapsed)}});
    for (const auto& f : s.failures)
      ctx_.log("error", "fetch_failed", {{"source", JsonQuote(s.id)}, {"error", JsonQuote(f)}});
  }
  state.failures = failed ? state.failures + 1 : 0;
  int64_t delay = NextDelayMs(ctx_.schedule, int64_t{source.interval_minutes} * 60 * 1000,
                              state.failures, http.retry_after_ms(), *ctx_.random);
  state.due_ms = ctx_.clock->MonotonicMs() + delay;
  ctx_.log("info", "source_scheduled",
           {{"source", JsonQuote(source.id)},
            {"in_ms", std::to_string(delay)},
            {"consecutive_failures", std::to_string(state.failures)}});
  return stored;
}

CycleResult Watcher::RunCycle() {
  CycleResult result;
  int64_t now = ctx_.clock->MonotonicMs();
  for (const auto& source : config_.sources) {
    if (state_[source.id].due_ms > now) continue;
    result.articles_stored += SyncSource(source, result);
    if (!result.store_error.ok()) break;
  }
  if (result.articles_stored > 0 && result.store_error.ok() && ctx_.build_and_publish) {
    ctx_.build_and_publish();
    result.built = true;
  }
  ctx_.metrics->RecordCycle();
  return result;
}

}  // namespace samizdat::watch
