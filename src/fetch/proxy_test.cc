// Per-source proxies end to end: `samizdat sync` through a real SOCKS5 server (microsocks)
// on 127.0.0.1, names resolved at the proxy and never here, a dead proxy that fails the
// source without a direct connection, and proxy variables in the environment that neither
// replace nor bypass the configured proxy. The proxy password never shows.
#include <netdb.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "fetch/fetcher.h"
#include "http_server.h"
#include "store/store.h"
#include "test_util.h"

namespace samizdat {
namespace {

using testing::ChildProcess;
using testing::HttpRequest;
using testing::HttpServer;
using testing::RunResult;
using testing::StaticSite;
using testing::TempDir;

// A host name only the proxy can resolve (its private /etc/hosts maps it to 127.0.0.1).
constexpr char kProxyOnlyName[] = "samizdat-origin";
constexpr char kProxyUser[] = "mirror";
constexpr char kProxyPassword[] = "pr0xy-s3cret";

std::string ArticlePage(const std::string& title) {
  std::string paras;
  for (int i = 0; i < 4; ++i)
    paras += "<p>" + title + "，这一段足够长，有逗号，也有句号，可以当作正文来读。</p>";
  return "<html><head><title>" + title + "</title></head><body><article><h1>" + title + "</h1>" +
         paras + "</article></body></html>";
}

bool ResolvesHere(const std::string& name) {
  addrinfo* result = nullptr;
  int rc = getaddrinfo(name.c_str(), "80", nullptr, &result);
  if (result) freeaddrinfo(result);
  return rc == 0;
}

// Sets environment variables for the life of the object and restores them after.
class ScopedEnv {
 public:
  explicit ScopedEnv(const std::vector<std::pair<std::string, std::string>>& vars) {
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name.c_str());
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      setenv(name.c_str(), value.c_str(), 1);
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, old] : saved_) {
      if (old)
        setenv(name.c_str(), old->c_str(), 1);
      else
        unsetenv(name.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// One microsocks process on a free loopback port, logging each connection it makes.
struct SocksServer {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
  std::string log_path;
  std::string Log() const { return testing::ReadFile(log_path); }
  // True when the proxy connected onward to host:port (microsocks logs each target).
  bool Connected(const std::string& host, int to_port) const {
    return Log().find("connected to " + host + ":" + std::to_string(to_port)) != std::string::npos;
  }
};

class SocksProxy : public ::testing::Test {
 protected:
  SocksProxy() : origin_([this](const HttpRequest& r) { return site_.Handle(r); }) {}

  // Starts microsocks; with `private_hosts` (see PrivateHostsPrefix), inside its own mount
  // namespace with a private /etc/hosts. With `auth`, it demands kProxyUser/kProxyPassword.
  void StartSocks(SocksServer* socks, bool auth,
                  const std::vector<std::string>& private_hosts = {}) {
    std::string microsocks = testing::FindProgram("microsocks");
    ASSERT_FALSE(microsocks.empty()) << "microsocks is not installed (scripts/install-deps.sh)";
    socks->port = testing::FreeLoopbackPort();
    socks->log_path = dir_.File("socks-" + std::to_string(socks->port) + ".log");
    std::vector<std::string> args = private_hosts;
    args.insert(args.end(), {microsocks, "-i", "127.0.0.1", "-p", std::to_string(socks->port)});
    if (auth) args.insert(args.end(), {"-u", kProxyUser, "-P", kProxyPassword});
    socks->process = std::make_unique<ChildProcess>(args, socks->log_path);
    ASSERT_TRUE(socks->process->WaitUntilAccepting(socks->port))
        << "microsocks did not start: " << socks->Log();
  }

  // A command prefix that runs a program in a new mount namespace where `hosts_file` is
  // /etc/hosts: as root, or else as root of a new user namespace. {} when neither is
  // permitted here.
  static std::vector<std::string> PrivateHostsPrefix(const std::string& hosts_file) {
    std::string unshare = testing::FindProgram("unshare");
    if (unshare.empty()) return {};
    for (bool user_namespace : {false, true}) {
      std::vector<std::string> prefix = {unshare};
      if (user_namespace) prefix.push_back("--map-root-user");
      prefix.insert(prefix.end(), {"--mount", "--propagation", "private", "/bin/sh", "-c",
                                   "mount --bind \"$0\" /etc/hosts && exec \"$@\"", hosts_file});
      std::vector<std::string> probe = prefix;
      probe.push_back("/bin/true");
      if (testing::RunChild(probe, /*quiet=*/true).status == 0) return prefix;
    }
    return {};
  }

  // A feed with two articles, every link on http://`host`:<origin port>/.
  std::string PutSite(const std::string& host) {
    std::string base = "http://" + host + ":" + std::to_string(origin_.port());
    site_.Put("/feed.xml",
              "<rss version=\"2.0\"><channel><title>f</title>"
              "<item><title>一</title><link>" +
                  base + "/a1.htm</link></item><item><title>二</title><link>" + base +
                  "/a2.htm</link></item></channel></rss>",
              "application/rss+xml");
    site_.Put("/a1.htm", ArticlePage("经代理的第一篇"));
    site_.Put("/a2.htm", ArticlePage("经代理的第二篇"));
    return base;
  }

  void WriteConfig(const std::string& feed_url, const std::string& proxy) {
    testing::WriteFile(dir_.File("samizdat.toml"), R"(store = "store.db"
[fetch]
allow_loopback = true
per_host_delay_ms = 0
backoff_base_ms = 10
max_retries = 1
connect_timeout_ms = 5000
[[channels]]
id = "c"
[[sources]]
id = "proxied"
kind = "rss"
url = ")" + feed_url + R"("
proxy = ")" + proxy + R"("
channels = ["c"]
)");
  }

  RunResult Sync(bool json) {
    return testing::RunSamizdat(std::string("sync ") + (json ? "--json " : "") + "--config '" +
                                dir_.File("samizdat.toml") + "'");
  }

  int64_t StoredArticles() {
    std::string err;
    auto store = store::Store::Open(dir_.File("store.db"), &err);
    EXPECT_TRUE(store) << err;
    return store ? store->CountArticles().value() : -1;
  }

  // Everything the store wrote (database and WAL), to look for secrets in it.
  std::string StoreBytes() {
    std::string all;
    for (const char* suffix : {"", "-wal", "-journal"}) {
      std::string path = dir_.File(std::string("store.db") + suffix);
      if (std::filesystem::exists(path)) all += testing::ReadFile(path);
    }
    return all;
  }

  std::string AuthProxyUrl(int port) {
    return std::string("socks5h://") + kProxyUser + ":" + kProxyPassword +
           "@127.0.0.1:" + std::to_string(port);
  }

  TempDir dir_;
  StaticSite site_;
  HttpServer origin_;
};

TEST_F(SocksProxy, SyncFetchesFeedAndArticlesThroughSocks5h) {
  SocksServer socks;
  ASSERT_NO_FATAL_FAILURE(StartSocks(&socks, /*auth=*/true));
  std::string base = PutSite("127.0.0.1");
  WriteConfig(base + "/feed.xml", AuthProxyUrl(socks.port));
  RunResult r = Sync(/*json=*/true);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["sources"][0]["new"], 2) << r.out;
  EXPECT_EQ(StoredArticles(), 2);
  EXPECT_EQ(origin_.requests().size(), 3u);  // the feed and both articles
  EXPECT_TRUE(socks.Connected("127.0.0.1", origin_.port())) << socks.Log();
  EXPECT_EQ((r.out + r.err).find(kProxyPassword), std::string::npos);
}

TEST_F(SocksProxy, NamesAreResolvedAtTheProxyNeverHere) {
  ASSERT_FALSE(ResolvesHere(kProxyOnlyName))
      << kProxyOnlyName << " resolves on this machine; the test needs a name only the proxy knows";
  std::string hosts = dir_.File("hosts");
  testing::WriteFile(hosts, std::string("127.0.0.1 localhost\n127.0.0.1 ") + kProxyOnlyName + "\n");
  std::vector<std::string> private_hosts = PrivateHostsPrefix(hosts);
  if (private_hosts.empty())
    GTEST_SKIP() << "cannot give the proxy a private /etc/hosts: `unshare --mount` with a bind "
                    "mount is permitted neither as root nor in a user namespace here";
  SocksServer socks;
  ASSERT_NO_FATAL_FAILURE(StartSocks(&socks, /*auth=*/false, private_hosts));
  std::string base = PutSite(kProxyOnlyName);
  std::string host_header = std::string(kProxyOnlyName) + ":" + std::to_string(origin_.port());

  // Resolved here (socks5://), the name does not exist: the source fails, nothing is sent.
  WriteConfig(base + "/feed.xml", "socks5://127.0.0.1:" + std::to_string(socks.port));
  RunResult local = Sync(/*json=*/false);
  EXPECT_EQ(local.status, 1) << local.out << local.err;
  EXPECT_TRUE(origin_.requests().empty());

  // Resolved at the proxy (socks5h://): every request arrives, named as configured.
  WriteConfig(base + "/feed.xml", "socks5h://127.0.0.1:" + std::to_string(socks.port));
  RunResult r = Sync(/*json=*/false);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(StoredArticles(), 2);
  auto requests = origin_.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& req : requests) EXPECT_EQ(req.Header("host"), host_header) << req.path;
  EXPECT_TRUE(socks.Connected(kProxyOnlyName, origin_.port())) << socks.Log();
}

TEST_F(SocksProxy, DeadProxyFailsTheSourceWithoutADirectConnection) {
  testing::RefusingPort dead;
  std::string base = PutSite("127.0.0.1");
  WriteConfig(base + "/feed.xml", AuthProxyUrl(dead.port()));
  RunResult r = Sync(/*json=*/false);
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  std::string shown =
      std::string("socks5h://") + kProxyUser + ":***@127.0.0.1:" + std::to_string(dead.port());
  EXPECT_NE(r.err.find("source 'proxied' via proxy " + shown), std::string::npos) << r.err;
  EXPECT_TRUE(origin_.requests().empty()) << "fell back to a direct connection";
  EXPECT_EQ((r.out + r.err).find(kProxyPassword), std::string::npos) << r.out << r.err;
  std::string stored = StoreBytes();
  EXPECT_NE(stored.find(shown), std::string::npos);  // the fetch log and health note name it
  EXPECT_EQ(stored.find(kProxyPassword), std::string::npos);
}

TEST_F(SocksProxy, EnvironmentProxyVariablesNeitherReplaceNorBypassTheSourceProxy) {
  SocksServer env_socks;
  ASSERT_NO_FATAL_FAILURE(StartSocks(&env_socks, /*auth=*/false));
  testing::RefusingPort dead;
  std::string base = PutSite("127.0.0.1");
  auto proxy_env = [](const std::string& proxy) {
    return std::vector<std::pair<std::string, std::string>>{{"http_proxy", proxy},
                                                            {"HTTPS_PROXY", proxy},
                                                            {"https_proxy", proxy},
                                                            {"ALL_PROXY", proxy},
                                                            {"all_proxy", proxy},
                                                            {"no_proxy", "127.0.0.1,localhost"},
                                                            {"NO_PROXY", "127.0.0.1,localhost"}};
  };
  {
    // The source's proxy is dead; a live one in the environment must not be used, and
    // no_proxy must not turn the request into a direct one.
    ScopedEnv env(proxy_env("socks5h://127.0.0.1:" + std::to_string(env_socks.port)));
    WriteConfig(base + "/feed.xml", "socks5h://127.0.0.1:" + std::to_string(dead.port()));
    RunResult r = Sync(/*json=*/false);
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    EXPECT_TRUE(origin_.requests().empty()) << "bypassed the source's proxy";
    EXPECT_FALSE(env_socks.Connected("127.0.0.1", origin_.port())) << env_socks.Log();
  }
  {
    // The source's proxy is live; the environment names a dead one.
    ScopedEnv env(proxy_env("socks5h://127.0.0.1:" + std::to_string(dead.port())));
    WriteConfig(base + "/feed.xml", "socks5h://127.0.0.1:" + std::to_string(env_socks.port));
    RunResult r = Sync(/*json=*/false);
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_EQ(origin_.requests().size(), 3u);
    EXPECT_TRUE(env_socks.Connected("127.0.0.1", origin_.port())) << env_socks.Log();
  }
}

TEST_F(SocksProxy, RejectedCredentialsAreReportedWithoutThePassword) {
  SocksServer socks;
  ASSERT_NO_FATAL_FAILURE(StartSocks(&socks, /*auth=*/true));
  std::string base = PutSite("127.0.0.1");
  fetch::FetchOptions options;
  options.allow_loopback = true;
  options.max_retries = 0;
  std::string wrong = "socks5h://" + std::string(kProxyUser) + ":not-" + kProxyPassword +
                      "@127.0.0.1:" + std::to_string(socks.port);
  auto http = fetch::NewCurlHttpClient(options);
  fetch::Response r = http->FetchAll({{base + "/feed.xml", "", "", wrong, "proxied"}})[0];
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("source 'proxied' via proxy socks5h://" + std::string(kProxyUser) +
                         ":***@127.0.0.1:" + std::to_string(socks.port)),
            std::string::npos)
      << r.error;
  EXPECT_EQ(r.error.find(kProxyPassword), std::string::npos) << r.error;
  EXPECT_TRUE(origin_.requests().empty());
}

}  // namespace
}  // namespace samizdat
