// `samizdat watch`: syncs each source on its own schedule, builds and publishes after a
// cycle that stored something, reloads the configuration on SIGHUP and stops on SIGTERM
// (or SIGINT). Logs are JSON lines on standard output. Optionally serves Prometheus
// metrics and /healthz (cpp-httplib).
//
// Stopping: a signal thread sees SIGTERM and wakes the loop, which ends after the source in
// hand. Should that source still run 8 s later, the process exits at once: every article is
// saved in its own transaction, so SQLite rolls the one in hand back and the next run
// fetches it again (doc/store.md). Either way the exit status is 0.
#include "cli/watch_command.h"

#include <fmt/format.h>
#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <thread>

#include "publish/build.h"
#include "publish/git_publish.h"
#include "store/article_store.h"
#include "watch/watcher.h"

namespace samizdat {
namespace {

constexpr auto kStopDeadline = std::chrono::seconds(8);

struct WatchArgs {
  std::string config;   // "" until discovered
  std::string metrics;  // host:port, "" for none
  int64_t interval_s = 900, jitter_s = 60, max_backoff_s = 6 * 3600;
  bool no_publish = false;
};

// One JSON object per line on standard output, flushed, so journald or a pipe gets whole
// records as they happen.
void LogLine(const std::string& level, const std::string& event,
             const std::vector<std::pair<std::string, std::string>>& fields) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = fmt::format(R"({{"time":"{}","level":"{}","event":"{}")", stamp, level, event);
  for (const auto& [key, json_value] : fields) line += fmt::format(R"(,"{}":{})", key, json_value);
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

// The flags the signal thread sets and the loop waits on.
struct Signals {
  std::mutex mu;
  std::condition_variable wake;
  bool stop = false, reload = false, finished = false;
};

// Waits for SIGTERM, SIGINT and SIGHUP (blocked in every thread, so only sigwait sees them).
// After a stop signal, gives the loop kStopDeadline to finish, then exits the process.
void SignalLoop(sigset_t set, Signals* flags) {
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    std::unique_lock<std::mutex> lock(flags->mu);
    if (flags->finished) return;
    if (sig == SIGHUP) {
      flags->reload = true;
      flags->wake.notify_all();
      continue;
    }
    flags->stop = true;
    flags->wake.notify_all();
    if (flags->wake.wait_for(lock, kStopDeadline, [&] { return flags->finished; })) return;
    LogLine("warning", "stop_deadline",
            {{"note", watch::JsonQuote("the article in hand is rolled back")}});
    _exit(kExitOk);
  }
}

bool ParseHostPort(const std::string& spec, std::string* host, int* port) {
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = spec.substr(0, colon);
  char* end = nullptr;
  long p = std::strtol(spec.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || p < 0 || p > 65535 || end == spec.c_str() + colon + 1) return false;
  *port = static_cast<int>(p);
  return true;
}

// The store's bytes on disk: the database and its write-ahead log.
int64_t StoreSize(const std::string& store_path) {
  int64_t total = 0;
  for (const std::string& path : {store_path, store_path + "-wal"}) {
    FileInfo info;
    if (Env::Default()->Stat(path, &info).ok()) total += info.size;
  }
  return total;
}

class WatchDaemon {
 public:
  explicit WatchDaemon(const WatchArgs& args) : args_(args) {}
  int Run();

 private:
  // Loads the configuration, takes the store lock, opens the store: kExitOk or the status.
  int Setup();
  bool StartMetrics();
  bool LoadConfiguration(config::Config* cfg, extract::ProfileSet* profiles);
  void Reload();
  bool BuildAndPublish();
  int Loop();
  // Sleeps until the next source is due or a signal arrives.
  void WaitForWork();

