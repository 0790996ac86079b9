#include "fetch/fetcher.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>

#include "fetch/url_policy.h"
#include "util/clock.h"
#include "util/dates.h"
#include "util/env.h"
#include "util/strings.h"
#include "util/url.h"

namespace samizdat::fetch {
namespace {

std::string HeaderValue(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() + 1 || !StartsWithIgnoreCase(line, name) ||
      line[name.size()] != ':')
    return {};
  return std::string(TrimAscii(line.substr(name.size() + 1)));
}

std::string CharsetOf(std::string_view content_type) {
  std::string lower = AsciiLowerCopy(content_type);
  size_t pos = lower.find("charset=");
  if (pos == std::string::npos) return {};
  std::string v = lower.substr(pos + 8);
  v = v.substr(0, v.find(';'));
  std::string out;
  for (char c : v)
    if (c != '"' && c != '\'' && !IsAsciiSpace(c)) out.push_back(c);
  return out;
}

// A proxy URL fit to show: `shown` has any password replaced by "***".
struct ProxyForDisplay {
  std::string shown;
  std::string password;  // "" when the URL has none
};

ProxyForDisplay SplitProxyPassword(const std::string& proxy) {
  size_t scheme_end = proxy.find("://");
  size_t begin = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  size_t authority_end = std::min(proxy.find_first_of("/?#", begin), proxy.size());
  size_t at = proxy.rfind('@', authority_end);
  if (at == std::string::npos || at < begin) return {proxy, ""};
  size_t colon = proxy.find(':', begin);
  if (colon == std::string::npos || colon > at) return {proxy, ""};
  return {proxy.substr(0, colon + 1) + "***" + proxy.substr(at),
          proxy.substr(colon + 1, at - colon - 1)};
}

// Appends the source and its proxy (password shown as "***") to a failed request's error,
// and scrubs the password from anything curl's message may have echoed.
void AddProxyContext(const Request& request, std::string* error) {
  ProxyForDisplay proxy = SplitProxyPassword(request.proxy);
  if (!proxy.password.empty()) *error = ReplaceAll(*error, proxy.password, "***");
  *error += request.tag.empty() ? "; via proxy " + proxy.shown
                                : "; source '" + request.tag + "' via proxy " + proxy.shown;
}

struct Transfer {
  size_t index = 0;
  const Request* request = nullptr;
  const FetchOptions* options = nullptr;
  CURL* easy = nullptr;
  std::string host;
  Response response;
  std::string retry_after;
  bool too_big = false;
  bool refused = false;
  std::string refusal;  // why the address guard refused a connection
  char errbuf[CURL_ERROR_SIZE] = {0};
  int64_t started_ms = 0;  // clock ms of the first attempt
  curl_slist* headers = nullptr;
  bool on_multi = false;  // `easy` is added to the client's multi handle

  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer() {
    if (easy) curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
  }
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t bytes = size * n;
  if (static_cast<int64_t>(t->response.body.size() + bytes) > t->options->max_body_bytes) {
    t->too_big = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  line = TrimAscii(line);
  if (StartsWithIgnoreCase(line, "HTTP/")) {
    // A new response (after a redirect or 100-continue): forget the previous headers.
    t->response.etag.clear();
    t->response.last_modified.clear();
    t->response.content_type.clear();
    t->retry_after.clear();
  } else if (auto v = HeaderValue(line, "etag"); !v.empty()) {
    t->response.etag = v;
  } else if (auto v2 = HeaderValue(line, "last-modified"); !v2.empty()) {
    t->response.last_modified = v2;
  } else if (auto v3 = HeaderValue(line, "content-type"); !v3.empty()) {
    t->response.content_type = v3;
  } else if (auto v4 = HeaderValue(line, "retry-after"); !v4.empty()) {
    t->retry_after = v4;
  }
  return size * n;
}

// Every connection curl opens (the first, after a redirect, each address it tries) passes
// here, after name resolution: the address guard cannot be dodged by DNS rebinding. A
// connection to the proxy is not checked: the proxy is the operator's, and trusted.
curl_socket_t OnOpenSocket(void* user, curlsocktype purpose, struct curl_sockaddr* addr) {
  auto* t = static_cast<Transfer*>(user);
  if (purpose == CURLSOCKTYPE_IPCXN && t->request->proxy.empty()) {
    AddressClass cls = AddressClass::kReserved;
    std::string ip = SockaddrText(&addr->addr, &cls);
    if (!AddressAllowed(cls, t->options->allow_loopback, t->options->allow_private)) {
      t->refused = true;
      t->refusal =
          AddressRefusal(ip.empty() ? "of family " + std::to_string(addr->family) : ip, cls);
      return CURL_SOCKET_BAD;
    }
  }
  return socket(addr->family, addr->socktype, addr->protocol);
}

bool Retryable(CURLcode code, int status) {
  if (code == CURLE_OK)
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_COULDNT_CONNECT:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

// A request's limits: its source's override, else the option.
int PerHostDelayMs(const Request& r, const FetchOptions& o) {
  return r.overrides.per_host_delay_ms.value_or(o.per_host_delay_ms);
}
int TotalTimeoutMs(const Request& r, const FetchOptions& o) {
  return r.overrides.total_timeout_ms.value_or(o.total_timeout_ms);
}
int MaxRetries(const Request& r, const FetchOptions& o) {
  return r.overrides.max_retries.value_or(o.max_retries);
}

// A request waiting to start: first, or again after a retry delay.
struct Pending {
  size_t index;
  int64_t ready_ms;  // on the client's clock: not before this
};

// The state of one FetchEach call.
struct Batch {
  Batch(size_t n, const ResponseSink& sink, size_t window)
      : transfers(n), answered(n), sink(sink), window(window) {}
  std::vector<Transfer> transfers;
  std::deque<Pending> pending;
  std::map<std::string, int> host_active;
  std::map<std::string, int64_t> host_last_start;  // clock ms of the last start per host
  int active = 0;
  std::vector<bool> answered;
  size_t oldest_unanswered = 0;
  const ResponseSink& sink;
  size_t window;
  bool stopped = false;  // the sink asked to stop

  // Hands `response` to the sink, once; the fetch stops when the sink says so.
  void Answer(size_t index, Response response) {
    if (stopped) return;
    answered[index] = true;
    while (oldest_unanswered < answered.size() && answered[oldest_unanswered]) ++oldest_unanswered;
    if (!sink(index, std::move(response))) stopped = true;
  }
  // Whether the window keeps request `index` from starting for now.
  bool HeldByWindow(size_t index) const {
    return window != SIZE_MAX && index >= oldest_unanswered + window;
  }
};

// Longest poll while transfers are in flight; curl wakes earlier on activity or its timers.
constexpr int64_t kMaxPollMs = 1000;

class CurlHttpClient final : public HttpClient {
 public:
  CurlHttpClient(const FetchOptions& options, Env* env, Clock* clock, Random* random)
      : options_(options),
        env_(env ? env : Env::Default()),
        clock_(clock ? clock : Clock::Real()),
        random_(random ? random : Random::System()) {
    // With a limit of 0 nothing could ever start.
    options_.max_concurrency = std::max(1, options_.max_concurrency);
    options_.per_host_concurrency = std::max(1, options_.per_host_concurrency);
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  }
  ~CurlHttpClient() override { curl_multi_cleanup(multi_); }
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  std::vector<Response> FetchAll(const std::vector<Request>& requests) override {
    std::vector<Response> out(requests.size());
    FetchEach(
        requests,
        [&](size_t index, Response response) {
          out[index] = std::move(response);
          return true;
        },
        SIZE_MAX);
    return out;
  }

  // Runs on the client's one multi handle; every transfer of the call is off it on return.
  void FetchEach(const std::vector<Request>& requests, const ResponseSink& sink,
                 size_t window) override {
    Batch batch(requests.size(), sink, std::max<size_t>(1, window));
    QueueRequests(requests, batch);
    while (!batch.stopped && (!batch.pending.empty() || batch.active > 0)) {
      StartReady(multi_, batch);
      int running = 0;
      curl_multi_perform(multi_, &running);
      CollectFinished(multi_, batch);
      if (batch.stopped || (batch.pending.empty() && batch.active == 0)) break;
      WaitForWork(multi_, batch);
    }
    for (Transfer& t : batch.transfers)
      if (t.on_multi) curl_multi_remove_handle(multi_, t.easy);
  }

 private:
  // Answers file:// and refused URLs at once; queues http(s) requests, ready now.
  void QueueRequests(const std::vector<Request>& requests, Batch& batch) {
    int64_t now = clock_->MonotonicMs();
    for (size_t i = 0; i < requests.size(); ++i) {
      Transfer& t = batch.transfers[i];
      t.index = i;
      t.request = &requests[i];
      t.options = &options_;
      t.response.url = requests[i].url;
      t.response.tag = requests[i].tag;
      std::string scheme = UrlScheme(requests[i].url);
      if (scheme == "file") {
        batch.Answer(i, FetchFile(requests[i]));
        continue;
      }
      if (scheme != "http" && scheme != "https") {
        Response refused = t.response;
        refused.error = requests[i].url + ": refused: only http, https and file URLs are fetched";
        batch.Answer(i, std::move(refused));
        continue;
      }
      t.host = UrlHost(requests[i].url);
      batch.pending.push_back({i, now});
    }
  }

  // When `p` may start as far as time goes: its own ready time, and the request's
  // per-host delay after the last start on its host.
  int64_t ReadyAt(const Batch& batch, const Pending& p) const {
    const Transfer& t = batch.transfers[p.index];
    auto last = batch.host_last_start.find(t.host);
    if (last == batch.host_last_start.end()) return p.ready_ms;
    return std::max(p.ready_ms, last->second + PerHostDelayMs(*t.request, options_));
  }

  // Starts, in queue order, every pending request the time and the concurrency limits allow.
  void StartReady(CURLM* multi, Batch& batch) {
    int64_t now = clock_->MonotonicMs();
    for (auto it = batch.pending.begin();
         it != batch.pending.end() && batch.active < options_.max_concurrency;) {
      Transfer& t = batch.transfers[it->index];
      if (batch.HeldByWindow(it->index) || ReadyAt(batch, *it) > now ||
          batch.host_active[t.host] >= options_.per_host_concurrency) {
        ++it;
        continue;
      }
      Start(multi, t);
      batch.host_active[t.host]++;
      batch.host_last_start[t.host] = now;
      ++batch.active;
      it = batch.pending.erase(it);
    }
  }

  // Takes finished transfers off `multi`: each is answered, or queued again for a retry.
  void CollectFinished(CURLM* multi, Batch& batch) {
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      CURLcode code = msg->data.result;
      curl_multi_remove_handle(multi, t->easy);
      t->on_multi = false;
      --batch.active;
      batch.host_active[t->host]--;
      int64_t delay_ms = -1;
      Finish(*t, code, &delay_ms);
      if (delay_ms >= 0)
        batch.pending.push_back({t->index, clock_->MonotonicMs() + delay_ms});
      else
        batch.Answer(t->index, std::move(t->response));
    }
  }

  // Waits until something can happen. With transfers in flight, curl's sockets are polled
  // (at most until the next pending request is due); with none, only time can help, so
  // the clock sleeps until the earliest ready time (a fake clock just moves there).
  void WaitForWork(CURLM* multi, const Batch& batch) {
    int64_t now = clock_->MonotonicMs();
    int64_t next = -1;  // ms until the earliest request held back only by time
    bool startable = false;
    for (const Pending& p : batch.pending) {
      if (batch.HeldByWindow(p.index)) continue;  // waits for an answer, not for time
      int64_t wait = ReadyAt(batch, p) - now;
      startable |= wait <= 0;
      if (wait > 0 && (next < 0 || wait < next)) next = wait;
    }
    if (batch.active == 0) {
      // Nothing in flight frees a limit: a request that is due now starts without a wait.
      if (!startable) clock_->SleepMs(next);
      return;
    }
    int64_t timeout = next < 0 ? kMaxPollMs : std::min(next, kMaxPollMs);
    curl_multi_poll(multi, nullptr, 0, static_cast<int>(timeout), nullptr);
  }

  // Reads a file:// URL when url_policy allows it; the file is read at its resolved path.
  Response FetchFile(const Request& r) {
    Response resp;
    resp.url = r.url;
    resp.final_url = r.url;
    resp.tag = r.tag;
    resp.attempts = 1;
    if (!options_.allow_file) {
      resp.error = r.url + ": refused: file:// sources are off ([fetch] allow_file = false)";
      return resp;
    }
    std::string path =
        LocalFilePath(*env_, r.url, r.may_read_file, options_.file_root, &resp.error);
    if (path.empty()) return resp;
    std::string error;
    if (!env_->ReadFile(path, &resp.body, &error)) {
      resp.error = error;
      return resp;
    }
    if (static_cast<int64_t>(resp.body.size()) > options_.max_body_bytes) {
      resp.body.clear();
      resp.error = r.url + ": body exceeds " + std::to_string(options_.max_body_bytes) + " bytes";
      return resp;
    }
    resp.status = 200;
    resp.ok = true;
    resp.from_local_file = true;
    return resp;
  }

  // (Re)starts the transfer of `t` on `multi`, one attempt more.
  void Start(CURLM* multi, Transfer& t) {
    if (!t.easy) t.easy = curl_easy_init();
    curl_easy_reset(t.easy);
    t.response.body.clear();
    t.too_big = t.refused = false;
    t.errbuf[0] = 0;
    t.response.attempts++;
    if (t.response.attempts == 1) t.started_ms = clock_->MonotonicMs();
    SetTransferOptions(t);
    SetConditionalHeaders(t);
    curl_multi_add_handle(multi, t.easy);
    t.on_multi = true;
  }

  // Callbacks, limits, protocols and the proxy of one attempt.
  void SetTransferOptions(Transfer& t) const {
    CURL* e = t.easy;
    const Request& r = *t.request;
    curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, OnOpenSocket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(TotalTimeoutMs(r, options_)));
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT,
                     static_cast<long>(options_.low_speed_bytes_per_sec));
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time_s));
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl supports
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
    if (!r.proxy.empty()) {
      curl_easy_setopt(e, CURLOPT_PROXY, r.proxy.c_str());
      // The source's proxy is the only way out: no_proxy in the environment must not
      // turn a request into a direct connection.
      curl_easy_setopt(e, CURLOPT_NOPROXY, "");
    }
  }

  static void SetConditionalHeaders(Transfer& t) {
    const Request& r = *t.request;
    curl_slist_free_all(t.headers);
    t.headers = nullptr;
    if (!r.etag.empty())
      t.headers = curl_slist_append(t.headers, ("If-None-Match: " + r.etag).c_str());
    if (!r.last_modified.empty())
      t.headers = curl_slist_append(t.headers, ("If-Modified-Since: " + r.last_modified).c_str());
    curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, t.headers);
  }

  // Fills the response; sets *retry_delay_ms >= 0 when the request should be retried.
  void Finish(Transfer& t, CURLcode code, int64_t* retry_delay_ms) {
    Response& r = t.response;
    long status = 0;
    curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    char* final_url = nullptr;
    curl_easy_getinfo(t.easy, CURLINFO_EFFECTIVE_URL, &final_url);
    r.status = static_cast<int>(status);
    r.final_url = final_url ? final_url : r.url;
    r.charset = CharsetOf(r.content_type);
    r.elapsed_ms = clock_->MonotonicMs() - t.started_ms;
    r.not_modified = code == CURLE_OK && status == 304;
    r.ok = r.not_modified || (code == CURLE_OK && status >= 200 && status < 300);
    r.error = r.ok ? std::string() : FailureText(t, code);
    if (r.not_modified) r.body.clear();
    if (!r.ok && !t.request->proxy.empty()) AddProxyContext(*t.request, &r.error);
    if (r.ok || t.refused || t.too_big || !Retryable(code, r.status) ||
        r.attempts > MaxRetries(*t.request, options_)) {
      if (!r.ok && r.attempts > 1)
        r.error += " (after " + std::to_string(r.attempts) + " attempts)";
      if (!r.ok) r.body.clear();
      return;
    }
    *retry_delay_ms = RetryDelayMs(t);
    if (*retry_delay_ms < 0) r.body.clear();
  }

  // Why a finished attempt failed, starting with the URL.
  std::string FailureText(const Transfer& t, CURLcode code) const {
    const std::string& where = t.response.url;
    if (t.refused) return where + ": " + t.refusal;
    if (t.too_big)
      return where + ": body exceeds " + std::to_string(options_.max_body_bytes) + " bytes";
    switch (code) {
      case CURLE_OK:
        return where + ": HTTP " + std::to_string(t.response.status);
      case CURLE_OPERATION_TIMEDOUT:
        return where + ": timed out (" + std::string(t.errbuf) + ")";
      case CURLE_TOO_MANY_REDIRECTS:
        return where + ": more than " + std::to_string(options_.max_redirects) + " redirects";
      case CURLE_UNSUPPORTED_PROTOCOL: {
        char* target = nullptr;
        curl_easy_getinfo(t.easy, CURLINFO_REDIRECT_URL, &target);
        return where + ": refused redirect to " + (target ? target : "a URL") +
               ": redirects may lead only to http and https URLs";
      }
      case CURLE_COULDNT_RESOLVE_HOST:
        return where + ": cannot resolve host " + t.host;
      default:
        return where + ": " + (t.errbuf[0] ? std::string(t.errbuf) : curl_easy_strerror(code));
    }
  }

  // The wait before the next attempt: exponential backoff from backoff_base_ms with up to
  // backoff_base_ms of jitter, or the server's Retry-After when that is longer. -1 (and a
  // note in the error) when Retry-After asks for more than max_retry_after_s.
  int64_t RetryDelayMs(Transfer& t) {
    Response& r = t.response;
    int64_t delay = static_cast<int64_t>(options_.backoff_base_ms) << (r.attempts - 1);
    delay += random_->Uniform(0, options_.backoff_base_ms);
    if (t.retry_after.empty()) return delay;
    int64_t secs = ParseRetryAfter(t.retry_after, clock_->UnixSeconds());
    if (secs > options_.max_retry_after_s) {
      r.error += " (Retry-After " + std::to_string(secs) + " s exceeds the limit)";
      return -1;
    }
    return secs >= 0 ? std::max<int64_t>(delay, secs * 1000) : delay;
  }

  FetchOptions options_;
  Env* env_;
  Clock* clock_;
  Random* random_;
  CURLM* multi_ = nullptr;
};

}  // namespace

