// An Env for tests that fails chosen operations and simulates crashes, the way LevelDB's
// fault_injection_test and SQLite's crash tests do.
//
// Every operation is counted by kind. FailNth makes the Nth operation of a kind fail with
// an errno (EIO, ENOSPC) and lets the rest succeed. CrashAt makes the Nth mutating
// operation (any kind but reads, lists and stats) and everything after it fail, as if the
// process died there; DropUnsyncedData then puts the disk in a state a power loss could
// leave: data not fsync'ed is cut off, names created or renamed in a directory that was not
// fsync'ed since are undone.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "util/env.h"

namespace samizdat {

class FaultInjectionEnv final : public Env {
 public:
  enum class Op {
    kRead,
    kCreate,
    kWrite,
    kSync,
    kRename,
    kRemove,
    kCreateDir,
    kList,
    kStat,
    kSyncDir,
    kCount
  };

  explicit FaultInjectionEnv(Env* base) : base_(base) {}

  // The `n`th (1-based, counted from construction) operation of kind `op` fails with `err`.
  void FailNth(Op op, int64_t n, int err) { fail_[static_cast<size_t>(op)] = {n, err}; }
  // The `n`th mutating operation and every later one fail with EIO ("the process died").
  void CrashAt(int64_t n) { crash_at_ = n; }
  bool crashed() const { return crashed_; }
  int64_t count(Op op) const { return counts_[static_cast<size_t>(op)]; }
  int64_t mutations() const { return mutations_; }
  // Applies what a power loss after the crash could do (see above), through the base Env.
  Status DropUnsyncedData();

  Status ReadFileToString(const std::string& path, std::string* contents) override;
  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* file) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status CreateDirs(const std::string& path) override;
  Status ListDir(const std::string& path, std::vector<std::string>* names) override;
  Status Stat(const std::string& path, FileInfo* info) override;
  Status SyncDir(const std::string& path) override;
  // Counted as a kStat: it only looks.
  Status RealPath(const std::string& path, std::string* real) override;

 private:
  friend class FaultWritableFile;
  // Counts the operation; returns the injected failure for it, or Ok.
  Status Check(Op op, const std::string& path);
  // What a path held before the first unsynced change to its name: nullopt if it did not exist.
  void RememberName(const std::string& path);
  void FileSynced(const std::string& path, int64_t size) { synced_size_[path] = size; }
  void FileGrew(const std::string& path) { synced_size_.try_emplace(path, 0); }

  Env* base_;
  std::array<int64_t, static_cast<size_t>(Op::kCount)> counts_{};
  std::array<std::pair<int64_t, int>, static_cast<size_t>(Op::kCount)> fail_{};
  int64_t mutations_ = 0;
  int64_t crash_at_ = 0;
  bool crashed_ = false;
  // Files written since open, by path: the size known to be on disk (0 until Sync).
  std::map<std::string, int64_t> synced_size_;
  // Names changed in a directory not synced since: their earlier contents (nullopt: absent).
  std::map<std::string, std::optional<std::string>> unsynced_names_;
};

}  // namespace samizdat