  WatchArgs args_;
  Signals signals_;
  config::Config config_;
  extract::ProfileSet profiles_;
  std::unique_ptr<store::StoreLock> lock_;
  std::unique_ptr<store::ArticleStore> store_;
  std::unique_ptr<fetch::HttpClient> http_;
  watch::WatchMetrics metrics_;
  std::unique_ptr<watch::Watcher> watcher_;
  httplib::Server metrics_server_;
  std::thread metrics_thread_;
  std::atomic<bool> metrics_done_{false};
  bool healthy_ = false;
  std::mutex health_mu_;
};

bool WatchDaemon::LoadConfiguration(config::Config* cfg, extract::ProfileSet* profiles) {
  std::string error;
  if (!LoadConfig(*Env::Default(), args_.config, cfg, &error) ||
      !LoadProfiles(*Env::Default(), cfg, profiles, &error)) {
    Complain(error);
    return false;
  }
  return true;
}

bool WatchDaemon::StartMetrics() {
  if (args_.metrics.empty()) return true;
  std::string host;
  int port = 0;
  if (!ParseHostPort(args_.metrics, &host, &port)) {
    Complain(
        fmt::format("--metrics {}: expected HOST:PORT, such as 127.0.0.1:9109", args_.metrics));
    return false;
  }
  metrics_server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_.Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  metrics_server_.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(health_mu_);
    res.status = healthy_ ? 200 : 503;
    res.set_content(healthy_ ? "ok\n" : "starting\n", "text/plain");
  });
  if (!metrics_server_.bind_to_port(host, port)) {
    Complain(fmt::format("--metrics: cannot listen on {}", args_.metrics));
    return false;
  }
  metrics_thread_ = std::thread([this] {
    metrics_server_.listen_after_bind();
    metrics_done_ = true;
  });
  // stop() is a no-op until the listener runs: wait for it, so an early exit still stops it.
  while (!metrics_server_.is_running() && !metrics_done_) std::this_thread::yield();
  LogLine("info", "metrics_listening", {{"address", watch::JsonQuote(args_.metrics)}});
  return true;
}

bool WatchDaemon::BuildAndPublish() {
  Clock* clock = Clock::Real();
  int64_t started = clock->MonotonicMs();
  publish::BuildReport b = publish::BuildSite(config_, *store_, *Env::Default(), http_.get());
  metrics_.RecordBuild(clock->MonotonicMs() - started, b.error.empty());
  LogLine(b.error.empty() ? "info" : "error", "built",
          {{"output", watch::JsonQuote(config_.output_dir)},
           {"pages_rendered", std::to_string(b.pages_rendered)},
           {"error", watch::JsonQuote(b.error)}});
  if (!b.error.empty() || args_.no_publish) return b.error.empty();
  started = clock->MonotonicMs();
  publish::PublishReport p =
      publish::Publish(config_.output_dir, config_.publish, clock->UnixSeconds());
  bool ok = p.error.empty() && !p.AnyRemoteFailed();
  metrics_.RecordPublish(clock->MonotonicMs() - started, ok);
  LogLine(ok ? "info" : "error", "published",
          {{"commit", watch::JsonQuote(p.commit)}, {"error", watch::JsonQuote(p.error)}});
  return ok;
}

int WatchDaemon::Setup() {
  args_.config = DiscoverConfigPath(*Env::Default(), args_.config);
  if (!LoadConfigOrReport(*Env::Default(), args_.config, &config_)) return kExitUsage;
  std::string error;
  if (!LoadProfiles(*Env::Default(), &config_, &profiles_, &error)) {
    Complain(error);
    return kExitUsage;
  }
  if (int status = LockStoreOrReport(config_.store_path, &lock_); status != kExitOk) return status;
  store_ = store::OpenStore(config_.store_path, &error);
  if (!store_) {
    Complain(error);
    return kExitUsage;
  }
  http_ = fetch::NewCurlHttpClient(config_.fetch);
  watch::WatchContext ctx;
  ctx.store = store_.get();
  ctx.http = http_.get();
  ctx.profiles = &profiles_;
  ctx.clock = Clock::Real();
  ctx.random = Random::System();
  ctx.metrics = &metrics_;
  ctx.schedule = {args_.interval_s * 1000, args_.jitter_s * 1000, args_.max_backoff_s * 1000};
  ctx.log = LogLine;
  ctx.build_and_publish = [this] { return BuildAndPublish(); };
  watcher_ = std::make_unique<watch::Watcher>(std::move(ctx));
  watcher_->SetConfig(config_);
  return StartMetrics() ? kExitOk : kExitUsage;
}

