#include "publish/manifest.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <regex>

#include "publish/build.h"
#include "test_util.h"

namespace samizdat::publish {
namespace {

using testing::ReadFile;
using testing::RunSamizdat;
using testing::TempDir;
using testing::WriteFile;

// A small store built into a signed site, and `samizdat verify` run on it.
class SignedSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    store_ = store::Store::Open(dir_.File("store.db"), &err);
    ASSERT_TRUE(store_) << err;
    key_ = trust::GenerateKey();
    WriteFile(dir_.File("key"), trust::FormatSecretKeyFile(key_, ""));
    WriteFile(dir_.File("key.pub"), trust::FormatPublicKeyFile(key_.Public()));
    std::string text = ReadFile(std::string(SAMIZDAT_SOURCE_DIR) + "/demo/samizdat.toml") +
                       "\n[sign]\nsecret_key = \"key\"\n\n[[channels]]\nid = \"ch1\"\nname = "
                       "\"频道一\"\n";
    text = std::regex_replace(text, std::regex("\\[site\\]"), "[site]\noutput = \"site\"");
    auto cfg = config::ParseConfig(text, "samizdat.toml", dir_.path(), &err);
    ASSERT_TRUE(cfg) << err;
    cfg_ = *cfg;
    for (int n = 0; n < 3; ++n) Add(n, 1'780'000'000 + n);
  }

  void Add(int n, int64_t now) {
    store::ArticleInput in;
    in.canonical_url = "https://example.com/a/n" + std::to_string(n) + ".htm";
    in.article_id = "n" + std::to_string(n);
    in.memberships.push_back({"ch1", "s"});
    in.title = "标题" + std::to_string(n);
    in.html = "<p>正文 " + std::to_string(n) + "</p>";
    ASSERT_EQ(store_->SaveArticle(in, now).status().ToString(), "ok");
  }

  BuildReport Build() { return BuildSite(cfg_, *store_, *Env::Default()); }

  testing::RunResult Verify(const std::string& target, const std::string& extra = "") {
    return RunSamizdat("verify '" + target + "' --state '" + dir_.File("state.json") + "' " +
                       extra);
  }

