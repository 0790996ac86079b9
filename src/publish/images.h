// Image re-hosting for the built mirror: each image is downloaded once, stored by content
// hash (so identical images are stored once), checked by its bytes (JPEG, PNG, GIF, WebP,
// AVIF; never SVG, which can carry script), capped in size, and the page points at the
// local copy. A failed download keeps the original URL, and is tried again next build.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "fetch/fetcher.h"
#include "publish/output_tree.h"

namespace samizdat::publish {

// The file extension for image bytes ("jpg", "png", ...), or "" when they are no image.
std::string ImageType(std::string_view bytes);

class ImageStore {
 public:
  // Images go to images/xx/<hash>.<ext> of `tree`; the URL cache lives in
  // .samizdat/images.json there. Every write goes through `tree`.
  ImageStore(OutputTree& tree, fetch::HttpClient* http, int64_t max_bytes);

  // Downloads what is not cached yet (one batch, concurrently), through `proxy` when it is
  // not "" (the proxy of the source the images' articles came from).
  void Fetch(const std::vector<std::string>& urls, const std::string& proxy = "");
  // The tree-relative path ("images/ab/abcd.jpg") of a downloaded image, or "".
  std::string LocalPath(const std::string& url) const;
  // Saves the URL cache, and marks every cached image produced by this build (pages that
  // were not rendered again still show them).
  bool Save(std::string* error);

  int downloaded() const { return downloaded_; }
  int failed() const { return failed_; }
  // One line per failed image: its URL and why.
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  OutputTree& tree_;
  fetch::HttpClient* http_;
  int64_t max_bytes_;
  std::map<std::string, std::string> cache_;  // URL -> tree-relative path
  int downloaded_ = 0;
  int failed_ = 0;
  std::vector<std::string> failures_;
};

}  // namespace samizdat::publish
