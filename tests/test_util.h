// Helpers shared by the tests: fixture paths, running the built binary, temp dirs.
#pragma once

#include <string>

namespace samizdat::testing {

std::string FixturePath(const std::string& name);
std::string ReadFixture(const std::string& name);
// ../shared beside the repository, or "" when absent (tests then skip).
std::string SharedDir();

struct RunResult {
  int status = -1;  // exit status, or 128+signal
  std::string out;
  std::string err;
};
// Runs build/samizdat with `args` (a shell-quoted string) and optional stdin file.
RunResult RunSamizdat(const std::string& args, const std::string& stdin_path = "");

// A fresh directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& contents);
std::string ReadFile(const std::string& path);

}  // namespace samizdat::testing
