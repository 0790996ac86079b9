#include "util/status.h"

#include <cerrno>
#include <cstring>

namespace samizdat {

Status Status::FromErrno(int err, std::string_view what, std::string_view path) {
  std::string message = std::string(what) + " " + std::string(path) + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return NoSpace(std::move(message));
  if (err == ENOENT) return NotFound(std::move(message));
  return IoError(std::move(message));
}

Status Status::WithContext(std::string_view context) const {
  if (ok() || context.empty()) return *this;
  return Status(code_, std::string(context) + ": " + message_);
}

std::string Status::ToString() const { return ok() ? "ok" : message_; }

}  // namespace samizdat
