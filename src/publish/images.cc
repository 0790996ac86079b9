#include "publish/images.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

namespace samizdat::publish {

std::string ImageType(std::string_view b) {
  auto starts = [&](std::string_view magic, size_t at = 0) {
    return b.size() >= at + magic.size() && b.substr(at, magic.size()) == magic;
  };
  if (starts("\xFF\xD8\xFF")) return "jpg";
  if (starts("\x89PNG\r\n\x1A\n")) return "png";
  if (starts("GIF87a") || starts("GIF89a")) return "gif";
  if (starts("RIFF") && starts("WEBP", 8)) return "webp";
  if (starts("ftypavif", 4) || starts("ftypavis", 4)) return "avif";
  return {};
}

ImageStore::ImageStore(OutputTree& tree, fetch::HttpClient* http, int64_t max_bytes)
    : tree_(tree), http_(http), max_bytes_(max_bytes) {
  std::string text;
  if (!tree_.Read(".samizdat/images.json", &text)) return;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return;
  // Only paths this store would write are believed: a page links to them, the archive copies.
  for (const auto& [url, local] : j.items())
    if (local.is_string() && local.get<std::string>().rfind("images/", 0) == 0 &&
        tree_.CheckPath(local.get<std::string>()).empty())
      cache_[url] = local.get<std::string>();
}

void ImageStore::Fetch(const std::vector<std::string>& urls, const std::string& proxy) {
  if (!http_) return;
  std::vector<fetch::Request> requests;
  for (const auto& u : urls) {
    if (cache_.count(u) || (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0)) continue;
    bool dup = false;
    for (const auto& r : requests) dup |= r.url == u;
    if (!dup) requests.push_back({u, "", "", proxy});
  }
  if (requests.empty()) return;
  for (const auto& resp : http_->FetchAll(requests)) {
    std::string type = resp.ok ? ImageType(resp.body) : "";
    if (!resp.ok || type.empty() || static_cast<int64_t>(resp.body.size()) > max_bytes_) {
      ++failed_;
      failures_.push_back(resp.url + ": " +
                          (!resp.ok       ? resp.error
                           : type.empty() ? std::string("not an image")
                                          : "larger than the size limit"));
      continue;  // not cached: the page keeps the original URL; tried again next build
    }
    unsigned char hash[16];
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(resp.body.data()),
                       resp.body.size(), nullptr, 0);
    char hex[sizeof hash * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    std::string relative = std::string("images/") + hex[0] + hex[1] + "/" + hex + "." + type;
    std::string error;
    if (!tree_.Exists(relative) &&
        tree_.Put(relative, resp.body, &error) == OutputTree::PutResult::kFailed) {
      ++failed_;
      failures_.push_back(resp.url + ": " + error);
      continue;
    }
    cache_[resp.url] = relative;
    ++downloaded_;
  }
}

std::string ImageStore::LocalPath(const std::string& url) const {
  auto it = cache_.find(url);
  return it == cache_.end() ? std::string() : it->second;
}

bool ImageStore::Save(std::string* error) {
  for (const auto& [url, local] : cache_) tree_.Keep(local);
  nlohmann::json j(cache_);
  // URLs come from pages: invalid UTF-8 is replaced rather than thrown on.
  std::string text = j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return tree_.Put(".samizdat/images.json", text, error) != OutputTree::PutResult::kFailed;
}

}  // namespace samizdat::publish
