// `samizdat serve`: the built site over HTTP on 127.0.0.1 (cpp-httplib), for preview. GET and HEAD
// of files under the root only: paths are percent-decoded and normalised, ".." (also as %2e%2e),
// NUL, backslashes and hidden files (.samizdat/, .git/) are refused, and a file whose real path
// (symlinks resolved) is outside the root's real path is refused too. Directories serve their
// index.html (or README.md), content types follow the extension.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "util/env.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace samizdat::publish {

class SiteServer {
 public:
  // Every file is looked up and read through `env`.
  explicit SiteServer(Env& env = *Env::Default());
  ~SiteServer();
  SiteServer(const SiteServer&) = delete;
  SiteServer& operator=(const SiteServer&) = delete;

  // Listens on 127.0.0.1:port (0 picks a free port). False and *error on failure.
  bool Start(const std::string& root, int port, std::string* error);
  int port() const { return port_; }
  void Stop();
  // Serves until Stop() or the process ends (the CLI's loop).
  void Wait();

 private:
  // One request: the file it names, 404 when refused, 405 for anything but GET and HEAD.
  void Answer(const httplib::Request& req, httplib::Response& res) const;

  Env& env_;
  std::unique_ptr<httplib::Server> server_;
  std::string root_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> listener_done_{false};
};

// Maps a request target to the real path of a file under `root`, or "" when it must be
// refused.
std::string ResolveRequestPath(Env& env, const std::string& root, const std::string& target);

}  // namespace samizdat::publish
