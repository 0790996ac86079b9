// Concurrent opens of one store, and the mirror lock (doc/store.md, "Concurrent runs").
#include "store/store_lock.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <latch>
#include <thread>
#include <vector>

#include "store/store.h"
#include "test_util.h"

namespace samizdat::store {
namespace {

using testing::TempDir;

TEST(StoreOpen, ConcurrentOpensOfAFreshStoreAllSucceed) {
  TempDir tmp;
  const std::string path = tmp.File("fresh.db");
  constexpr int kOpeners = 8;
  std::latch start(kOpeners);
  std::vector<std::string> errors(kOpeners);
  // Not vector<bool>: its elements share words, so threads setting their own would race.
  std::vector<char> opened(kOpeners, 0);
  std::vector<int> versions(kOpeners, -1);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i)
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto store = Store::Open(path, &errors[i]);
      opened[i] = store != nullptr;
      if (store) versions[i] = store->schema_version().value();
    });
  for (auto& t : threads) t.join();
  for (int i = 0; i < kOpeners; ++i) {
    EXPECT_TRUE(opened[i]) << "opener " << i << ": " << errors[i];
    EXPECT_EQ(versions[i], Store::kSchemaVersion) << "opener " << i;
  }
  std::string error;
  auto store = Store::Open(path, &error);
  ASSERT_TRUE(store) << error;
  EXPECT_EQ(store->IntegrityCheck(), "ok");
}

TEST(StoreLock, SecondHolderIsRefusedWithThePidUntilTheFirstReleases) {
  TempDir tmp;
  const std::string path = tmp.File("s.db");
  std::unique_ptr<StoreLock> first, second;
  std::string error;
  ASSERT_EQ(StoreLock::TryAcquire(path, &first, &error), StoreLock::Outcome::kAcquired) << error;
  EXPECT_EQ(testing::ReadFile(StoreLock::LockPath(path)), std::to_string(getpid()) + "\n");
  ASSERT_EQ(StoreLock::TryAcquire(path, &second, &error), StoreLock::Outcome::kHeld);
  EXPECT_FALSE(second);
  EXPECT_NE(error.find("pid " + std::to_string(getpid())), std::string::npos) << error;
  EXPECT_NE(error.find("in use by another samizdat run"), std::string::npos) << error;
  first.reset();
  EXPECT_EQ(StoreLock::TryAcquire(path, &second, &error), StoreLock::Outcome::kAcquired) << error;
}

TEST(StoreLock, AKilledHolderLeavesNoStaleLock) {
  TempDir tmp;
  const std::string path = tmp.File("s.db");
  int ready[2], hold[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(hold), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::unique_ptr<StoreLock> lock;
    std::string error;
    char c =
        StoreLock::TryAcquire(path, &lock, &error) == StoreLock::Outcome::kAcquired ? 'y' : 'n';
    (void)!write(ready[1], &c, 1);
    (void)!read(hold[0], &c, 1);  // holds the lock until killed
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  std::unique_ptr<StoreLock> lock;
  std::string error;
  EXPECT_EQ(StoreLock::TryAcquire(path, &lock, &error), StoreLock::Outcome::kHeld);
  EXPECT_NE(error.find("pid " + std::to_string(child)), std::string::npos) << error;
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(StoreLock::TryAcquire(path, &lock, &error), StoreLock::Outcome::kAcquired) << error;
  for (int fd : {ready[0], ready[1], hold[0], hold[1]}) close(fd);
}

TEST(StoreLock, AnUncreatableLockFileIsAnError) {
  std::unique_ptr<StoreLock> lock;
  std::string error;
  EXPECT_EQ(StoreLock::TryAcquire("/nonexistent-dir/s.db", &lock, &error),
            StoreLock::Outcome::kError);
  EXPECT_NE(error.find("/nonexistent-dir/s.db.lock"), std::string::npos) << error;
}

}  // namespace
}  // namespace samizdat::store
