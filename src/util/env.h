// The file-system interface. Everything that touches disk goes through an Env, so tests
// can inject faults (a full disk, a failing rename) the way LevelDB's Env allows.
#pragma once

#include <string>
#include <string_view>

namespace samizdat {

class Env {
 public:
  virtual ~Env() = default;
  // Reads a whole file ("-" is standard input). On failure returns false and sets *error
  // to a message naming the path and the reason.
  virtual bool ReadFile(const std::string& path, std::string* contents, std::string* error) = 0;
  // Writes atomically: a temporary file in the same directory, then rename, so a reader
  // (or a crash) sees the old file or the new one, never a mix. With `durable`, the data
  // is fsync'ed before the rename, so it also survives power loss. Creates parent
  // directories.
  virtual bool WriteFileAtomic(const std::string& path, std::string_view contents,
                               std::string* error, bool durable = true) = 0;

  static Env* Default();
};

}  // namespace samizdat
