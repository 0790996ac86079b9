#include "cli/verify_command.h"

#include <fmt/format.h>

#include <cstdlib>
#include <memory>

#include "fetch/fetcher.h"
#include "publish/manifest.h"
#include "trust/minisign.h"
#include "util/dates.h"

namespace samizdat {
namespace {

struct VerifyArgs {
  std::string target;
  std::string pubkey;  // base64 line or public key file
  std::string state;   // default: $XDG_STATE_HOME/samizdat/verified.json
  bool no_state = false;
};

std::string DefaultStatePath() {
  const char* xdg = std::getenv("XDG_STATE_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/samizdat/verified.json";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/state/samizdat/verified.json";
}

bool IsUrl(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

// --pubkey: a public key file, or the base64 line itself.
bool ReadPubkey(Env& env, const std::string& arg, std::optional<trust::PublicKey>* out) {
  if (arg.empty()) return true;
  std::string text = arg;
  if (Exists(env, arg) && !env.ReadFileToString(arg, &text).ok()) {
    Complain("--pubkey: cannot read " + arg);
    return false;
  }
  Result<trust::PublicKey> key = trust::ParsePublicKey(text);
  if (!key.ok()) {
    Complain("--pubkey: " + key.status().message());
    return false;
  }
  *out = *key;
  return true;
}

// A local target: a site directory, or a file whose nearest ancestor holding manifest.json
// is the site root (then only that file is checked).
bool LocalTarget(Env& env, const std::string& target, std::string* root,
                 std::vector<std::string>* only) {
  if (IsDirectory(env, target)) {
    *root = target;
    while (root->size() > 1 && root->back() == '/') root->pop_back();
    return true;
  }
  if (!Exists(env, target)) {
    Complain(target + ": no such file or directory");
    return false;
  }
  std::string relative = target.substr(target.rfind('/') + 1);
  for (std::string dir = ParentPath(target);; dir = ParentPath(dir)) {
    std::string at = dir.empty() ? "." : dir;
    if (Exists(env, at + "/" + publish::kManifestName)) {
      *root = at;
      only->push_back(relative);
      return true;
    }
    if (dir.empty()) break;
    relative = dir.substr(dir.rfind('/') + 1) + "/" + relative;
  }
  Complain(target + ": no manifest.json beside it or in any folder above it");
  return false;
}

// Reads site-relative paths below `base` (ending in '/') over HTTP(S). The reader cannot
// list, so extra files are not seen.
publish::SiteReader UrlReader(std::shared_ptr<fetch::HttpClient> http, const std::string& base) {
  publish::SiteReader r;
  r.read = [http, base](const std::string& relative, std::string* contents) {
    fetch::Request req;
    req.url = base + relative;
    std::vector<fetch::Response> got = http->FetchAll({req});
    if (got.empty() || !got[0].ok) return false;
    *contents = std::move(got[0].body);
    return true;
  };
  return r;
}

// A URL target: the site root (ending in '/'), else a page: its folders are tried upwards
// for manifest.json.
bool UrlTarget(std::shared_ptr<fetch::HttpClient> http, const std::string& url,
               publish::SiteReader* reader, std::vector<std::string>* only) {
  if (url.back() == '/') {
    *reader = UrlReader(http, url);
    return true;
  }
  size_t host_end = url.find('/', url.find("://") + 3);
  std::string relative = url.substr(url.rfind('/') + 1);
  for (size_t cut = url.rfind('/'); cut != std::string::npos && cut >= host_end;
       cut = cut == 0 ? std::string::npos : url.rfind('/', cut - 1)) {
    std::string base = url.substr(0, cut + 1), probe;
    publish::SiteReader r = UrlReader(http, base);
    if (r.read(publish::kManifestName, &probe)) {
      *reader = r;
      only->push_back(url.substr(cut + 1));
      return true;
    }
    if (cut == host_end) break;
  }
  Complain(url + ": no manifest.json in any folder above it");
  return false;
}

void PrintReport(const publish::VerifyReport& r) {
  for (const auto& w : r.warnings) PrintLine(stderr, "warning: " + w);
  for (const auto& p : r.missing) PrintLine(stdout, "missing: " + p);
  for (const auto& p : r.extra) PrintLine(stdout, "extra:   " + p + " (not in the manifest)");
  for (const auto& p : r.changed) PrintLine(stdout, "changed: " + p);
  if (!r.problem.empty()) {
    PrintLine(stdout, "FAILED: " + r.problem);
    return;
  }
  std::string what = fmt::format("manifest {} built {} by {}, key {}", r.manifest.sequence,
                                 FormatUnixUtc(r.manifest.built_at, "%Y-%m-%d %H:%M UTC"),
                                 r.manifest.generator, r.key_id);
  if (r.ok())
    PrintLine(stdout, fmt::format("OK: {} files match the signed {}", r.files_checked, what));
  else
    PrintLine(stdout, fmt::format("FAILED: {} missing, {} extra, {} changed against the signed {}",
                                  r.missing.size(), r.extra.size(), r.changed.size(), what));
}

int RunVerify(const VerifyArgs& a) {
  Env& env = *Env::Default();
  publish::VerifyOptions options;
  if (!ReadPubkey(env, a.pubkey, &options.key)) return kExitUsage;
  options.state_path = a.no_state ? "" : (a.state.empty() ? DefaultStatePath() : a.state);
  publish::SiteReader reader;
  std::string root;
  if (IsUrl(a.target)) {
    fetch::FetchOptions fo;
    fo.allow_file = false;
    std::shared_ptr<fetch::HttpClient> http = fetch::NewCurlHttpClient(fo);
    if (!UrlTarget(http, a.target, &reader, &options.only)) return kExitUsage;
  } else {
    if (!LocalTarget(env, a.target, &root, &options.only)) return kExitUsage;
    reader = publish::DirectoryReader(env, root);
  }
  publish::VerifyReport r = publish::VerifySite(env, reader, options);
  PrintReport(r);
  return r.ok() ? kExitOk : kExitSomeFailed;
}

}  // namespace

Subcommand AddVerify(CLI::App& app) {
  auto a = std::make_shared<VerifyArgs>();
  auto* cmd = app.add_subcommand(
      "verify", "Check a mirror, an unpacked bundle or one page against its signed manifest");
  cmd->add_option("TARGET", a->target, "Site directory, page file, or http(s) URL")->required();
  cmd->add_option("--pubkey", a->pubkey, "The trusted public key: a .pub file or its base64 line");
  cmd->add_option("--state", a->state,
                  "Where the newest verified manifest per key is kept (replay check)");
  cmd->add_flag("--no-state", a->no_state, "Skip the replay check and record nothing");
  return {cmd, [a] { return RunVerify(*a); }};
}

}  // namespace samizdat
