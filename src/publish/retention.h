// Repository size accounting for publish (doc/trust.md): code hosts limit repository size
// (GitHub: about 1 to 5 GB, 100 MB per file), so every publish reports what the repository
// takes on disk and which published files are largest.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "util/env.h"
#include "util/status.h"

namespace samizdat::publish {

struct RepoSize {
  int64_t object_bytes = 0;  // .git/objects: packs and loose objects, what a clone carries
  int64_t pack_bytes = 0;    // of which in packs
  int64_t head_bytes = 0;    // the files of the branch head, uncompressed
  int64_t head_files = 0;
  std::vector<std::pair<std::string, int64_t>> largest;  // path, bytes; largest first
};

// Measures the repository of `tree_dir` (its .git) at `branch`; the `top` largest files.
Result<RepoSize> MeasureRepository(Env& env, const std::string& tree_dir, const std::string& branch,
                                   size_t top = 5);

// "12.3 MB" style, for reports.
std::string HumanBytes(int64_t bytes);

}  // namespace samizdat::publish
