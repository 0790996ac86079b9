// What `samizdat watch` exposes to Prometheus (text format 0.0.4): per source, fetches,
// errors by kind, a fetch latency histogram, articles new and changed, the last success
// time and health; build and publish durations; the store's size. Thread-safe: the watch
// loop records, the metrics endpoint renders.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace samizdat::watch {

// Upper bounds (seconds) of the fetch latency histogram's buckets, +Inf aside.
inline constexpr std::array<double, 9> kLatencyBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

class WatchMetrics {
 public:
  // One HTTP request made for `source`; `error_kind` is "" for a success, else
  // "timeout", "http", "network" or "retry_after".
  void RecordFetch(const std::string& source, int64_t elapsed_ms, const std::string& error_kind);
  // The end of one source's sync: articles stored, whether the source itself failed, its
  // health, and (on success) the time.
  void RecordSync(const std::string& source, int new_articles, int changed, int failed_articles,
                  bool source_failed, bool healthy, int64_t now_unix);
  void RecordBuild(int64_t elapsed_ms, bool ok);
  void RecordPublish(int64_t elapsed_ms, bool ok);
  void RecordCycle();
  void SetStoreSize(int64_t bytes);
  int64_t cycles() const;

  // The Prometheus text exposition of everything recorded.
  std::string Render() const;

 private:
  struct Source {
    int64_t fetches = 0;
    std::map<std::string, int64_t> errors;                  // by kind
    std::array<int64_t, kLatencyBuckets.size()> buckets{};  // per bucket, not cumulative
    int64_t latency_count = 0;
    double latency_sum_s = 0;
    int64_t new_articles = 0, changed = 0;
    int64_t last_success_unix = 0;
    bool healthy = true;
  };
  struct Step {
    double last_duration_s = 0;
    int64_t runs = 0, failures = 0;
  };
  void RenderSources(std::string& out) const;

  mutable std::mutex mu_;
  std::map<std::string, Source> sources_;
  Step build_, publish_;
  int64_t cycles_ = 0;
  int64_t store_bytes_ = 0;
};

// The kind of a failed fetch, for the errors counter: "timeout", "http" (a status of 400 or
// more), "retry_after" (the server asked for a longer wait than allowed), or "network".
std::string FetchErrorKind(int status, const std::string& error);

}  // namespace samizdat::watch
