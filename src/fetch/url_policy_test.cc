// What the fetcher may reach: every special-purpose address range (its edges and the
// addresses just outside), refusals at connect time naming the config key, and local
// files only for configured sources under the file root.
#include "fetch/url_policy.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>

#include "config/config.h"
#include "fetch/fetcher.h"
#include "http_server.h"
#include "test_util.h"
#include "util/fault_injection_env.h"

namespace samizdat::fetch {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;
using testing::TempDir;

constexpr AddressClass kPublic = AddressClass::kPublic;
constexpr AddressClass kLoopback = AddressClass::kLoopback;
constexpr AddressClass kPrivate = AddressClass::kPrivate;
constexpr AddressClass kLinkLocal = AddressClass::kLinkLocal;
constexpr AddressClass kMulticast = AddressClass::kMulticast;
constexpr AddressClass kReserved = AddressClass::kReserved;

struct Case {
  const char* ip;
  AddressClass expected;
};

// Each range: its first and last address, and the public neighbours just outside.
constexpr Case kIpv4Cases[] = {
    {"0.0.0.0", kReserved},
    {"0.255.255.255", kReserved},
    {"1.0.0.0", kPublic},
    {"9.255.255.255", kPublic},
    {"10.0.0.0", kPrivate},
    {"10.255.255.255", kPrivate},
    {"11.0.0.0", kPublic},
    {"100.63.255.255", kPublic},
    {"100.64.0.0", kPrivate},
    {"100.127.255.255", kPrivate},
    {"100.128.0.0", kPublic},
    {"126.255.255.255", kPublic},
    {"127.0.0.0", kLoopback},
    {"127.255.255.255", kLoopback},
    {"128.0.0.0", kPublic},
    {"169.253.255.255", kPublic},
    {"169.254.0.0", kLinkLocal},
    {"169.254.169.254", kLinkLocal},
    {"169.254.255.255", kLinkLocal},
    {"169.255.0.0", kPublic},
    {"172.15.255.255", kPublic},
    {"172.16.0.0", kPrivate},
    {"172.31.255.255", kPrivate},
    {"172.32.0.0", kPublic},
    {"191.255.255.255", kPublic},
    {"192.0.0.0", kReserved},
    {"192.0.0.255", kReserved},
    {"192.0.1.0", kPublic},
    {"192.0.2.0", kReserved},
    {"192.0.2.255", kReserved},
    {"192.0.3.0", kPublic},
    {"192.88.98.255", kPublic},
    {"192.88.99.0", kReserved},
    {"192.88.99.255", kReserved},
    {"192.88.100.0", kPublic},
    {"192.167.255.255", kPublic},
    {"192.168.0.0", kPrivate},
    {"192.168.255.255", kPrivate},
    {"192.169.0.0", kPublic},
    {"198.17.255.255", kPublic},
    {"198.18.0.0", kPrivate},
    {"198.19.255.255", kPrivate},
    {"198.20.0.0", kPublic},
    {"198.51.99.255", kPublic},
    {"198.51.100.0", kReserved},
    {"198.51.100.255", kReserved},
    {"198.51.101.0", kPublic},
    {"203.0.112.255", kPublic},
    {"203.0.113.0", kReserved},
    {"203.0.113.255", kReserved},
    {"203.0.114.0", kPublic},
    {"223.255.255.255", kPublic},
    {"224.0.0.0", kMulticast},
    {"239.255.255.255", kMulticast},
    {"240.0.0.0", kReserved},
    {"255.255.255.254", kReserved},
    {"255.255.255.255", kReserved},
    {"93.184.216.34", kPublic},
};

constexpr Case kIpv6Cases[] = {
    {"::", kReserved},
    {"::1", kLoopback},
    {"::2", kReserved},  // IPv4-compatible 0.0.0.2
    // IPv4-mapped, IPv4-translated and IPv4-compatible: the embedded address decides.
    {"::ffff:0.0.0.0", kReserved},
    {"::ffff:127.0.0.1", kLoopback},
    {"::ffff:10.0.0.1", kPrivate},
    {"::ffff:169.254.169.254", kLinkLocal},
    {"::ffff:224.0.0.1", kMulticast},
    {"::ffff:8.8.8.8", kPublic},
    {"::ffff:0:10.1.2.3", kPrivate},
    {"::ffff:0:8.8.8.8", kPublic},
    {"::10.1.2.3", kPrivate},
    {"::127.0.0.1", kLoopback},
    {"::8.8.8.8", kPublic},
    // NAT64.
    {"64:ff9b::", kReserved},
    {"64:ff9b::7f00:1", kLoopback},
    {"64:ff9b::a00:1", kPrivate},
    {"64:ff9b::c0a8:101", kPrivate},
    {"64:ff9b::6440:1", kPrivate},  // 100.64.0.1
    {"64:ff9b::c612:1", kPrivate},  // 198.18.0.1
    {"64:ff9b::808:808", kPublic},
    {"64:ff9b::ffff:ffff", kReserved},
    {"64:ff9b:1::", kReserved},
    {"64:ff9b:1::808:808", kPrivate},  // local-use: at least private
    {"64:ff9b:1:ffff:ffff:ffff:7f00:1", kLoopback},
    {"64:ff9b:2::", kReserved},  // outside both NAT64 prefixes, outside 2000::/3
    {"100::", kReserved},
    {"100::ffff:ffff:ffff:ffff", kReserved},
    // 2001::/23, Teredo inside it, documentation.
    {"2001::", kReserved},
    {"2001:0:ffff:ffff:ffff:ffff:ffff:ffff", kReserved},
    {"2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", kReserved},
    {"2001:200::", kPublic},
    {"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", kPublic},
    {"2001:db8::", kReserved},
    {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", kReserved},
    {"2001:db9::", kPublic},
    {"2001:4860:4860::8888", kPublic},
    // 6to4: the IPv4 address in bits 16..47 decides.
    {"2002:a00:1::", kPrivate},
    {"2002:7f00:1::1", kLoopback},
    {"2002:c0a8:101::", kPrivate},
    {"2002:e000:1::", kMulticast},
    {"2002:ffff:ffff::", kReserved},
    {"2002:808:808::1", kPublic},
    {"2003::", kPublic},
    {"3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", kPublic},
    {"3fff::", kReserved},
    {"3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", kReserved},
    {"3fff:1000::", kPublic},
    {"4000::", kReserved},
    {"5f00::1", kReserved},
    {"1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", kReserved},
    {"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", kReserved},
    {"fc00::", kPrivate},
    {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", kPrivate},
    {"fe00::", kReserved},
    {"fe80::", kLinkLocal},
    {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", kLinkLocal},
    {"fec0::", kPrivate},
    {"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", kPrivate},
    {"ff00::", kMulticast},
    {"ff02::1", kMulticast},
    {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", kMulticast},
};

TEST(AddressPolicy, EveryIpv4SpecialPurposeRange) {
  for (const Case& c : kIpv4Cases)
    EXPECT_EQ(AddressClassName(ClassifyAddress(c.ip)), AddressClassName(c.expected)) << c.ip;
}

TEST(AddressPolicy, EveryIpv6SpecialPurposeRange) {
  for (const Case& c : kIpv6Cases)
    EXPECT_EQ(AddressClassName(ClassifyAddress(c.ip)), AddressClassName(c.expected)) << c.ip;
}

TEST(AddressPolicy, KeysAllowOnlyTheirClass) {
  EXPECT_TRUE(AddressAllowed(kPublic, false, false));
  EXPECT_FALSE(AddressAllowed(kLoopback, false, true));
  EXPECT_TRUE(AddressAllowed(kLoopback, true, false));
  EXPECT_FALSE(AddressAllowed(kPrivate, true, false));
  EXPECT_TRUE(AddressAllowed(kPrivate, false, true));
  for (AddressClass never : {kLinkLocal, kMulticast, kReserved})
    EXPECT_FALSE(AddressAllowed(never, true, true)) << AddressClassName(never);
  EXPECT_EQ(ClassifyAddress("not an address"), kReserved);
  EXPECT_NE(AddressRefusal("10.0.0.1", kPrivate).find("[fetch] allow_private"), std::string::npos);
  EXPECT_NE(AddressRefusal("::1", kLoopback).find("[fetch] allow_loopback"), std::string::npos);
  EXPECT_NE(AddressRefusal("224.0.0.1", kMulticast).find("never"), std::string::npos);
}

FetchOptions Strict() {
  FetchOptions o;
  o.max_retries = 0;
  o.per_host_delay_ms = 0;
  o.connect_timeout_ms = 2000;
  o.total_timeout_ms = 3000;
  return o;
}

Response FetchOne(const FetchOptions& o, Request r) {
  return NewCurlHttpClient(o)->FetchAll({std::move(r)})[0];
}

// The guard runs when curl opens the socket, before any packet leaves: these fail at once
// and need no network.
TEST(AddressPolicy, ConnectionsToRefusedAddressesFailNamingTheKey) {
  HttpServer server([](const HttpRequest&) { return HttpResponse{200, {}, "secret"}; });
  const std::string port = std::to_string(server.port());
  struct Refused {
    std::string url;
    std::string says;
  };
  const Refused cases[] = {
      {server.Url("/x"), "[fetch] allow_loopback"},
      {"http://[::ffff:127.0.0.1]:" + port + "/x", "[fetch] allow_loopback"},
      {"http://0.0.0.0:" + port + "/x", "never fetched"},
      {"http://10.0.0.1:9/x", "[fetch] allow_private"},
      {"http://100.64.0.1:9/x", "[fetch] allow_private"},
      {"http://198.18.0.1:9/x", "[fetch] allow_private"},
      {"http://169.254.169.254/latest/meta-data/", "link-local"},
      {"http://224.0.0.1:9/x", "multicast"},
      {"http://255.255.255.255:9/x", "never fetched"},
      {"http://[64:ff9b::a00:1]:9/x", "[fetch] allow_private"},
      {"http://[2002:c0a8:101::1]:9/x", "[fetch] allow_private"},
  };
  for (const auto& c : cases) {
    Response r = FetchOne(Strict(), {c.url});
    EXPECT_FALSE(r.ok) << c.url;
    EXPECT_TRUE(r.body.empty()) << c.url;
    EXPECT_NE(r.error.find(c.says), std::string::npos) << c.url << ": " << r.error;
    EXPECT_NE(r.error.find("refused to connect"), std::string::npos) << c.url << ": " << r.error;
  }
  EXPECT_TRUE(server.requests().empty());
}

TEST(AddressPolicy, RedirectToARefusedAddressIsRefused) {
  HttpServer inner([](const HttpRequest&) { return HttpResponse{200, {}, "inner"}; });
  HttpServer outer([&](const HttpRequest&) {
    return HttpResponse{302, {{"Location", "http://10.0.0.1:9/admin"}}, ""};
  });
  FetchOptions o = Strict();
  o.allow_loopback = true;
  Response r = FetchOne(o, {outer.Url("/go")});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("[fetch] allow_private"), std::string::npos) << r.error;
}

// A redirect may lead only to http(s): never to a local file, whatever the request.
TEST(LocalFiles, RedirectToFileIsRefused) {
  TempDir dir;
  testing::WriteFile(dir.File("secret.txt"), "top secret");
  HttpServer server([&](const HttpRequest&) {
    return HttpResponse{302, {{"Location", "file://" + dir.File("secret.txt")}}, ""};
  });
  FetchOptions o = Strict();
  o.allow_loopback = true;
  o.file_root = dir.path();
  Request req{server.Url("/feed.xml")};
  req.may_read_file = true;
  Response r = FetchOne(o, req);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.body.find("top secret"), std::string::npos);
  EXPECT_NE(r.error.find("refused redirect"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(server.Url("/feed.xml")), std::string::npos) << r.error;
}

class LocalFileRoot : public ::testing::Test {
 protected:
  LocalFileRoot() {
    std::filesystem::create_directories(root_.File("feeds/sub"));
    testing::WriteFile(root_.File("feeds/feed.xml"), "<rss/>");
    testing::WriteFile(root_.File("feeds/sub/a b.html"), "page");
    testing::WriteFile(outside_.File("secret.txt"), "top secret");
    std::filesystem::create_symlink(outside_.File("secret.txt"), root_.File("feeds/link.txt"));
    std::filesystem::create_directories(root_.File("feeds-old"));
    testing::WriteFile(root_.File("feeds-old/x.xml"), "old");
  }

  Response Read(const std::string& path, bool may_read_file = true) {
    FetchOptions o = Strict();
    o.file_root = root_.File("feeds");
    Request r{"file://" + path};
    r.may_read_file = may_read_file;
    return FetchOne(o, r);
  }

  TempDir root_, outside_;
};

TEST_F(LocalFileRoot, ConfiguredSourceUnderTheRootIsRead) {
  Response r = Read(root_.File("feeds/feed.xml"));
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.body, "<rss/>");
  EXPECT_TRUE(r.from_local_file);
  Response spaced = Read(root_.File("feeds/sub/a%20b.html"));
  EXPECT_TRUE(spaced.ok) << spaced.error;
  EXPECT_EQ(spaced.body, "page");
}

TEST_F(LocalFileRoot, LinksFromFetchedContentNeverReadFiles) {
  Response r = Read(root_.File("feeds/feed.xml"), /*may_read_file=*/false);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.body.empty());
  EXPECT_NE(r.error.find("configured sources"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("file://"), std::string::npos) << r.error;
}

TEST_F(LocalFileRoot, FilesOutsideTheRootAreRefused) {
  for (const std::string& path : {outside_.File("secret.txt"), root_.File("feeds/link.txt"),
                                  root_.File("feeds/../feeds-old/x.xml"),
                                  root_.File("feeds-old/x.xml"), std::string("/etc/passwd")}) {
    Response r = Read(path);
    EXPECT_FALSE(r.ok) << path;
    EXPECT_TRUE(r.body.empty()) << path;
    EXPECT_NE(r.error.find("outside [fetch] file_root"), std::string::npos) << r.error;
  }
}

TEST_F(LocalFileRoot, NoRootNoFiles) {
  FetchOptions o = Strict();
  Request r{"file://" + root_.File("feeds/feed.xml")};
  r.may_read_file = true;
  Response resp = FetchOne(o, r);
  EXPECT_FALSE(resp.ok);
  EXPECT_NE(resp.error.find("file_root"), std::string::npos) << resp.error;
  Response ftp = FetchOne(o, {"ftp://example.com/x"});
  EXPECT_NE(ftp.error.find("only http, https"), std::string::npos) << ftp.error;
}

TEST(LocalFiles, FileRootDefaultsToTheConfigDirectory) {
  std::string err;
  auto plain = config::ParseConfig("", "c.toml", "/srv/mirror", &err);
  ASSERT_TRUE(plain) << err;
  EXPECT_EQ(plain->fetch.file_root, "/srv/mirror");
  auto here = config::ParseConfig("", "c.toml", "", &err);
  ASSERT_TRUE(here) << err;
  EXPECT_EQ(here->fetch.file_root, ".");
  auto relative = config::ParseConfig("[fetch]\nfile_root = \"feeds\"\n", "c.toml", "/srv/m", &err);
  ASSERT_TRUE(relative) << err;
  EXPECT_EQ(relative->fetch.file_root, "/srv/m/feeds");
  auto empty = config::ParseConfig("[fetch]\nfile_root = \"\"\n", "c.toml", "/srv/m", &err);
  EXPECT_FALSE(empty);
  EXPECT_NE(err.find("fetch.file_root"), std::string::npos) << err;
}

}  // namespace
}  // namespace samizdat::fetch

namespace samizdat::fetch {
namespace {

// The file:// policy resolves paths through Env, so a test can fail it.
TEST(LocalFiles, RealPathsAreResolvedThroughEnv) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("feed.xml"), "<rss/>");
  std::string url = "file://" + dir.File("feed.xml"), why;
  FaultInjectionEnv env(Env::Default());
  EXPECT_EQ(LocalFilePath(env, url, true, dir.path(), &why),
            std::filesystem::canonical(dir.File("feed.xml")).string())
      << why;
  EXPECT_GE(env.count(FaultInjectionEnv::Op::kStat), 1);
  FaultInjectionEnv failing(Env::Default());
  failing.FailNth(FaultInjectionEnv::Op::kStat, 1, EACCES);
  why.clear();
  EXPECT_EQ(LocalFilePath(failing, url, true, dir.path(), &why), "");
  EXPECT_NE(why.find("injected fault"), std::string::npos) << why;
}

}  // namespace
}  // namespace samizdat::fetch
