// A small HTTP/1.1 server on 127.0.0.1 for tests and benchmarks, on cpp-httplib: real
// sockets, a pool of worker threads, one request per connection, and hooks to misbehave
// (delays, slow drips, truncated bodies, resets).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace samizdat::testing {

struct HttpRequest {
  std::string method;
  std::string path;                            // with query
  std::map<std::string, std::string> headers;  // lower-case names
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int delay_ms = 0;          // before sending anything
  int drip_bytes = 0;        // > 0: send the body this many bytes at a time ...
  int drip_interval_ms = 0;  // ... with this pause between pieces
  bool truncate = false;     // announce the full length, send half, close
  bool reset = false;        // close without a response
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  explicit HttpServer(Handler handler);
  ~HttpServer();
  int port() const { return port_; }
  std::string Url(const std::string& path) const;
  // Requests seen so far (for assertions), in arrival order.
  std::vector<HttpRequest> requests();
  void ClearRequests();

 private:
  // Waits `ms` milliseconds or until the server stops; false when it stopped.
  bool Pause(int ms);

  Handler handler_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread listener_;
  std::atomic<bool> listener_done_{false};
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::vector<HttpRequest> requests_;
};

// A static site: path -> response body (with optional content type), ETag and
// Last-Modified from the content, conditional requests answered with 304.
class StaticSite {
 public:
  void Put(const std::string& path, const std::string& body,
           const std::string& content_type = "text/html; charset=utf-8");
  HttpResponse Handle(const HttpRequest& req);

 private:
  struct Page {
    std::string body, content_type, etag;
  };
  std::mutex mu_;
  std::map<std::string, Page> pages_;
};

}  // namespace samizdat::testing
