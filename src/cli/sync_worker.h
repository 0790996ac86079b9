// `samizdat sync --worker`: one of many processes sharing a mirror's sync through its
// PostgreSQL store (src/sync/worker.h, doc/scale-out.md).
#ifndef SAMIZDAT_CLI_SYNC_WORKER_H_
#define SAMIZDAT_CLI_SYNC_WORKER_H_

#include <cstdint>
#include <string>

namespace samizdat {

// Runs one worker until no fetch job is left; prints what it did (JSON with `as_json`).
// Exit status: 0, 1 when some job failed, 2 for a bad configuration or a store that is not
// PostgreSQL, 74 when the store failed (75 when it stayed locked).
int RunSyncWorker(const std::string& config_path, bool as_json, int64_t lease_seconds);

}  // namespace samizdat

#endif  // SAMIZDAT_CLI_SYNC_WORKER_H_
