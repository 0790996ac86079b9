#include "util/clock.h"

#include <chrono>
#include <mutex>
#include <thread>

namespace samizdat {
namespace {

class RealClock final : public Clock {
 public:
  int64_t MonotonicMs() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  int64_t UnixSeconds() override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void SleepMs(int64_t ms) override {
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
};

// Shared by every caller of Random::System(), so it is locked.
class SystemRandom final : public Random {
 public:
  SystemRandom() : rng_(std::random_device{}()) {}
  int64_t Uniform(int64_t lo, int64_t hi) override {
    std::lock_guard<std::mutex> lock(mu_);
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }

 private:
  std::mutex mu_;
  std::mt19937_64 rng_;
};

}  // namespace

Clock* Clock::Real() {
  static RealClock clock;
  return &clock;
}

Random* Random::System() {
  static SystemRandom random;
  return &random;
}

}  // namespace samizdat
