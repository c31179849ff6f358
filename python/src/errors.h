// Errors crossing into Python: a brisk::Status becomes a Python exception whose message is the
// Status message, unchanged, and whose class says the kind of failure.
//
//   brisk.Error (RuntimeError)
//   ├── brisk.InvalidArgumentError (also ValueError)      ├── brisk.NotFoundError (FileNotFoundError)
//   ├── brisk.UnimplementedError (NotImplementedError)    ├── brisk.OutOfRangeError (IndexError)
//   ├── brisk.ResourceExhaustedError (MemoryError)        ├── brisk.CancelledError
//   ├── brisk.DeadlineExceededError (TimeoutError)        ├── brisk.FailedPreconditionError
//   └── brisk.InternalError
//
// The engine never throws (STYLE.md); the binding layer turns a failed Status into a C++
// StatusError and one registered translator raises the matching Python class.
#pragma once

#include <nanobind/nanobind.h>

#include <exception>
#include <string>
#include <utility>

#include "brisk/status.h"

namespace brisk::python {

class StatusError : public std::exception {
 public:
  explicit StatusError(Status status) : status_(std::move(status)) {}
  const char* what() const noexcept override { return status_.message().c_str(); }
  const Status& status() const { return status_; }

 private:
  Status status_;
};

inline void ThrowIfError(const Status& status) {
  if (!status.ok()) throw StatusError(status);
}

template <typename T>
T ValueOrThrow(StatusOr<T>&& value) {
  if (!value.ok()) throw StatusError(value.status());
  return std::move(value).value();
}

// Creates the exception classes in `m` and registers the translator.
void RegisterErrors(nanobind::module_& m);

}  // namespace brisk::python
