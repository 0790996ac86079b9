#include "trust/minisign.h"

#include <sodium.h>

#include <cstring>
#include <vector>

namespace samizdat::trust {
namespace {

constexpr std::string_view kUntrustedPrefix = "untrusted comment: ";
constexpr std::string_view kTrustedPrefix = "trusted comment: ";
constexpr size_t kKeynumSkBytes = 8 + 64 + 32;
// sig_alg, kdf_alg, chk_alg, salt, opslimit, memlimit, then the key number block.
constexpr size_t kSecretKeyBytes = 2 + 2 + 2 + 32 + 8 + 8 + kKeynumSkBytes;
constexpr size_t kPublicKeyBytes = 2 + 8 + 32;
constexpr size_t kSignatureBytes = 2 + 8 + 64;

// libsodium is initialised once per process; every entry point below calls this first.
void InitSodium() {
  static const bool ok = sodium_init() >= 0;
  (void)ok;
}

using Bytes = std::vector<unsigned char>;

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

bool FromBase64(std::string_view text, size_t expected, Bytes* out) {
  out->assign(expected + 3, 0);
  size_t len = 0;
  if (sodium_base642bin(out->data(), out->size(), text.data(), text.size(), " \t\r", &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len != expected)
    return false;
  out->resize(len);
  return true;
}

void StoreLe64(unsigned char* at, uint64_t v) {
  for (int i = 0; i < 8; ++i) at[i] = static_cast<unsigned char>(v >> (8 * i));
}

uint64_t LoadLe64(const unsigned char* at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | at[i];
  return v;
}

// The lines of a key or signature file, without their line ends.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

// The base64 line of a key file: the line after the untrusted comment, or the only line.
std::string_view KeyLine(std::string_view text) {
  std::vector<std::string_view> lines = Lines(text);
  for (size_t i = 0; i < lines.size(); ++i)
    if (!lines[i].empty() && lines[i].substr(0, kUntrustedPrefix.size()) != kUntrustedPrefix)
      return lines[i];
  return {};
}

// BLAKE2b-256 over "Ed" || key id || secret key: minisign's check that a key decrypted.
void Checksum(const unsigned char* sig_alg, const unsigned char* keynum_sk, unsigned char* out) {
  crypto_generichash_state hs;
  crypto_generichash_init(&hs, nullptr, 0, 32);
  crypto_generichash_update(&hs, sig_alg, 2);
  crypto_generichash_update(&hs, keynum_sk, 8 + 64);
  crypto_generichash_final(&hs, out, 32);
}

// XORs the key number block with scrypt(passphrase, salt): encrypts and decrypts alike.
bool ApplyKdf(unsigned char* block, std::string_view passphrase, const unsigned char* salt,
              uint64_t opslimit, uint64_t memlimit) {
  unsigned char stream[kKeynumSkBytes];
  if (crypto_pwhash_scryptsalsa208sha256(stream, sizeof stream, passphrase.data(),
                                         passphrase.size(), salt, opslimit,
                                         static_cast<size_t>(memlimit)) != 0)
    return false;
  for (size_t i = 0; i < kKeynumSkBytes; ++i) block[i] ^= stream[i];
  sodium_memzero(stream, sizeof stream);
  return true;
}

std::string Blake2b512(std::string_view message) {
  std::string hash(crypto_generichash_BYTES_MAX, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(hash.data()), hash.size(),
                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                     nullptr, 0);
  return hash;
}

std::string SignDetached(const SecretKey& key, std::string_view message) {
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       key.sk.data());
  return sig;
}

bool VerifyDetached(const PublicKey& key, const unsigned char* sig, std::string_view message) {
  return crypto_sign_verify_detached(sig, reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key.pk.data()) == 0;
}

}  // namespace

PublicKey SecretKey::Public() const {
  PublicKey p;
  p.key_id = key_id;
  std::memcpy(p.pk.data(), sk.data() + 32, 32);
  return p;
}

SecretKey GenerateKey() {
  InitSodium();
  SecretKey key;
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_keypair(pk, key.sk.data());
  randombytes_buf(key.key_id.data(), key.key_id.size());
  return key;
}

std::string KeyIdHex(const KeyId& id) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llX", static_cast<unsigned long long>(LoadLe64(id.data())));
  return hex;
}

