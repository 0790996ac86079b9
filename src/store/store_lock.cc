#include "store/store_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace samizdat::store {
namespace {

// The pid the holder wrote into the lock file, or 0 when it holds none (not written yet,
// or left by a holder that was killed and is gone).
long ReadHolderPid(int fd) {
  char buf[32] = {};
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return 0;
  char* end = nullptr;
  long pid = std::strtol(buf, &end, 10);
  if (end == buf || *end != '\n' || pid <= 0) return 0;
  bool alive = ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
  return alive ? pid : 0;
}

// Overwrites the file with "<pid>\n" in one write, then cuts anything longer after it.
bool WriteOwnPid(int fd) {
  std::string line = std::to_string(::getpid()) + "\n";
  return ::pwrite(fd, line.data(), line.size(), 0) == static_cast<ssize_t>(line.size()) &&
         ::ftruncate(fd, static_cast<off_t>(line.size())) == 0;
}

std::string HeldMessage(const std::string& store_path, const std::string& lock_path, long pid) {
  return "store " + store_path + " is in use by another samizdat run (" +
         (pid > 0 ? "pid " + std::to_string(pid) : std::string("pid unknown")) + ", lock file " +
         lock_path + "); try again when it has finished";
}

}  // namespace

StoreLock::Outcome StoreLock::TryAcquire(const std::string& store_path,
                                         std::unique_ptr<StoreLock>* lock, std::string* error) {
  const std::string path = LockPath(store_path);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot open lock file " + path + ": " + std::strerror(errno);
    return Outcome::kError;
  }
  // The holder writes its pid just after it locks. A run that finds the lock held but no
  // live pid in the file yet looks again for a moment (at most about a second) so that
  // its message can name the holder.
  constexpr int kPidAttempts = 200;
  for (int attempt = 1;; ++attempt) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      if (!WriteOwnPid(fd)) {
        *error = "cannot write lock file " + path + ": " + std::strerror(errno);
        ::close(fd);
        return Outcome::kError;
      }
      lock->reset(new StoreLock(fd));
      return Outcome::kAcquired;
    }
    if (errno != EWOULDBLOCK && errno != EINTR) {
      *error = "cannot lock " + path + ": " + std::strerror(errno);
      ::close(fd);
      return Outcome::kError;
    }
    long pid = ReadHolderPid(fd);
    if (pid > 0 || attempt == kPidAttempts) {
      *error = HeldMessage(store_path, path, pid);
      ::close(fd);
      return Outcome::kHeld;
    }
    timespec pause{0, 5'000'000};
    ::nanosleep(&pause, nullptr);
  }
}

StoreLock::~StoreLock() {
  // Clear the pid first, so nobody reads it after the lock is gone.
  if (::ftruncate(fd_, 0) != 0) {
    // Harmless: a pid left behind is ignored once its process is gone.
  }
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

}  // namespace samizdat::store
