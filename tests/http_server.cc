#include "http_server.h"

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <httplib.h>
#include <strings.h>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

namespace samizdat::testing {
namespace {

// Enough workers for every test's concurrent requests, delayed ones included.
constexpr size_t kWorkers = 32;

int PortOf(const sockaddr_storage& addr) {
  if (addr.ss_family != AF_INET) return -1;
  return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
}

// Drops the connection whose ends are 127.0.0.1:local_port and the peer's remote_port
// before anything is written: the client sees the connection end with no response at all.
// cpp-httplib does not hand a handler its socket, so it is found among this process's
// descriptors by its two ports.
void DropConnection(int local_port, int remote_port) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return;
  while (dirent* entry = readdir(dir)) {
    int fd = std::atoi(entry->d_name);
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (fd <= 2 || getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0 ||
        PortOf(local) != local_port || PortOf(peer) != remote_port)
      continue;
    linger abort{1, 0};  // the close that follows resets instead of lingering
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    ::shutdown(fd, SHUT_RDWR);
  }
  closedir(dir);
}

HttpRequest ToTestRequest(const httplib::Request& req) {
  HttpRequest out;
  out.method = req.method;
  out.path = req.target;
  for (const auto& [name, value] : req.headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    out.headers[lower] = value;
  }
  return out;
}

std::string ContentTypeOf(const HttpResponse& resp) {
  for (const auto& [name, value] : resp.headers)
    if (strcasecmp(name.c_str(), "content-type") == 0) return value;
  return "application/octet-stream";
}

}  // namespace

HttpServer::HttpServer(Handler handler)
    : handler_(std::move(handler)), server_(std::make_unique<httplib::Server>()) {
  server_->new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  server_->set_keep_alive_max_count(1);  // one request per connection, as tests expect
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    HttpRequest seen = ToTestRequest(req);
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(seen);
    }
    HttpResponse resp = handler_(seen);
    if (!Pause(resp.delay_ms) || resp.reset) {
      DropConnection(req.local_port, req.remote_port);
      return httplib::Server::HandlerResponse::Handled;
    }
    res.status = resp.status;
    for (const auto& [name, value] : resp.headers)
      if (strcasecmp(name.c_str(), "content-type") != 0) res.set_header(name, value);
    if (resp.body.empty() || resp.status == 304) return httplib::Server::HandlerResponse::Handled;
    // A sized provider: the body goes out as given (never re-compressed), piece by piece.
    auto body = std::make_shared<std::string>(std::move(resp.body));
    size_t sent_limit = resp.truncate ? body->size() / 2 : body->size();
    res.set_content_provider(
        body->size(), ContentTypeOf(resp),
        [this, body, sent_limit, resp](size_t offset, size_t length, httplib::DataSink& sink) {
          if (offset >= sent_limit) return false;  // cut short: the connection closes
          if (offset > 0 && resp.drip_bytes > 0 && !Pause(resp.drip_interval_ms)) return false;
          size_t n = std::min(length, sent_limit - offset);
          if (resp.drip_bytes > 0) n = std::min(n, static_cast<size_t>(resp.drip_bytes));
          return sink.write(body->data() + offset, n);
        });
    return httplib::Server::HandlerResponse::Handled;
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("test server: cannot listen on 127.0.0.1");
  listener_ = std::thread([this] {
    server_->listen_after_bind();
    listener_done_ = true;
  });
  // stop() is a no-op until the listener runs: wait for it, so a server destroyed at once
  // still stops.
  while (!server_->is_running() && !listener_done_) std::this_thread::yield();
}

HttpServer::~HttpServer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  server_->stop();
  listener_.join();
}

bool HttpServer::Pause(int ms) {
  std::unique_lock<std::mutex> lock(mu_);
  if (ms > 0) stop_cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
  return !stopping_;
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
