// brisk::Status and brisk::StatusOr<T>: the engine's error type.
//
// The engine never throws on user input and never aborts: every fallible call returns a Status
// whose message says what is wrong and where (model file, node, op, input). Context is prepended
// as an error bubbles up, so the final message reads like
//   "model.onnx: node 'stem/conv1' (Conv, opset 13): input 1 'W': expected rank 4, got 3".
// Thread-safety: plain values; copying a Status copies its message.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace brisk {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kUnimplemented,
  kOutOfRange,
  kResourceExhausted,
  kFailedPrecondition,
  kCancelled,
  kDeadlineExceeded,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>". OK stays OK.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status InvalidArgument(std::string message);
Status NotFound(std::string message);
Status Unimplemented(std::string message);
Status OutOfRange(std::string message);
Status ResourceExhausted(std::string message);
Status FailedPrecondition(std::string message);
Status Internal(std::string message);

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const Status& status) : value_(status) { assert(!status.ok()); }  // NOLINT
  StatusOr(Status&& status) : value_(std::move(status)) {}                    // NOLINT
  StatusOr(const T& value) : value_(value) {}                                 // NOLINT
  StatusOr(T&& value) : value_(std::move(value)) {}                           // NOLINT
  template <typename U>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, Status>)
  StatusOr(U&& value) : value_(T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(value_); }
  Status status() const { return ok() ? Status() : std::get<Status>(value_); }

  const T& value() const& { return std::get<T>(value_); }
  T& value() & { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<Status, T> value_;
};

}  // namespace brisk

#define BRISK_CONCAT_INNER_(a, b) a##b
#define BRISK_CONCAT_(a, b) BRISK_CONCAT_INNER_(a, b)

#define BRISK_RETURN_IF_ERROR(expr)                  \
  do {                                               \
    ::brisk::Status brisk_status_ = (expr);          \
    if (!brisk_status_.ok()) return brisk_status_;   \
  } while (0)

#define BRISK_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()

#define BRISK_ASSIGN_OR_RETURN(lhs, expr) \
  BRISK_ASSIGN_OR_RETURN_IMPL_(BRISK_CONCAT_(brisk_statusor_, __LINE__), lhs, expr)
