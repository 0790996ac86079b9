// Helpers shared by the tests: fixture paths, running the built binary, temp dirs.
#pragma once

#include <string>
#include <vector>

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

// A child process run to completion, with what the kernel measured of it.
struct ChildRun {
  int status = -1;  // exit status, or -1 when killed by a signal
  bool signaled = false;
  double wall_s = 0, cpu_s = 0, max_rss_mib = 0;
};
// Runs `args` (args[0] is the program) with standard output (and error, if `quiet`)
// sent to /dev/null, waits, and reports its time and peak RSS.
ChildRun RunChild(const std::vector<std::string>& args, bool quiet = false);
// Starts `args` the same way without waiting; returns the pid.
int SpawnChild(const std::vector<std::string>& args, bool quiet = true);

// `n` zero bytes, gzip-compressed: a small body that inflates enormously.
std::string GzipOfZeros(size_t n);
// UTF-8 text encoded in `charset` by ICU, an independent encoder, for charset tests.
std::string EncodeCharset(const std::string& utf8, const char* charset);

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
