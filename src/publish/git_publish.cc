#include "publish/git_publish.h"

#include <git2.h>

#include <cstdlib>
#include <memory>
#include <mutex>

#include "util/env.h"
#include "util/strings.h"

namespace samizdat::publish {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p) Free(p);
  }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using Repo = Owned<git_repository, git_repository_free>;
using Index = Owned<git_index, git_index_free>;
using Tree = Owned<git_tree, git_tree_free>;
using Commit = Owned<git_commit, git_commit_free>;
using Sig = Owned<git_signature, git_signature_free>;
using Diff = Owned<git_diff, git_diff_free>;
using Remote = Owned<git_remote, git_remote_free>;

std::string LastError(const std::string& what) {
  const git_error* e = git_error_last();
  return what + ": " + (e && e->message ? e->message : "unknown libgit2 error");
}

int SkipInternal(const char* path, const char*, void*) {
  // Returning > 0 skips the path: the build's own bookkeeping and the temporary files of a
  // killed write stay out of the mirror.
  return std::string_view(path).rfind(".samizdat", 0) == 0 || IsTempFileName(path) ? 1 : 0;
}

// Drops temporary files from the index even when an older publish committed them.
bool DropTempFiles(git_index* index) {
  for (size_t i = git_index_entrycount(index); i-- > 0;) {
    const git_index_entry* e = git_index_get_byindex(index, i);
    if (e && IsTempFileName(e->path) &&
        git_index_remove(index, std::string(e->path).c_str(), 0) != 0)
      return false;
  }
  return true;
}

struct PushState {
  const RemoteConfig* remote = nullptr;
  std::string rejected;
  int credential_attempts = 0;
};

int Credentials(git_credential** out, const char* url, const char* username_from_url,
                unsigned int allowed, void* payload) {
  auto* st = static_cast<PushState*>(payload);
  (void)url;
  if (++st->credential_attempts > 3) return GIT_EUSER;  // refuse to loop on bad credentials
  const RemoteConfig& r = *st->remote;
  std::string user =
      !r.username.empty() ? r.username : (username_from_url ? username_from_url : "git");
  if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
    const char* pass = r.password_env.empty() ? nullptr : std::getenv(r.password_env.c_str());
    if (pass) return git_credential_userpass_plaintext_new(out, user.c_str(), pass);
  }
  if (allowed & GIT_CREDENTIAL_SSH_KEY) {
    if (r.ssh_key.empty()) return git_credential_ssh_key_from_agent(out, user.c_str());
    const char* phrase =
        r.ssh_passphrase_env.empty() ? nullptr : std::getenv(r.ssh_passphrase_env.c_str());
    return git_credential_ssh_key_new(out, user.c_str(),
                                      r.ssh_public_key.empty() ? nullptr : r.ssh_public_key.c_str(),
                                      r.ssh_key.c_str(), phrase ? phrase : "");
  }
  if (allowed & GIT_CREDENTIAL_USERNAME) return git_credential_username_new(out, user.c_str());
  return GIT_PASSTHROUGH;
}

int PushUpdate(const char* refname, const char* status, void* payload) {
  auto* st = static_cast<PushState*>(payload);
  if (status) st->rejected = std::string(refname) + " rejected: " + status;
  return 0;
}

// What is wrong with a remote that is a local path ("" when it is a URL, an scp-style
// "host:path", or a git repository): libgit2 would only say "unsupported URL protocol".
std::string LocalRemoteProblem(const std::string& url) {
  if (url.find("://") != std::string::npos) return {};
  size_t colon = url.find(':'), slash = url.find('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon < slash)) return {};
  Env& env = *Env::Default();
  FileInfo info;
  std::string real;
  if (url.empty() || !env.RealPath(url, &real).ok() || !env.Stat(real, &info).ok())
    return "the local path " + url + " does not exist (create it with `git init --bare " + url +
           "`, or give a URL such as ssh://host/repo.git)";
  if (!info.is_directory) return "the local path " + url + " is not a directory";
  if (!env.FileExists(real + "/HEAD") && !env.FileExists(real + "/.git/HEAD"))
    return "the local path " + url + " is not a git repository (create it with `git init --bare " +
           url + "`)";
  return {};
}

RemoteResult PushTo(git_repository* repo, const RemoteConfig& rc, const std::string& branch) {
  RemoteResult result;
  result.name = rc.name.empty() ? rc.url : rc.name;
  if (std::string problem = LocalRemoteProblem(rc.url); !problem.empty()) {
    result.error = "push to " + result.name + ": " + problem;
    return result;
  }
  git_remote* raw = nullptr;
  if (git_remote_create_anonymous(&raw, repo, rc.url.c_str()) != 0) {
    result.error = LastError("remote " + result.name + " (" + rc.url + ")");
    return result;
  }
  Remote remote(raw);
  PushState st;
  st.remote = &rc;
  git_push_options opts = GIT_PUSH_OPTIONS_INIT;
  opts.callbacks.credentials = Credentials;
  opts.callbacks.push_update_reference = PushUpdate;
  opts.callbacks.payload = &st;
  std::string spec = "refs/heads/" + branch + ":refs/heads/" + branch;
  char* specs[] = {spec.data()};
  git_strarray refspecs = {specs, 1};
  if (git_remote_push(remote.get(), &refspecs, &opts) != 0) {
    result.error = LastError("push to " + result.name + " (" + rc.url + ")");
    return result;
  }
  if (!st.rejected.empty()) {
    result.error = "push to " + result.name + ": " + st.rejected;
    return result;
  }
  result.ok = true;
  return result;
}

}  // namespace

