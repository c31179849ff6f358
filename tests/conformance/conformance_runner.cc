// Runs the ONNX backend node tests through brisk.
//
// Each test folder holds model.onnx and test_data_set_*/{input,output}_*.pb. Every test runs in a
// forked child with a time limit, so a crash or hang is reported against that test instead of
// ending the run. Prints one line per test:
//   PASS <name> | FAIL <name>: <why> | UNSUPPORTED <name>: <why> | CRASH <name>: <signal>
// and, with --json, writes [{"name","dir","status","message","ops"}] for the report generator.
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <nlohmann/json.hpp>

#include "brisk/session.h"
#include "onnx/importer.h"
#include "onnx/tensor_proto.h"
#include "testing/tensor_testing.h"

namespace fs = std::filesystem;
using brisk::Status;
using brisk::StatusCode;
using brisk::Tensor;

namespace {

struct Outcome {
  std::string status;  // PASS, FAIL, UNSUPPORTED, CRASH
  std::string message;
};

std::vector<std::string> SortedPbs(const fs::path& dir, const std::string& prefix) {
  std::vector<std::pair<int, std::string>> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && e.path().extension() == ".pb") {
      files.emplace_back(std::atoi(name.c_str() + prefix.size()), e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (auto& f : files) out.push_back(f.second);
  return out;
}

// Older ONNX test data stores bfloat16 tensors as uint16 bit patterns.
Tensor AsBFloat16IfBits(const Tensor& t, brisk::DType wanted) {
  if (wanted != brisk::DType::kBFloat16 || t.dtype() != brisk::DType::kUInt16) return t;
  return Tensor::View(brisk::DType::kBFloat16, t.shape(), const_cast<void*>(t.raw_data()));
}

Outcome RunTest(const fs::path& dir) {
  brisk::SessionOptions options;
  options.check_inferred_types = true;
  auto session = brisk::Session::Load((dir / "model.onnx").string(), options);
  if (!session.ok()) {
    const bool unsupported = session.status().code() == StatusCode::kUnimplemented;
    return {unsupported ? "UNSUPPORTED" : "FAIL", session.status().ToString()};
  }
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return {"FAIL", "no test_data_set_* folder"};
  for (const fs::path& set : sets) {
    brisk::NamedTensors feeds;
    std::vector<Tensor> positional;
    const auto& declared = (*session)->inputs();
    for (const std::string& pb : SortedPbs(set, "input_")) {
      auto t = brisk::onnx_io::ReadTensorProtoFile(pb);
      if (!t.ok()) {
        const bool unsupported = t.status().code() == StatusCode::kUnimplemented ||
                                 t.status().message().find("TensorProto") != std::string::npos;
        return {unsupported ? "UNSUPPORTED" : "FAIL", t.status().ToString()};
      }
      positional.push_back(*t);
    }
    if (positional.size() > declared.size()) {
      return {"FAIL", "test has " + std::to_string(positional.size()) +
                          " inputs, model declares " + std::to_string(declared.size())};
    }
    for (size_t i = 0; i < positional.size(); ++i)
      feeds.emplace_back(declared[i].name, AsBFloat16IfBits(positional[i], declared[i].dtype));
    auto outputs = (*session)->Run(feeds);
    if (!outputs.ok()) {
      const bool unsupported = outputs.status().code() == StatusCode::kUnimplemented;
      return {unsupported ? "UNSUPPORTED" : "FAIL", outputs.status().ToString()};
    }
    const auto expected_files = SortedPbs(set, "output_");
    if (expected_files.size() != outputs->size()) {
      return {"FAIL", "expected " + std::to_string(expected_files.size()) + " outputs, got " +
                          std::to_string(outputs->size())};
    }
    for (size_t i = 0; i < expected_files.size(); ++i) {
      auto expected = brisk::onnx_io::ReadTensorProtoFile(expected_files[i]);
      if (!expected.ok()) return {"UNSUPPORTED", expected.status().ToString()};
      // The ONNX backend test defaults: rtol 1e-3, atol 1e-7.
      const Tensor want = AsBFloat16IfBits(*expected, (*outputs)[i].dtype());
      const std::string diff = brisk::testing::CompareTensors((*outputs)[i], want, 1e-3, 1e-7);
      if (!diff.empty()) {
        return {"FAIL", set.filename().string() + " output " + std::to_string(i) + " '" +
                            (*session)->outputs()[i].name + "': " + diff};
      }
    }
  }
  return {"PASS", ""};
}

// Runs RunTest in a child process with a time limit.
Outcome RunIsolated(const fs::path& dir, int timeout_s) {
  int fds[2];
  if (pipe(fds) != 0) return {"CRASH", "pipe failed"};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    alarm(unsigned(timeout_s));
    Outcome o = RunTest(dir);
    std::string msg = o.status + "\n" + o.message;
    if (msg.size() > 4000) msg.resize(4000);
    (void)!write(fds[1], msg.data(), msg.size());
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::string buf;
  char chunk[4096];
  ssize_t n;
  while ((n = read(fds[0], chunk, sizeof chunk)) > 0) buf.append(chunk, size_t(n));
  close(fds[0]);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  if (WIFSIGNALED(wstatus)) {
    const int sig = WTERMSIG(wstatus);
    return {"CRASH", sig == SIGALRM ? "timed out after " + std::to_string(timeout_s) + " s"
                                    : std::string("signal ") + strsignal(sig)};
  }
  const size_t nl = buf.find('\n');
  if (nl == std::string::npos) return {"CRASH", "child exited without a result"};
  return {buf.substr(0, nl), buf.substr(nl + 1)};
}

std::vector<std::string> OpsOf(const fs::path& model) {
  auto m = brisk::onnx_io::LoadModel(model.string());
  std::set<std::string> ops;
  if (m.ok()) {
    for (const auto& n : m->graph->nodes()) ops.insert(n->op_type);
  }
  return {ops.begin(), ops.end()};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Runs ONNX backend node tests through brisk"};
  std::vector<std::string> data_dirs;
  std::string filter = ".*";
  std::string json_path;
  int timeout_s = 60;
  bool quiet = false;
  app.add_option("--data-dir", data_dirs, "Folder of node test folders (repeatable)");
  app.add_option("--filter", filter, "Regex over test names");
  app.add_option("--json", json_path, "Write results as JSON here");
  app.add_option("--timeout", timeout_s, "Seconds per test");
  app.add_flag("--quiet", quiet, "Print only failures and the summary");
  CLI11_PARSE(app, argc, argv);
  if (data_dirs.empty()) {
    // Default: the pip onnx package's tests (found at configure time) and Debian's.
    const std::string pip_dir = BRISK_ONNX_PIP_NODE_TESTS;
    if (!pip_dir.empty() && fs::is_directory(pip_dir)) data_dirs.push_back(pip_dir);
    data_dirs.push_back("/usr/share/libonnx-testdata/data/node");
  }
  brisk::SetLogLevel(brisk::LogLevel::kError);
  const std::regex re(filter);
  std::map<std::string, int> counts;
  nlohmann::json results = nlohmann::json::array();
  for (const std::string& root : data_dirs) {
    if (!fs::is_directory(root)) {
      std::cerr << "no such folder: " << root << "\n";
      return 2;
    }
    std::vector<fs::path> tests;
    for (const auto& e : fs::directory_iterator(root))
      if (e.is_directory() && std::regex_match(e.path().filename().string(), re))
        tests.push_back(e.path());
    std::sort(tests.begin(), tests.end());
    for (const fs::path& t : tests) {
      const Outcome o = RunIsolated(t, timeout_s);
      ++counts[o.status];
      if (!quiet || o.status != "PASS") {
        std::cout << o.status << " " << t.filename().string()
                  << (o.message.empty() ? "" : ": " + o.message) << "\n";
      }
      if (!json_path.empty()) {
        results.push_back({{"name", t.filename().string()},
                           {"dir", root},
                           {"status", o.status},
                           {"message", o.message},
                           {"ops", OpsOf(t / "model.onnx")}});
      }
    }
  }
  std::cout << "summary:";
  for (const auto& [k, v] : counts) std::cout << " " << k << "=" << v;
  std::cout << "\n";
  if (!json_path.empty()) std::ofstream(json_path) << results.dump(1) << "\n";
  return 0;
}
