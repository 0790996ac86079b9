// The signed manifest of a built site (doc/trust.md): manifest.json lists every published
// file with its size and SHA-256, the build time, the samizdat version, a sequence number
// and the SHA-256 of the previous manifest, so manifests form a chain; manifest.json.minisig
// signs it in minisign's format. VerifySite checks a tree (or a single page of it, or files
// read through any reader, such as HTTP) against it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "trust/minisign.h"
#include "util/env.h"
#include "util/status.h"

namespace samizdat::publish {

inline constexpr char kManifestName[] = "manifest.json";
inline constexpr char kManifestSignatureName[] = "manifest.json.minisig";

struct ManifestFile {
  std::string path;  // '/'-separated, relative to the site root
  int64_t size = 0;
  std::string sha256;  // hex
};

struct SiteManifest {
  std::string generator;            // "samizdat 0.1.0"
  int64_t built_at = 0;             // unix seconds
  int64_t sequence = 1;             // 1 for the first manifest, then previous + 1
  std::string previous;             // hex SHA-256 of the previous manifest.json; "" for the first
  std::string public_key;           // base64, for a reader without the key at hand (not trusted)
  std::vector<ManifestFile> files;  // sorted by path
};

// One JSON object, one file per line (so a git diff of two manifests shows the changes).
std::string FormatSiteManifest(const SiteManifest& m);
Result<SiteManifest> ParseSiteManifest(std::string_view text);

// Whether a tree path is part of the published site: not .git/, .samizdat/, the manifest
// and its signature, nor a temporary file.
bool IsPublishedPath(const std::string& relative);

// Every published file below `root`, hashed, sorted by path.
Status ScanSite(Env& env, const std::string& root, std::vector<ManifestFile>* files);

// The line every page footer and the home page carry on a signed site.
std::string SignatureFooter(const trust::PublicKey& key);

// Writes manifest.json and its signature into `root` for the files there now. When the
// files are those of the current, validly signed manifest, both are left as they are (a
// build that changes nothing changes no file). *written says whether they were rewritten.
Status WriteSignedManifest(Env& env, const std::string& root, const trust::SecretKey& key,
                           int64_t now, bool* written = nullptr);

// Reads a secret key file, with the passphrase from `password_env` (an environment
// variable) or `password_file` when either is set.
Result<trust::SecretKey> LoadSecretKey(Env& env, const std::string& path,
                                       const std::string& password_env,
                                       const std::string& password_file);

// Where VerifySite reads from: a directory, or anything that can read a site-relative path
// (HTTP). `list` is null when the source cannot list its files (extra files go unseen).
struct SiteReader {
  std::function<bool(const std::string& relative, std::string* contents)> read;
  std::function<Status(std::vector<std::string>* relatives)> list;
};
SiteReader DirectoryReader(Env& env, const std::string& root);

struct VerifyOptions {
  std::optional<trust::PublicKey> key;  // none: the key the manifest names (a warning)
  // Only these files (a single page); empty: the whole site.
  std::vector<std::string> only;
  // The highest manifest seen per key (JSON); "" to skip the replay check.
  std::string state_path;
};

struct VerifyReport {
  bool signature_ok = false;
  std::string problem;  // why the manifest itself is not trusted ("" when it is)
  std::vector<std::string> warnings;
  std::vector<std::string> missing, extra, changed;
  SiteManifest manifest;
  std::string key_id;
  int64_t files_checked = 0;
  bool ok() const {
    return signature_ok && problem.empty() && missing.empty() && extra.empty() && changed.empty();
  }
};

VerifyReport VerifySite(Env& env, const SiteReader& reader, const VerifyOptions& options);

}  // namespace samizdat::publish

namespace samizdat::publish {

// Whether `path` (which need not exist) lies inside directory `dir` (which need not exist),
// comparing resolved paths where they exist: a secret key must never be published.
bool IsInsideDirectory(Env& env, const std::string& path, const std::string& dir);

}  // namespace samizdat::publish
