// `serve` stays inside the site: no climbing, no hidden files, no symlink out of the root.
#include "publish/serve.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "fetch/fetcher.h"
#include "test_util.h"

namespace samizdat::publish {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

class ServeRoot : public ::testing::Test {
 protected:
  ServeRoot() {
    fs::create_directories(tmp_.File("site/pages"));
    fs::create_directories(tmp_.File("elsewhere"));
    testing::WriteFile(tmp_.File("site/index.html"), "home");
    testing::WriteFile(tmp_.File("site/pages/a.html"), "page");
    testing::WriteFile(tmp_.File("elsewhere/secret.txt"), "secret");
    testing::WriteFile(tmp_.File("elsewhere/index.html"), "secret index");
    fs::create_symlink(tmp_.File("elsewhere/secret.txt"), tmp_.File("site/leak.txt"));
    fs::create_symlink("../../elsewhere/secret.txt", tmp_.File("site/pages/relative-leak.txt"));
    fs::create_directory_symlink(tmp_.File("elsewhere"), tmp_.File("site/linked-dir"));
    fs::create_symlink("a.html", tmp_.File("site/pages/alias.html"));  // stays inside
    root_ = fs::canonical(tmp_.File("site")).string();
  }
  TempDir tmp_;
  std::string root_;
};

TEST_F(ServeRoot, RefusesSymlinksOutOfTheRoot) {
  EXPECT_EQ(ResolveRequestPath(*Env::Default(), root_, "/leak.txt"), "");
  EXPECT_EQ(ResolveRequestPath(*Env::Default(), root_, "/pages/relative-leak.txt"), "");
  EXPECT_EQ(ResolveRequestPath(*Env::Default(), root_, "/linked-dir/secret.txt"), "");
  EXPECT_EQ(ResolveRequestPath(*Env::Default(), root_, "/linked-dir/"),
            "");  // its index.html is outside too
  EXPECT_EQ(ResolveRequestPath(*Env::Default(), root_, "/pages/alias.html"),
            root_ + "/pages/a.html");
  EXPECT_EQ(ResolveRequestPath(*Env::Default(), root_, "/pages/a.html"), root_ + "/pages/a.html");
}

TEST_F(ServeRoot, RefusesClimbingEncodedClimbingAndNul) {
  for (const char* target :
       {"/../elsewhere/secret.txt", "/%2e%2e/elsewhere/secret.txt", "/%2E%2E/elsewhere/secret.txt",
        "/pages/..%2f..%2felsewhere/secret.txt", "/pages/a.html%00.txt",
        "/pages%5c..%5c..%5celsewhere/secret.txt"})
    EXPECT_EQ(ResolveRequestPath(*Env::Default(), root_, target), "") << target;
}

TEST_F(ServeRoot, TheServerAnswersNotFoundForASymlinkOut) {
  SiteServer server;
  std::string error;
  ASSERT_TRUE(server.Start(tmp_.File("site"), 0, &error)) << error;
  fetch::FetchOptions fo;
  fo.allow_loopback = fo.allow_private = true;
  fo.max_retries = 0;
  auto http = fetch::NewCurlHttpClient(fo);
  std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
  auto responses = http->FetchAll({{origin + "/leak.txt"}, {origin + "/pages/a.html"}});
  EXPECT_EQ(responses[0].status, 404);
  EXPECT_EQ(responses[0].body.find("secret"), std::string::npos);
  EXPECT_EQ(responses[1].status, 200);
  EXPECT_EQ(responses[1].body, "page");
  server.Stop();
}

}  // namespace
}  // namespace samizdat::publish
