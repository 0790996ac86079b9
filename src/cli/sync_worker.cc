#include "cli/sync_worker.h"

#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "store/pg_store.h"
#include "sync/worker.h"

namespace samizdat {
namespace {

// "<host name>:<pid>": unique among live workers, and says where to look for one.
std::string WorkerName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return fmt::format("{}:{}", host, getpid());
}

void PrintWorkerReport(const sync::WorkerReport& r, bool as_json) {
  if (as_json) {
    nlohmann::json j{{"jobs", r.jobs},           {"sources", r.sources},
                     {"new", r.new_articles},    {"changed", r.changed},
                     {"unchanged", r.unchanged}, {"failed", r.failed},
                     {"failures", r.failures},   {"ok", r.store_error.ok() && r.failed == 0}};
    PrintData(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    return;
  }
  for (const auto& f : r.failures) PrintLine(stdout, fmt::format("    failed: {}", f));
  PrintLine(stdout,
            fmt::format("worker: {} jobs, {} sources read; {} new, {} changed, "
                        "{} unchanged, {} failed",
                        r.jobs, r.sources, r.new_articles, r.changed, r.unchanged, r.failed));
}

}  // namespace

int RunSyncWorker(const std::string& given_config, bool as_json, int64_t lease_seconds) {
  const std::string config_path = DiscoverConfigPath(*Env::Default(), given_config);
  config::Config cfg;
  if (!LoadConfigOrReport(*Env::Default(), config_path, &cfg)) return kExitUsage;
  if (!store::IsPostgresLocation(cfg.store_path)) {
    Complain(
        fmt::format("{}: sync --worker needs a PostgreSQL store (store = "
                    "\"postgresql://…\"); the SQLite store {} has one writer",
                    config_path, cfg.store_path));
    return kExitUsage;
  }
  extract::ProfileSet profiles;
  std::string error;
  if (!LoadProfiles(*Env::Default(), &cfg, &profiles, &error)) {
    Complain(error);
    return kExitUsage;
  }
  auto store = store::PgStore::Open(cfg.store_path, &error);
  if (!store) {
    Complain(error);
    return kExitUsage;
  }
  auto http = fetch::NewCurlHttpClient(cfg.fetch);
  sync::WorkerOptions options;
  options.owner = WorkerName();
  options.lease_ms = lease_seconds * 1000;
  sync::WorkerReport report = sync::RunWorker(cfg, *store, *http, profiles, options);
  PrintWorkerReport(report, as_json);
  if (!report.store_error.ok()) {
    Complain(
        fmt::format("worker stopped: the store failed ({}); every article stored before "
                    "this is intact, and this worker's job goes to another when its lease "
                    "ends",
                    report.store_error.message()));
    return report.store_error.code() == Status::Code::kBusy ? kExitStoreLocked : kExitStoreIo;
  }
  return report.failed > 0 ? kExitSomeFailed : kExitOk;
}

}  // namespace samizdat
