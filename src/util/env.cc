#include "util/env.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>

namespace samizdat {
namespace {

std::string Describe(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

class PosixEnv final : public Env {
 public:
  bool ReadFile(const std::string& path, std::string* contents, std::string* error) override {
    contents->clear();
    int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *error = Describe("cannot open", path);
      return false;
    }
    char buf[1 << 16];
    while (true) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        *error = Describe("cannot read", path);
        if (fd != STDIN_FILENO) ::close(fd);
        return false;
      }
      if (n == 0) break;
      contents->append(buf, static_cast<size_t>(n));
    }
    if (fd != STDIN_FILENO) ::close(fd);
    return true;
  }

  bool WriteFileAtomic(const std::string& path, std::string_view contents, std::string* error,
                       bool durable) override {
    std::filesystem::path target(path);
    std::error_code ec;
    if (target.has_parent_path()) {
      std::filesystem::create_directories(target.parent_path(), ec);
      if (ec) {
        *error = "cannot create directory " + target.parent_path().string() + ": " + ec.message();
        return false;
      }
    }
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      *error = Describe("cannot create", tmp);
      return false;
    }
    size_t done = 0;
    while (done < contents.size()) {
      ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        *error = Describe("cannot write", tmp);
        ::close(fd);
        ::unlink(tmp.c_str());
        return false;
      }
      done += static_cast<size_t>(n);
    }
    if ((durable && ::fsync(fd) != 0) || ::close(fd) != 0) {
      *error = Describe("cannot flush", tmp);
      ::unlink(tmp.c_str());
      return false;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      *error = Describe("cannot rename to", path);
      ::unlink(tmp.c_str());
      return false;
    }
    return true;
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv env;
  return &env;
}

}  // namespace samizdat
