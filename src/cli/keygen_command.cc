#include "cli/keygen_command.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdlib>
#include <memory>

#include "publish/manifest.h"
#include "trust/minisign.h"

namespace samizdat {
namespace {

struct KeygenArgs {
  std::string secret_key;  // default: $HOME/.samizdat/samizdat.key
  std::string public_key;  // default: <secret_key>.pub
  std::string config = "samizdat.toml";
  bool password = false;
  std::string password_env, password_file;
  bool force = false;
};

std::string DefaultKeyPath() {
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.samizdat/samizdat.key";
}

// The passphrase for --password, from the environment variable or the file named.
bool Passphrase(Env& env, const KeygenArgs& a, std::string* out) {
  if (!a.password) return true;
  if (!a.password_env.empty()) {
    const char* v = std::getenv(a.password_env.c_str());
    if (!v || !*v) {
      Complain("--password-env: environment variable " + a.password_env + " is not set");
      return false;
    }
    *out = v;
    return true;
  }
  if (a.password_file.empty()) {
    Complain("--password needs --password-env VAR or --password-file FILE");
    return false;
  }
  if (Status s = env.ReadFileToString(a.password_file, out); !s.ok()) {
    Complain("--password-file: " + s.message());
    return false;
  }
  while (!out->empty() && (out->back() == '\n' || out->back() == '\r')) out->pop_back();
  if (out->empty()) {
    Complain("--password-file: the file is empty");
    return false;
  }
  return true;
}

// A key must not land in a directory that gets published (the configured site or archive).
bool RefusePublishedPlace(Env& env, const KeygenArgs& a) {
  if (!Exists(env, a.config)) return false;
  config::Config cfg;
  if (!LoadConfigOrReport(env, a.config, &cfg)) return true;
  for (const std::string& dir : {cfg.output_dir, cfg.publish.archive.output}) {
    if (dir.empty()) continue;
    for (const std::string& path : {a.secret_key, a.public_key})
      if (publish::IsInsideDirectory(env, path, dir)) {
        Complain("refusing to write " + path + " inside the published directory " + dir);
        return true;
      }
  }
  return false;
}

// The secret key is created mode 0600: the umask applies to the temporary file that is
// then renamed into place.
Status WriteSecretKey(Env& env, const std::string& path, const std::string& text) {
  if (Status s = env.CreateDirs(ParentPath(path).empty() ? "." : ParentPath(path)); !s.ok())
    return s;
  mode_t old = ::umask(077);
  Status s = env.WriteFileAtomic(path, text);
  ::umask(old);
  return s;
}

int RunKeygen(KeygenArgs a) {
  Env& env = *Env::Default();
  if (a.secret_key.empty()) a.secret_key = DefaultKeyPath();
  if (a.public_key.empty()) a.public_key = a.secret_key + ".pub";
  if (RefusePublishedPlace(env, a)) return kExitUsage;
  if (!a.force && (Exists(env, a.secret_key) || Exists(env, a.public_key))) {
    Complain(a.secret_key + " or its public key exists already; --force replaces them");
    return kExitUsage;
  }
  std::string passphrase;
  if (!Passphrase(env, a, &passphrase)) return kExitUsage;
  trust::SecretKey key = trust::GenerateKey();
  if (Status s = WriteSecretKey(env, a.secret_key, trust::FormatSecretKeyFile(key, passphrase));
      !s.ok()) {
    Complain("cannot write the secret key: " + s.message());
    return kExitStoreIo;
  }
  if (Status s = env.WriteFileAtomic(a.public_key, trust::FormatPublicKeyFile(key.Public()));
      !s.ok()) {
    Complain("cannot write the public key: " + s.message());
    return kExitStoreIo;
  }
  PrintLine(stdout, fmt::format("secret key: {}{}", a.secret_key,
                                passphrase.empty() ? " (unencrypted)" : " (encrypted)"));
  PrintLine(stdout, "public key: " + a.public_key);
  PrintLine(stdout, "key id: " + trust::KeyIdHex(key.key_id));
  PrintLine(stdout, "public key (minisign -P): " + trust::PublicKeyBase64(key.Public()));
  PrintLine(stdout, "fingerprint: " + trust::Fingerprint(key.Public()));
  return kExitOk;
}

}  // namespace

Subcommand AddKeygen(CLI::App& app) {
  auto a = std::make_shared<KeygenArgs>();
  auto* cmd = app.add_subcommand("keygen", "Make the minisign key pair the mirror is signed with");
  cmd->add_option("-o,--secret-key", a->secret_key,
                  "Secret key file (default ~/.samizdat/samizdat.key)");
  cmd->add_option("-p,--public-key", a->public_key, "Public key file (default <secret key>.pub)");
  cmd->add_option("--config", a->config,
                  "The mirror's samizdat.toml (the key stays out of its site)");
  cmd->add_flag("--password", a->password, "Encrypt the secret key with a passphrase");
  cmd->add_option("--password-env", a->password_env, "Environment variable holding the passphrase");
  cmd->add_option("--password-file", a->password_file, "File holding the passphrase");
  cmd->add_flag("--force", a->force, "Replace an existing key");
  return {cmd, [a] { return RunKeygen(*a); }};
}

}  // namespace samizdat
