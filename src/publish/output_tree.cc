#include "publish/output_tree.h"

namespace samizdat::publish {
namespace {

constexpr const char* kOutputList = ".samizdat/outputs.txt";

// Why `part` may not be a path component, or "".
std::string BadComponent(std::string_view part) {
  if (part.empty() || part == "." || part == "..")
    return "path component \"" + std::string(part) + "\"";
  for (char c : part) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\\' || u < 0x20 || u == 0x7f) return "backslash or control character in the path";
  }
  return {};
}

// Where `path` is once created: the real path of its deepest existing ancestor (symbolic
// links resolved) with the missing rest appended as written.
Status ResolvedPath(Env& env, const std::string& path, std::string* out) {
  std::string existing = path, tail;
  FileInfo info;
  while (!env.Stat(existing, &info).ok()) {
    size_t slash = existing.rfind('/');
    if (slash == std::string::npos) {
      tail = "/" + existing + tail;
      existing = ".";
      break;
    }
    tail = existing.substr(slash) + tail;
    existing = slash == 0 ? "/" : existing.substr(0, slash);
  }
  Status s = env.RealPath(existing, out);
  if (s.ok()) *out += tail;
  return s;
}

}  // namespace

OutputTree::OutputTree(Env& env, std::string root) : env_(env), root_(std::move(root)) {}

std::string OutputTree::CheckPath(const std::string& relative) {
  auto refuse = [&](const std::string& why) {
    return "refused to write " + root_ + "/" + relative + ": " + why;
  };
  if (relative.empty() || relative.front() == '/') return refuse("not a relative path");
  for (size_t start = 0;;) {
    size_t slash = relative.find('/', start);
    std::string why = BadComponent(std::string_view(relative).substr(
        start, slash == std::string::npos ? std::string::npos : slash - start));
    if (!why.empty()) return refuse(why);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  size_t last = relative.rfind('/');
  if (last == std::string::npos) return {};
  std::string parent = relative.substr(0, last);
  if (safe_dirs_.count(parent)) return {};
  // No existing directory on the way may lead out of the root through a symbolic link.
  if (canonical_root_.empty()) {
    Status st = ResolvedPath(env_, root_, &canonical_root_);
    if (!st.ok()) return refuse(st.message());
  }
  std::string resolved;
  Status st = ResolvedPath(env_, root_ + "/" + parent, &resolved);
  if (!st.ok()) return refuse(st.message());
  if (!IsPathWithin(resolved, canonical_root_))
    return refuse("a symbolic link leads out of " + root_);
  FileInfo info;
  if (env_.Stat(root_ + "/" + parent, &info).ok()) safe_dirs_.insert(parent);
  return {};
}

OutputTree::PutResult OutputTree::Put(const std::string& relative, std::string_view contents,
                                      std::string* error) {
  if (std::string why = CheckPath(relative); !why.empty()) {
    *error = why;
    return PutResult::kFailed;
  }
  std::string path = root_ + "/" + relative;
  std::string existing;
  FileInfo info;
  if (env_.Stat(path, &info).ok() && info.is_regular &&
      env_.ReadFileToString(path, &existing).ok() && existing == contents) {
    produced_.insert(relative);
    return PutResult::kUnchanged;
  }
  // Atomic (rename) but not fsync'ed: a build is repeatable, and 100,000 fsyncs would
  // dominate its time. A crash mid-build is repaired by the next build.
  if (!env_.WriteFileAtomic(path, contents, error, /*durable=*/false)) return PutResult::kFailed;
  produced_.insert(relative);
  return PutResult::kWritten;
}

bool OutputTree::Read(const std::string& relative, std::string* contents) {
  return CheckPath(relative).empty() && Exists(relative) &&
         env_.ReadFileToString(root_ + "/" + relative, contents).ok();
}

bool OutputTree::Exists(const std::string& relative) {
  return CheckPath(relative).empty() && env_.FileExists(root_ + "/" + relative);
}

int64_t OutputTree::Size(const std::string& relative) {
  FileInfo info;
  if (!CheckPath(relative).empty() || !env_.Stat(root_ + "/" + relative, &info).ok() ||
      !info.is_regular)
    return -1;
  return info.size;
}

Status OutputTree::Remove(const std::string& relative) {
  if (std::string why = CheckPath(relative); !why.empty()) {
    produced_.insert(relative);  // listed, so the next build tries again
    return Status::Unsafe(why);
  }
  Status s = env_.RemoveFile(root_ + "/" + relative);
  if (!s.ok() && !s.IsNotFound()) {
    produced_.insert(relative);  // still there: listed, so the next build tries again
    return s;
  }
  produced_.erase(relative);
  // Directories the removal emptied go too (git keeps none, and a stale channel leaves its
  // folder otherwise). One that still holds files ends the climb; any other failure is told.
  for (size_t slash = relative.rfind('/'); slash != std::string::npos && slash > 0;
       slash = relative.rfind('/', slash - 1)) {
    std::string dir = root_ + "/" + relative.substr(0, slash);
    Status removed = env_.RemoveFile(dir);
    if (removed.ok() || removed.IsNotFound()) continue;
    std::vector<std::string> names;
    if (env_.ListDir(dir, &names).ok() && !names.empty()) break;
    return removed;
  }
  return Status::Ok();
}

Status OutputTree::PreviousOutputs(std::set<std::string>* out) {
  if (std::string why = CheckPath(kOutputList); !why.empty()) return Status::Unsafe(why);
  std::string text;
  Status s = env_.ReadFileToString(root_ + "/" + kOutputList, &text);
  if (s.IsNotFound()) return Status::Ok();  // the first build
  if (!s.ok()) return s;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) out->insert(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return Status::Ok();
}

void OutputTree::RemoveTempFiles(std::vector<std::string>* errors) {
  std::vector<std::string> files;
  Status listed = ListFilesRecursively(env_, root_, ".git", &files);
  for (const auto& path : files) {
    if (!IsTempFileName(path.substr(path.rfind('/') + 1))) continue;
    Status s = env_.RemoveFile(path);
    if (!s.ok() && !s.IsNotFound()) errors->push_back(s.message());
  }
  if (!listed.ok()) errors->push_back(listed.message());
}

void OutputTree::Finish(bool remove_stale, std::vector<std::string>* errors) {
  RemoveTempFiles(errors);
  std::set<std::string> previous;
  if (Status s = PreviousOutputs(&previous); !s.ok()) {
    // Writing a new list now would forget the files the unreadable one names, and they
    // would never be removed: keep it for the next build.
    errors->push_back(s.message());
    return;
  }
  for (const auto& p : previous) {
    if (produced_.count(p) || p == kOutputList) continue;
    if (!remove_stale) {
      produced_.insert(p);  // still there; a later complete build decides
    } else if (Status s = Remove(p); !s.ok()) {
      errors->push_back(s.message());
    }
  }
  std::string list;
  for (const auto& p : produced_)
    if (p != kOutputList) list += p + "\n";
  std::string error;
  if (Put(kOutputList, list, &error) == PutResult::kFailed) errors->push_back(error);
}

}  // namespace samizdat::publish
