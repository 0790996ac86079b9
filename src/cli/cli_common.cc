// Helpers shared by samizdat's commands: output that is safe on a terminal, configuration
// loading with its errors reported, and the store lock.
#include "cli/cli_common.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "store/article_store.h"
#include "util/strings.h"

namespace samizdat {

// Everything printed from input data (titles, URLs, server messages, warnings) goes out
// through these: a terminal obeys escape sequences hidden in such text.
void PrintLine(std::FILE* to, std::string_view line) {
  std::string safe = TerminalSafe(line);
  safe.push_back('\n');
  std::fwrite(safe.data(), 1, safe.size(), to);
}

namespace {
Verbosity g_verbosity = Verbosity::kNormal;  // set once from the command line
}  // namespace

void SetVerbosity(Verbosity v) { g_verbosity = v; }
Verbosity GetVerbosity() { return g_verbosity; }

void Inform(std::string_view line) {
  if (g_verbosity != Verbosity::kQuiet) PrintLine(stdout, line);
}

bool ColourOn(std::FILE* to) {
  const char* no_colour = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return isatty(fileno(to)) && !(no_colour && *no_colour) && !(term && std::string(term) == "dumb");
}

std::string Red(std::FILE* to, std::string_view text) {
  return ColourOn(to) ? fmt::format("\033[31m{}\033[0m", text) : std::string(text);
}

// The "samizdat:" prefix is added after the message is made terminal-safe, so its colour
// is the only escape sequence that reaches the terminal.
void Complain(std::string_view message) {
  std::string line = Red(stderr, "samizdat:") + " " + TerminalSafe(message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

// Machine-readable output (JSON, extracted text): passed through untouched to a pipe or a
// file, made terminal-safe when standard output is a terminal.
void PrintData(std::string_view data) {
  if (isatty(STDOUT_FILENO)) {
    std::string safe = TerminalSafe(data);
    std::fwrite(safe.data(), 1, safe.size(), stdout);
  } else {
    std::fwrite(data.data(), 1, data.size(), stdout);
  }
}
// Configuration and profile files are small text files the operator wrote. Anything else
// (a device such as /dev/zero, a FIFO, a directory, a huge file) is refused before reading.
namespace {
constexpr int64_t kMaxConfigBytes = 1 << 20;
}  // namespace

// The lexical parent of a path ("a/b.toml" is "a", "b.toml" is ""): string work only, no
// file-system access, so std::filesystem::path serves as a value type here.
std::string ParentPath(const std::string& path) {
  return std::filesystem::path(path).parent_path().string();
}

// stat(2) through `env`: what `path` names once symbolic links are followed (Env::Stat does
// not follow them), so a configuration, store or site directory may be reached by a link.
Status StatFollowingLinks(Env& env, const std::string& path, FileInfo* info) {
  Status s = env.Stat(path, info);
  if (!s.ok() || !info->is_symlink) return s;
  std::string target;
  s = env.RealPath(path, &target);
  return s.ok() ? env.Stat(target, info) : s;
}

// Whether `path` names anything, following symbolic links (a dangling link names nothing).
bool Exists(Env& env, const std::string& path) {
  FileInfo info;
  return StatFollowingLinks(env, path, &info).ok();
}

bool IsDirectory(Env& env, const std::string& path) {
  FileInfo info;
  return StatFollowingLinks(env, path, &info).ok() && info.is_directory;
}

bool ReadConfigFile(Env& env, const std::string& path, std::string* text, std::string* error) {
  FileInfo info;
  if (Status s = StatFollowingLinks(env, path, &info); !s.ok()) {
    *error = s.message();
    return false;
  }
  if (!info.is_regular) {
    *error = path + ": not a regular file; a configuration must be a file";
    return false;
  }
  if (info.size > kMaxConfigBytes) {
    *error = fmt::format("{}: {} bytes; a configuration file may hold at most {} bytes", path,
                         info.size, kMaxConfigBytes);
    return false;
  }
  return env.ReadFile(path, text, error);
}

// The built-in profiles, with any problem in them shown to the user.
extract::ProfileSet BuiltInProfilesReported() {
  const extract::ProfileSet& builtin = extract::ProfileSet::BuiltIn();
  for (const auto& w : builtin.warnings()) Complain(w);
  return builtin;
}

// Built-in profiles plus those named by the configuration.
bool LoadProfiles(Env& env, const config::Config* cfg, extract::ProfileSet* out,
                  std::string* error) {
  *out = BuiltInProfilesReported();
  if (!cfg) return true;
  for (const auto& path : cfg->profile_paths) {
    std::string text;
    if (!ReadConfigFile(env, path, &text, error)) return false;
    auto p = extract::ParseProfile(text, path, error);
    if (!p) return false;
    out->Add(std::move(*p));
  }
  return true;
}

bool LoadConfig(Env& env, const std::string& path, config::Config* cfg, std::string* error) {
  std::string text;
  if (!ReadConfigFile(env, path, &text, error)) return false;
  std::string dir = ParentPath(path);
  auto parsed = config::ParseConfig(text, path, dir, error);
  if (!parsed) return false;
  *cfg = std::move(*parsed);
  return true;
}

std::string DiscoverConfigPath(Env& env, const std::string& given) {
  if (!given.empty()) return given;
  if (const char* from_env = std::getenv("SAMIZDAT_CONFIG"); from_env && *from_env) return from_env;
  if (Exists(env, "samizdat.toml")) return "samizdat.toml";
  std::string xdg;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x)
    xdg = x;
  else if (const char* home = std::getenv("HOME"); home && *home)
    xdg = std::string(home) + "/.config";
  if (!xdg.empty() && Exists(env, xdg + "/samizdat/config.toml"))
    return xdg + "/samizdat/config.toml";
  return {};
}

// LoadConfig, with any error printed for the user (commands then exit with kExitUsage).
bool LoadConfigOrReport(Env& env, const std::string& path, config::Config* cfg) {
  std::string found = DiscoverConfigPath(env, path);
  if (found.empty()) {
    Complain(
        "no configuration found: pass --config FILE, set SAMIZDAT_CONFIG, or write "
        "./samizdat.toml (samizdat init) or $XDG_CONFIG_HOME/samizdat/config.toml");
    return false;
  }
  if (g_verbosity == Verbosity::kVerbose) Complain(fmt::format("reading {}", found));
  std::string error;
  if (LoadConfig(env, found, cfg, &error)) return true;
  Complain(error);
  return false;
}

// Takes the mirror lock for a command that writes the store or the site (doc/store.md).
// Returns kExitOk with *lock held, or the exit status after printing why not. A PostgreSQL
// store takes no file lock: many workers share it and the database orders their writes.
int LockStoreOrReport(const std::string& store_path, std::unique_ptr<store::StoreLock>* lock) {
  if (store::IsPostgresLocation(store_path)) return kExitOk;
  std::string error;
  switch (store::StoreLock::TryAcquire(store_path, lock, &error)) {
    case store::StoreLock::Outcome::kAcquired:
      return kExitOk;
    case store::StoreLock::Outcome::kHeld:
      Complain(error);
      return kExitStoreLocked;
    case store::StoreLock::Outcome::kError:
      break;
  }
  Complain(error);
  return kExitUsage;
}

}  // namespace samizdat
