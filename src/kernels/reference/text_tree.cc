// TreeEnsemble (ai.onnx.ml opset 5): evaluates each tree of the ensemble on every row of an
// [N, F] float/double/float16 input and aggregates the reached leaves' weights per target
// (AVERAGE over the number of trees, SUM, MIN, MAX; MIN/MAX of a target no leaf reached is the
// type's largest/lowest value, as in the ONNX reference), then applies post_transform (NONE,
// SOFTMAX, LOGISTIC, SOFTMAX_ZERO, PROBIT) per row.
//
// Interior nodes compare X[n, featureid] with their split (LEQ, LT, GTE, GT, EQ, NEQ) or test
// membership in their set (MEMBER; sets come from membership_values, NaN-delimited, in the
// order the MEMBER nodes appear in nodes_modes). A NaN feature follows the true branch when
// nodes_missing_value_tracks_true is 1 for the node. Values are compared in double precision.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/text_util.h"
#include "kernels/registry.h"

namespace brisk {
namespace {

using text::DTypeStr;
using text::InputName;

enum NodeMode { kLeq = 0, kLt, kGte, kGt, kEq, kNeq, kMember };
enum Aggregate { kAverage = 0, kSum, kMin, kMax };
enum PostTransform { kNone = 0, kSoftmax, kLogistic, kSoftmaxZero, kProbit };

struct TreeNode {
  int mode = kLeq;
  int64_t feature = 0;
  double split = 0;
  std::set<double> members;
  int64_t true_id = 0, false_id = 0;
  bool true_leaf = false, false_leaf = false, missing_true = false;
};

struct Ensemble {
  std::vector<TreeNode> nodes;
  std::vector<double> leaf_weights;
  std::vector<int64_t> leaf_targets;
  std::vector<int64_t> roots;
  int64_t n_targets = 0;
  int aggregate = kSum;
  int post = kNone;
  int64_t max_feature = -1;
};

StatusOr<std::vector<double>> TensorAsDoubles(const Tensor& t, const std::string& what) {
  std::vector<double> out(static_cast<size_t>(t.num_elements()));
  BRISK_RETURN_IF_ERROR(DispatchNumeric(t.dtype(), what, [&]<typename T>() -> Status {
    for (size_t i = 0; i < out.size(); ++i) out[i] = ToDouble(t.data<T>()[i]);
    return Status::Ok();
  }));
  return out;
}

StatusOr<std::vector<int64_t>> TensorAsInts(const Tensor& t, const std::string& what) {
  std::vector<int64_t> out(static_cast<size_t>(t.num_elements()));
  BRISK_RETURN_IF_ERROR(DispatchInteger(t.dtype(), what, [&]<typename T>() -> Status {
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<int64_t>(t.data<T>()[i]);
    return Status::Ok();
  }));
  return out;
}

std::string Attr(const std::string& name) { return "attribute '" + name + "'"; }

StatusOr<Ensemble> ParseEnsemble(const ir::AttributeMap& a) {
  Ensemble e;
  BRISK_ASSIGN_OR_RETURN(auto featureids, a.GetInts("nodes_featureids"));
  BRISK_ASSIGN_OR_RETURN(auto trueids, a.GetInts("nodes_truenodeids"));
  BRISK_ASSIGN_OR_RETURN(auto falseids, a.GetInts("nodes_falsenodeids"));
  BRISK_ASSIGN_OR_RETURN(auto trueleafs, a.GetInts("nodes_trueleafs"));
  BRISK_ASSIGN_OR_RETURN(auto falseleafs, a.GetInts("nodes_falseleafs"));
  BRISK_ASSIGN_OR_RETURN(auto missing, a.GetInts("nodes_missing_value_tracks_true",
                                                 std::vector<int64_t>{}));
  BRISK_ASSIGN_OR_RETURN(Tensor modes_t, a.GetTensor("nodes_modes"));
  BRISK_ASSIGN_OR_RETURN(auto modes, TensorAsInts(modes_t, Attr("nodes_modes")));
  BRISK_ASSIGN_OR_RETURN(Tensor splits_t, a.GetTensor("nodes_splits"));
  BRISK_ASSIGN_OR_RETURN(auto splits, TensorAsDoubles(splits_t, Attr("nodes_splits")));
  BRISK_ASSIGN_OR_RETURN(e.leaf_targets, a.GetInts("leaf_targetids"));
  BRISK_ASSIGN_OR_RETURN(Tensor weights_t, a.GetTensor("leaf_weights"));
  BRISK_ASSIGN_OR_RETURN(e.leaf_weights, TensorAsDoubles(weights_t, Attr("leaf_weights")));
  BRISK_ASSIGN_OR_RETURN(e.roots, a.GetInts("tree_roots"));
  BRISK_ASSIGN_OR_RETURN(int64_t agg, a.GetInt("aggregate_function", 1));
  BRISK_ASSIGN_OR_RETURN(int64_t post, a.GetInt("post_transform", 0));
  if (agg < 0 || agg > 3) return InvalidArgument(Attr("aggregate_function") + " must be in [0, 3]");
  if (post < 0 || post > 4) return InvalidArgument(Attr("post_transform") + " must be in [0, 4]");
  e.aggregate = static_cast<int>(agg);
  e.post = static_cast<int>(post);

  const size_t n = featureids.size();
  auto check_len = [&](size_t len, const std::string& name) -> Status {
    if (len == n) return Status::Ok();
    return InvalidArgument(Attr(name) + " has " + std::to_string(len) +
                           " entries, expected one per node (" + std::to_string(n) + ")");
  };
  BRISK_RETURN_IF_ERROR(check_len(trueids.size(), "nodes_truenodeids"));
  BRISK_RETURN_IF_ERROR(check_len(falseids.size(), "nodes_falsenodeids"));
  BRISK_RETURN_IF_ERROR(check_len(trueleafs.size(), "nodes_trueleafs"));
  BRISK_RETURN_IF_ERROR(check_len(falseleafs.size(), "nodes_falseleafs"));
  BRISK_RETURN_IF_ERROR(check_len(modes.size(), "nodes_modes"));
  BRISK_RETURN_IF_ERROR(check_len(splits.size(), "nodes_splits"));
  if (!missing.empty()) {
    BRISK_RETURN_IF_ERROR(check_len(missing.size(), "nodes_missing_value_tracks_true"));
  }
  const size_t num_leaves = e.leaf_weights.size();
  if (e.leaf_targets.size() != num_leaves) {
    return InvalidArgument(Attr("leaf_targetids") + " has " +
                           std::to_string(e.leaf_targets.size()) + " entries but " +
                           Attr("leaf_weights") + " has " + std::to_string(num_leaves));
  }
  int64_t max_target = -1;
  for (int64_t t : e.leaf_targets) {
    if (t < 0) {
      return InvalidArgument(Attr("leaf_targetids") + ": negative target " + std::to_string(t));
    }
    max_target = std::max(max_target, t);
  }
  BRISK_ASSIGN_OR_RETURN(e.n_targets, a.GetInt("n_targets", max_target + 1));
  if (e.n_targets < 0 || max_target >= e.n_targets) {
    return InvalidArgument(Attr("leaf_targetids") + ": target " + std::to_string(max_target) +
                           " is out of range for n_targets " + std::to_string(e.n_targets));
  }

  // Membership sets, NaN-delimited.
  std::vector<std::set<double>> sets;
  if (a.Has("membership_values")) {
    BRISK_ASSIGN_OR_RETURN(Tensor mv_t, a.GetTensor("membership_values"));
    BRISK_ASSIGN_OR_RETURN(auto mv, TensorAsDoubles(mv_t, Attr("membership_values")));
    std::set<double> cur;
    for (double v : mv) {
      if (std::isnan(v)) {
        sets.push_back(std::move(cur));
        cur.clear();
      } else {
        cur.insert(v);
      }
    }
    if (!cur.empty()) sets.push_back(std::move(cur));
  }
  const auto num_member = static_cast<size_t>(std::count(modes.begin(), modes.end(), kMember));
  if (sets.size() != num_member) {
    return InvalidArgument(Attr("membership_values") + " holds " + std::to_string(sets.size()) +
                           " sets but " + std::to_string(num_member) +
                           " nodes have mode BRANCH_MEMBER");
  }

  size_t next_set = 0;
  e.nodes.resize(n);
  for (size_t i = 0; i < n; ++i) {
    TreeNode& nd = e.nodes[i];
    if (modes[i] < kLeq || modes[i] > kMember) {
      return InvalidArgument(Attr("nodes_modes") + ": node " + std::to_string(i) +
                             " has unknown mode " + std::to_string(modes[i]));
    }
    nd.mode = static_cast<int>(modes[i]);
    nd.feature = featureids[i];
    if (nd.feature < 0) {
      return InvalidArgument(Attr("nodes_featureids") + ": node " + std::to_string(i) +
                             " has negative feature " + std::to_string(nd.feature));
    }
    nd.split = splits[i];
    if (nd.mode == kMember) nd.members = std::move(sets[next_set++]);
    nd.true_leaf = trueleafs[i] != 0;
    nd.false_leaf = falseleafs[i] != 0;
    nd.true_id = trueids[i];
    nd.false_id = falseids[i];
    nd.missing_true = !missing.empty() && missing[i] != 0;
    for (auto [id, leaf, name] : {std::tuple(nd.true_id, nd.true_leaf, "nodes_truenodeids"),
                                  std::tuple(nd.false_id, nd.false_leaf, "nodes_falsenodeids")}) {
      const size_t limit = leaf ? num_leaves : n;
      if (id < 0 || static_cast<size_t>(id) >= limit) {
        return InvalidArgument(Attr(name) + ": node " + std::to_string(i) + " refers to " +
                               (leaf ? "leaf " : "node ") + std::to_string(id) +
                               ", out of range [0, " + std::to_string(limit) + ")");
      }
    }
    // A node whose branches are the same leaf needs no feature.
    if (!(nd.true_leaf && nd.false_leaf && nd.true_id == nd.false_id))
      e.max_feature = std::max(e.max_feature, nd.feature);
  }
  for (int64_t r : e.roots) {
    if (r < 0 || static_cast<size_t>(r) >= n) {
      return InvalidArgument(Attr("tree_roots") + ": root " + std::to_string(r) +
                             " is out of range [0, " + std::to_string(n) + ")");
    }
  }
  return e;
}

Status CheckInputDtype(DType d) {
  if (d == DType::kUndefined || d == DType::kFloat32 || d == DType::kFloat64 ||
      d == DType::kFloat16)
    return Status::Ok();
  return InvalidArgument(InputName(0, "X") + ": dtype " + DTypeStr(d) +
                         " is not supported (expected float32, float64 or float16)");
}

Status InferTreeEnsemble(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(Ensemble e, ParseEnsemble(ctx.attrs()));
  const ir::TypeInfo& x = ctx.input_type(0);
  BRISK_RETURN_IF_ERROR(CheckInputDtype(x.dtype));
  if (!x.shape) {
    ctx.set_output(0, x.dtype, std::nullopt);
    return Status::Ok();
  }
  if (x.shape->rank() != 2) {
    return InvalidArgument(InputName(0, "X") + ": expected rank 2 [N, F], got rank " +
                           std::to_string(x.shape->rank()));
  }
  ctx.set_output(0, x.dtype, SymbolicShape({x.shape->dims[0], Dim::Known(e.n_targets)}));
  return Status::Ok();
}

// sqrt(2) * erfinv(2p - 1): Newton's method on erf, from a rational first guess.
double Probit(double p) {
  if (p <= 0) return -std::numeric_limits<double>::infinity();
  if (p >= 1) return std::numeric_limits<double>::infinity();
  const double y = 2 * p - 1;
  const double w = -std::log((1 - y) * (1 + y));
  double x = y * (1.2533141373155 + 0.14 * w / (1 + 0.1 * w));  // rough start
  x = std::clamp(x, -6.0, 6.0);
  for (int it = 0; it < 50; ++it) {
    const double err = std::erf(x) - y;
    const double step = err / (2 / std::sqrt(M_PI) * std::exp(-x * x));
    x -= step;
    if (std::abs(step) < 1e-15) break;
  }
  return std::sqrt(2.0) * x;
}

class TreeEnsembleKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(Ensemble e, ParseEnsemble(init.attrs()));
    return MakeKernel<TreeEnsembleKernel>(std::move(e));
  }
  explicit TreeEnsembleKernel(Ensemble e) : e_(std::move(e)) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument(InputName(0, "X") + " is required");
    BRISK_RETURN_IF_ERROR(CheckInputDtype(x->dtype()));
    if (x->rank() != 2) {
      return InvalidArgument(InputName(0, "X") + ": expected rank 2 [N, F], got rank " +
                             std::to_string(x->rank()));
    }
    const int64_t rows = x->dim(0), features = x->dim(1);
    if (rows > 0 && e_.max_feature >= features) {
      return InvalidArgument(InputName(0, "X") + ": a node reads feature " +
                             std::to_string(e_.max_feature) + " but the input has " +
                             std::to_string(features) + " features");
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * y,
                           ctx.AllocateOutput(0, x->dtype(), Shape{rows, e_.n_targets}));
    return DispatchFloat(x->dtype(), InputName(0, "X"), [&]<typename T>() -> Status {
      const T* px = x->data<T>();
      T* py = y->data<T>();
      const auto nt = static_cast<size_t>(e_.n_targets);
      std::vector<double> row(static_cast<size_t>(features)), acc(nt);
      double init = 0;
      double type_max = 0;
      if constexpr (std::is_same_v<T, Float16>) type_max = 65504.0;
      else if constexpr (std::is_same_v<T, BFloat16>) type_max = 3.3895313892515355e38;
      else type_max = static_cast<double>(std::numeric_limits<T>::max());
      if (e_.aggregate == kMin) init = type_max;
      if (e_.aggregate == kMax) init = -type_max;
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t f = 0; f < features; ++f)
          row[static_cast<size_t>(f)] = ToDouble(px[r * features + f]);
        std::fill(acc.begin(), acc.end(), init);
        for (int64_t root : e_.roots) {
          BRISK_ASSIGN_OR_RETURN(int64_t leaf, Walk(root, row));
          const double w = e_.leaf_weights[static_cast<size_t>(leaf)];
          double& a = acc[static_cast<size_t>(e_.leaf_targets[static_cast<size_t>(leaf)])];
          switch (e_.aggregate) {
            case kAverage: a += w / static_cast<double>(e_.roots.size()); break;
            case kSum: a += w; break;
            case kMin: a = std::min(a, w); break;
            default: a = std::max(a, w); break;
          }
        }
        PostProcess(acc);
        for (size_t t = 0; t < nt; ++t) py[r * e_.n_targets + int64_t(t)] = FromDouble<T>(acc[t]);
      }
      return Status::Ok();
    });
  }

 private:
  // The leaf reached from node `id`; fails on a cycle.
  StatusOr<int64_t> Walk(int64_t id, const std::vector<double>& row) const {
    for (size_t steps = 0; steps <= e_.nodes.size(); ++steps) {
      const TreeNode& nd = e_.nodes[static_cast<size_t>(id)];
      bool go_true = true;
      if (!(nd.true_leaf && nd.false_leaf && nd.true_id == nd.false_id)) {
        const double v = row[static_cast<size_t>(nd.feature)];
        if (std::isnan(v) && nd.missing_true) {
          go_true = true;
        } else {
          switch (nd.mode) {
            case kLeq: go_true = v <= nd.split; break;
            case kLt: go_true = v < nd.split; break;
            case kGte: go_true = v >= nd.split; break;
            case kGt: go_true = v > nd.split; break;
            case kEq: go_true = v == nd.split; break;
            case kNeq: go_true = v != nd.split; break;
            default: go_true = !std::isnan(v) && nd.members.count(v) != 0; break;
          }
        }
      }
      const bool leaf = go_true ? nd.true_leaf : nd.false_leaf;
      const int64_t next = go_true ? nd.true_id : nd.false_id;
      if (leaf) return next;
      id = next;
    }
    return InvalidArgument("attributes 'nodes_truenodeids'/'nodes_falsenodeids' form a cycle");
  }

  void PostProcess(std::vector<double>& v) const {
    if (e_.post == kLogistic) {
      for (double& a : v) a = 1 / (1 + std::exp(-a));
    } else if (e_.post == kProbit) {
      for (double& a : v) a = Probit(a);
    } else if (e_.post == kSoftmax || e_.post == kSoftmaxZero) {
      const bool zero = e_.post == kSoftmaxZero;
      double mx = -std::numeric_limits<double>::infinity();
      for (double a : v)
        if (!(zero && a == 0)) mx = std::max(mx, a);
      double sum = 0;
      for (double& a : v) {
        a = zero && a == 0 ? 0 : std::exp(a - mx);
        sum += a;
      }
      if (sum > 0)
        for (double& a : v) a /= sum;
    }
  }

  Ensemble e_;
};

}  // namespace

BRISK_REGISTER_OPS(text_tree) {
  Op("TreeEnsemble")
      .Domain("ai.onnx.ml")
      .Since(5)
      .Infer(InferTreeEnsemble)
      .Kernel<TreeEnsembleKernel>();
}

}  // namespace brisk
