// Ed25519 keys and signatures in minisign's own formats (libsodium), so a mirror signed by
// samizdat verifies with `minisign -V`, and a file signed by `minisign -S` verifies here.
//
//   public key file   "untrusted comment: ...\n" base64("Ed" keyid[8] pk[32]) "\n"
//   secret key file   "untrusted comment: ...\n" base64("Ed" kdf[2] "B2" salt[32]
//                     opslimit[8 LE] memlimit[8 LE] {keyid[8] sk[64] chk[32]}) "\n"
//                     kdf "Sc": the braces are XORed with scrypt(passphrase, salt);
//                     kdf "\0\0": stored as they are. chk = BLAKE2b-256("Ed" keyid sk).
//   signature file    "untrusted comment: ...\n" base64("ED" keyid[8] sig[64]) "\n"
//                     "trusted comment: <text>\n" base64(global_sig[64]) "\n"
//                     sig signs BLAKE2b-512(message); global_sig signs sig || <text>.
// Pure apart from the randomness of key generation; files are read and written by callers.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace samizdat::trust {

using KeyId = std::array<unsigned char, 8>;

struct PublicKey {
  KeyId key_id{};
  std::array<unsigned char, 32> pk{};
};

struct SecretKey {
  KeyId key_id{};
  std::array<unsigned char, 64> sk{};  // libsodium's seed || public key
  PublicKey Public() const;
};

// scrypt cost of a passphrase-protected key. minisign's own (sensitive) costs by default;
// tests pass small ones, which the key file records.
struct KdfCost {
  uint64_t opslimit = 33554432;
  uint64_t memlimit = 1073741824;
};

SecretKey GenerateKey();

// The key id as minisign prints it: the 8 bytes as a little-endian integer, 16 hex digits.
std::string KeyIdHex(const KeyId& id);
// The base64 line of a public key (what `minisign -P` takes).
std::string PublicKeyBase64(const PublicKey& key);
// "SHA256:" and the hex SHA-256 of the 32 Ed25519 public key bytes, in groups of four: a
// fingerprint bound to the key itself (a key id is a free-form label).
std::string Fingerprint(const PublicKey& key);

// A public key file's contents, or the base64 line alone.
Result<PublicKey> ParsePublicKey(std::string_view text);
std::string FormatPublicKeyFile(const PublicKey& key);

// An empty passphrase writes an unencrypted key (kdf "\0\0").
std::string FormatSecretKeyFile(const SecretKey& key, std::string_view passphrase,
                                const KdfCost& cost = {});
// Reads either kind; an encrypted key needs its passphrase, and a wrong one fails the
// checksum with a message saying so.
Result<SecretKey> ParseSecretKeyFile(std::string_view text, std::string_view passphrase);
// Whether a secret key file is passphrase-protected (false for an unreadable one too).
bool SecretKeyIsEncrypted(std::string_view text);

// A minisign signature file for `message` (prehashed, "ED"). `trusted_comment` must be one
// line; it is covered by the global signature.
std::string Sign(const SecretKey& key, std::string_view message, std::string_view trusted_comment,
                 std::string_view untrusted_comment = "signature from samizdat secret key");

struct Signature {
  bool prehashed = true;  // "ED"; false for the legacy "Ed" (signature over the message)
  KeyId key_id{};
  std::array<unsigned char, 64> sig{};
  std::string trusted_comment;
  std::array<unsigned char, 64> global_sig{};
};
Result<Signature> ParseSignature(std::string_view text);

// Checks `signature` (a signature file's text) over `message` with `key`. On success
// *trusted_comment (if given) receives the verified trusted comment. The errors say which
// of key id, signature or trusted comment did not match.
Status Verify(const PublicKey& key, std::string_view message, std::string_view signature,
              std::string* trusted_comment = nullptr);

// Hex SHA-256 (the manifest's file hashes).
std::string Sha256Hex(std::string_view data);

}  // namespace samizdat::trust
