// A scripted fetch::HttpClient for unit tests: no sockets, no sleeps, the same answers on
// every run. Each URL gets a sequence of responses (one per request, the last one repeated
// once the others are used), so a fetch can fail in one sync and succeed in the next; URLs
// without a script go to a handler, and without a handler they get a 404. Every request and
// every FetchAll batch is recorded in order, for tests that assert what was (not) asked.
//
// The fake only uses the public HttpClient contract (Request in, Response out), never the
// fetcher's internals. The helpers build the responses the real client gives for each fault,
// with the error text it uses; the URL prefix ("<url>: ") is added when the response is served.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "fetch/fetcher.h"

namespace samizdat::testing {

// 200 with a body.
fetch::Response Ok(std::string body, std::string content_type = "text/html; charset=utf-8",
                   std::string etag = "", std::string last_modified = "");
// 304: the validators sent still match.
fetch::Response NotModified();
// A non-2xx status: "HTTP <status>".
fetch::Response HttpError(int status);
// No usable response, for `reason` ("timed out (…)", "Connection refused", …).
fetch::Response TransportError(std::string reason);
// The connection closed before the announced length arrived (the body is dropped, as the
// real client drops the body of every failed transfer).
fetch::Response Truncated();
// The body grew past the size limit: "body exceeds <max_bytes> bytes".
fetch::Response Oversize(int64_t max_bytes);
// The address guard refused the resolved address (a private, loopback or link-local one).
fetch::Response RefusedAddress(std::string address);

class FakeHttpClient : public fetch::HttpClient {
 public:
  // Computes the response to a request no script covers.
  using Handler = std::function<fetch::Response(const fetch::Request&)>;

  // Appends to the URL's sequence. Responses are served in order; the last stays.
  void Script(const std::string& url, std::vector<fetch::Response> responses);
  // Replaces the URL's sequence.
  void Set(const std::string& url, fetch::Response response);
  void SetHandler(Handler handler) { handler_ = std::move(handler); }
  // When on (the default), a request whose If-None-Match or If-Modified-Since matches the
  // scripted 2xx response's validators gets a 304 instead, as from a real server.
  void HonourValidators(bool on) { honour_validators_ = on; }

  std::vector<fetch::Response> FetchAll(const std::vector<fetch::Request>& requests) override;

  // Every request seen, in order, and every batch (one per FetchAll call, empty ones too).
  const std::vector<fetch::Request>& requests() const { return requests_; }
  const std::vector<std::vector<fetch::Request>>& batches() const { return batches_; }
  // The requests for one URL, in order.
  std::vector<fetch::Request> RequestsFor(const std::string& url) const;
  // URLs requested that had no script and were answered by the handler or the 404.
  const std::vector<std::string>& unscripted() const { return unscripted_; }
  // Forgets the recorded requests (the scripts stay).
  void ClearRequests();

 private:
  fetch::Response Next(const fetch::Request& request);

  std::map<std::string, std::vector<fetch::Response>> scripts_;
  std::map<std::string, size_t> served_;  // per URL: how many of its script were served
  Handler handler_;
  bool honour_validators_ = true;
  std::vector<fetch::Request> requests_;
  std::vector<std::vector<fetch::Request>> batches_;
  std::vector<std::string> unscripted_;
};

}  // namespace samizdat::testing
