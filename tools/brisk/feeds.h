// Model inputs for the CLI: NPY/NPZ files named on the command line, and random tensors of the
// declared shapes and dtypes for inputs not given (symbolic dims bound by --dim or --batch).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "brisk/session.h"

namespace brisk::cli {

struct FeedArgs {
  std::vector<std::string> inputs;  // NAME=FILE.npy or FILE.npz
  std::vector<std::string> dims;    // NAME=N
  int64_t batch = 1;
  uint64_t seed = 0;
};

// Adds --input, --batch, --dim and --seed to `cmd`.
void AddFeedOptions(CLI::App& cmd, FeedArgs& args);

bool EndsWith(const std::string& s, const std::string& suffix);

// Every input of `session`: from the files given, else random. With `verbose`, prints the
// random ones.
StatusOr<NamedTensors> BuildFeeds(const Session& session, const FeedArgs& args, bool verbose);

}  // namespace brisk::cli