std::string PublicKeyBase64(const PublicKey& key) {
  unsigned char raw[kPublicKeyBytes];
  std::memcpy(raw, "Ed", 2);
  std::memcpy(raw + 2, key.key_id.data(), 8);
  std::memcpy(raw + 10, key.pk.data(), 32);
  return Base64(raw, sizeof raw);
}

std::string Fingerprint(const PublicKey& key) {
  std::string hex = Sha256Hex(std::string_view(reinterpret_cast<const char*>(key.pk.data()), 32));
  std::string out = "SHA256:";
  for (size_t i = 0; i < hex.size(); i += 4) out += (i ? " " : "") + hex.substr(i, 4);
  return out;
}

Result<PublicKey> ParsePublicKey(std::string_view text) {
  InitSodium();
  Bytes raw;
  if (!FromBase64(KeyLine(text), kPublicKeyBytes, &raw))
    return Status::InvalidArgument("not a minisign public key (a base64 line of 42 bytes)");
  if (std::memcmp(raw.data(), "Ed", 2) != 0)
    return Status::InvalidArgument("unsupported public key algorithm (minisign uses \"Ed\")");
  PublicKey key;
  std::memcpy(key.key_id.data(), raw.data() + 2, 8);
  std::memcpy(key.pk.data(), raw.data() + 10, 32);
  return key;
}

std::string FormatPublicKeyFile(const PublicKey& key) {
  return std::string(kUntrustedPrefix) + "minisign public key " + KeyIdHex(key.key_id) + "\n" +
         PublicKeyBase64(key) + "\n";
}

std::string FormatSecretKeyFile(const SecretKey& key, std::string_view passphrase,
                                const KdfCost& cost) {
  InitSodium();
  unsigned char raw[kSecretKeyBytes] = {};
  unsigned char* block = raw + 2 + 2 + 2 + 32 + 8 + 8;
  std::memcpy(raw, "Ed", 2);
  std::memcpy(raw + 2, passphrase.empty() ? "\0\0" : "Sc", 2);
  std::memcpy(raw + 4, "B2", 2);
  if (!passphrase.empty()) {  // minisign leaves salt and costs zero for an unencrypted key
    randombytes_buf(raw + 6, 32);
    StoreLe64(raw + 38, cost.opslimit);
    StoreLe64(raw + 46, cost.memlimit);
  }
  std::memcpy(block, key.key_id.data(), 8);
  std::memcpy(block + 8, key.sk.data(), 64);
  Checksum(raw, block, block + 72);
  if (!passphrase.empty()) ApplyKdf(block, passphrase, raw + 6, cost.opslimit, cost.memlimit);
  std::string out = std::string(kUntrustedPrefix) +
                    (passphrase.empty() ? "minisign secret key" : "minisign encrypted secret key") +
                    "\n" + Base64(raw, sizeof raw) + "\n";
  sodium_memzero(raw, sizeof raw);
  return out;
}

bool SecretKeyIsEncrypted(std::string_view text) {
  InitSodium();
  Bytes raw;
  return FromBase64(KeyLine(text), kSecretKeyBytes, &raw) &&
         std::memcmp(raw.data() + 2, "Sc", 2) == 0;
}

Result<SecretKey> ParseSecretKeyFile(std::string_view text, std::string_view passphrase) {
  InitSodium();
  Bytes raw;
  if (!FromBase64(KeyLine(text), kSecretKeyBytes, &raw))
    return Status::InvalidArgument("not a minisign secret key file");
  if (std::memcmp(raw.data(), "Ed", 2) != 0 || std::memcmp(raw.data() + 4, "B2", 2) != 0)
    return Status::InvalidArgument("unsupported secret key algorithm");
  unsigned char* block = raw.data() + 54;
  bool encrypted = std::memcmp(raw.data() + 2, "Sc", 2) == 0;
  if (!encrypted && std::memcmp(raw.data() + 2, "\0\0", 2) != 0)
    return Status::InvalidArgument("unsupported key derivation in the secret key");
  if (encrypted) {
    if (passphrase.empty())
      return Status::InvalidArgument("the secret key is encrypted: a passphrase is needed");
    if (!ApplyKdf(block, passphrase, raw.data() + 6, LoadLe64(raw.data() + 38),
                  LoadLe64(raw.data() + 46)))
      return Status::InvalidArgument("cannot derive the key from the passphrase (out of memory?)");
  }
  // minisign writes no checksum (zeros) into an unencrypted key; samizdat writes one.
  unsigned char chk[32], zeros[32] = {};
  Checksum(raw.data(), block, chk);
  bool unchecked = !encrypted && sodium_memcmp(zeros, block + 72, 32) == 0;
  if (!unchecked && sodium_memcmp(chk, block + 72, 32) != 0)
    return Status::InvalidArgument(encrypted ? "wrong passphrase for the secret key"
                                             : "the secret key file is corrupt (checksum)");
  SecretKey key;
  std::memcpy(key.key_id.data(), block, 8);
  std::memcpy(key.sk.data(), block + 8, 64);
  sodium_memzero(raw.data(), raw.size());
  return key;
}

