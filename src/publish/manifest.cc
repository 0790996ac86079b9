#include "publish/manifest.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "util/dates.h"

#ifndef SAMIZDAT_VERSION
#define SAMIZDAT_VERSION "0.0.0"
#endif

namespace samizdat::publish {
namespace {

using nlohmann::json;

constexpr char kFormat[] = "samizdat-manifest-1";

// The trusted comment binds the signature to this manifest's place in the chain, so
// `minisign -V` shows it and an old signature cannot pass for a new sequence.
std::string TrustedComment(const SiteManifest& m) {
  return "timestamp:" + std::to_string(m.built_at) + "\tfile:" + kManifestName +
         "\thashed\tsequence:" + std::to_string(m.sequence);
}

std::string TrimmedLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  return text;
}

// The sequence recorded in a verified trusted comment; -1 when it names none.
int64_t SequenceOf(const std::string& trusted_comment) {
  size_t at = trusted_comment.find("sequence:");
  if (at == std::string::npos) return -1;
  return std::strtoll(trusted_comment.c_str() + at + 9, nullptr, 10);
}

Result<SiteManifest> ParseManifestJson(const json& j) {
  if (!j.is_object() || j.value("format", "") != kFormat)
    return Status::InvalidArgument(std::string("not a samizdat manifest (format ") + kFormat + ")");
  SiteManifest m;
  m.generator = j.value("generator", "");
  m.built_at = j.value("built_at", int64_t{0});
  m.sequence = j.value("sequence", int64_t{0});
  m.previous = j.value("previous", "");
  m.public_key = j.value("public_key", "");
  const json& files = j.value("files", json::array());
  if (!files.is_array()) return Status::InvalidArgument("manifest 'files' is not a list");
  for (const json& f : files) {
    if (!f.is_array() || f.size() != 3 || !f[0].is_string() || !f[1].is_number_integer() ||
        !f[2].is_string())
      return Status::InvalidArgument("manifest file entry is not [path, size, sha256]");
    m.files.push_back({f[0].get<std::string>(), f[1].get<int64_t>(), f[2].get<std::string>()});
  }
  return m;
}

// Verify-state file: per key id, the newest manifest verified with it.
json ReadState(Env& env, const std::string& path) {
  std::string text;
  if (path.empty() || !env.ReadFileToString(path, &text).ok()) return json::object();
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : json::object();
}

// Refuses a manifest older than (or forked from) one verified before with the same key.
std::string CheckReplay(const json& state, const std::string& key_id, const SiteManifest& m,
                        const std::string& manifest_sha) {
  if (!state.contains(key_id) || !state[key_id].is_object()) return "";
  const json& seen = state[key_id];
  int64_t seq = seen.value("sequence", int64_t{0});
  std::string sha = seen.value("sha256", "");
  std::string when = FormatUnixUtc(seen.value("built_at", int64_t{0}), "%Y-%m-%d %H:%M UTC");
  if (m.sequence < seq)
    return "replayed older manifest: sequence " + std::to_string(m.sequence) + " (built " +
           FormatUnixUtc(m.built_at, "%Y-%m-%d %H:%M UTC") + ") is older than sequence " +
           std::to_string(seq) + " (built " + when + ") verified before with this key";
  if (m.sequence == seq && manifest_sha != sha)
    return "two different manifests carry sequence " + std::to_string(seq) +
           ": this one is not the one verified before";
  if (m.sequence == seq + 1 && m.previous != sha)
    return "broken chain: manifest " + std::to_string(m.sequence) +
           " does not follow the manifest " + std::to_string(seq) + " verified before";
  return "";
}

Status SaveState(Env& env, const std::string& path, json state, const std::string& key_id,
                 const SiteManifest& m, const std::string& manifest_sha) {
  if (path.empty()) return Status::Ok();
  state[key_id] = {{"sequence", m.sequence}, {"sha256", manifest_sha}, {"built_at", m.built_at}};
  return env.WriteFileAtomic(path, state.dump(1) + "\n");
}

// The manifest's signature checked with the given key, or with the one the manifest names.
void CheckSignature(const std::string& manifest_text, const std::string& signature,
                    const VerifyOptions& options, VerifyReport* r) {
  trust::PublicKey key;
  if (options.key) {
    key = *options.key;
  } else {
    Result<trust::PublicKey> named = trust::ParsePublicKey(r->manifest.public_key);
    if (!named.ok()) {
      r->problem = "no --pubkey given and the manifest names no usable key";
      return;
    }
    key = *named;
    r->warnings.push_back(
        "no --pubkey: checked with the key the mirror names itself (" + trust::Fingerprint(key) +
        "); this proves the files match the manifest, not who made them. Compare the "
        "fingerprint with one from a source you trust.");
  }
  r->key_id = trust::KeyIdHex(key.key_id);
  std::string trusted;
  if (Status s = trust::Verify(key, manifest_text, signature, &trusted); !s.ok()) {
    r->problem = "manifest.json: " + s.message();
    return;
  }
  if (SequenceOf(trusted) >= 0 && SequenceOf(trusted) != r->manifest.sequence) {
    r->problem = "manifest.json: the signature's sequence does not match the manifest's";
    return;
  }
  r->signature_ok = true;
}

// Compares the files against the manifest: changed, missing, and (when the reader can
// list) extra ones.
void CompareFiles(const SiteReader& reader, const VerifyOptions& options, VerifyReport* r) {
  std::set<std::string> only(options.only.begin(), options.only.end());
  std::set<std::string> listed;
  for (const ManifestFile& f : r->manifest.files) {
    listed.insert(f.path);
    if (!only.empty() && !only.count(f.path)) continue;
    std::string bytes;
    ++r->files_checked;
    if (!reader.read(f.path, &bytes))
      r->missing.push_back(f.path);
    else if (static_cast<int64_t>(bytes.size()) != f.size || trust::Sha256Hex(bytes) != f.sha256)
      r->changed.push_back(f.path);
  }
  for (const std::string& p : only)
    if (!listed.count(p)) r->extra.push_back(p);
  if (!only.empty() || !reader.list) return;
  std::vector<std::string> present;
  if (Status s = reader.list(&present); !s.ok()) {
    r->warnings.push_back("cannot list the files: " + s.message());
    return;
  }
  for (const std::string& p : present)
    if (IsPublishedPath(p) && !listed.count(p)) r->extra.push_back(p);
}

}  // namespace

