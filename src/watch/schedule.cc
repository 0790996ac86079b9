#include "watch/schedule.h"

#include <algorithm>

namespace samizdat::watch {

int64_t NextDelayMs(const ScheduleOptions& options, int64_t interval_ms, int consecutive_failures,
                    int64_t retry_after_ms, Random& random) {
  int64_t base = interval_ms > 0 ? interval_ms : options.interval_ms;
  int64_t delay = base;
  // Doubling stops at the cap, so the shift never overflows.
  for (int i = 1; i < consecutive_failures && delay < options.max_backoff_ms; ++i) delay *= 2;
  if (consecutive_failures > 0) delay = std::min(delay, options.max_backoff_ms);
  if (options.jitter_ms > 0) delay += random.Uniform(0, options.jitter_ms);
  return std::max(delay, retry_after_ms);
}

}  // namespace samizdat::watch
