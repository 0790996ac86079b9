#include "test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace samizdat::testing {

std::string FixturePath(const std::string& name) {
  return std::string(SAMIZDAT_SOURCE_DIR) + "/tests/fixtures/" + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary);
  out << contents;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string ReadFixture(const std::string& name) { return ReadFile(FixturePath(name)); }

std::string SharedDir() {
  std::string dir = SAMIZDAT_SHARED_DIR;
  return std::filesystem::is_directory(dir + "/datasets") ? dir : std::string();
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "samizdat-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

RunResult RunSamizdat(const std::string& args, const std::string& stdin_path) {
  TempDir tmp;
  std::string cmd = std::string(SAMIZDAT_BINARY) + " " + args + " > " + tmp.File("out") + " 2> " +
                    tmp.File("err");
  if (!stdin_path.empty()) cmd += " < '" + stdin_path + "'";
  int raw = std::system(cmd.c_str());
  RunResult r;
  if (WIFEXITED(raw))
    r.status = WEXITSTATUS(raw);
  else if (WIFSIGNALED(raw))
    r.status = 128 + WTERMSIG(raw);
  r.out = ReadFile(tmp.File("out"));
  r.err = ReadFile(tmp.File("err"));
  return r;
}

}  // namespace samizdat::testing