bool PublishReport::AnyRemoteFailed() const {
  for (const auto& r : remotes)
    if (!r.ok) return true;
  return false;
}

namespace {

// Opens the repository of `tree_dir`, creating it (on `branch`) when it is not one.
git_repository* OpenOrCreateRepo(const std::string& tree_dir, const std::string& branch,
                                 std::string* error) {
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, tree_dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) == 0)
    return repo;
  git_repository_init_options io = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  io.flags = GIT_REPOSITORY_INIT_MKPATH;
  std::string head = "refs/heads/" + branch;
  io.initial_head = head.c_str();
  if (git_repository_init_ext(&repo, tree_dir.c_str(), &io) != 0) {
    *error = LastError("cannot create repository in " + tree_dir);
    return nullptr;
  }
  return repo;
}

// Removes the lock files a killed publish leaves in the repository (index.lock, HEAD.lock,
// refs/heads/<branch>.lock, ...): git refuses to work while they exist, so without this one
// crash would stop every later publish. Safe because the repository is samizdat's own and
// the CLI holds the run lock (doc/store.md), so no other samizdat process is in it.
bool RemoveStaleLocks(Env& env, git_repository* repo, std::string* error) {
  std::string git_dir = git_repository_path(repo);
  if (!git_dir.empty() && git_dir.back() == '/') git_dir.pop_back();
  // git takes its locks beside the file it changes: index, HEAD, config, packed-refs at the
  // top, refs under refs/. Objects are written under temporary names, never locked, so the
  // object store (the bulk of a mirror's repository) is not walked.
  std::vector<std::string> top, files;
  Status s = env.ListDir(git_dir, &top);
  for (const auto& name : top) files.push_back(git_dir + "/" + name);
  if (s.ok()) s = ListFilesRecursively(env, git_dir + "/refs", "", &files);
  for (const auto& path : files) {
    if (!s.ok()) break;
    if (path.size() > 5 && path.compare(path.size() - 5, 5, ".lock") == 0) {
      s = env.RemoveFile(path);
      if (s.IsNotFound()) s = Status::Ok();
    }
  }
  if (!s.ok()) *error = "cannot clear stale lock files in " + git_dir + ": " + s.message();
  return s.ok();
}

// Stages the whole tree (never .samizdat/ or temporary files) and writes its tree object.
bool StageTree(git_repository* repo, const std::string& tree_dir, git_oid* tree_id,
               std::string* error) {
  git_index* raw_index = nullptr;
  if (git_repository_index(&raw_index, repo) != 0) {
    *error = LastError("cannot read the index of " + tree_dir);
    return false;
  }
  Index index(raw_index);
  char star[] = "*";
  char* paths[] = {star};
  git_strarray all = {paths, 1};
  if (git_index_add_all(index.get(), &all, GIT_INDEX_ADD_DEFAULT, SkipInternal, nullptr) != 0 ||
      git_index_update_all(index.get(), &all, SkipInternal, nullptr) != 0 ||
      !DropTempFiles(index.get()) || git_index_write(index.get()) != 0) {
    *error = LastError("cannot stage " + tree_dir);
    return false;
  }
  if (git_index_write_tree(tree_id, index.get()) != 0) {
    *error = LastError("cannot write tree");
    return false;
  }
  return true;
}