void HttpClient::FetchEach(const std::vector<Request>& requests, const ResponseSink& sink,
                           size_t /*window*/) {
  std::vector<Response> responses = FetchAll(requests);
  for (size_t i = 0; i < responses.size(); ++i)
    if (!sink(i, std::move(responses[i]))) return;
}

int64_t ParseRetryAfter(const std::string& value, int64_t now_unix) {
  std::string_view v = TrimAscii(value);
  if (v.empty()) return -1;
  if (std::all_of(v.begin(), v.end(),
                  [](char c) { return isdigit(static_cast<unsigned char>(c)); }))
    return v.size() > 9 ? -1 : std::stoll(std::string(v));
  auto utc = NormalizeDate(v);
  if (!utc) return -1;
  auto d = ParseDate(*utc);
  if (!d) return -1;
  // Seconds from now to the date (clamped at 0).
  std::tm tm{};
  tm.tm_year = d->year - 1900;
  tm.tm_mon = d->month - 1;
  tm.tm_mday = d->day;
  tm.tm_hour = d->hour;
  tm.tm_min = d->minute;
  tm.tm_sec = d->second;
  int64_t when = static_cast<int64_t>(timegm(&tm)) - int64_t{d->offset_minutes} * 60;
  return std::max<int64_t>(0, when - now_unix);
}

std::unique_ptr<HttpClient> NewCurlHttpClient(const FetchOptions& options, Env* env, Clock* clock,
                                              Random* random) {
  return std::make_unique<CurlHttpClient>(options, env, clock, random);
}

}  // namespace samizdat::fetch
