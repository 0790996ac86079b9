// Helpers shared by the tests: fixture paths, running the built binary, temp dirs.
#pragma once

#include <string>
#include <vector>

namespace samizdat::testing {

std::string FixturePath(const std::string& name);
std::string ReadFixture(const std::string& name);
// The XSS corpus, tests/fixtures/xss-vectors.txt, one vector a line, with the placeholders
// {NUL} {TAB} {LF} {CR} {FF} decoded (lines starting "#!" are comments).
std::vector<std::string> XssVectors();
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

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed).
int FreeLoopbackPort();

// A loopback port reserved for as long as this object lives: bound but never listening,
// so every connection to it is refused at once. For "nothing listens there" tests.
class RefusingPort {
 public:
  RefusingPort();
  ~RefusingPort();
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A background child process (a server the test talks to) with standard output and error
// appended to `log_path`. The destructor stops it (SIGTERM) and reaps it.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& args, const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  int pid() const { return pid_; }
  // True once the child exited (reaped here; status() then holds its exit status).
  bool Exited();
  int status() const { return status_; }
  // Polls a TCP connect to 127.0.0.1:`port` until it succeeds (true) or the child exits or
  // `timeout_ms` passes (false).
  bool WaitUntilAccepting(int port, int timeout_ms = 10000);

 private:
  int pid_ = -1;
  int status_ = -1;
};

// The absolute path of `program` found on PATH, or "" when it is not installed.
std::string FindProgram(const std::string& program);

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

// jing's verdict on an Atom document against RFC 4287's RELAX NG schema
// (tests/schemas/atom.rnc): "" when valid, else its messages. The jing wrapper's warnings
// about optional jars on standard error are ignored.
std::string JingAtom(const std::string& path);

}  // namespace samizdat::testing
