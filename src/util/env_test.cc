#include "util/env.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "test_util.h"
#include "util/fault_injection_env.h"

namespace samizdat {
namespace {

using Op = FaultInjectionEnv::Op;

std::string Read(Env& env, const std::string& path) {
  std::string s;
  EXPECT_TRUE(env.ReadFileToString(path, &s).ok()) << path;
  return s;
}

TEST(Env, AtomicWriteCreatesParentsAndLeavesNoTempFile) {
  testing::TempDir tmp;
  Env& env = *Env::Default();
  std::string path = tmp.File("a/b/page.md");
  ASSERT_TRUE(env.WriteFileAtomic(path, "hello").ok());
  EXPECT_EQ(Read(env, path), "hello");
  std::vector<std::string> names;
  ASSERT_TRUE(env.ListDir(tmp.File("a/b"), &names).ok());
  EXPECT_EQ(names, std::vector<std::string>{"page.md"});
  FileInfo info;
  ASSERT_TRUE(env.Stat(path, &info).ok());
  EXPECT_TRUE(info.is_regular);
  EXPECT_EQ(info.size, 5);
  EXPECT_TRUE(env.Stat(tmp.File("nothing"), &info).IsNotFound());
}

TEST(Env, ErrorsNameThePathAndMapEnospc) {
  Status s = Status::FromErrno(ENOSPC, "cannot write", "/x/y");
  EXPECT_TRUE(s.IsNoSpace());
  EXPECT_NE(s.message().find("/x/y"), std::string::npos);
  EXPECT_EQ(s.WithContext("source rfa").message().rfind("source rfa: ", 0), 0u);
  std::string contents;
  Status missing = Env::Default()->ReadFileToString("/nonexistent/samizdat", &contents);
  EXPECT_TRUE(missing.IsNotFound());
  EXPECT_NE(missing.message().find("/nonexistent/samizdat"), std::string::npos);
}

TEST(Env, RealPathAndRecursiveListing) {
  testing::TempDir tmp;
  Env& env = *Env::Default();
  ASSERT_TRUE(env.WriteFileAtomic(tmp.File("a/b/one.md"), "1").ok());
  ASSERT_TRUE(env.WriteFileAtomic(tmp.File("a/.git/index.lock"), "").ok());
  ASSERT_TRUE(env.WriteFileAtomic(tmp.File("two.md"), "2").ok());
  std::string root, real;
  ASSERT_TRUE(env.RealPath(tmp.path(), &root).ok());
  ASSERT_TRUE(env.RealPath(tmp.File("a/b/../../two.md"), &real).ok());
  EXPECT_EQ(real, root + "/two.md");
  EXPECT_TRUE(env.RealPath(tmp.File("missing/x"), &real).IsNotFound());
  std::vector<std::string> files;
  ASSERT_TRUE(ListFilesRecursively(env, tmp.path(), ".git", &files).ok());
  EXPECT_EQ(files, (std::vector<std::string>{tmp.File("a/b/one.md"), tmp.File("two.md")}));
  files.clear();
  ASSERT_TRUE(ListFilesRecursively(env, tmp.File("nothing"), "", &files).ok());
  EXPECT_TRUE(files.empty());
}

TEST(Env, TempFileNames) {
  EXPECT_TRUE(IsTempFileName("n1.md.tmp.123"));
  EXPECT_FALSE(IsTempFileName("n1.md"));
  EXPECT_FALSE(IsTempFileName("n1.tmp.md"));
  EXPECT_FALSE(IsTempFileName("x.tmp."));
  EXPECT_FALSE(IsTempFileName(".tmp.1"));
}

// Each step of an atomic write can fail; none leaves a partial target or a temp file.
TEST(FaultInjectionEnv, FailingAnyStepOfAnAtomicWriteKeepsTheOldFile) {
  for (Op op : {Op::kCreate, Op::kWrite, Op::kSync, Op::kRename, Op::kSyncDir}) {
    testing::TempDir tmp;
    std::string path = tmp.File("page.md");
    ASSERT_TRUE(Env::Default()->WriteFileAtomic(path, "old").ok());
    FaultInjectionEnv env(Env::Default());
    env.FailNth(op, 1, ENOSPC);
    Status s = env.WriteFileAtomic(path, "new", /*durable=*/true);
    EXPECT_TRUE(s.IsNoSpace()) << static_cast<int>(op) << " " << s.ToString();
    std::string now = Read(*Env::Default(), path);
    // A failed directory sync comes after the rename: the new file is in place.
    EXPECT_EQ(now, op == Op::kSyncDir ? "new" : "old") << static_cast<int>(op);
    std::vector<std::string> names;
    ASSERT_TRUE(Env::Default()->ListDir(tmp.path(), &names).ok());
    EXPECT_EQ(names, std::vector<std::string>{"page.md"}) << static_cast<int>(op);
  }
}

TEST(FaultInjectionEnv, CrashDropsUnsyncedWritesAndRenames) {
  testing::TempDir tmp;
  std::string durable = tmp.File("durable.md"), loose = tmp.File("loose.md");
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(loose, "old").ok());
  FaultInjectionEnv env(Env::Default());
  ASSERT_TRUE(env.WriteFileAtomic(durable, "kept", /*durable=*/true).ok());
  ASSERT_TRUE(env.WriteFileAtomic(loose, "lost", /*durable=*/false).ok());
  int64_t before = env.mutations();
  env.CrashAt(before + 1);
  EXPECT_FALSE(env.WriteFileAtomic(tmp.File("never.md"), "x").ok());
  EXPECT_TRUE(env.crashed());
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  EXPECT_EQ(Read(*Env::Default(), durable), "kept");
  EXPECT_EQ(Read(*Env::Default(), loose), "old");
  EXPECT_FALSE(Env::Default()->FileExists(tmp.File("never.md")));
}

TEST(FaultInjectionEnv, CountsOperationsByKind) {
  testing::TempDir tmp;
  FaultInjectionEnv env(Env::Default());
  ASSERT_TRUE(env.WriteFileAtomic(tmp.File("a"), "1").ok());
  EXPECT_EQ(env.count(Op::kCreate), 1);
  EXPECT_EQ(env.count(Op::kWrite), 1);
  EXPECT_EQ(env.count(Op::kSync), 1);
  EXPECT_EQ(env.count(Op::kRename), 1);
  EXPECT_EQ(env.count(Op::kSyncDir), 1);
  EXPECT_GE(env.mutations(), 5);
}

}  // namespace
}  // namespace samizdat
