#include "test_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unicode/ucnv.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "util/strings.h"

extern char** environ;

namespace samizdat::testing {

std::string FixturePath(const std::string& name) {
  return std::string(SAMIZDAT_SOURCE_DIR) + "/tests/fixtures/" + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary);
  out << contents;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string ReadFixture(const std::string& name) { return ReadFile(FixturePath(name)); }

std::string SharedDir() {
  std::string dir = SAMIZDAT_SHARED_DIR;
  return std::filesystem::is_directory(dir + "/datasets") ? dir : std::string();
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "samizdat-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

int SpawnChild(const std::vector<std::string>& args, bool quiet) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  if (quiet) posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  if (posix_spawn(&pid, copy[0].c_str(), &fa, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

ChildRun RunChild(const std::vector<std::string>& args, bool quiet) {
  auto t0 = std::chrono::steady_clock::now();
  ChildRun r;
  pid_t pid = SpawnChild(args, quiet);
  if (pid < 0) return r;
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.signaled = WIFSIGNALED(status);
  r.cpu_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
            ru.ru_stime.tv_usec / 1e6;
  r.max_rss_mib = ru.ru_maxrss / 1024.0;
  return r;
}

namespace {

sockaddr_in LoopbackAddress(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

// Binds a TCP socket to 127.0.0.1 on a port the kernel picks; returns the fd, sets *port.
int BindLoopbackAnyPort(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr = LoopbackAddress(0);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

bool LoopbackAccepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr = LoopbackAddress(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

}  // namespace

int FreeLoopbackPort() {
  int port = 0;
  close(BindLoopbackAnyPort(&port));
  return port;
}

RefusingPort::RefusingPort() { fd_ = BindLoopbackAnyPort(&port_); }

RefusingPort::~RefusingPort() { close(fd_); }

ChildProcess::ChildProcess(const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, copy[0].c_str(), &fa, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  pid_ = pid;
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0 || Exited()) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
}

bool ChildProcess::Exited() {
  if (pid_ <= 0) return true;
  if (status_ != -1) return true;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

bool ChildProcess::WaitUntilAccepting(int port, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Exited()) return false;
    if (LoopbackAccepts(port)) return true;
    // A short pause between attempts; readiness is decided by the connect, not the pause.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

std::string FindProgram(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

std::string GzipOfZeros(size_t n) {
  std::string zeros(n, '\0');
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(n)), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(zeros.data());
  zs.avail_in = static_cast<uInt>(n);
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string EncodeCharset(const std::string& utf8, const char* charset) {
  UErrorCode st = U_ZERO_ERROR;
  std::string out(utf8.size() * 4 + 16, '\0');
  int32_t n = ucnv_convert(charset, "UTF-8", out.data(), static_cast<int32_t>(out.size()),
                           utf8.data(), static_cast<int32_t>(utf8.size()), &st);
  if (U_FAILURE(st)) throw std::runtime_error(std::string("cannot encode as ") + charset);
  out.resize(static_cast<size_t>(n));
  return out;
}

RunResult RunSamizdat(const std::string& args, const std::string& stdin_path) {
  TempDir tmp;
  std::string cmd = std::string(SAMIZDAT_BINARY) + " " + args + " > " + tmp.File("out") + " 2> " +
                    tmp.File("err");
  if (!stdin_path.empty()) cmd += " < '" + stdin_path + "'";
  int raw = std::system(cmd.c_str());
  RunResult r;
  if (WIFEXITED(raw))
    r.status = WEXITSTATUS(raw);
  else if (WIFSIGNALED(raw))
    r.status = 128 + WTERMSIG(raw);
  r.out = ReadFile(tmp.File("out"));
  r.err = ReadFile(tmp.File("err"));
  return r;
}

std::vector<std::string> XssVectors() {
  std::vector<std::string> out;
  std::istringstream in(ReadFixture("xss-vectors.txt"));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.rfind("#!", 0) == 0) continue;
    for (auto [name, c] : {std::pair{"{NUL}", '\0'},
                           {"{TAB}", '\t'},
                           {"{LF}", '\n'},
                           {"{CR}", '\r'},
                           {"{FF}", '\f'}})
      line = ReplaceAll(line, name, std::string(1, c));
    out.push_back(line);
  }
  return out;
}

std::string JingAtom(const std::string& path) {
  const std::string schema = std::string(SAMIZDAT_SOURCE_DIR) + "/tests/schemas/atom.rnc";
  FILE* p = popen(("jing -c '" + schema + "' '" + path + "' 2>/dev/null").c_str(), "r");
  if (!p) return "cannot run jing";
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int status = pclose(p);
  return status == 0 ? "" : "jing: exit " + std::to_string(status) + "\n" + out;
}

}  // namespace samizdat::testing
