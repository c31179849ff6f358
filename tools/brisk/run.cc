// brisk run model.onnx [--input name=x.npy|inputs.npz ...] [--output out.npz] [--batch N]
// Runs a model on NPY/NPZ inputs (random inputs of the declared shapes and dtypes when none are
// given), prints the outputs and the time taken, optionally scores classification accuracy.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <random>

#include "brisk/session.h"
#include "commands.h"
#include "feeds.h"
#include "io/npy.h"
#include "kernels/dispatch.h"

namespace brisk::cli {
namespace {

struct RunArgs {
  std::string model;
  FeedArgs feeds;
  std::string output;
  int threads = 0;
  std::string labels;
  int repeat = 1;
  int show = 10;
};

std::string Preview(const Tensor& t, int n) {
  std::string s = "[";
  const int64_t count = std::min<int64_t>(t.num_elements(), n);
  (void)DispatchAll(t.dtype(), "preview", [&]<typename T>() -> Status {
    for (int64_t i = 0; i < count; ++i) {
      if (i) s += ", ";
      if constexpr (std::is_same_v<T, std::string>) s += "'" + t.data<T>()[i] + "'";
      else if constexpr (std::is_same_v<T, bool>) s += t.data<T>()[i] ? "true" : "false";
      else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.6g", ToDouble(t.data<T>()[i]));
        s += buf;
      }
    }
    return Status::Ok();
  });
  if (t.num_elements() > count) s += ", ...";
  return s + "]";
}

// Argmax over the last axis of `scores` ([N, classes]) against integer `labels` ([N]).
Status ReportAccuracy(const Tensor& scores, const std::string& labels_path, int show) {
  BRISK_ASSIGN_OR_RETURN(Tensor labels, io::ReadNpy(labels_path));
  if (scores.rank() != 2 || scores.dtype() != DType::kFloat32) {
    return InvalidArgument("--labels needs output 0 to be float32 [N, classes], got " +
                           scores.TypeString());
  }
  if (labels.rank() != 1 || labels.dim(0) != scores.dim(0) || !IsInteger(labels.dtype())) {
    return InvalidArgument(labels_path + ": labels must be integers of shape [" +
                           std::to_string(scores.dim(0)) + "], got " + labels.TypeString());
  }
  const int64_t n = scores.dim(0), classes = scores.dim(1);
  int64_t correct = 0;
  std::string preds;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = scores.data<float>() + i * classes;
    const int64_t pred = std::max_element(row, row + classes) - row;
    int64_t label = 0;
    (void)DispatchInteger(labels.dtype(), "labels", [&]<typename T>() -> Status {
      label = int64_t(labels.data<T>()[i]);
      return Status::Ok();
    });
    correct += pred == label;
    if (i < show) preds += (i ? " " : "") + std::to_string(pred) + (pred == label ? "" : "(x)");
  }
  std::printf("predictions (first %d; (x) = wrong): %s\n", int(std::min<int64_t>(show, n)),
              preds.c_str());
  std::printf("accuracy: %.2f%% (%lld of %lld)\n", 100.0 * double(correct) / double(n),
              (long long)correct, (long long)n);
  return Status::Ok();
}

Status Run(const RunArgs& args) {
  SessionOptions options;
  options.intra_op_threads = args.threads;
  BRISK_ASSIGN_OR_RETURN(auto session, Session::Load(args.model, options));
  BRISK_ASSIGN_OR_RETURN(NamedTensors feeds, BuildFeeds(*session, args.feeds, /*verbose=*/true));
  std::vector<Tensor> outputs;
  std::vector<double> times_ms;
  for (int r = 0; r < std::max(1, args.repeat); ++r) {
    const auto start = std::chrono::steady_clock::now();
    BRISK_ASSIGN_OR_RETURN(outputs, session->Run(feeds));
    times_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::printf("output %s: %s %s\n", session->outputs()[i].name.c_str(),
                outputs[i].TypeString().c_str(), Preview(outputs[i], 8).c_str());
  }
  std::sort(times_ms.begin(), times_ms.end());
  std::printf("run: %.3f ms (first), %.3f ms (median of %zu)\n", times_ms.front(),
              times_ms[times_ms.size() / 2], times_ms.size());
  if (!args.labels.empty()) BRISK_RETURN_IF_ERROR(ReportAccuracy(outputs[0], args.labels, args.show));
  if (!args.output.empty()) {
    if (EndsWith(args.output, ".npy")) {
      if (outputs.size() != 1) return InvalidArgument("--output .npy needs a single-output model; use .npz");
      BRISK_RETURN_IF_ERROR(io::WriteNpy(args.output, outputs[0]));
    } else {
      NamedTensors named;
      for (size_t i = 0; i < outputs.size(); ++i) named.emplace_back(session->outputs()[i].name, outputs[i]);
      BRISK_RETURN_IF_ERROR(io::WriteNpz(args.output, named));
    }
    std::printf("wrote %s\n", args.output.c_str());
  }
  return Status::Ok();
}

}  // namespace

CLI::App* AddRunCommand(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("run", "Run a model on NPY/NPZ inputs (random when not given)");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("model", args->model, "ONNX model file")->required();
  AddFeedOptions(*cmd, args->feeds);
  cmd->add_option("--output,-o", args->output, "Write outputs to FILE.npz (or FILE.npy)");
  cmd->add_option("--threads", args->threads, "Intra-op threads (0 = physical cores)");
  cmd->add_option("--labels", args->labels, "Integer labels .npy: report argmax accuracy of output 0");
  cmd->add_option("--repeat", args->repeat, "Run this many times and report the median time");
  cmd->add_option("--show", args->show, "Predictions to print with --labels");
  cmd->callback([args, &exit_code] {
    Status s = Run(*args);
    if (!s.ok()) {
      std::cerr << "error: " << s.ToString() << "\n";
      exit_code = 1;
    }
  });
  return cmd;
}

}  // namespace brisk::cli