void WatchDaemon::Reload() {
  config::Config cfg;
  extract::ProfileSet profiles;
  if (!LoadConfiguration(&cfg, &profiles)) {
    LogLine("error", "reload_failed", {{"config", watch::JsonQuote(args_.config)}});
    return;
  }
  if (cfg.store_path != config_.store_path)
    LogLine("warning", "reload_store_ignored", {{"store", watch::JsonQuote(cfg.store_path)}});
  cfg.store_path = config_.store_path;  // the lock and the open store stay
  config_ = std::move(cfg);
  profiles_ = std::move(profiles);
  http_ = fetch::NewCurlHttpClient(config_.fetch);
  watcher_->SetConfig(config_);
  LogLine("info", "reloaded", {{"sources", std::to_string(config_.sources.size())}});
}

void WatchDaemon::WaitForWork() {
  int64_t wait_ms = watcher_->NextDueMs() - Clock::Real()->MonotonicMs();
  std::unique_lock<std::mutex> lock(signals_.mu);
  if (wait_ms > 0)
    signals_.wake.wait_for(lock, std::chrono::milliseconds(wait_ms),
                           [this] { return signals_.stop || signals_.reload; });
}

int WatchDaemon::Loop() {
  for (;;) {
    bool reload = false;
    {
      std::lock_guard<std::mutex> lock(signals_.mu);
      if (signals_.stop) return kExitOk;
      std::swap(reload, signals_.reload);
    }
    if (reload) Reload();
    watch::CycleResult cycle = watcher_->RunCycle();
    metrics_.SetStoreSize(StoreSize(config_.store_path));
    {
      std::lock_guard<std::mutex> lock(health_mu_);
      healthy_ = cycle.store_error.ok();
    }
    if (!cycle.store_error.ok()) {
      LogLine("error", "store_failed", {{"error", watch::JsonQuote(cycle.store_error.message())}});
      return kExitStoreIo;
    }
    WaitForWork();
  }
}

int WatchDaemon::Run() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before any thread starts, so all inherit it
  std::thread signal_thread(SignalLoop, set, &signals_);
  int status = Setup();
  if (status == kExitOk) {
    LogLine(
        "info", "started",
        {{"pid", std::to_string(getpid())}, {"sources", std::to_string(config_.sources.size())}});
    status = Loop();
    LogLine("info", "stopped", {{"status", std::to_string(status)}});
  }
  {
    std::lock_guard<std::mutex> lock(signals_.mu);
    signals_.finished = true;
    signals_.wake.notify_all();
  }
  pthread_kill(signal_thread.native_handle(), SIGTERM);  // wakes sigwait if no signal came
  signal_thread.join();
  if (metrics_thread_.joinable()) {
    metrics_server_.stop();
    metrics_thread_.join();
  }
  return status;
}

}  // namespace

Subcommand AddWatch(CLI::App& app) {
  auto a = std::make_shared<WatchArgs>();
  auto* cmd = app.add_subcommand(
      "watch", "Run as a daemon: sync each source on its schedule, then build and publish");
  cmd->add_option("--config", a->config, kConfigHelp);
  cmd->add_option("--metrics", a->metrics,
                  "Serve Prometheus metrics and /healthz on HOST:PORT (e.g. 127.0.0.1:9109)");
  cmd->add_option("--interval", a->interval_s,
                  "Seconds between syncs of a source without interval_minutes")
      ->check(CLI::Range(int64_t{1}, int64_t{7 * 24 * 3600}));
  cmd->add_option("--jitter", a->jitter_s, "Up to this many seconds added to each wait")
      ->check(CLI::Range(int64_t{0}, int64_t{24 * 3600}));
  cmd->add_option("--max-backoff", a->max_backoff_s, "Longest wait after failures, in seconds")
      ->check(CLI::Range(int64_t{1}, int64_t{7 * 24 * 3600}));
  cmd->add_flag("--no-publish", a->no_publish, "Build after changes, but do not publish");
  return {cmd, [a] { return WatchDaemon(*a).Run(); }};
}

}  // namespace samizdat
