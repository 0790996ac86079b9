// What every samizdat command shares: exit statuses, output that is safe on a terminal,
// configuration loading with its errors reported, and the store lock. Each command lives in
// its own file (or in main.cc) as a `Subcommand Add<Name>(CLI::App&)` registered in main().
#ifndef SAMIZDAT_CLI_CLI_COMMON_H_
#define SAMIZDAT_CLI_CLI_COMMON_H_

#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"
#include "extract/profile.h"
#include "store/store_lock.h"
#include "util/env.h"
#include "util/status.h"

namespace samizdat {

// Exit statuses (README.md, doc/extract.md): sysexits-like, one meaning each.
enum ExitStatus : int {
  kExitOk = 0,
  kExitSomeFailed = 1,   // some sources, articles, files or remotes failed; the rest ran
  kExitUsage = 2,        // bad command line or configuration
  kExitNoArticle = 3,    // convert: the page holds no article, so no page was written
  kExitStoreIo = 74,     // EX_IOERR: the store cannot be written (disk full, I/O error)
  kExitStoreLocked = 75  // EX_TEMPFAIL: another run holds the store; try again later
};

// A subcommand as CLI11 sees it, and what runs it with the options CLI11 filled in.
struct Subcommand {
  CLI::App* app;
  std::function<int()> run;
};

// Everything printed from input data (titles, URLs, server messages, warnings) goes out
// through these: a terminal obeys escape sequences hidden in such text.
void PrintLine(std::FILE* to, std::string_view line);
// PrintLine to stderr, prefixed "samizdat: ".
void Complain(std::string_view message);
// Machine-readable output (JSON, extracted text): passed through untouched to a pipe or a
// file, made terminal-safe when standard output is a terminal.
void PrintData(std::string_view data);

// The lexical parent of a path ("a/b.toml" is "a", "b.toml" is "").
std::string ParentPath(const std::string& path);
// stat(2) through `env`, following symbolic links.
Status StatFollowingLinks(Env& env, const std::string& path, FileInfo* info);
bool Exists(Env& env, const std::string& path);
bool IsDirectory(Env& env, const std::string& path);
// Reads a small regular file the operator wrote (a configuration or a profile).
bool ReadConfigFile(Env& env, const std::string& path, std::string* text, std::string* error);

// The built-in profiles, with any problem in them shown to the user.
extract::ProfileSet BuiltInProfilesReported();
// Built-in profiles plus those named by the configuration (`cfg` may be null).
bool LoadProfiles(Env& env, const config::Config* cfg, extract::ProfileSet* out,
                  std::string* error);
bool LoadConfig(Env& env, const std::string& path, config::Config* cfg, std::string* error);
// LoadConfig, with any error printed for the user (commands then exit with kExitUsage).
bool LoadConfigOrReport(Env& env, const std::string& path, config::Config* cfg);
// Takes the mirror lock for a command that writes the store or the site (doc/store.md).
// Returns kExitOk with *lock held, or the exit status after printing why not.
int LockStoreOrReport(const std::string& store_path, std::unique_ptr<store::StoreLock>* lock);

}  // namespace samizdat

#endif  // SAMIZDAT_CLI_CLI_COMMON_H_
