// The mirror lock: one `sync`, `build` or `publish` at a time per store.
//
// An advisory flock(2) on "<store>.lock", beside the store. The kernel drops it when the
// holder exits or is killed, so a lock is never stale and nobody has to clean it up; the
// file itself stays and means nothing unless a process holds the lock on it. The holder
// writes its pid into the file, so a second run can say who holds the store.
#pragma once

#include <memory>
#include <string>

namespace samizdat::store {

class StoreLock {
 public:
  enum class Outcome {
    kAcquired,
    kHeld,   // another process holds it; *error names its pid
    kError,  // the lock file cannot be created or locked; *error says why
  };

  // Tries once, without waiting. On kAcquired *lock holds the lock until it is destroyed.
  static Outcome TryAcquire(const std::string& store_path, std::unique_ptr<StoreLock>* lock,
                            std::string* error);
  static std::string LockPath(const std::string& store_path) { return store_path + ".lock"; }

  ~StoreLock();  // clears the pid, then releases the lock
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

 private:
  explicit StoreLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace samizdat::store