std::string FormatSiteManifest(const SiteManifest& m) {
  json head = {{"format", kFormat},      {"generator", m.generator}, {"built_at", m.built_at},
               {"sequence", m.sequence}, {"previous", m.previous},   {"public_key", m.public_key}};
  std::string out = head.dump();
  out.pop_back();  // the closing brace: the file list follows
  out += ",\"files\":[\n";
  for (size_t i = 0; i < m.files.size(); ++i)
    out += json::array({m.files[i].path, m.files[i].size, m.files[i].sha256}).dump() +
           (i + 1 < m.files.size() ? ",\n" : "\n");
  out += "]}\n";
  return out;
}

Result<SiteManifest> ParseSiteManifest(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("manifest.json is not valid JSON");
  return ParseManifestJson(j);
}

bool IsPublishedPath(const std::string& relative) {
  if (relative == kManifestName || relative == kManifestSignatureName) return false;
  if (relative.rfind(".git/", 0) == 0 || relative.rfind(".samizdat/", 0) == 0) return false;
  size_t slash = relative.rfind('/');
  return !IsTempFileName(slash == std::string::npos ? relative : relative.substr(slash + 1));
}

Status ScanSite(Env& env, const std::string& root, std::vector<ManifestFile>* files) {
  std::vector<std::string> paths;
  if (Status s = ListFilesRecursively(env, root, ".git", &paths); !s.ok()) return s;
  for (const std::string& path : paths) {
    std::string relative = path.substr(root.size() + 1);
    if (!IsPublishedPath(relative)) continue;
    std::string bytes;
    if (Status s = env.ReadFileToString(path, &bytes); !s.ok()) return s;
    files->push_back({relative, static_cast<int64_t>(bytes.size()), trust::Sha256Hex(bytes)});
  }
  std::sort(files->begin(), files->end(),
            [](const ManifestFile& a, const ManifestFile& b) { return a.path < b.path; });
  return Status::Ok();
}

std::string SignatureFooter(const trust::PublicKey& key) {
  return "Signed mirror · minisign public key " + trust::PublicKeyBase64(key) + " · " +
         trust::Fingerprint(key) + " · check with: samizdat verify";
}