  std::string Site(const std::string& rel = "") const {
    return dir_.File("site") + (rel.empty() ? "" : "/" + rel);
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  config::Config cfg_;
  trust::SecretKey key_;
};

TEST_F(SignedSiteTest, BuildSignsAndVerifyAcceptsTheSite) {
  BuildReport r = Build();
  ASSERT_TRUE(r.error.empty()) << r.error;
  Result<SiteManifest> m = ParseSiteManifest(ReadFile(Site("manifest.json")));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->sequence, 1);
  EXPECT_EQ(m->previous, "");
  EXPECT_EQ(m->generator.rfind("samizdat ", 0), 0u);
  bool has_page = false;
  for (const auto& f : m->files) {
    has_page |= f.path == "pages/ch1/n0.md";
    EXPECT_EQ(f.sha256, trust::Sha256Hex(ReadFile(Site(f.path)))) << f.path;
    EXPECT_EQ(f.size, static_cast<int64_t>(ReadFile(Site(f.path)).size())) << f.path;
  }
  EXPECT_TRUE(has_page);
  // The key and its fingerprint are in every page's footer and on the home page.
  std::string fp = trust::Fingerprint(key_.Public());
  EXPECT_NE(ReadFile(Site("pages/ch1/n0.md")).find(fp), std::string::npos);
  EXPECT_NE(ReadFile(Site("README.md")).find(trust::PublicKeyBase64(key_.Public())),
            std::string::npos);
  testing::RunResult v = Verify(Site(), "--pubkey '" + dir_.File("key.pub") + "'");
  EXPECT_EQ(v.status, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("OK: "), std::string::npos) << v.out;
}

TEST_F(SignedSiteTest, RebuildWithoutChangeKeepsTheManifestAndAChangeExtendsTheChain) {
  ASSERT_TRUE(Build().error.empty());
  std::string first = ReadFile(Site("manifest.json"));
  ASSERT_TRUE(Build().error.empty());
  EXPECT_EQ(ReadFile(Site("manifest.json")), first);
  Add(9, 1'780'100'000);
  ASSERT_TRUE(Build().error.empty());
  Result<SiteManifest> m = ParseSiteManifest(ReadFile(Site("manifest.json")));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->sequence, 2);
  EXPECT_EQ(m->previous, trust::Sha256Hex(first));
}

TEST_F(SignedSiteTest, TamperedPageIsReportedAsChanged) {
  ASSERT_TRUE(Build().error.empty());
  WriteFile(Site("pages/ch1/n1.md"), ReadFile(Site("pages/ch1/n1.md")) + "fake news\n");
  WriteFile(Site("pages/ch1/extra.md"), "planted\n");
  std::filesystem::remove(Site("pages/ch1/n2.md"));
  testing::RunResult v = Verify(Site(), "--pubkey '" + dir_.File("key.pub") + "'");
  EXPECT_EQ(v.status, 1) << v.out;
  EXPECT_NE(v.out.find("changed: pages/ch1/n1.md"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("extra:   pages/ch1/extra.md"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("missing: pages/ch1/n2.md"), std::string::npos) << v.out;
  // A single page is checked on its own.
  EXPECT_EQ(Verify(Site("pages/ch1/n1.md"), "--pubkey '" + dir_.File("key.pub") + "'").status, 1);
  testing::RunResult good =
      Verify(Site("pages/ch1/n0.md"), "--pubkey '" + dir_.File("key.pub") + "'");
  EXPECT_EQ(good.status, 0) << good.out;
  EXPECT_NE(good.out.find("OK: 1 files"), std::string::npos) << good.out;
}

TEST_F(SignedSiteTest, TamperedManifestFailsItsSignature) {
  ASSERT_TRUE(Build().error.empty());
  // A forger rewrites a page and its hash in the manifest: the signature no longer fits.
  std::string page = ReadFile(Site("pages/ch1/n1.md"));
  std::string manifest = ReadFile(Site("manifest.json"));
  std::string forged = page + "fake\n";
  manifest =
      std::regex_replace(manifest, std::regex(trust::Sha256Hex(page)), trust::Sha256Hex(forged));
  WriteFile(Site("pages/ch1/n1.md"), forged);
  WriteFile(Site("manifest.json"), manifest);
  testing::RunResult v = Verify(Site(), "--pubkey '" + dir_.File("key.pub") + "'");
  EXPECT_EQ(v.status, 1) << v.out;
  EXPECT_NE(v.out.find("FAILED: manifest.json: signature verification failed"), std::string::npos)
      << v.out;
}

TEST_F(SignedSiteTest, WrongKeyIsRefused) {
  ASSERT_TRUE(Build().error.empty());
  WriteFile(dir_.File("other.pub"), trust::FormatPublicKeyFile(trust::GenerateKey().Public()));
  testing::RunResult v = Verify(Site(), "--pubkey '" + dir_.File("other.pub") + "'");
  EXPECT_EQ(v.status, 1) << v.out;
  EXPECT_NE(v.out.find("not by the trusted key"), std::string::npos) << v.out;
  // A mirror re-signed by an impostor with a key of the same id still fails.
  trust::SecretKey impostor = trust::GenerateKey();
  impostor.key_id = key_.key_id;
  ASSERT_TRUE(WriteSignedManifest(*Env::Default(), Site(), impostor, 1'790'000'000).ok());
  testing::RunResult w = Verify(Site(), "--pubkey '" + dir_.File("key.pub") + "'");
  EXPECT_EQ(w.status, 1) << w.out;
  EXPECT_NE(w.out.find("signature verification failed"), std::string::npos) << w.out;
}

TEST_F(SignedSiteTest, ReplayedOlderManifestIsDetected) {
  ASSERT_TRUE(Build().error.empty());
  std::filesystem::copy(Site(), dir_.File("old-site"), std::filesystem::copy_options::recursive);
  Add(9, 1'780'100'000);
  ASSERT_TRUE(Build().error.empty());
  std::string pub = "--pubkey '" + dir_.File("key.pub") + "'";
  ASSERT_EQ(Verify(Site(), pub).status, 0);
  // The whole older mirror, consistent in itself, served again after a newer one was seen.
  testing::RunResult v = Verify(dir_.File("old-site"), pub);
  EXPECT_EQ(v.status, 1) << v.out;
  EXPECT_NE(v.out.find("replayed older manifest: sequence 1"), std::string::npos) << v.out;
  // Without the record (--no-state) the old mirror is consistent: the state is what caught it.
  EXPECT_EQ(Verify(dir_.File("old-site"), pub + " --no-state").status, 0);
}

TEST_F(SignedSiteTest, ManifestSignedByMinisignIsAccepted) {
  std::string minisign = testing::FindProgram("minisign");
  if (minisign.empty()) GTEST_SKIP() << "minisign is not installed (scripts/install-deps.sh)";
  ASSERT_TRUE(Build().error.empty());
  ASSERT_EQ(std::system((minisign + " -G -W -p '" + dir_.File("m.pub") + "' -s '" +
                         dir_.File("m.key") + "' >/dev/null")
                            .c_str()),
            0);
  std::filesystem::remove(Site("manifest.json.minisig"));
  ASSERT_EQ(std::system((minisign + " -S -s '" + dir_.File("m.key") + "' -m '" +
                         Site("manifest.json") + "' >/dev/null")
                            .c_str()),
            0);
  testing::RunResult v = Verify(Site(), "--pubkey '" + dir_.File("m.pub") + "'");
  EXPECT_EQ(v.status, 0) << v.out << v.err;
  // And minisign verifies samizdat's own signature of the rebuilt manifest.
  std::filesystem::remove(Site("manifest.json"));
  ASSERT_TRUE(Build().error.empty());
  EXPECT_EQ(std::system((minisign + " -Vq -p '" + dir_.File("key.pub") + "' -m '" +
                         Site("manifest.json") + "'")
                            .c_str()),
            0);
}

TEST_F(SignedSiteTest, KeyInsideTheSiteIsRefused) {
  cfg_.sign.secret_key = Site("key");
  std::filesystem::create_directories(Site());
  WriteFile(Site("key"), trust::FormatSecretKeyFile(key_, ""));
  BuildReport r = Build();
  EXPECT_NE(r.error.find("lies inside the published tree"), std::string::npos) << r.error;
  EXPECT_FALSE(std::filesystem::exists(Site("manifest.json")));
}

TEST_F(SignedSiteTest, KeygenWritesAPrivateKeyOutsideTheSite) {
  WriteFile(dir_.File("samizdat.toml"), "[site]\noutput = \"site\"\n");
  testing::RunResult refused = RunSamizdat("keygen --config '" + dir_.File("samizdat.toml") +
                                           "' -o '" + Site("k.key") + "'");
  EXPECT_EQ(refused.status, 2) << refused.err;
  EXPECT_NE(refused.err.find("inside the published directory"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(Site("k.key")));
  testing::RunResult made = RunSamizdat("keygen --config '" + dir_.File("samizdat.toml") +
                                        "' -o '" + dir_.File("keys/k.key") + "'");
  ASSERT_EQ(made.status, 0) << made.err;
  struct stat st {};
  ASSERT_EQ(stat(dir_.File("keys/k.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(trust::ParseSecretKeyFile(ReadFile(dir_.File("keys/k.key")), "").ok());
  EXPECT_TRUE(trust::ParsePublicKey(ReadFile(dir_.File("keys/k.key.pub"))).ok());
  EXPECT_EQ(RunSamizdat("keygen --config '" + dir_.File("samizdat.toml") + "' -o '" +
                        dir_.File("keys/k.key") + "'")
                .status,
            2);  // never overwritten without --force
}

TEST_F(SignedSiteTest, EncryptedKeySignsWithThePassphraseFromTheEnvironment) {
  WriteFile(dir_.File("key"), trust::FormatSecretKeyFile(key_, "pass phrase", {1 << 15, 1 << 24}));
  cfg_.sign.password_env = "SAMIZDAT_TEST_KEY_PASSPHRASE";
  ::unsetenv("SAMIZDAT_TEST_KEY_PASSPHRASE");
  EXPECT_NE(Build().error.find("is not set"), std::string::npos);
  ::setenv("SAMIZDAT_TEST_KEY_PASSPHRASE", "wrong", 1);
  EXPECT_NE(Build().error.find("wrong passphrase"), std::string::npos);
  ::setenv("SAMIZDAT_TEST_KEY_PASSPHRASE", "pass phrase", 1);
  EXPECT_EQ(Build().error, "");
  ::unsetenv("SAMIZDAT_TEST_KEY_PASSPHRASE");
  EXPECT_EQ(Verify(Site(), "--pubkey '" + dir_.File("key.pub") + "'").status, 0);
}

}  // namespace
}  // namespace samizdat::publish
