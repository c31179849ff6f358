// Minimal leveled logging to stderr, with a replaceable sink (tests capture messages).
#pragma once

#include <functional>
#include <string>

namespace brisk {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

// Messages below this level are dropped. Default kWarning; BRISK_LOG_LEVEL=debug|info|warning|
// error|off in the environment overrides it at start-up.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Replaces the sink (nullptr restores stderr). Returns the previous sink.
using LogSink = std::function<void(LogLevel, const std::string&)>;
LogSink SetLogSink(LogSink sink);

void Log(LogLevel level, const std::string& message);

}  // namespace brisk