Status WriteSignedManifest(Env& env, const std::string& root, const trust::SecretKey& key,
                           int64_t now, bool* written) {
  if (written) *written = false;
  SiteManifest m;
  m.generator = std::string("samizdat ") + SAMIZDAT_VERSION;
  m.built_at = now;
  m.public_key = trust::PublicKeyBase64(key.Public());
  if (Status s = ScanSite(env, root, &m.files); !s.ok()) return s;
  std::string old_text, old_sig;
  if (env.ReadFileToString(root + "/" + kManifestName, &old_text).ok()) {
    Result<SiteManifest> old = ParseSiteManifest(old_text);
    bool signed_ok = env.ReadFileToString(root + "/" + kManifestSignatureName, &old_sig).ok() &&
                     trust::Verify(key.Public(), old_text, old_sig).ok();
    if (old.ok() && signed_ok && old->public_key == m.public_key) {
      auto same = [](const ManifestFile& a, const ManifestFile& b) {
        return a.path == b.path && a.size == b.size && a.sha256 == b.sha256;
      };
      if (std::equal(old->files.begin(), old->files.end(), m.files.begin(), m.files.end(), same))
        return Status::Ok();
    }
    if (old.ok()) m.sequence = old->sequence + 1;
    m.previous = trust::Sha256Hex(old_text);
  }
  std::string text = FormatSiteManifest(m);
  std::string sig = trust::Sign(key, text, TrustedComment(m));
  // The signature goes first: a reader of a half-written pair sees the old manifest fail
  // its check rather than an unsigned new one pass.
  if (Status s = env.WriteFileAtomic(root + "/" + kManifestSignatureName, sig); !s.ok()) return s;
  if (Status s = env.WriteFileAtomic(root + "/" + kManifestName, text); !s.ok()) return s;
  if (written) *written = true;
  return Status::Ok();
}

Result<trust::SecretKey> LoadSecretKey(Env& env, const std::string& path,
                                       const std::string& password_env,
                                       const std::string& password_file) {
  std::string text, passphrase;
  if (Status s = env.ReadFileToString(path, &text); !s.ok())
    return Status::InvalidArgument("cannot read the secret key: " + s.message());
  if (!password_env.empty()) {
    const char* v = std::getenv(password_env.c_str());
    if (!v) return Status::InvalidArgument("environment variable " + password_env + " is not set");
    passphrase = v;
  } else if (!password_file.empty()) {
    if (Status s = env.ReadFileToString(password_file, &passphrase); !s.ok())
      return Status::InvalidArgument("cannot read the passphrase file: " + s.message());
    passphrase = TrimmedLine(passphrase);
  }
  Result<trust::SecretKey> key = trust::ParseSecretKeyFile(text, passphrase);
  if (!key.ok()) return Status::InvalidArgument(path + ": " + key.status().message());
  return key;
}

SiteReader DirectoryReader(Env& env, const std::string& root) {
  SiteReader r;
  r.read = [&env, root](const std::string& relative, std::string* contents) {
    FileInfo info;
    std::string path = root + "/" + relative;
    return env.Stat(path, &info).ok() && info.is_regular &&
           env.ReadFileToString(path, contents).ok();
  };
  r.list = [&env, root](std::vector<std::string>* relatives) {
    std::vector<std::string> paths;
    Status s = ListFilesRecursively(env, root, ".git", &paths);
    for (const std::string& p : paths) relatives->push_back(p.substr(root.size() + 1));
    return s;
  };
  return r;
}

VerifyReport VerifySite(Env& env, const SiteReader& reader, const VerifyOptions& options) {
  VerifyReport r;
  std::string text, signature;
  if (!reader.read(kManifestName, &text)) {
    r.problem = "no manifest.json: the mirror is not signed";
    return r;
  }
  if (!reader.read(kManifestSignatureName, &signature)) {
    r.problem = "no manifest.json.minisig: the manifest is not signed";
    return r;
  }
  Result<SiteManifest> m = ParseSiteManifest(text);
  if (!m.ok()) {
    r.problem = "manifest.json: " + m.status().message();
    return r;
  }
  r.manifest = std::move(*m);
  CheckSignature(text, signature, options, &r);
  if (!r.signature_ok) return r;
  std::string sha = trust::Sha256Hex(text);
  json state = ReadState(env, options.state_path);
  r.problem = CheckReplay(state, r.key_id, r.manifest, sha);
  if (!r.problem.empty()) return r;
  CompareFiles(reader, options, &r);
  if (r.ok())
    if (Status s = SaveState(env, options.state_path, state, r.key_id, r.manifest, sha); !s.ok())
      r.warnings.push_back("cannot record the verified manifest: " + s.message());
  return r;
}

}  // namespace samizdat::publish

namespace samizdat::publish {
namespace {

// The absolute form of `path`: its deepest existing ancestor resolved, the rest appended.
std::string Resolved(Env& env, std::string path) {
  if (path.empty() || path[0] != '/') {
    std::string cwd;
    if (env.RealPath(".", &cwd).ok()) path = cwd + "/" + path;
  }
  std::string tail;
  while (!path.empty()) {
    std::string real;
    if (env.RealPath(path, &real).ok()) return real + tail;
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) break;
    tail = path.substr(slash) + tail;
    path = path.substr(0, slash);
  }
  return tail;
}

}  // namespace

bool IsInsideDirectory(Env& env, const std::string& path, const std::string& dir) {
  return IsPathWithin(Resolved(env, path), Resolved(env, dir));
}

}  // namespace samizdat::publish
