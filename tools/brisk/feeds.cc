#include "feeds.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>

#include "io/npy.h"
#include "kernels/dispatch.h"

namespace brisk::cli {
namespace {

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

}  // namespace

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void AddFeedOptions(CLI::App& cmd, FeedArgs& args) {
  cmd.add_option("--input,-i", args.inputs, "NAME=FILE.npy, or FILE.npz holding inputs by name");
  cmd.add_option("--batch,-b", args.batch, "Batch size for random inputs' first symbolic dim");
  cmd.add_option("--dim", args.dims, "Bind a symbolic dim for random inputs: NAME=N");
  cmd.add_option("--seed", args.seed, "Seed for random inputs");
}

StatusOr<NamedTensors> BuildFeeds(const Session& session, const FeedArgs& args, bool verbose) {
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
  for (const TensorInfo& info : session.inputs()) {
    const bool given = std::any_of(feeds.begin(), feeds.end(),
                                   [&](const auto& f) { return f.first == info.name; });
    if (given) continue;
    BRISK_ASSIGN_OR_RETURN(Tensor t, RandomTensor(info, dims, args.batch, rng));
    if (verbose) std::printf("input %s: random %s\n", info.name.c_str(), t.TypeString().c_str());
    feeds.emplace_back(info.name, std::move(t));
  }
  return feeds;
}

}  // namespace brisk::cli
