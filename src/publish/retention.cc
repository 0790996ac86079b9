#include "publish/retention.h"

#include <git2.h>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace samizdat::publish {
namespace {

struct WalkState {
  git_odb* odb = nullptr;
  RepoSize* size = nullptr;
};

// Adds each blob's size (from the object header, without reading it) to the head totals.
int AddBlob(const char* root, const git_tree_entry* entry, void* payload) {
  if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) return 0;
  auto* state = static_cast<WalkState*>(payload);
  size_t len = 0;
  git_object_t type;
  if (git_odb_read_header(&len, &type, state->odb, git_tree_entry_id(entry)) != 0) return 0;
  state->size->head_bytes += static_cast<int64_t>(len);
  ++state->size->head_files;
  state->size->largest.emplace_back(std::string(root) + git_tree_entry_name(entry),
                                    static_cast<int64_t>(len));
  return 0;
}

Status ObjectBytes(Env& env, const std::string& tree_dir, RepoSize* size) {
  std::vector<std::string> files;
  if (Status s = ListFilesRecursively(env, tree_dir + "/.git/objects", "", &files); !s.ok())
    return s;
  for (const std::string& f : files) {
    FileInfo info;
    if (!env.Stat(f, &info).ok()) continue;
    size->object_bytes += info.size;
    if (f.find("/objects/pack/") != std::string::npos) size->pack_bytes += info.size;
  }
  return Status::Ok();
}

}  // namespace

Result<RepoSize> MeasureRepository(Env& env, const std::string& tree_dir, const std::string& branch,
                                   size_t top) {
  git_libgit2_init();
  RepoSize size;
  if (Status s = ObjectBytes(env, tree_dir, &size); !s.ok()) return s;
  git_repository* raw = nullptr;
  if (git_repository_open(&raw, tree_dir.c_str()) != 0)
    return Status::NotFound("no repository at " + tree_dir);
  std::unique_ptr<git_repository, void (*)(git_repository*)> repo(raw, git_repository_free);
  git_object* obj = nullptr;
  std::string spec = "refs/heads/" + branch + "^{tree}";
  if (git_revparse_single(&obj, repo.get(), spec.c_str()) == 0) {
    git_odb* odb = nullptr;
    if (git_repository_odb(&odb, repo.get()) == 0) {
      WalkState state{odb, &size};
      git_tree_walk(reinterpret_cast<git_tree*>(obj), GIT_TREEWALK_PRE, AddBlob, &state);
      git_odb_free(odb);
    }
    git_object_free(obj);
  }
  std::sort(size.largest.begin(), size.largest.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  if (size.largest.size() > top) size.largest.resize(top);
  git_libgit2_shutdown();
  return size;
}

std::string HumanBytes(int64_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) v /= 1000, ++u;
  char out[32];
  std::snprintf(out, sizeof out, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return out;
}

}  // namespace samizdat::publish
