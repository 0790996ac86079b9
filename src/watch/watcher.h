// The scheduling core of `samizdat watch`: which source syncs when, what one cycle does, and
// what it records. Time comes from the injected Clock, so tests drive it with a fake clock.
//
// A cycle syncs every source whose due time has come (one sync::RunSync per source, so a
// failing source never delays the others), schedules each one again (interval and jitter,
// backoff after failures, Retry-After as a floor), and when any source stored a new or
// changed article it runs the build-and-publish step once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "extract/profile.h"
#include "fetch/fetcher.h"
#include "store/article_store.h"
#include "util/clock.h"
#include "util/status.h"
#include "watch/metrics.h"
#include "watch/schedule.h"

namespace samizdat::watch {

// One JSON-lines log record: event name and fields (values already JSON text).
using LogFn = std::function<void(const std::string& level, const std::string& event,
                                 const std::vector<std::pair<std::string, std::string>>& fields)>;

struct WatchContext {
  store::ArticleStore* store = nullptr;
  fetch::HttpClient* http = nullptr;
  const extract::ProfileSet* profiles = nullptr;
  Clock* clock = nullptr;
  Random* random = nullptr;
  WatchMetrics* metrics = nullptr;
  ScheduleOptions schedule;
  LogFn log;
  // Runs after a cycle that stored something; returns whether it succeeded.
  std::function<bool()> build_and_publish;
};

struct CycleResult {
  int sources_synced = 0;
  int articles_stored = 0;  // new plus changed
  bool built = false;
  Status store_error;  // a store that cannot be written stops the daemon
};

class Watcher {
 public:
  explicit Watcher(WatchContext context) : ctx_(std::move(context)) {}

  // Takes a (new) configuration: sources it adds are due at once, sources it drops are
  // forgotten, the others keep their schedule.
  void SetConfig(const config::Config& config);
  // Syncs every due source, then builds and publishes when anything was stored.
  CycleResult RunCycle();
  // Monotonic milliseconds at which the next source is due (now when none is configured).
  int64_t NextDueMs() const;
  // For tests and logs: when `source` is due next, and its consecutive failures.
  int64_t DueMs(const std::string& source) const { return state_.at(source).due_ms; }
  int Failures(const std::string& source) const { return state_.at(source).failures; }

 private:
  struct SourceState {
    int64_t due_ms = 0;
    int failures = 0;
  };
  // Syncs one source and schedules it again; the number of articles it stored.
  int SyncSource(const config::SourceConfig& source, CycleResult& result);

  WatchContext ctx_;
  config::Config config_;
  std::map<std::string, SourceState> state_;
};

// An HttpClient that passes every request to `inner` and records each response in the
// metrics under the source being synced, and the longest Retry-After a server asked for.
class ObservingHttpClient final : public fetch::HttpClient {
 public:
  ObservingHttpClient(fetch::HttpClient& inner, WatchMetrics& metrics)
      : inner_(inner), metrics_(metrics) {}
  void BeginSource(const std::string& id) {
    source_ = id;
    retry_after_ms_ = 0;
  }
  int64_t retry_after_ms() const { return retry_after_ms_; }
  std::vector<fetch::Response> FetchAll(const std::vector<fetch::Request>& requests) override;

 private:
  fetch::HttpClient& inner_;
  WatchMetrics& metrics_;
  std::string source_;
  int64_t retry_after_ms_ = 0;
};

// `s` as a JSON string literal (invalid UTF-8 replaced), for log fields.
std::string JsonQuote(const std::string& s);

// The seconds in a fetch error's "(Retry-After N s exceeds the limit)" note, or -1.
int64_t RetryAfterInError(const std::string& error);

}  // namespace samizdat::watch
