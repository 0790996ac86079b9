#include "fake_http_client.h"

#include <algorithm>
#include <cctype>

namespace samizdat::testing {
namespace {

// A failed response; the URL is put in front of `reason` when it is served.
fetch::Response Failure(int status, std::string reason) {
  fetch::Response r;
  r.status = status;
  r.error = std::move(reason);
  return r;
}

// The charset parameter of a Content-Type, lower-cased, as the real client reports it.
std::string CharsetOf(const std::string& content_type) {
  std::string lower = content_type;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  size_t at = lower.find("charset=");
  if (at == std::string::npos) return "";
  std::string value = lower.substr(at + 8);
  value = value.substr(0, value.find(';'));
  value.erase(std::remove(value.begin(), value.end(), '"'), value.end());
  value.erase(std::remove(value.begin(), value.end(), ' '), value.end());
  return value;
}

bool MatchesValidators(const fetch::Request& request, const fetch::Response& response) {
  if (!response.ok || response.not_modified) return false;
  return (!request.etag.empty() && request.etag == response.etag) ||
         (!request.last_modified.empty() && request.last_modified == response.last_modified);
}

}  // namespace

fetch::Response Ok(std::string body, std::string content_type, std::string etag,
                   std::string last_modified) {
  fetch::Response r;
  r.status = 200;
  r.ok = true;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  r.etag = std::move(etag);
  r.last_modified = std::move(last_modified);
  return r;
}

fetch::Response NotModified() {
  fetch::Response r;
  r.status = 304;
  r.ok = r.not_modified = true;
  return r;
}

fetch::Response HttpError(int status) { return Failure(status, "HTTP " + std::to_string(status)); }

fetch::Response TransportError(std::string reason) { return Failure(0, std::move(reason)); }

fetch::Response Truncated() {
  return Failure(200, "transfer closed with outstanding read data remaining");
}

fetch::Response Oversize(int64_t max_bytes) {
  return Failure(200, "body exceeds " + std::to_string(max_bytes) + " bytes");
}

fetch::Response RefusedAddress(std::string address) {
  return Failure(0, "refused to connect to non-public address " + address);
}

void FakeHttpClient::Script(const std::string& url, std::vector<fetch::Response> responses) {
  auto& script = scripts_[url];
  for (auto& r : responses) script.push_back(std::move(r));
}

void FakeHttpClient::Set(const std::string& url, fetch::Response response) {
  scripts_[url] = {std::move(response)};
  served_[url] = 0;
}

std::vector<fetch::Response> FakeHttpClient::FetchAll(const std::vector<fetch::Request>& requests) {
  batches_.push_back(requests);
  std::vector<fetch::Response> out;
  out.reserve(requests.size());
  for (const auto& request : requests) {
    requests_.push_back(request);
    out.push_back(Next(request));
  }
  return out;
}

// The scripted (or handled) response, completed the way the real client completes one:
// the request's URL and tag echoed, the URL in front of the error, no body on failure.
fetch::Response FakeHttpClient::Next(const fetch::Request& request) {
  fetch::Response r;
  auto script = scripts_.find(request.url);
  if (script != scripts_.end() && !script->second.empty()) {
    size_t& served = served_[request.url];
    r = script->second[std::min(served, script->second.size() - 1)];
    ++served;
  } else {
    unscripted_.push_back(request.url);
    r = handler_ ? handler_(request) : HttpError(404);
  }
  if (honour_validators_ && MatchesValidators(request, r)) r = NotModified();
  r.url = request.url;
  if (r.final_url.empty()) r.final_url = request.url;
  r.tag = request.tag;
  if (r.charset.empty()) r.charset = CharsetOf(r.content_type);
  if (r.attempts == 0) r.attempts = 1;
  if (!r.ok) {
    r.body.clear();
    r.error = request.url + ": " + r.error;
  }
  return r;
}

std::vector<fetch::Request> FakeHttpClient::RequestsFor(const std::string& url) const {
  std::vector<fetch::Request> out;
  for (const auto& r : requests_)
    if (r.url == url) out.push_back(r);
  return out;
}

void FakeHttpClient::ClearRequests() {
  requests_.clear();
  batches_.clear();
  unscripted_.clear();
}

}  // namespace samizdat::testing
