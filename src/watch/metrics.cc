#include "watch/metrics.h"

#include <fmt/format.h>

namespace samizdat::watch {
namespace {

// A label value as the text format wants it: backslash, quote and newline escaped.
std::string LabelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

void Header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string FetchErrorKind(int status, const std::string& error) {
  if (error.find("Retry-After") != std::string::npos) return "retry_after";
  if (error.find("timed out") != std::string::npos || error.find("timeout") != std::string::npos)
    return "timeout";
  if (status >= 400) return "http";
  return "network";
}

void WatchMetrics::RecordFetch(const std::string& source, int64_t elapsed_ms,
                               const std::string& error_kind) {
  std::lock_guard<std::mutex> lock(mu_);
  Source& s = sources_[source];
  ++s.fetches;
  if (!error_kind.empty()) ++s.errors[error_kind];
  double seconds = static_cast<double>(elapsed_ms) / 1000.0;
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i)
    if (seconds <= kLatencyBuckets[i]) {
      ++s.buckets[i];
      break;
    }
  ++s.latency_count;
  s.latency_sum_s += seconds;
}

void WatchMetrics::RecordSync(const std::string& source, int new_articles, int changed,
                              int failed_articles, bool source_failed, bool healthy,
                              int64_t now_unix) {
  std::lock_guard<std::mutex> lock(mu_);
  Source& s = sources_[source];
  s.new_articles += new_articles;
  s.changed += changed;
  if (failed_articles > 0) s.errors["article"] += failed_articles;
  if (!source_failed) s.last_success_unix = now_unix;
  s.healthy = healthy;
}

void WatchMetrics::RecordBuild(int64_t elapsed_ms, bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  build_.last_duration_s = static_cast<double>(elapsed_ms) / 1000.0;
  ++build_.runs;
  if (!ok) ++build_.failures;
}

void WatchMetrics::RecordPublish(int64_t elapsed_ms, bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  publish_.last_duration_s = static_cast<double>(elapsed_ms) / 1000.0;
  ++publish_.runs;
  if (!ok) ++publish_.failures;
}

void WatchMetrics::RecordCycle() {
  std::lock_guard<std::mutex> lock(mu_);
  ++cycles_;
}

void WatchMetrics::SetStoreSize(int64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  store_bytes_ = bytes;
}

int64_t WatchMetrics::cycles() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cycles_;
}

void WatchMetrics::RenderSources(std::string& out) const {
  Header(out, "samizdat_source_fetches_total", "counter", "HTTP requests made for the source.");
  for (const auto& [id, s] : sources_)
    out += fmt::format("samizdat_source_fetches_total{{source=\"{}\"}} {}\n", LabelValue(id),
                       s.fetches);
  Header(out, "samizdat_source_errors_total", "counter",
         "Failures by kind: timeout, http, network, retry_after, article.");
  for (const auto& [id, s] : sources_)
    for (const auto& [kind, n] : s.errors)
      out += fmt::format("samizdat_source_errors_total{{source=\"{}\",kind=\"{}\"}} {}\n",
                         LabelValue(id), kind, n);
  Header(out, "samizdat_source_fetch_duration_seconds", "histogram",
         "Time to fetch one document of the source.");
  for (const auto& [id, s] : sources_) {
    int64_t cumulative = 0;
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      cumulative += s.buckets[i];
      out += fmt::format(
          "samizdat_source_fetch_duration_seconds_bucket{{source=\"{}\",le=\"{}\"}} {}\n",
          LabelValue(id), kLatencyBuckets[i], cumulative);
    }
    out += fmt::format(
        "samizdat_source_fetch_duration_seconds_bucket{{source=\"{0}\",le=\"+Inf\"}} {1}\n"
        "samizdat_source_fetch_duration_seconds_sum{{source=\"{0}\"}} {2}\n"
        "samizdat_source_fetch_duration_seconds_count{{source=\"{0}\"}} {1}\n",
        LabelValue(id), s.latency_count, s.latency_sum_s);
  }
  Header(out, "samizdat_source_articles_total", "counter", "Articles stored, new or changed.");
  for (const auto& [id, s] : sources_)
    out += fmt::format(
        "samizdat_source_articles_total{{source=\"{0}\",change=\"new\"}} {1}\n"
        "samizdat_source_articles_total{{source=\"{0}\",change=\"changed\"}} {2}\n",
        LabelValue(id), s.new_articles, s.changed);
  Header(out, "samizdat_source_last_success_timestamp_seconds", "gauge",
         "When the source last synced without failing (0: never).");
  for (const auto& [id, s] : sources_)
    out += fmt::format("samizdat_source_last_success_timestamp_seconds{{source=\"{}\"}} {}\n",
                       LabelValue(id), s.last_success_unix);
  Header(out, "samizdat_source_healthy", "gauge", "1 when the source is healthy, else 0.");
  for (const auto& [id, s] : sources_)
    out += fmt::format("samizdat_source_healthy{{source=\"{}\"}} {}\n", LabelValue(id),
                       s.healthy ? 1 : 0);
}

std::string WatchMetrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  RenderSources(out);
  for (const auto& [name, step] : {std::pair{"build", build_}, std::pair{"publish", publish_}}) {
    std::string base = fmt::format("samizdat_{}_", name);
    Header(out, (base + "duration_seconds").c_str(), "gauge", "Duration of the last run.");
    out += fmt::format("{}duration_seconds {}\n", base, step.last_duration_s);
    Header(out, (base + "runs_total").c_str(), "counter", "Runs.");
    out += fmt::format("{}runs_total {}\n", base, step.runs);
    Header(out, (base + "failures_total").c_str(), "counter", "Failed runs.");
    out += fmt::format("{}failures_total {}\n", base, step.failures);
  }
  Header(out, "samizdat_watch_cycles_total", "counter", "Completed watch cycles.");
  out += fmt::format("samizdat_watch_cycles_total {}\n", cycles_);
  Header(out, "samizdat_store_size_bytes", "gauge", "Size of the store on disk.");
  out += fmt::format("samizdat_store_size_bytes {}\n", store_bytes_);
  return out;
}

}  // namespace samizdat::watch
