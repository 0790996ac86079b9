#include "util/env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace samizdat {
namespace {

std::string ParentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(errno, "cannot write", path_);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }
  Status Sync() override {
    if (::fsync(fd_) != 0) return Status::FromErrno(errno, "cannot sync", path_);
    return Status::Ok();
  }
  Status Close() override {
    int fd = fd_;
    fd_ = -1;
    if (fd >= 0 && ::close(fd) != 0) return Status::FromErrno(errno, "cannot close", path_);
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixEnv final : public Env {
 public:
  Status ReadFileToString(const std::string& path, std::string* contents) override {
    contents->clear();
    int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "cannot open", path);
    char buf[1 << 16];
    Status status;
    while (true) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) status = Status::FromErrno(errno, "cannot read", path);
      if (n <= 0) break;
      contents->append(buf, static_cast<size_t>(n));
    }
    if (fd != STDIN_FILENO) ::close(fd);
    return status;
  }

  Status NewWritableFile(const std::string& path, std::unique_ptr<WritableFile>* file) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Status::FromErrno(errno, "cannot create", path);
    *file = std::make_unique<PosixWritableFile>(path, fd);
    return Status::Ok();
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0)
      return Status::FromErrno(errno, "cannot rename " + from + " to", to);
    return Status::Ok();
  }

  Status RemoveFile(const std::string& path) override {
    if (::remove(path.c_str()) != 0) return Status::FromErrno(errno, "cannot remove", path);
    return Status::Ok();
  }

  Status CreateDirs(const std::string& path) override {
    if (path.empty()) return Status::Ok();
    FileInfo info;
    if (Stat(path, &info).ok()) {
      if (info.is_directory) return Status::Ok();
      return Status::IoError("cannot create directory " + path + ": a file is in the way");
    }
    std::string parent = ParentDir(path);
    if (parent != path) {
      Status s = CreateDirs(parent);  // recursion on path depth, bounded by PATH_MAX
      if (!s.ok()) return s;
    }
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
      return Status::FromErrno(errno, "cannot create directory", path);
    return Status::Ok();
  }

  Status ListDir(const std::string& path, std::vector<std::string>* names) override {
    names->clear();
    DIR* dir = ::opendir(path.c_str());
    if (!dir) return Status::FromErrno(errno, "cannot list", path);
    while (struct dirent* e = ::readdir(dir)) {
      std::string_view name = e->d_name;
      if (name != "." && name != "..") names->emplace_back(name);
    }
    ::closedir(dir);
    return Status::Ok();
  }

  Status Stat(const std::string& path, FileInfo* info) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "cannot stat", path);
    info->is_regular = S_ISREG(st.st_mode);
    info->is_directory = S_ISDIR(st.st_mode);
    info->is_symlink = S_ISLNK(st.st_mode);
    info->size = st.st_size;
    return Status::Ok();
  }

  Status SyncDir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "cannot open directory", path);
    Status s;
    if (::fsync(fd) != 0) s = Status::FromErrno(errno, "cannot sync directory", path);
    ::close(fd);
    return s;
  }

  Status RealPath(const std::string& path, std::string* real) override {
    char buf[PATH_MAX];
    if (!::realpath(path.c_str(), buf)) return Status::FromErrno(errno, "cannot resolve", path);
    *real = buf;
    return Status::Ok();
  }
};

// Writes `contents` to the already-created temporary file and closes it.
Status FillTempFile(WritableFile& file, std::string_view contents, bool durable) {
  Status s = file.Append(contents);
  if (s.ok() && durable) s = file.Sync();
  Status closed = file.Close();
  return s.ok() ? closed : s;
}

}  // namespace

Status Env::WriteFileAtomic(const std::string& path, std::string_view contents, bool durable) {
  std::string dir = ParentDir(path);
  Status s = CreateDirs(dir);
  if (!s.ok()) return s;
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  std::unique_ptr<WritableFile> file;
  s = NewWritableFile(tmp, &file);
  if (!s.ok()) return s;
  s = FillTempFile(*file, contents, durable);
  file.reset();
  if (s.ok()) s = RenameFile(tmp, path);
  if (!s.ok()) {
    Status removed = RemoveFile(tmp);
    if (!removed.ok() && !removed.IsNotFound())
      return s.WithContext("and " + removed.message() + " after");
    return s;
  }
  return durable ? SyncDir(dir) : Status::Ok();
}

bool Env::FileExists(const std::string& path) {
  FileInfo info;
  return Stat(path, &info).ok();
}

bool Env::ReadFile(const std::string& path, std::string* contents, std::string* error) {
  Status s = ReadFileToString(path, contents);
  if (!s.ok() && error) *error = s.message();
  return s.ok();
}

bool Env::WriteFileAtomic(const std::string& path, std::string_view contents, std::string* error,
                          bool durable) {
  Status s = WriteFileAtomic(path, contents, durable);
  if (!s.ok() && error) *error = s.message();
  return s.ok();
}

Status ListFilesRecursively(Env& env, const std::string& dir, std::string_view skip_dir,
                            std::vector<std::string>* files) {
  std::vector<std::string> names;
  Status s = env.ListDir(dir, &names);
  if (s.IsNotFound()) return Status::Ok();
  if (!s.ok()) return s;
  std::sort(names.begin(), names.end());  // a deterministic order, for tests and logs
  for (const auto& name : names) {
    std::string path = dir + "/" + name;
    FileInfo info;
    if (!env.Stat(path, &info).ok()) continue;  // gone since the listing
    if (info.is_regular) files->push_back(path);
    if (!info.is_directory || name == skip_dir) continue;
    s = ListFilesRecursively(env, path, skip_dir, files);  // recursion on tree depth
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

bool IsPathWithin(std::string_view path, std::string_view root) {
  if (root.empty() || path.substr(0, root.size()) != root) return false;
  return path.size() == root.size() || root.back() == '/' || path[root.size()] == '/';
}

bool IsTempFileName(std::string_view name) {
  size_t at = name.rfind(".tmp.");
  if (at == std::string_view::npos || at == 0 || at + 5 == name.size()) return false;
  for (char c : name.substr(at + 5))
    if (c < '0' || c > '9') return false;
  return true;
}

Env* Env::Default() {
  static PosixEnv env;
  return &env;
}

}  // namespace samizdat
