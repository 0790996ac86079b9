/* A fault-injection shim for whole-process crash tests, loaded with LD_PRELOAD into the real
 * samizdat binary. It counts the process's mutating file-system operations (writes to regular
 * files, fsync, rename, unlink, mkdir, ftruncate), whoever makes them: samizdat's Env, SQLite
 * or libgit2. With SAMIZDAT_FAULT_AT=k the k-th one fails (SAMIZDAT_FAULT_MODE=eio or
 * enospc: the call returns -1 with that errno, later calls succeed) or kills the process
 * there with SIGKILL (mode crash, the default), before the operation happens. With
 * SAMIZDAT_FAULT_COUNT=FILE the number of operations seen is written to FILE at exit. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static atomic_long op_count;
static long fault_at = -1;
static int fault_errno = 0; /* 0: crash */

__attribute__((constructor)) static void fault_init(void) {
  const char* at = getenv("SAMIZDAT_FAULT_AT");
  const char* mode = getenv("SAMIZDAT_FAULT_MODE");
  if (at) fault_at = atol(at);
  if (mode && strcmp(mode, "eio") == 0) fault_errno = EIO;
  if (mode && strcmp(mode, "enospc") == 0) fault_errno = ENOSPC;
}

__attribute__((destructor)) static void fault_report(void) {
  const char* path = getenv("SAMIZDAT_FAULT_COUNT");
  if (!path) return;
  FILE* f = fopen(path, "w");
  if (!f) return;
  fprintf(f, "%ld\n", (long)atomic_load(&op_count));
  fclose(f);
}

/* With SAMIZDAT_FAULT_TRACE=FILE each operation is appended to FILE as "n call what". */
static void fault_trace(long n, const char* call, const char* what, int fd) {
  static FILE* trace;
  static int opened;
  if (!opened) {
    const char* path = getenv("SAMIZDAT_FAULT_TRACE");
    opened = 1;
    if (path) trace = fopen(path, "a");
  }
  if (!trace) return;
  char link[64], target[512] = "";
  if (!what && fd >= 0) {
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t len = readlink(link, target, sizeof target - 1);
    if (len > 0) target[len] = 0;
    what = target;
  }
  fprintf(trace, "%ld %s %s\n", n, call, what ? what : "");
  fflush(trace);
}

/* Counts one operation; returns nonzero (errno set) when it must fail. */
#define fault_hit_fd(fd) fault_hit_at(__func__, NULL, fd)
#define fault_hit_path(path) fault_hit_at(__func__, path, -1)
static int fault_hit_at(const char* call, const char* what, int fd) {
  long n = atomic_fetch_add(&op_count, 1) + 1;
  fault_trace(n, call, what, fd);
  if (n != fault_at) return 0;
  if (fault_errno == 0) kill(getpid(), SIGKILL);
  errno = fault_errno;
  return 1;
}

static int is_regular_fd(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void* buf, size_t n) {
  if (is_regular_fd(fd) && fault_hit_fd(fd)) return -1;
  return NEXT(write)(fd, buf, n);
}
ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  if (fault_hit_fd(fd)) return -1;
  return NEXT(pwrite)(fd, buf, n, off);
}
ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t off) {
  if (fault_hit_fd(fd)) return -1;
  return NEXT(pwrite64)(fd, buf, n, off);
}
ssize_t writev(int fd, const struct iovec* iov, int count) {
  if (is_regular_fd(fd) && fault_hit_fd(fd)) return -1;
  return NEXT(writev)(fd, iov, count);
}
int fsync(int fd) {
  if (fault_hit_fd(fd)) return -1;
  return NEXT(fsync)(fd);
}
int fdatasync(int fd) {
  if (fault_hit_fd(fd)) return -1;
  return NEXT(fdatasync)(fd);
}
int ftruncate(int fd, off_t len) {
  if (fault_hit_fd(fd)) return -1;
  return NEXT(ftruncate)(fd, len);
}
int ftruncate64(int fd, off64_t len) {
  if (fault_hit_fd(fd)) return -1;
  return NEXT(ftruncate64)(fd, len);
}
int rename(const char* from, const char* to) {
  if (fault_hit_path(to)) return -1;
  return NEXT(rename)(from, to);
}
int renameat(int fd1, const char* from, int fd2, const char* to) {
  if (fault_hit_path(to)) return -1;
  return NEXT(renameat)(fd1, from, fd2, to);
}
int unlink(const char* path) {
  if (fault_hit_path(path)) return -1;
  return NEXT(unlink)(path);
}
int unlinkat(int fd, const char* path, int flags) {
  if (fault_hit_path(path)) return -1;
  return NEXT(unlinkat)(fd, path, flags);
}
int remove(const char* path) {
  if (fault_hit_path(path)) return -1;
  return NEXT(remove)(path);
}
int mkdir(const char* path, mode_t mode) {
  if (fault_hit_path(path)) return -1;
  return NEXT(mkdir)(path, mode);
}
