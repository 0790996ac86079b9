#include "trust/minisign.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "test_util.h"

namespace samizdat::trust {
namespace {

using testing::FindProgram;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

// Small scrypt costs keep the tests fast; the key file records them, so minisign uses them.
constexpr KdfCost kCheap{1 << 15, 1 << 24};

int Shell(const std::string& command) {
  int raw = std::system(command.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

std::string Minisign() {
  std::string path = FindProgram("minisign");
  if (path.empty()) return "";
  return path;
}

TEST(Minisign, SignsAndVerifiesAndNamesWhatFailed) {
  SecretKey key = GenerateKey();
  std::string sig = Sign(key, "the manifest", "timestamp:1\tfile:m");
  std::string trusted;
  ASSERT_TRUE(Verify(key.Public(), "the manifest", sig, &trusted).ok());
  EXPECT_EQ(trusted, "timestamp:1\tfile:m");
  Status changed = Verify(key.Public(), "the manifest!", sig);
  EXPECT_NE(changed.message().find("not the one signed"), std::string::npos) << changed.message();
  Status other = Verify(GenerateKey().Public(), "the manifest", sig);
  EXPECT_NE(other.message().find("not by the trusted key"), std::string::npos) << other.message();
  std::string forged = sig;
  forged.replace(forged.find("file:m"), 6, "file:x");
  Status comment = Verify(key.Public(), "the manifest", forged);
  EXPECT_NE(comment.message().find("trusted comment"), std::string::npos) << comment.message();
}

TEST(Minisign, KeyFilesRoundTripAndPassphraseIsChecked) {
  SecretKey key = GenerateKey();
  Result<PublicKey> pub = ParsePublicKey(FormatPublicKeyFile(key.Public()));
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(pub->pk, key.Public().pk);
  EXPECT_EQ(pub->key_id, key.key_id);
  Result<PublicKey> line = ParsePublicKey(PublicKeyBase64(key.Public()));
  ASSERT_TRUE(line.ok());

  std::string plain = FormatSecretKeyFile(key, "");
  EXPECT_FALSE(SecretKeyIsEncrypted(plain));
  Result<SecretKey> back = ParseSecretKeyFile(plain, "");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->sk, key.sk);

  std::string locked = FormatSecretKeyFile(key, "correct horse", kCheap);
  EXPECT_TRUE(SecretKeyIsEncrypted(locked));
  EXPECT_EQ(locked.find(plain.substr(plain.find('\n') + 1, 20)), std::string::npos);
  Result<SecretKey> opened = ParseSecretKeyFile(locked, "correct horse");
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(opened->sk, key.sk);
  Result<SecretKey> wrong = ParseSecretKeyFile(locked, "wrong horse");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("wrong passphrase"), std::string::npos);
  EXPECT_FALSE(ParseSecretKeyFile(locked, "").ok());
}

TEST(Minisign, FingerprintIsTheHashOfTheKey) {
  SecretKey key = GenerateKey();
  std::string fp = Fingerprint(key.Public());
  EXPECT_EQ(fp.rfind("SHA256:", 0), 0u);
  EXPECT_EQ(fp.size(), 7 + 64 + 15u);
  EXPECT_NE(fp, Fingerprint(GenerateKey().Public()));
}

// Debian's minisign verifies what samizdat signs, with the key file and with -P.
TEST(MinisignInterop, MinisignVerifiesSamizdatSignatures) {
  std::string minisign = Minisign();
  if (minisign.empty()) GTEST_SKIP() << "minisign is not installed (scripts/install-deps.sh)";
  TempDir dir;
  SecretKey key = GenerateKey();
  WriteFile(dir.File("m.json"), "{\"files\":[]}\n");
  WriteFile(dir.File("m.json.minisig"), Sign(key, ReadFile(dir.File("m.json")), "seq:1"));
  WriteFile(dir.File("k.pub"), FormatPublicKeyFile(key.Public()));
  EXPECT_EQ(Shell(minisign + " -Vq -p " + dir.File("k.pub") + " -m " + dir.File("m.json")), 0);
  EXPECT_EQ(
      Shell(minisign + " -Vq -P " + PublicKeyBase64(key.Public()) + " -m " + dir.File("m.json")),
      0);
  // And refuses it once the file changes: the check above is a real one.
  WriteFile(dir.File("m.json"), "{\"files\":[1]}\n");
  EXPECT_NE(Shell(minisign + " -Vq -p " + dir.File("k.pub") + " -m " + dir.File("m.json") +
                  " 2>/dev/null"),
            0);
}

// A key made by `minisign -G` and a signature made by `minisign -S` are accepted here, and
// samizdat can sign with minisign's secret key file.
TEST(MinisignInterop, SamizdatAcceptsMinisignKeysAndSignatures) {
  std::string minisign = Minisign();
  if (minisign.empty()) GTEST_SKIP() << "minisign is not installed (scripts/install-deps.sh)";
  TempDir dir;
  ASSERT_EQ(Shell(minisign + " -G -W -p " + dir.File("k.pub") + " -s " + dir.File("k.key") +
                  " >/dev/null"),
            0);
  WriteFile(dir.File("m"), "signed by minisign\n");
  ASSERT_EQ(Shell(minisign + " -S -s " + dir.File("k.key") + " -m " + dir.File("m") +
                  " -t 'sequence:7' >/dev/null"),
            0);
  Result<PublicKey> pub = ParsePublicKey(ReadFile(dir.File("k.pub")));
  ASSERT_TRUE(pub.ok());
  std::string trusted;
  Status s = Verify(*pub, ReadFile(dir.File("m")), ReadFile(dir.File("m.minisig")), &trusted);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(trusted, "sequence:7");
  Result<SecretKey> sk = ParseSecretKeyFile(ReadFile(dir.File("k.key")), "");
  ASSERT_TRUE(sk.ok()) << sk.status().message();
  EXPECT_EQ(sk->Public().pk, pub->pk);
}

// An encrypted samizdat key is one minisign opens with the passphrase (read from stdin).
TEST(MinisignInterop, MinisignOpensSamizdatEncryptedKeys) {
  std::string minisign = Minisign();
  if (minisign.empty()) GTEST_SKIP() << "minisign is not installed (scripts/install-deps.sh)";
  TempDir dir;
  SecretKey key = GenerateKey();
  WriteFile(dir.File("k.key"), FormatSecretKeyFile(key, "s3cret", kCheap));
  WriteFile(dir.File("m"), "data\n");
  ASSERT_EQ(Shell("echo s3cret | " + minisign + " -S -s " + dir.File("k.key") + " -m " +
                  dir.File("m") + " >/dev/null 2>&1"),
            0);
  EXPECT_TRUE(Verify(key.Public(), "data\n", ReadFile(dir.File("m.minisig"))).ok());
  EXPECT_NE(Shell("echo wrong | " + minisign + " -S -s " + dir.File("k.key") + " -m " +
                  dir.File("m") + " -x " + dir.File("bad.sig") + " >/dev/null 2>&1"),
            0);
}

}  // namespace
}  // namespace samizdat::trust
