#include "publish/serve.h"

#include <httplib.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include "util/strings.h"

namespace samizdat::publish {
namespace {

std::string ContentType(const std::string& path) {
  std::string ext =
      path.substr(path.rfind('.') == std::string::npos ? path.size() : path.rfind('.') + 1);
  ext = AsciiLowerCopy(ext);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "js") return "text/javascript; charset=utf-8";
  if (ext == "xml") return "application/xml; charset=utf-8";
  if (ext == "md") return "text/markdown; charset=utf-8";
  if (ext == "json" || ext == "jsonl") return "application/json; charset=utf-8";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "png") return "image/png";
  if (ext == "gif") return "image/gif";
  if (ext == "webp") return "image/webp";
  if (ext == "avif") return "image/avif";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = AsciiLower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The real path of `file` (every symlink resolved) when it is a regular file under the real
// path of `root`, else "": a symlink in the site must not serve a file from elsewhere.
std::string InsideRoot(Env& env, const std::string& root, const std::string& file) {
  std::string real_root, real;
  FileInfo info;
  if (!env.RealPath(root, &real_root).ok() || !env.RealPath(file, &real).ok() ||
      real == real_root || !IsPathWithin(real, real_root) || !env.Stat(real, &info).ok() ||
      !info.is_regular)
    return {};
  return real;
}

// Whether `path` (symbolic links followed) is a directory.
bool IsDirectory(Env& env, const std::string& path) {
  std::string real;
  FileInfo info;
  return env.RealPath(path, &real).ok() && env.Stat(real, &info).ok() && info.is_directory;
}

}  // namespace

std::string ResolveRequestPath(Env& env, const std::string& root, const std::string& target) {
  std::string path = target.substr(0, target.find_first_of("?#"));
  std::string decoded;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size() && Hex(path[i + 1]) >= 0 && Hex(path[i + 2]) >= 0) {
      decoded.push_back(static_cast<char>(Hex(path[i + 1]) * 16 + Hex(path[i + 2])));
      i += 2;
    } else {
      decoded.push_back(path[i]);
    }
  }
  if (decoded.empty() || decoded[0] != '/' || decoded.find('\0') != std::string::npos ||
      decoded.find('\\') != std::string::npos)
    return {};
  std::vector<std::string> parts;
  size_t i = 1;
  while (i <= decoded.size()) {
    size_t j = decoded.find('/', i);
    if (j == std::string::npos) j = decoded.size();
    std::string seg = decoded.substr(i, j - i);
    if (seg == ".." || (!seg.empty() && seg[0] == '.')) return {};  // no climbing, no hidden files
    if (!seg.empty()) parts.push_back(seg);
    i = j + 1;
  }
  std::string full = root;
  for (const auto& p : parts) full += "/" + p;
  if (IsDirectory(env, full)) {
    for (const char* index : {"/index.html", "/README.md"})
      if (env.FileExists(full + index)) return InsideRoot(env, root, full + index);
    return {};
  }
  return InsideRoot(env, root, full);
}

SiteServer::SiteServer(Env& env) : env_(env), server_(std::make_unique<httplib::Server>()) {}

SiteServer::~SiteServer() { Stop(); }

bool SiteServer::Start(const std::string& root, int port, std::string* error) {
  root_ = root;
  server_->set_keep_alive_timeout(1);  // Stop() waits for idle connections no longer than this
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    Answer(req, res);
    return httplib::Server::HandlerResponse::Handled;
  });
  // Preview only: never on a public interface.
  bool bound = port == 0 ? (port_ = server_->bind_to_any_port("127.0.0.1")) > 0
                         : server_->bind_to_port("127.0.0.1", port);
  if (!bound) {
    *error = "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno);
    return false;
  }
  if (port != 0) port_ = port;
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listener_done_ = true;
  });
  // stop() is a no-op until the listener runs: wait for it, so Stop() right after Start()
  // still stops.
  while (!server_->is_running() && !listener_done_) std::this_thread::yield();
  return true;
}

void SiteServer::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

void SiteServer::Wait() {
  if (thread_.joinable()) thread_.join();
}

void SiteServer::Answer(const httplib::Request& req, httplib::Response& res) const {
  res.set_header("X-Content-Type-Options", "nosniff");
  if (req.method != "GET" && req.method != "HEAD") {
    res.status = 405;
    res.set_content("GET and HEAD only\n", "text/plain");
    return;
  }
  std::string file = ResolveRequestPath(env_, root_, req.target);
  std::string body;
  if (file.empty() || !env_.ReadFileToString(file, &body).ok()) {
    res.status = 404;
    res.set_content("not found\n", "text/plain");
    return;
  }
  res.status = 200;
  res.set_content(std::move(body), ContentType(file));
}

}  // namespace samizdat::publish
