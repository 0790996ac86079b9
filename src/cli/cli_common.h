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

// The --config option's help: what is read when it is not given.
inline constexpr char kConfigHelp[] =
    "The mirror's configuration (default: $SAMIZDAT_CONFIG, ./samizdat.toml, "
    "$XDG_CONFIG_HOME/samizdat/config.toml)";

// A subcommand as CLI11 sees it, and what runs it with the options CLI11 filled in.
struct Subcommand {
  CLI::App* app;
  std::function<int()> run;
};

// -q and -v: kQuiet keeps only errors, warnings and requested data (--json); kVerbose adds
// detail (which configuration was read, sources that were not due).
enum class Verbosity { kQuiet, kNormal, kVerbose };
void SetVerbosity(Verbosity v);
Verbosity GetVerbosity();
// A summary line for people on standard output, unless -q.
void Inform(std::string_view line);
// Whether `to` gets colour: a terminal, NO_COLOR unset or empty, TERM not "dumb".
bool ColourOn(std::FILE* to);
// `text` in red (ANSI) when `to` gets colour, else as it is.
std::string Red(std::FILE* to, std::string_view text);

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
// The configuration file a command reads when --config is not given: $SAMIZDAT_CONFIG, else
// ./samizdat.toml if it exists, else $XDG_CONFIG_HOME/samizdat/config.toml (~/.config when
// XDG_CONFIG_HOME is unset) if it exists; "" when there is none. `given` wins when set.
std::string DiscoverConfigPath(Env& env, const std::string& given);
// LoadConfig, with any error printed for the user (commands then exit with kExitUsage). An
// empty `path` means the discovered one (DiscoverConfigPath).
bool LoadConfigOrReport(Env& env, const std::string& path, config::Config* cfg);
// Takes the mirror lock for a command that writes the store or the site (doc/store.md).
// Returns kExitOk with *lock held, or the exit status after printing why not.
int LockStoreOrReport(const std::string& store_path, std::unique_ptr<store::StoreLock>* lock);

}  // namespace samizdat

#endif  // SAMIZDAT_CLI_CLI_COMMON_H_
