#include "util/fault_injection_env.h"

#include <cerrno>

namespace samizdat {

namespace {

bool IsMutation(FaultInjectionEnv::Op op) {
  using Op = FaultInjectionEnv::Op;
  return op != Op::kRead && op != Op::kList && op != Op::kStat;
}

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultInjectionEnv* env, std::string path, std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}
  Status Append(std::string_view data) override {
    Status s = env_->Check(FaultInjectionEnv::Op::kWrite, path_);
    if (!s.ok()) return s;
    size_ += static_cast<int64_t>(data.size());
    return base_->Append(data);
  }
  Status Sync() override {
    Status s = env_->Check(FaultInjectionEnv::Op::kSync, path_);
    if (!s.ok()) return s;
    s = base_->Sync();
    if (s.ok()) env_->FileSynced(path_, size_);
    return s;
  }
  Status Close() override { return base_->Close(); }

 private:
  FaultInjectionEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
  int64_t size_ = 0;
};

Status FaultInjectionEnv::Check(Op op, const std::string& path) {
  size_t i = static_cast<size_t>(op);
  ++counts_[i];
  if (IsMutation(op)) {
    ++mutations_;
    if (crash_at_ > 0 && mutations_ >= crash_at_) crashed_ = true;
  }
  if (crashed_ && IsMutation(op)) return Status::FromErrno(EIO, "crashed before", path);
  if (fail_[i].first > 0 && counts_[i] == fail_[i].first)
    return Status::FromErrno(fail_[i].second, "injected fault at", path);
  return Status::Ok();
}

void FaultInjectionEnv::RememberName(const std::string& path) {
  if (unsynced_names_.count(path)) return;
  // Directories are not modelled: removing one only succeeds when it is empty, and what
  // it held is remembered file by file.
  FileInfo info;
  if (base_->Stat(path, &info).ok() && info.is_directory) return;
  std::string old;
  if (base_->ReadFileToString(path, &old).ok())
    unsynced_names_[path] = std::move(old);
  else
    unsynced_names_[path] = std::nullopt;
}

Status FaultInjectionEnv::ReadFileToString(const std::string& path, std::string* contents) {
  Status s = Check(Op::kRead, path);
  return s.ok() ? base_->ReadFileToString(path, contents) : s;
}

Status FaultInjectionEnv::NewWritableFile(const std::string& path,
                                          std::unique_ptr<WritableFile>* file) {
  Status s = Check(Op::kCreate, path);
  if (!s.ok()) return s;
  RememberName(path);
  std::unique_ptr<WritableFile> base;
  s = base_->NewWritableFile(path, &base);
  if (!s.ok()) return s;
  synced_size_[path] = 0;
  *file = std::make_unique<FaultWritableFile>(this, path, std::move(base));
  return Status::Ok();
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  Status s = Check(Op::kRename, from);
  if (!s.ok()) return s;
  RememberName(from);
  RememberName(to);
  s = base_->RenameFile(from, to);
  if (s.ok() && synced_size_.count(from)) {
    synced_size_[to] = synced_size_[from];
    synced_size_.erase(from);
  }
  return s;
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  Status s = Check(Op::kRemove, path);
  if (!s.ok()) return s;
  RememberName(path);
  return base_->RemoveFile(path);
}

Status FaultInjectionEnv::CreateDirs(const std::string& path) {
  Status s = Check(Op::kCreateDir, path);
  return s.ok() ? base_->CreateDirs(path) : s;
}

Status FaultInjectionEnv::ListDir(const std::string& path, std::vector<std::string>* names) {
  Status s = Check(Op::kList, path);
  return s.ok() ? base_->ListDir(path, names) : s;
}

Status FaultInjectionEnv::Stat(const std::string& path, FileInfo* info) {
  Status s = Check(Op::kStat, path);
  return s.ok() ? base_->Stat(path, info) : s;
}

Status FaultInjectionEnv::RealPath(const std::string& path, std::string* real) {
  Status s = Check(Op::kStat, path);
  return s.ok() ? base_->RealPath(path, real) : s;
}

Status FaultInjectionEnv::SyncDir(const std::string& path) {
  Status s = Check(Op::kSyncDir, path);
  if (!s.ok()) return s;
  s = base_->SyncDir(path);
  if (!s.ok()) return s;
  for (auto it = unsynced_names_.begin(); it != unsynced_names_.end();)
    it = ParentOf(it->first) == path ? unsynced_names_.erase(it) : std::next(it);
  return s;
}

Status FaultInjectionEnv::DropUnsyncedData() {
  // Unsynced bytes are lost: a file keeps only what its last Sync covered.
  for (const auto& [path, size] : synced_size_) {
    std::string data;
    if (!base_->ReadFileToString(path, &data).ok()) continue;
    if (static_cast<int64_t>(data.size()) <= size) continue;
    Status s = base_->WriteFileAtomic(path, data.substr(0, static_cast<size_t>(size)), false);
    if (!s.ok()) return s;
  }
  // Name changes in directories not synced since are undone.
  for (const auto& [path, before] : unsynced_names_) {
    Status s = before ? base_->WriteFileAtomic(path, *before, false) : base_->RemoveFile(path);
    if (!s.ok() && !s.IsNotFound()) return s;
  }
  synced_size_.clear();
  unsynced_names_.clear();
  crashed_ = false;
  crash_at_ = 0;
  return Status::Ok();
}

}  // namespace samizdat