std::string Sign(const SecretKey& key, std::string_view message, std::string_view trusted_comment,
                 std::string_view untrusted_comment) {
  InitSodium();
  std::string sig = SignDetached(key, Blake2b512(message));
  std::string global = SignDetached(key, sig + std::string(trusted_comment));
  unsigned char raw[kSignatureBytes];
  std::memcpy(raw, "ED", 2);
  std::memcpy(raw + 2, key.key_id.data(), 8);
  std::memcpy(raw + 10, sig.data(), 64);
  return std::string(kUntrustedPrefix) + std::string(untrusted_comment) + "\n" +
         Base64(raw, sizeof raw) + "\n" + std::string(kTrustedPrefix) +
         std::string(trusted_comment) + "\n" +
         Base64(reinterpret_cast<const unsigned char*>(global.data()), global.size()) + "\n";
}

Result<Signature> ParseSignature(std::string_view text) {
  InitSodium();
  std::vector<std::string_view> lines = Lines(text);
  if (lines.size() < 4 || lines[0].substr(0, kUntrustedPrefix.size()) != kUntrustedPrefix ||
      lines[2].substr(0, kTrustedPrefix.size()) != kTrustedPrefix)
    return Status::InvalidArgument(
        "not a minisign signature file (untrusted comment, signature, trusted comment, global "
        "signature)");
  Bytes raw, global;
  if (!FromBase64(lines[1], kSignatureBytes, &raw) || !FromBase64(lines[3], 64, &global))
    return Status::InvalidArgument("the signature file's base64 lines are malformed");
  Signature s;
  if (std::memcmp(raw.data(), "ED", 2) == 0)
    s.prehashed = true;
  else if (std::memcmp(raw.data(), "Ed", 2) == 0)
    s.prehashed = false;
  else
    return Status::InvalidArgument("unsupported signature algorithm");
  std::memcpy(s.key_id.data(), raw.data() + 2, 8);
  std::memcpy(s.sig.data(), raw.data() + 10, 64);
  s.trusted_comment = std::string(lines[2].substr(kTrustedPrefix.size()));
  std::memcpy(s.global_sig.data(), global.data(), 64);
  return s;
}

Status Verify(const PublicKey& key, std::string_view message, std::string_view signature,
              std::string* trusted_comment) {
  Result<Signature> s = ParseSignature(signature);
  if (!s.ok()) return s.status();
  if (s->key_id != key.key_id)
    return Status::Unsafe("signed by key " + KeyIdHex(s->key_id) + ", not by the trusted key " +
                          KeyIdHex(key.key_id));
  std::string signed_bytes = s->prehashed ? Blake2b512(message) : std::string(message);
  if (!VerifyDetached(key, s->sig.data(), signed_bytes))
    return Status::Unsafe("signature verification failed: the file is not the one signed");
  std::string global(reinterpret_cast<const char*>(s->sig.data()), 64);
  if (!VerifyDetached(key, s->global_sig.data(), global + s->trusted_comment))
    return Status::Unsafe("trusted comment verification failed: the comment was altered");
  if (trusted_comment) *trusted_comment = s->trusted_comment;
  return Status::Ok();
}

std::string Sha256Hex(std::string_view data) {
  InitSodium();
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return hex;
}

}  // namespace samizdat::trust
