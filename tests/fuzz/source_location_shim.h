// Build shim for clang < 15 with libstdc++ >= 11: libstdc++'s std::source_location needs
// __builtin_source_location, which clang 14 lacks, so <source_location> defines nothing. The fuzz
// build force-includes this header (see CMakeLists.txt) to supply the subset brisk uses, built on
// the __builtin_FILE/LINE family clang has long supported. Never used by the GCC build.
#pragma once

#include <version>

#if !defined(__cpp_lib_source_location) && defined(__clang__)
#include <cstdint>

namespace std {  // NOLINT: stands in for the missing standard type on this toolchain only

struct source_location {
  static constexpr source_location current(const char* file = __builtin_FILE(),
                                           const char* function = __builtin_FUNCTION(),
                                           uint_least32_t line = __builtin_LINE(),
                                           uint_least32_t column = __builtin_COLUMN()) noexcept {
    source_location loc;
    loc.file_ = file;
    loc.function_ = function;
    loc.line_ = line;
    loc.column_ = column;
    return loc;
  }
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr const char* function_name() const noexcept { return function_; }
  constexpr uint_least32_t line() const noexcept { return line_; }
  constexpr uint_least32_t column() const noexcept { return column_; }

 private:
  const char* file_ = "";
  const char* function_ = "";
  uint_least32_t line_ = 0;
  uint_least32_t column_ = 0;
};

}  // namespace std
#endif
