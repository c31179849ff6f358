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
#include "io/npy.h"
#include "kernels/dispatch.h"

namespace brisk::cli {
namespace {

struct RunArgs {
  std::string model;
  std::vector<std::string> inputs;
  std::string output;
  int64_t batch = 1;
  std::vector<std::string> dims;
  uint64_t seed = 0;
  std::string labels;
  int repeat = 1;
  int show = 10;
};

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

StatusOr<Tensor> RandomTensor(const TensorInfo& info, const std::map<std::string, int64_t>& dims,
                              int64_t batch, std::mt19937_64& rng) {
  std::vector<int64_t> shape;
  if (info.shape) {
    for (size_t i = 0; i < info.shape->dims.size(); ++i) {
      const Dim& d = info.shape->dims[i];
      if (d.is_known()) {
        shape.push_back(d.value);
      } else if (d.is_symbol() && dims.count(d.symbol)) {
        shape.push_back(dims.at(d.symbol));
      } else if (i == 0) {
        shape.push_back(batch);
      } else {
        return InvalidArgument("input '" + info.name + "' dimension " + std::to_string(i) + " ('" +
                               d.ToString() + "') is not fixed: give --dim " +
                               (d.is_symbol() ? d.symbol : "NAME") + "=N or an --input file");
      }
    }
  }
  const DType dtype = info.dtype == DType::kUndefined ? DType::kFloat32 : info.dtype;
  BRISK_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, Shape(shape)));
  Status s = DispatchAll(dtype, "random input '" + info.name + "'", [&]<typename T>() -> Status {
    T* p = t.data<T>();
    for (int64_t i = 0; i < t.num_elements(); ++i) {
      if constexpr (std::is_same_v<T, std::string>) {
        p[i] = "";
      } else if constexpr (std::is_same_v<T, bool>) {
        p[i] = (rng() & 1) != 0;
      } else if constexpr (std::is_integral_v<T>) {
        p[i] = T(rng() % 10);  // small non-negative values: valid as indices and token ids
      } else {
        p[i] = FromDouble<T>(std::uniform_real_distribution<double>(0, 1)(rng));
      }
    }
    return Status::Ok();
  });
  BRISK_RETURN_IF_ERROR(s);
  return t;
}

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
  BRISK_ASSIGN_OR_RETURN(auto session, Session::Load(args.model));
  std::map<std::string, int64_t> dims;
  for (const std::string& d : args.dims) {
    const size_t eq = d.find('=');
    if (eq == std::string::npos) return InvalidArgument("--dim '" + d + "' must be NAME=N");
    try {
      dims[d.substr(0, eq)] = std::stoll(d.substr(eq + 1));
    } catch (const std::exception&) {
      return InvalidArgument("--dim '" + d + "': '" + d.substr(eq + 1) + "' is not a number");
    }
  }
  NamedTensors feeds;
  for (const std::string& spec : args.inputs) {
    if (EndsWith(spec, ".npz") && spec.find('=') == std::string::npos) {
      BRISK_ASSIGN_OR_RETURN(NamedTensors arrays, io::ReadNpz(spec));
      for (auto& a : arrays) feeds.push_back(std::move(a));
      continue;
    }
    const size_t eq = spec.find('=');
    if (eq == std::string::npos) {
      return InvalidArgument("--input '" + spec + "' must be NAME=FILE.npy or FILE.npz");
    }
    BRISK_ASSIGN_OR_RETURN(Tensor t, io::ReadNpy(spec.substr(eq + 1)));
    feeds.emplace_back(spec.substr(0, eq), std::move(t));
  }
  std::mt19937_64 rng(args.seed);
  for (const TensorInfo& info : session->inputs()) {
    const bool given = std::any_of(feeds.begin(), feeds.end(),
                                   [&](const auto& f) { return f.first == info.name; });
    if (given) continue;
    BRISK_ASSIGN_OR_RETURN(Tensor t, RandomTensor(info, dims, args.batch, rng));
    std::printf("input %s: random %s\n", info.name.c_str(), t.TypeString().c_str());
    feeds.emplace_back(info.name, std::move(t));
  }
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
  cmd->add_option("--input,-i", args->inputs, "NAME=FILE.npy, or FILE.npz holding inputs by name");
  cmd->add_option("--output,-o", args->output, "Write outputs to FILE.npz (or FILE.npy)");
  cmd->add_option("--batch,-b", args->batch, "Batch size for random inputs' first symbolic dim");
  cmd->add_option("--dim", args->dims, "Bind a symbolic dim for random inputs: NAME=N");
  cmd->add_option("--seed", args->seed, "Seed for random inputs");
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
