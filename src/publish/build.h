// Build: renders the mirror from the store into the output directory (doc/site.md).
//
// Classic layout, as the seed's mirrors (so existing mirrors keep their URLs):
//   pages/<channel>/<id>.md        one page per article, in its home channel only
//   indexes/<channel>.jsonl        the channel's entries, oldest first (JSON Lines)
//   indexes/<channel>/<n>.md       page n holds entries (n-1)*size+1 .. n*size, newest first
//   indexes/<channel>/README.md    the newest page, links stamped, promo line
//   README.md                      the home page: channel groups
// Deterministic (same store and configuration, same bytes) and incremental: a file is
// written only when its bytes change, and pages whose revision and settings are unchanged
// since the last build are not re-rendered (a manifest in .samizdat/ remembers them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "clean/clean.h"
#include "config/config.h"
#include "fetch/fetcher.h"
#include "store/store.h"
#include "util/env.h"

namespace samizdat::publish {

struct BuildReport {
  int64_t articles = 0;
  int64_t pages_rendered = 0;  // article pages rendered this time
  int64_t files_written = 0;   // files whose bytes changed (or are new)
  int64_t files_unchanged = 0;
  int images_downloaded = 0;
  int images_failed = 0;                    // pages keep the original URL for these
  std::vector<std::string> image_failures;  // one per failed image: its URL and why
  // Each problem, naming the article URL or the file; the build goes on past them.
  std::vector<std::string> errors;
  std::string error;  // non-empty when the build failed: the problems, one per line
};

// `http` downloads images for re-hosting; nullptr (or site.rehost_images = false) keeps
// the original image URLs.
BuildReport BuildSite(const config::Config& config, store::ArticleStore& store, Env& env,
                      fetch::HttpClient* http = nullptr);

// The site's page options for the clean stage (link policy, heading shift): the one place
// a SiteConfig becomes CleanOptions.
clean::CleanOptions PageCleanOptions(const config::SiteConfig& site);

// "MMDDHHMM" in UTC, the seed's cache-busting stamp.
std::string Stamp(int64_t unix_seconds);

}  // namespace samizdat::publish
