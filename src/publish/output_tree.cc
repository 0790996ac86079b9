#include "publish/output_tree.h"

#include <filesystem>
#include <system_error>

namespace samizdat::publish {
namespace fs = std::filesystem;

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

bool Inside(const std::string& path, const std::string& root) {
  return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
                          (root.back() == '/' || path[root.size()] == '/'));
}

}  // namespace

bool IsTempFileName(std::string_view path) {
  size_t at = path.rfind(".tmp.");
  if (at == std::string_view::npos || at + 5 == path.size()) return false;
  for (size_t i = at + 5; i < path.size(); ++i)
    if (path[i] < '0' || path[i] > '9') return false;
  return true;
}

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
  std::error_code ec;
  if (canonical_root_.empty()) {
    canonical_root_ = fs::weakly_canonical(root_, ec).string();
    if (ec) return refuse(ec.message());
  }
  fs::path deepest = fs::path(root_) / parent;
  bool whole = true;
  while (deepest != fs::path(root_) && !fs::exists(fs::symlink_status(deepest, ec))) {
    deepest = deepest.parent_path();
    whole = false;
  }
  std::string resolved = fs::weakly_canonical(deepest, ec).string();
  if (ec) return refuse(ec.message());
  if (!Inside(resolved, canonical_root_)) return refuse("a symbolic link leads out of " + root_);
  if (whole) safe_dirs_.insert(parent);
  return {};
}

OutputTree::PutResult OutputTree::Put(const std::string& relative, std::string_view contents,
                                      std::string* error) {
  if (std::string why = CheckPath(relative); !why.empty()) {
    *error = why;
    return PutResult::kFailed;
  }
  std::string path = root_ + "/" + relative;
  std::string existing, read_error;
  std::error_code ec;
  if (fs::is_regular_file(fs::symlink_status(path, ec)) &&
      env_.ReadFile(path, &existing, &read_error) && existing == contents) {
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
  std::string error;
  return CheckPath(relative).empty() && Exists(relative) &&
         env_.ReadFile(root_ + "/" + relative, contents, &error);
}

bool OutputTree::Exists(const std::string& relative) {
  std::error_code ec;
  return CheckPath(relative).empty() && fs::exists(fs::path(root_) / relative, ec);
}

void OutputTree::Remove(const std::string& relative) {
  produced_.erase(relative);
  if (!CheckPath(relative).empty()) return;
  std::error_code ec;
  fs::path path = fs::path(root_) / relative;
  if (!fs::remove(path, ec) || ec) return;
  // Directories the removal emptied go too (git keeps none, and a stale channel leaves its
  // folder otherwise); fs::remove fails harmlessly on one that is not empty.
  for (path = path.parent_path(); path != fs::path(root_) && fs::remove(path, ec) && !ec;
       path = path.parent_path()) {
  }
}

std::set<std::string> OutputTree::PreviousOutputs() {
  std::set<std::string> out;
  std::string text;
  if (!Read(kOutputList, &text)) return out;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) out.insert(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

void OutputTree::RemoveTempFiles(std::vector<std::string>* errors) {
  std::error_code ec;
  if (!fs::is_directory(root_, ec)) return;
  fs::recursive_directory_iterator it(root_, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code entry_ec;
    if (it->path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(entry_ec) || !IsTempFileName(it->path().filename().string())) continue;
    fs::remove(it->path(), entry_ec);
    if (entry_ec)
      errors->push_back("cannot remove " + it->path().string() + ": " + entry_ec.message());
  }
  if (ec) errors->push_back("cannot list " + root_ + ": " + ec.message());
}

void OutputTree::Finish(bool remove_stale, std::vector<std::string>* errors) {
  RemoveTempFiles(errors);
  std::set<std::string> previous = PreviousOutputs();
  for (const auto& p : previous) {
    if (produced_.count(p) || p == kOutputList) continue;
    if (remove_stale)
      Remove(p);
    else
      produced_.insert(p);  // still there; a later complete build decides
  }
  std::string list;
  for (const auto& p : produced_)
    if (p != kOutputList) list += p + "\n";
  std::string error;
  if (Put(kOutputList, list, &error) == PutResult::kFailed) errors->push_back(error);
}

}  // namespace samizdat::publish
