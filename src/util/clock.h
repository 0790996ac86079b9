// Time and randomness as interfaces, so retries, backoff, Retry-After and due times can be
// tested in milliseconds with a fake clock and a seeded source, never with real sleeps.
#pragma once

#include <cstdint>
#include <random>

namespace samizdat {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds on a monotonic clock (for delays and elapsed times).
  virtual int64_t MonotonicMs() = 0;
  // Seconds since the Unix epoch (for dates, Retry-After, due times).
  virtual int64_t UnixSeconds() = 0;
  // Blocks for `ms` milliseconds (a fake clock just moves on).
  virtual void SleepMs(int64_t ms) = 0;
  // True for a clock whose SleepMs does not block: callers then never wait on real time.
  virtual bool IsFake() const { return false; }

  static Clock* Real();
};

// A clock that moves only when told to, or when something sleeps on it.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t unix_seconds = 1'780'000'000) : unix_ms_(unix_seconds * 1000) {}
  int64_t MonotonicMs() override { return mono_ms_; }
  int64_t UnixSeconds() override { return unix_ms_ / 1000; }
  void SleepMs(int64_t ms) override { Advance(ms); }
  bool IsFake() const override { return true; }
  void Advance(int64_t ms) {
    if (ms <= 0) return;
    mono_ms_ += ms;
    unix_ms_ += ms;
    slept_ms_ += ms;
  }
  int64_t slept_ms() const { return slept_ms_; }

 private:
  int64_t mono_ms_ = 0;
  int64_t unix_ms_;
  int64_t slept_ms_ = 0;
};

class Random {
 public:
  virtual ~Random() = default;
  // A uniform integer in [lo, hi].
  virtual int64_t Uniform(int64_t lo, int64_t hi) = 0;
  // A source seeded from the OS, for production.
  static Random* System();
};

// A deterministic source for tests.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : rng_(seed) {}
  int64_t Uniform(int64_t lo, int64_t hi) override {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace samizdat
