// Publish: commits the built tree to a git repository (libgit2) and pushes it to every
// configured remote. A failing remote never blocks the others; since every run pushes the
// branch to every remote, a remote that failed is brought up to date by the next run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "publish/retention.h"
#include "util/env.h"

namespace samizdat::publish {

struct RemoteConfig {
  std::string name;
  std::string url;           // https://, ssh://, git@host:path, or a local path
  std::string username;      // HTTPS user, or SSH user (default "git")
  std::string password_env;  // environment variable holding the HTTPS password or token
  std::string ssh_key;       // private key file; empty: the SSH agent
  std::string ssh_public_key;
  std::string ssh_passphrase_env;
};

// Repository size control: beyond `max_articles` article pages, the oldest pages live in
// a separate archive repository, so the main one stays small; its history keeps them too.
struct ArchiveConfig {
  std::string output;        // the archive's working tree (built by `build`)
  int64_t max_articles = 0;  // 0: no archive
  // How pages of the main tree reach the archive's root: a relative path from the tree
  // root ("../mirror-archive/") or an absolute URL ("https://host/you/mirror-archive/").
  std::string link_prefix;
  std::vector<RemoteConfig> remotes;
  bool enabled() const { return max_articles > 0 && !output.empty(); }
};

struct PublishConfig {
  std::string branch = "main";
  std::string author_name = "samizdat";
  std::string author_email = "samizdat@localhost";
  std::string committer_name;  // default: the author
  std::string committer_email;
  // {added} {modified} {deleted} {files} are replaced by the counts of this commit.
  std::string message = "samizdat: {added} added, {modified} changed, {deleted} removed";
  std::vector<RemoteConfig> remotes;
  ArchiveConfig archive;
};

struct RemoteResult {
  std::string name;
  bool ok = false;
  std::string error;
};

struct PublishReport {
  bool committed = false;  // false when the tree had no change
  std::string commit;      // the branch head after this run (hex)
  int added = 0, modified = 0, deleted = 0;
  std::vector<RemoteResult> remotes;
  RepoSize size;      // the repository after this run (zero when it could not be measured)
  std::string error;  // fatal: nothing was committed or pushed
  bool AnyRemoteFailed() const;
};

// Commits `tree_dir` (created as a repository when it is not one; its .samizdat/ folder is
// never committed) and pushes. `now` is the commit time (unix seconds). libgit2 does the
// repository's own I/O; what samizdat does to the files itself (clearing stale lock files)
// goes through `env`.
PublishReport Publish(const std::string& tree_dir, const PublishConfig& config, int64_t now,
                      Env& env = *Env::Default());

}  // namespace samizdat::publish
