// Command-line habits operators rely on, through the real binary: --help names "samizdat",
// man pages and completions generated from the command line, configuration discovery,
// problems on standard error, colour only on a terminal and never with NO_COLOR, JSON
// summaries for build and publish, and messages that say what is wrong.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "http_server.h"
#include "test_util.h"

namespace samizdat {
namespace {

using nlohmann::json;
using testing::RunSamizdat;
using testing::TempDir;

// Sets an environment variable for the life of the object and restores it after.
class ScopedVar {
 public:
  ScopedVar(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedVar() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Runs the shell command `command`; its exit status, with standard output and error in
// *output.
int Shell(const std::string& command, const TempDir& tmp, std::string* output) {
  auto run = testing::RunChild({"/bin/sh", "-c", command + " > " + tmp.File("sh.out") + " 2>&1"});
  *output = testing::ReadFile(tmp.File("sh.out"));
  return run.status;
}

std::string Article(int n) {
  std::string paras;
  for (int i = 0; i < 4; ++i)
    paras += "<p>Paragraph " + std::to_string(i) + " of article " + std::to_string(n) +
             ", with commas, clauses, and enough words to be taken as the body.</p>";
  return "<html><head><title>Article " + std::to_string(n) + "</title></head><body><article><h1>" +
         "Article " + std::to_string(n) + "</h1>" + paras + "</article></body></html>";
}

// A loopback site with a one-article feed, and a mirror configuration syncing it.
class Mirror {
 public:
  Mirror() : server_([this](const testing::HttpRequest& r) { return site_.Handle(r); }) {
    site_.Put("/a/1.html", Article(1));
    PutFeed("/a/1.html");
    config_ = tmp_.File("samizdat.toml");
    WriteConfig("");
  }
  void PutFeed(const std::string& link) {
    site_.Put("/feed.xml",
              "<rss version=\"2.0\"><channel><title>Feed</title><item><title>A</title><link>" +
                  server_.Url(link) + "</link></item></channel></rss>",
              "application/rss+xml");
  }
  void WriteConfig(const std::string& extra) {
    testing::WriteFile(config_,
                       "store = \"store.db\"\n[site]\noutput = \"site\"\n[fetch]\n"
                       "allow_loopback = true\nper_host_delay_ms = 0\nmax_retries = 0\n" +
                           extra + "[[channels]]\nid = \"news\"\n[[sources]]\nid = \"feed\"\n" +
                           "kind = \"rss\"\nurl = \"" + server_.Url("/feed.xml") +
                           "\"\nchannels = [\"news\"]\n");
  }
  const std::string& config() const { return config_; }
  const TempDir& tmp() const { return tmp_; }
  testing::StaticSite& site() { return site_; }
  std::string Url(const std::string& path) const { return server_.Url(path); }

 private:
  TempDir tmp_;
  testing::StaticSite site_;
  testing::HttpServer server_;
  std::string config_;
};

TEST(Help, NamesTheProgramNotItsPath) {
  for (const char* args : {"--help", "sync --help", "watch --help"}) {
    auto r = RunSamizdat(args);
    EXPECT_EQ(r.status, 0) << args;
    EXPECT_EQ(r.out.find(SAMIZDAT_BINARY), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("samizdat"), std::string::npos) << r.out;
  }
  EXPECT_EQ(RunSamizdat("--help").out.rfind("samizdat", 0), 0u);
}

TEST(GeneratedDocs, ManPagesAndCompletionsCoverEveryCommand) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.File("man"));
  std::filesystem::create_directories(tmp.File("comp"));
  auto r =
      RunSamizdat("generate-docs --man " + tmp.File("man") + " --completions " + tmp.File("comp"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(RunSamizdat("--help").out.find("generate-docs"), std::string::npos);  // hidden
  std::string overview = testing::ReadFile(tmp.File("man/samizdat.1"));
  std::string bash = testing::ReadFile(tmp.File("comp/samizdat"));
  std::string zsh = testing::ReadFile(tmp.File("comp/_samizdat"));
  std::string fish = testing::ReadFile(tmp.File("comp/samizdat.fish"));
  for (const char* command :
       {"extract", "convert", "feed", "sync", "build", "publish", "serve", "init", "watch"}) {
    std::string page = tmp.File("man/samizdat-" + std::string(command) + ".1");
    ASSERT_TRUE(std::filesystem::exists(page)) << command;
    std::string out;
    // groff's own warnings (-ww) on the page: none.
    EXPECT_EQ(Shell("groff -man -ww -z " + page, tmp, &out), 0) << out;
    EXPECT_EQ(out, "") << command;
    EXPECT_NE(overview.find("samizdat\\-" + std::string(command)), std::string::npos);
    EXPECT_NE(bash.find(command), std::string::npos);
    EXPECT_NE(zsh.find(command), std::string::npos);
    EXPECT_NE(fish.find("-a " + std::string(command)), std::string::npos);
  }
  EXPECT_NE(testing::ReadFile(tmp.File("man/samizdat-watch.1")).find("\\-\\-metrics"),
            std::string::npos);
  // The bash completion, run by bash: commands, then the options of one.
  std::string out;
  EXPECT_EQ(Shell("bash -c 'source " + tmp.File("comp/samizdat") +
                      "; COMP_WORDS=(samizdat wa); COMP_CWORD=1; _samizdat; echo ${COMPREPLY[@]};"
                      " COMP_WORDS=(samizdat watch --me); COMP_CWORD=2; _samizdat;"
                      " echo ${COMPREPLY[@]}'",
                  tmp, &out),
            0);
  EXPECT_EQ(out, "watch\n--metrics\n");
}

TEST(ConfigDiscovery, EnvironmentThenWorkingDirectoryThenXdg) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.File("xdg/samizdat"));
  std::filesystem::create_directories(tmp.File("cwd"));
  std::filesystem::create_directories(tmp.File("empty"));
  // Three configurations that differ in their store, so `build` names which it read.
  for (const char* where : {"env.toml", "cwd/samizdat.toml", "xdg/samizdat/config.toml"})
    testing::WriteFile(tmp.File(where), "store = \"" + std::string(where) + ".db\"\n");
  std::string old_dir = std::filesystem::current_path().string();
  ScopedVar xdg("XDG_CONFIG_HOME", tmp.File("xdg"));
  std::filesystem::current_path(tmp.File("empty"));
  auto from_xdg = RunSamizdat("build");
  EXPECT_NE(from_xdg.err.find("xdg/samizdat/config.toml.db"), std::string::npos) << from_xdg.err;
  std::filesystem::current_path(tmp.File("cwd"));
  auto from_cwd = RunSamizdat("build");
  EXPECT_NE(from_cwd.err.find("cwd/samizdat.toml.db"), std::string::npos) << from_cwd.err;
  {
    ScopedVar env("SAMIZDAT_CONFIG", tmp.File("env.toml"));
    auto from_env = RunSamizdat("build");
    EXPECT_NE(from_env.err.find("env.toml.db"), std::string::npos) << from_env.err;
    auto given = RunSamizdat("build --config " + tmp.File("xdg/samizdat/config.toml"));
    EXPECT_NE(given.err.find("xdg/samizdat/config.toml.db"), std::string::npos) << given.err;
  }
  std::filesystem::current_path(tmp.File("empty"));
  ScopedVar no_xdg("XDG_CONFIG_HOME", tmp.File("empty"));
  auto none = RunSamizdat("build");
  std::filesystem::current_path(old_dir);
  EXPECT_EQ(none.status, 2);
  EXPECT_NE(none.err.find("no configuration found"), std::string::npos) << none.err;
}

TEST(SyncOutput, FailuresGoToStandardErrorAndAnUnhealthySourceCountsThem) {
  Mirror m;
  m.PutFeed("/a/missing.html");
  m.site().Put("/feed.xml", "gone");  // not a feed: the source itself fails
  testing::RunSamizdat("sync --config " + m.config());
  auto r = testing::RunSamizdat("sync --config " + m.config());
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out.find("failed:"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("feed: failed: "), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("[UNHEALTHY: 2 failures in a row]"), std::string::npos) << r.out;
  auto quiet = testing::RunSamizdat("-q sync --config " + m.config());
  EXPECT_EQ(quiet.out, "");
  EXPECT_NE(quiet.err.find("failed: "), std::string::npos);
}

TEST(Colour, OnlyOnATerminalAndNeverWithNoColor) {
  TempDir tmp;
  std::string cmd = std::string(SAMIZDAT_BINARY) + " build --config " + tmp.File("none.toml");
  std::string out;
  Shell("TERM=xterm script -qec '" + cmd + "' /dev/null", tmp, &out);
  EXPECT_NE(out.find("\x1b[31msamizdat:\x1b[0m"), std::string::npos) << out;
  Shell("TERM=xterm NO_COLOR=1 script -qec '" + cmd + "' /dev/null", tmp, &out);
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_NE(out.find("samizdat:"), std::string::npos) << out;
  auto piped = RunSamizdat("build --config " + tmp.File("none.toml"));
  EXPECT_EQ(piped.err.find('\x1b'), std::string::npos) << piped.err;
}

TEST(BuildAndPublish, JsonSummariesAndTheMissingRemote) {
  Mirror m;
  ASSERT_EQ(RunSamizdat("sync --config " + m.config()).status, 0);
  auto build = RunSamizdat("build --json --config " + m.config());
  ASSERT_EQ(build.status, 0) << build.err;
  json b = json::parse(build.out);
  EXPECT_EQ(b["articles"], 1);
  EXPECT_EQ(b["ok"], true);
  auto publish = RunSamizdat("publish --json --config " + m.config());
  ASSERT_EQ(publish.status, 0) << publish.err;
  json p = json::parse(publish.out);
  EXPECT_EQ(p["site"]["committed"], true);
  EXPECT_EQ(p["site"]["remotes"].size(), 0u);
  EXPECT_NE(publish.err.find("no remote configured"), std::string::npos) << publish.err;
}

TEST(BuildAndPublish, ABadRemotePathSaysWhatIsWrong) {
  Mirror m;
  m.WriteConfig("");
  std::string cfg = testing::ReadFile(m.config());
  testing::WriteFile(m.config(), cfg + "[[publish.remotes]]\nname = \"backup\"\nurl = \"" +
                                     m.tmp().File("no-such-repo.git") + "\"\n");
  ASSERT_EQ(RunSamizdat("sync --config " + m.config()).status, 0);
  ASSERT_EQ(RunSamizdat("build --config " + m.config()).status, 0);
  auto publish = RunSamizdat("publish --config " + m.config());
  EXPECT_EQ(publish.status, 1);
  EXPECT_EQ(publish.err.find("unsupported URL protocol"), std::string::npos) << publish.err;
  EXPECT_NE(publish.err.find("does not exist"), std::string::npos) << publish.err;
  EXPECT_NE(publish.err.find("git init --bare"), std::string::npos) << publish.err;
}

TEST(BuildAndPublish, AFailedImageIsNamedAndCountedInTheExitStatus) {
  Mirror m;
  std::string page = Article(1);
  page.insert(page.find("</h1>") + 5, "<img src=\"" + m.Url("/img/missing.png") + "\">");
  m.site().Put("/a/1.html", page);
  ASSERT_EQ(RunSamizdat("sync --config " + m.config()).status, 0);
  auto build = RunSamizdat("build --config " + m.config());
  EXPECT_EQ(build.status, 1) << build.err;
  EXPECT_NE(build.err.find(m.Url("/img/missing.png")), std::string::npos) << build.err;
}

TEST(SyncOutput, TheLoopbackRefusalNamesTheSetting) {
  Mirror m;
  std::string cfg = testing::ReadFile(m.config());
  cfg.replace(cfg.find("allow_loopback = true"), 21, "allow_loopback = false");
  testing::WriteFile(m.config(), cfg);
  auto r = RunSamizdat("sync --config " + m.config());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("[fetch] allow_loopback"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace samizdat

namespace samizdat {
namespace {

TEST(Init, TheTemplateMatchesTheDocumentedDefaultsAndSyncsItsExampleOffline) {
  testing::TempDir tmp;
  auto init = testing::RunSamizdat("init " + tmp.File("mirror"));
  ASSERT_EQ(init.status, 0) << init.err;
  std::string cfg = testing::ReadFile(tmp.File("mirror/samizdat.toml"));
  EXPECT_NE(cfg.find("theme = \"markdown\""), std::string::npos) << cfg;  // doc/config.md
  EXPECT_NE(cfg.find("link_policy = \"keep\""), std::string::npos) << cfg;
  EXPECT_NE(cfg.find("per_host_delay_ms = 250"), std::string::npos) << cfg;
  EXPECT_EQ(cfg.find("example.com"), std::string::npos) << cfg;
  auto sync = testing::RunSamizdat("sync --config " + tmp.File("mirror/samizdat.toml"));
  EXPECT_EQ(sync.status, 0) << sync.out << sync.err;
  EXPECT_NE(sync.out.find("1 new"), std::string::npos) << sync.out;
  auto build = testing::RunSamizdat("build --config " + tmp.File("mirror/samizdat.toml"));
  EXPECT_EQ(build.status, 0) << build.out << build.err;
  EXPECT_EQ(testing::RunSamizdat("init " + tmp.File("mirror")).status, 1);  // never overwrites
}

}  // namespace
}  // namespace samizdat
