// Status and Result<T>: how an operation that can fail on input or I/O says so. Both are
// [[nodiscard]], so a dropped error is a compile error under -Werror. A Status carries a
// code a caller can act on (a full disk stops a run; "not found" is not an error to a
// lookup) and a message that names what failed: the source, URL or file.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace samizdat {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,         // the file, row or key does not exist
    kIoError,          // the OS or a library failed an operation (EIO, ...)
    kNoSpace,          // ENOSPC / SQLITE_FULL: stop the run, the next step fails too
    kInvalidArgument,  // bad input or configuration
    kUnsafe,           // refused by policy: a path outside the output root, a private address
    kBusy,             // another process holds the resource
    kNotSupported,     // this backend lacks the operation (the message names both)
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string message) { return {Code::kNotFound, std::move(message)}; }
  static Status IoError(std::string message) { return {Code::kIoError, std::move(message)}; }
  static Status NoSpace(std::string message) { return {Code::kNoSpace, std::move(message)}; }
  static Status InvalidArgument(std::string message) {
    return {Code::kInvalidArgument, std::move(message)};
  }
  static Status Unsafe(std::string message) { return {Code::kUnsafe, std::move(message)}; }
  static Status Busy(std::string message) { return {Code::kBusy, std::move(message)}; }
  static Status NotSupported(std::string message) {
    return {Code::kNotSupported, std::move(message)};
  }
  // The Status for a failed system call: ENOSPC and EDQUOT map to kNoSpace, ENOENT to
  // kNotFound, anything else to kIoError. The message is "`what` `path`: strerror".
  static Status FromErrno(int err, std::string_view what, std::string_view path);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsNoSpace() const { return code_ == Code::kNoSpace; }
  const std::string& message() const { return message_; }
  // The same error with `context` ("source rfa", a URL) put in front of the message.
  Status WithContext(std::string_view context) const;
  std::string ToString() const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  // The error; Status::Ok() when there is a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace samizdat
