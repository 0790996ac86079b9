// The file-system interface. Every disk operation samizdat makes goes through an Env, so a
// test can fail the Nth write, rename or fsync with EIO or ENOSPC, or "crash" there and drop
// what was not yet synced (FaultInjectionEnv), the way LevelDB's Env allows.
//
// Virtual methods are the primitives; WriteFileAtomic and ReadFile are built on them, so a
// wrapping Env sees (and can fail) each step of an atomic write.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace samizdat {

struct FileInfo {
  bool is_regular = false;
  bool is_directory = false;
  bool is_symlink = false;  // the path itself is a symbolic link (lstat)
  int64_t size = 0;
};

// A file opened for writing from empty. Close (or destruction) releases it; only Sync
// promises the bytes are on disk.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // Reads a whole file ("-" is standard input).
  virtual Status ReadFileToString(const std::string& path, std::string* contents) = 0;
  // Creates or truncates `path` for writing.
  virtual Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* file) = 0;
  // rename(2): atomic replacement of `to`.
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Removes a file or an empty directory; NotFound when it does not exist.
  virtual Status RemoveFile(const std::string& path) = 0;
  // Creates a directory and its missing parents; ok when it exists.
  virtual Status CreateDirs(const std::string& path) = 0;
  // The names in a directory (no "." or ".."), in no particular order.
  virtual Status ListDir(const std::string& path, std::vector<std::string>* names) = 0;
  // lstat(2); NotFound when nothing is there.
  virtual Status Stat(const std::string& path, FileInfo* info) = 0;
  // fsync(2) of a directory, so the names created or renamed in it survive power loss.
  virtual Status SyncDir(const std::string& path) = 0;
  // realpath(3): the absolute path with every symbolic link, "." and ".." resolved; NotFound
  // when some component does not exist. What confines a write or a served file to a root.
  virtual Status RealPath(const std::string& path, std::string* real) = 0;

  // Writes atomically: a temporary file in the same directory (see IsTempFileName), then
  // rename, so a reader or a crash sees the old file or the new one, never a mix. With
  // `durable` the data and the rename are fsync'ed, so they also survive power loss.
  // Creates parent directories. On failure no temporary file is left behind.
  Status WriteFileAtomic(const std::string& path, std::string_view contents, bool durable = true);
  bool FileExists(const std::string& path);

  // Older bool forms of the two calls above, for callers not yet moved to Status.
  bool ReadFile(const std::string& path, std::string* contents, std::string* error);
  bool WriteFileAtomic(const std::string& path, std::string_view contents, std::string* error,
                       bool durable = true);

  static Env* Default();
};

// Appends to *files the path of every regular file below `dir` (symbolic links are not
// followed), not descending into directories named `skip_dir` (e.g. ".git"). A missing
// `dir` lists nothing; the first directory that cannot be listed ends the walk with its error.
Status ListFilesRecursively(Env& env, const std::string& dir, std::string_view skip_dir,
                            std::vector<std::string>* files);

// Whether `path` is `root` or lies below it, compared by whole components, so /srv/feeds-old
// is not under /srv/feeds. Pure: both should be resolved (RealPath) by the caller first.
bool IsPathWithin(std::string_view path, std::string_view root);

// True for the names WriteFileAtomic gives its temporary files ("<name>.tmp.<digits>"):
// leftovers of a killed run that a build removes and a publish never ships.
bool IsTempFileName(std::string_view name);

}  // namespace samizdat
