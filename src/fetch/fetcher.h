// Fetching: every network (and file://) access of samizdat goes through HttpClient, so
// tests can inject faults and the sync logic never touches sockets.
//
// CurlHttpClient runs requests on one libcurl multi handle, kept for the client's life (its
// connection cache too), with bounded
// concurrency overall and per host, a delay between requests to one host, HTTP/2 and
// compression, a redirect limit, connect/total timeouts and a minimum transfer rate, a
// maximum body size (applied after decompression, so a gzip bomb stops there), retries
// with exponential backoff and jitter on timeouts, transfer errors, 429 and 5xx (honouring
// Retry-After), per-request overrides of the delay, timeout and retry limits (a source's
// own settings), conditional requests, a clear User-Agent, HTTP and SOCKS5 proxies, and a
// guard, checked on every connection it opens (redirects and re-resolved names included),
// that refuses non-public addresses (fetch/url_policy.h). Only http and https are spoken,
// redirects included; file:// URLs are read for configured sources only, under a root.
//
// Every wait (backoff, Retry-After, the per-host delay) and every elapsed time is measured
// on an injected Clock, and the jitter drawn from an injected Random, so tests run retries
// in fake time. Transfers themselves (connect and total timeouts) run on libcurl's real time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace samizdat {
class Clock;
class Env;
class Random;
}  // namespace samizdat

namespace samizdat::fetch {

struct FetchOptions {
  std::string user_agent = "samizdat/0.1 (+news mirror; respects robots and rate limits)";
  int max_concurrency = 8;
  int per_host_concurrency = 2;
  int per_host_delay_ms = 250;  // between starts of requests to one host
  int max_redirects = 5;
  int connect_timeout_ms = 10000;
  int total_timeout_ms = 60000;
  int low_speed_bytes_per_sec = 512;  // slower than this ...
  int low_speed_time_s = 15;          // ... for this long aborts the transfer
  int64_t max_body_bytes = 32 << 20;
  int max_retries = 3;
  int backoff_base_ms = 500;
  int max_retry_after_s = 120;  // a longer Retry-After is reported, not waited for
  bool allow_private = false;   // private addresses (AddressClass::kPrivate)
  bool allow_loopback = false;  // 127/8, ::1
  bool allow_file = true;       // configured file:// sources at all
  // file:// URLs are read only at or under this directory (after resolving symlinks and
  // ".."); "" reads no local file. The config sets it to the config file's directory.
  std::string file_root;
};

// Limits one source sets for its own requests over FetchOptions; an unset one is the
// option's value. The config parses a source's settings straight into this.
struct SourceOverrides {
  std::optional<int> per_host_delay_ms;  // FetchOptions::per_host_delay_ms
  std::optional<int> total_timeout_ms;   // FetchOptions::total_timeout_ms
  std::optional<int> max_retries;        // FetchOptions::max_retries
};

struct Request {
  std::string url;
  std::string etag;           // sent as If-None-Match
  std::string last_modified;  // sent as If-Modified-Since
  std::string proxy;          // "http://host:port" or "socks5h://host:port"; "" for none
  std::string tag;            // the caller's label (source id), echoed in the response
  // True only for URLs the operator configured (a source's URL, its backfill pages) and
  // for links found in a local file read that way. A URL taken from anything fetched over
  // the network never sets it, so such a URL can never read a local file.
  bool may_read_file = false;
  SourceOverrides overrides;  // the source's own limits for this request
};

struct Response {
  std::string url;        // requested
  std::string final_url;  // after redirects
  std::string tag;
  int status = 0;   // HTTP status; 200 for file://; 0 when no response
  bool ok = false;  // 2xx with a body, or 304
  bool not_modified = false;
  std::string body;
  std::string content_type;
  std::string charset;  // from Content-Type
  std::string etag;
  std::string last_modified;
  std::string error;  // why it failed, with the URL's host: "timeout after 60 s", ...
  int attempts = 0;
  int64_t elapsed_ms = 0;
  // The body was read from a local file (a configured file:// source under the root), so
  // links in it may set Request::may_read_file.
  bool from_local_file = false;
};

// Takes one response and the index of its request; false asks the fetch to stop.
using ResponseSink = std::function<bool(size_t index, Response response)>;

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Fetches every request (concurrently, within the limits) and returns responses in the
  // order of `requests`. Never throws; failures are in Response::error.
  virtual std::vector<Response> FetchAll(const std::vector<Request>& requests) = 0;

  // Fetches `requests` like FetchAll, handing each response to `sink` once, as soon as it
  // is complete (so in the order they complete), on the calling thread. A request is not
  // started while the request `window` places before it is unanswered, which bounds how
  // far answers run ahead of the oldest one. When `sink` returns false the fetch stops:
  // requests not yet answered are abandoned. This default fetches everything with
  // FetchAll, then hands the responses over in order.
  virtual void FetchEach(const std::vector<Request>& requests, const ResponseSink& sink,
                         size_t window = SIZE_MAX);
};

// `env` reads file:// URLs; `clock` times every wait and elapsed time; `random` draws the
// backoff jitter. nullptr means Env::Default(), Clock::Real() and Random::System().
std::unique_ptr<HttpClient> NewCurlHttpClient(const FetchOptions& options, Env* env = nullptr,
                                              Clock* clock = nullptr, Random* random = nullptr);

// Parses a Retry-After value (seconds or an HTTP date) into seconds from now; -1 if bad.
int64_t ParseRetryAfter(const std::string& value, int64_t now_unix);

}  // namespace samizdat::fetch
