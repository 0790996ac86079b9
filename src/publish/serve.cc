#include "publish/serve.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <sstream>
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

void Send(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
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

SiteServer::~SiteServer() { Stop(); }

bool SiteServer::Start(const std::string& root, int port, std::string* error) {
  root_ = root;
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // preview only: never on a public interface
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    *error = "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno);
    ::close(listen_fd_);
    listen_fd_ = -1;
    return false;
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Loop(); });
  return true;
}

void SiteServer::Stop() {
  if (listen_fd_ < 0) return;
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
}

void SiteServer::Wait() {
  if (thread_.joinable()) thread_.join();
}

void SiteServer::Loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Handle(fd);  // one at a time: a preview server, not a production one
    ::close(fd);
  }
}

void SiteServer::Handle(int fd) {
  std::string req;
  char buf[4096];
  while (req.find("\r\n\r\n") == std::string::npos && req.size() < 16384) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) return;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    req.append(buf, static_cast<size_t>(n));
  }
  std::istringstream line(req.substr(0, req.find("\r\n")));
  std::string method, target;
  line >> method >> target;
  auto reply = [&](int status, const std::string& reason, const std::string& type,
                   const std::string& body, bool head) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                      "\r\nContent-Type: " + type +
                      "\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n";
    if (!head) out += body;
    Send(fd, out);
  };
  if (method != "GET" && method != "HEAD") {
    reply(405, "Method Not Allowed", "text/plain", "GET and HEAD only\n", false);
    return;
  }
  std::string file = ResolveRequestPath(env_, root_, target);
  if (file.empty()) {
    reply(404, "Not Found", "text/plain", "not found\n", method == "HEAD");
    return;
  }
  std::string body;
  if (!env_.ReadFileToString(file, &body).ok()) {
    reply(404, "Not Found", "text/plain", "not found\n", method == "HEAD");
    return;
  }
  reply(200, "OK", ContentType(file), body, method == "HEAD");
}

}  // namespace samizdat::publish