// Counts what changed between the parent's tree (null: none) and `tree`.
void CountChanges(git_repository* repo, git_tree* parent_tree, git_tree* tree,
                  PublishReport* report) {
  git_diff* raw_diff = nullptr;
  if (git_diff_tree_to_tree(&raw_diff, repo, parent_tree, tree, nullptr) != 0) return;
  Diff diff(raw_diff);
  for (size_t i = 0, n = git_diff_num_deltas(diff.get()); i < n; ++i) {
    switch (git_diff_get_delta(diff.get(), i)->status) {
      case GIT_DELTA_ADDED:
        ++report->added;
        break;
      case GIT_DELTA_DELETED:
        ++report->deleted;
        break;
      default:
        ++report->modified;
        break;
    }
  }
}

std::string CommitMessage(const PublishConfig& cfg, const PublishReport& r) {
  std::string message = cfg.message;
  message = ReplaceAll(message, "{added}", std::to_string(r.added));
  message = ReplaceAll(message, "{modified}", std::to_string(r.modified));
  message = ReplaceAll(message, "{deleted}", std::to_string(r.deleted));
  return ReplaceAll(message, "{files}", std::to_string(r.added + r.modified + r.deleted));
}

// Commits `tree` on the branch `ref` on top of `parent` (null: a root commit).
bool CommitTree(git_repository* repo, const PublishConfig& cfg, const std::string& ref,
                git_tree* tree, git_commit* parent, int64_t now, const std::string& message,
                git_oid* commit_id, std::string* error) {
  git_signature *author_raw = nullptr, *committer_raw = nullptr;
  const std::string& committer_name =
      cfg.committer_name.empty() ? cfg.author_name : cfg.committer_name;
  const std::string& committer_email =
      cfg.committer_email.empty() ? cfg.author_email : cfg.committer_email;
  if (git_signature_new(&author_raw, cfg.author_name.c_str(), cfg.author_email.c_str(), now, 0) !=
          0 ||
      git_signature_new(&committer_raw, committer_name.c_str(), committer_email.c_str(), now, 0) !=
          0) {
    *error = LastError("bad author or committer");
    git_signature_free(author_raw);
    return false;
  }
  Sig author(author_raw), committer(committer_raw);
  const git_commit* parents[] = {parent};
  if (git_commit_create(commit_id, repo, ref.c_str(), author.get(), committer.get(), "UTF-8",
                        message.c_str(), tree, parent ? 1 : 0, parents) != 0) {
    *error = LastError("cannot commit");
    return false;
  }
  // A new repository's HEAD may still name the default branch.
  if (git_repository_set_head(repo, ref.c_str()) != 0) {
    *error = LastError("cannot point HEAD at " + ref);
    return false;
  }
  return true;
}

}  // namespace

PublishReport Publish(const std::string& tree_dir, const PublishConfig& cfg, int64_t now,
                      Env& env) {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
  PublishReport report;
  Repo repo(OpenOrCreateRepo(tree_dir, cfg.branch, &report.error));
  git_oid tree_id;
  if (!repo || !RemoveStaleLocks(env, repo.get(), &report.error) ||
      !StageTree(repo.get(), tree_dir, &tree_id, &report.error))
    return report;
  git_tree* raw_tree = nullptr;
  if (git_tree_lookup(&raw_tree, repo.get(), &tree_id) != 0) {
    report.error = LastError("cannot read the tree just written");
    return report;
  }
  Tree tree(raw_tree);
  // The parent, if the branch has one.
  std::string ref = "refs/heads/" + cfg.branch;
  git_oid head_id;
  Commit parent;
  Tree parent_tree;
  git_commit* pc = nullptr;
  git_tree* pt = nullptr;
  if (git_reference_name_to_id(&head_id, repo.get(), ref.c_str()) == 0 &&
      git_commit_lookup(&pc, repo.get(), &head_id) == 0) {
    parent.reset(pc);
    if (git_commit_tree(&pt, pc) == 0) parent_tree.reset(pt);
  }
  if (!parent || !parent_tree || !git_oid_equal(git_tree_id(parent_tree.get()), &tree_id)) {
    CountChanges(repo.get(), parent_tree.get(), tree.get(), &report);
    if (!CommitTree(repo.get(), cfg, ref, tree.get(), parent.get(), now, CommitMessage(cfg, report),
                    &head_id, &report.error))
      return report;
    report.committed = true;
  }
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &head_id);
  report.commit = hex;
  if (Result<RepoSize> size = MeasureRepository(env, tree_dir, cfg.branch); size.ok())
    report.size = std::move(*size);
  for (const auto& remote : cfg.remotes)
    report.remotes.push_back(PushTo(repo.get(), remote, cfg.branch));
  return report;
}

}  // namespace samizdat::publish
