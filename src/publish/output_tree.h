// The one way the site builder writes files: every file of a built tree goes through an
// OutputTree. It refuses any path that would land outside the tree's root, writes a file
// only when its bytes change, and remembers what this build produced, so that the files an
// earlier build wrote and this one no longer produces (a switched theme, a removed channel),
// and the temporary files of a killed build, are removed at the end. Every file-system call
// goes through the Env (so a test can fail any of them), and failures come back as messages
// naming the file.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/env.h"

namespace samizdat::publish {

class OutputTree {
 public:
  // `root`: the tree's directory (created on the first write).
  OutputTree(Env& env, std::string root);

  const std::string& root() const { return root_; }

  // "" when `relative` may be written: a relative path of '/'-separated components, none
  // empty, ".", ".." or holding a backslash or control character, and no existing
  // directory on the way a symbolic link out of the root. Else why not, naming the path.
  std::string CheckPath(const std::string& relative);

  enum class PutResult { kWritten, kUnchanged, kFailed };
  // Writes `contents` to root/relative (atomically, through Env) unless the file already
  // holds these bytes, and marks it produced. kFailed sets *error naming the path.
  PutResult Put(const std::string& relative, std::string_view contents, std::string* error);
  // Reads root/relative; false when it is missing, unreadable or outside the root.
  bool Read(const std::string& relative, std::string* contents);
  bool Exists(const std::string& relative);
  // The size of a regular file in the tree, or -1 when it is not one (or not there).
  int64_t Size(const std::string& relative);
  // Removes root/relative (no error when it is missing) and the directories that leaves
  // empty; it is no longer produced. When the file cannot be removed (or its path is refused)
  // it stays listed as produced, so the next build tries again.
  Status Remove(const std::string& relative);
  // Marks a file produced that this build left as it was (an up-to-date page).
  void Keep(const std::string& relative) { produced_.insert(relative); }

  // Ends the build of this tree. Removes every temporary file in the tree. With
  // `remove_stale`, also removes what the previous build listed in .samizdat/outputs.txt
  // and this one did not produce, then lists what this one produced; a failed build
  // (`remove_stale` false) adds to the list, so nothing written is ever forgotten. When
  // the previous list cannot be read it is left as it is. Problems are appended to *errors.
  void Finish(bool remove_stale, std::vector<std::string>* errors);

 private:
  // The files the previous build listed; none when there is no list yet.
  Status PreviousOutputs(std::set<std::string>* out);
  void RemoveTempFiles(std::vector<std::string>* errors);

  Env& env_;
  std::string root_;
  std::string canonical_root_;       // resolved once, on the first write
  std::set<std::string> safe_dirs_;  // parent directories already checked
  std::set<std::string> produced_;
};

}  // namespace samizdat::publish
