// When a watched source is due again: its interval plus jitter after a success, an
// exponential backoff after failures, and never sooner than the server's Retry-After.
#pragma once

#include <cstdint>

#include "util/clock.h"

namespace samizdat::watch {

struct ScheduleOptions {
  int64_t interval_ms = 15 * 60 * 1000;         // a source without its own interval
  int64_t jitter_ms = 60 * 1000;                // up to this much added, so sources spread out
  int64_t max_backoff_ms = 6 * 60 * 60 * 1000;  // the longest wait after failures
};

// The wait before a source's next sync. `interval_ms` is the source's own interval (0: the
// default); `consecutive_failures` 0 after a success, else interval * 2^(failures-1), capped
// at max_backoff_ms; `retry_after_ms` (0 if none) is a floor. Jitter comes from `random`.
int64_t NextDelayMs(const ScheduleOptions& options, int64_t interval_ms, int consecutive_failures,
                    int64_t retry_after_ms, Random& random);

}  // namespace samizdat::watch
