#include "http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace samizdat::testing {
namespace {

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool SendAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

HttpServer::HttpServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0)
    throw std::runtime_error("test server: cannot listen on 127.0.0.1");
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

HttpServer::~HttpServer() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  acceptor_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& w : workers_) w.join();
}

std::string HttpServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<HttpRequest> HttpServer::requests() {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void HttpServer::ClearRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  requests_.clear();
}

void HttpServer::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

void HttpServer::Serve(int fd) {
  std::string buf;
  char chunk[4096];
  while (buf.find("\r\n\r\n") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) {
      ::close(fd);
      return;
    }
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) {
      ::close(fd);
      return;
    }
    buf.append(chunk, static_cast<size_t>(n));
    if (buf.size() > 1 << 20) break;
  }
  HttpRequest req;
  size_t line_end = buf.find("\r\n");
  std::string line = buf.substr(0, line_end);
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  req.method = line.substr(0, sp1);
  req.path = line.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t pos = line_end + 2;
  while (pos < buf.size()) {
    size_t e = buf.find("\r\n", pos);
    if (e == std::string::npos || e == pos) break;
    std::string h = buf.substr(pos, e - pos);
    size_t colon = h.find(':');
    if (colon != std::string::npos) {
      std::string name = h.substr(0, colon);
      for (char& c : name) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
      size_t v = colon + 1;
      while (v < h.size() && h[v] == ' ') ++v;
      req.headers[name] = h.substr(v);
    }
    pos = e + 2;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(req);
  }
  HttpResponse resp = handler_(req);
  if (resp.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(resp.delay_ms));
  if (resp.reset || stopping_) {
    ::close(fd);
    return;
  }
  std::string head = "HTTP/1.1 " + std::to_string(resp.status) + " " + Reason(resp.status) + "\r\n";
  bool has_length = false;
  for (const auto& [k, v] : resp.headers) {
    head += k + ": " + v + "\r\n";
    if (strcasecmp(k.c_str(), "content-length") == 0) has_length = true;
  }
  if (!has_length && resp.status != 304)
    head += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n";
  head += "Connection: close\r\n\r\n";
  if (!SendAll(fd, head.data(), head.size())) {
    ::close(fd);
    return;
  }
  if (req.method != "HEAD" && resp.status != 304) {
    std::string_view body = resp.body;
    if (resp.truncate) body = body.substr(0, body.size() / 2);
    if (resp.drip_bytes > 0) {
      for (size_t off = 0; off < body.size() && !stopping_;
           off += static_cast<size_t>(resp.drip_bytes)) {
        size_t n = std::min(body.size() - off, static_cast<size_t>(resp.drip_bytes));
        if (!SendAll(fd, body.data() + off, n)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(resp.drip_interval_ms));
      }
    } else {
      SendAll(fd, body.data(), body.size());
    }
  }
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

void StaticSite::Put(const std::string& path, const std::string& body,
                     const std::string& content_type) {
  std::lock_guard<std::mutex> lock(mu_);
  // The ETag changes with the content (FNV-1a), like a real server's.
  uint64_t h = 1469598103934665603ull;
  for (char c : body) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  pages_[path] = Page{body, content_type, "\"" + std::to_string(h) + "\""};
}

HttpResponse StaticSite::Handle(const HttpRequest& req) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pages_.find(req.path);
  HttpResponse r;
  if (it == pages_.end()) {
    r.status = 404;
    r.body = "not found";
    return r;
  }
  r.headers.emplace_back("ETag", it->second.etag);
  if (req.Header("if-none-match") == it->second.etag) {
    r.status = 304;
    return r;
  }
  r.headers.emplace_back("Content-Type", it->second.content_type);
  r.body = it->second.body;
  return r;
}

}  // namespace samizdat::testing
