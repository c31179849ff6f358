// Recurrent ops: LSTM, GRU and RNN (opset 7+, layout attribute from 14).
//
// Internally every direction runs on X laid out [seq, batch, input]; layout 1 inputs and
// outputs are transposed on the way in and out. The input projection X·W^T + Wb is computed for
// all time steps at once, the recurrent part H·R^T step by step. Computation is in float for
// float/float16/bfloat16 and in double for double.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

enum class RnnKind { kRnn, kGru, kLstm };

int NumGates(RnnKind kind) {
  switch (kind) {
    case RnnKind::kRnn: return 1;
    case RnnKind::kGru: return 3;
    case RnnKind::kLstm: return 4;
  }
  return 1;
}

int ActivationsPerDirection(RnnKind kind) {
  switch (kind) {
    case RnnKind::kRnn: return 1;
    case RnnKind::kGru: return 2;
    case RnnKind::kLstm: return 3;
  }
  return 1;
}

// ---- Activations ---------------------------------------------------------------------------

enum class ActKind {
  kSigmoid,
  kTanh,
  kRelu,
  kHardSigmoid,
  kAffine,
  kLeakyRelu,
  kThresholdedRelu,
  kScaledTanh,
  kElu,
  kSoftsign,
  kSoftplus,
};

struct Activation {
  ActKind kind = ActKind::kSigmoid;
  double alpha = 0;
  double beta = 0;

  template <typename A>
  A Apply(A x) const {
    switch (kind) {
      case ActKind::kSigmoid:
        return x >= 0 ? A(1) / (A(1) + std::exp(-x)) : std::exp(x) / (A(1) + std::exp(x));
      case ActKind::kTanh: return std::tanh(x);
      case ActKind::kRelu: return std::max(x, A(0));
      case ActKind::kHardSigmoid:
        return std::clamp(A(alpha) * x + A(beta), A(0), A(1));
      case ActKind::kAffine: return A(alpha) * x + A(beta);
      case ActKind::kLeakyRelu: return x >= 0 ? x : A(alpha) * x;
      case ActKind::kThresholdedRelu: return x > A(alpha) ? x : A(0);
      case ActKind::kScaledTanh: return A(alpha) * std::tanh(A(beta) * x);
      case ActKind::kElu: return x >= 0 ? x : A(alpha) * (std::exp(x) - A(1));
      case ActKind::kSoftsign: return x / (A(1) + std::abs(x));
      case ActKind::kSoftplus:
        // log(1 + e^x) without overflow.
        return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    }
    return x;
  }
};

std::string Lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Parses `names`, consuming activation_alpha / activation_beta in order by the functions that
// take them (defaults otherwise), as onnxruntime does.
StatusOr<std::vector<Activation>> ParseActivations(const std::vector<std::string>& names,
                                                   const std::vector<float>& alphas,
                                                   const std::vector<float>& betas) {
  std::vector<Activation> out;
  size_t next_alpha = 0;
  size_t next_beta = 0;
  auto take_alpha = [&](double def) {
    return next_alpha < alphas.size() ? double(alphas[next_alpha++]) : def;
  };
  auto take_beta = [&](double def) {
    return next_beta < betas.size() ? double(betas[next_beta++]) : def;
  };
  for (const std::string& name : names) {
    const std::string n = Lower(name);
    Activation a;
    if (n == "sigmoid") {
      a.kind = ActKind::kSigmoid;
    } else if (n == "tanh") {
      a.kind = ActKind::kTanh;
    } else if (n == "relu") {
      a.kind = ActKind::kRelu;
    } else if (n == "hardsigmoid") {
      a.kind = ActKind::kHardSigmoid;
      a.alpha = take_alpha(0.2);
      a.beta = take_beta(0.5);
    } else if (n == "affine") {
      a.kind = ActKind::kAffine;
      a.alpha = take_alpha(1.0);
      a.beta = take_beta(0.0);
    } else if (n == "leakyrelu") {
      a.kind = ActKind::kLeakyRelu;
      a.alpha = take_alpha(0.01);
    } else if (n == "thresholdedrelu") {
      a.kind = ActKind::kThresholdedRelu;
      a.alpha = take_alpha(1.0);
    } else if (n == "scaledtanh") {
      a.kind = ActKind::kScaledTanh;
      a.alpha = take_alpha(1.0);
      a.beta = take_beta(1.0);
    } else if (n == "elu") {
      a.kind = ActKind::kElu;
      a.alpha = take_alpha(1.0);
    } else if (n == "softsign") {
      a.kind = ActKind::kSoftsign;
    } else if (n == "softplus") {
      a.kind = ActKind::kSoftplus;
    } else {
      return InvalidArgument("attribute 'activations': unknown activation function '" + name +
                             "'");
    }
    out.push_back(a);
  }
  return out;
}

// ---- Attributes ----------------------------------------------------------------------------

enum class Direction { kForward, kReverse, kBidirectional };

struct RnnAttrs {
  RnnKind kind = RnnKind::kLstm;
  Direction direction = Direction::kForward;
  int num_directions = 1;
  int64_t hidden_size = -1;  // -1 when the attribute is absent
  std::vector<Activation> activations;  // ActivationsPerDirection(kind) per direction
  std::optional<double> clip;
  bool input_forget = false;
  bool linear_before_reset = false;
  int layout = 0;
};

StatusOr<RnnAttrs> ParseRnnAttrs(const ir::AttributeMap& attrs, RnnKind kind) {
  RnnAttrs r;
  r.kind = kind;
  BRISK_ASSIGN_OR_RETURN(std::string dir, attrs.GetString("direction", "forward"));
  if (dir == "forward") {
    r.direction = Direction::kForward;
  } else if (dir == "reverse") {
    r.direction = Direction::kReverse;
  } else if (dir == "bidirectional") {
    r.direction = Direction::kBidirectional;
    r.num_directions = 2;
  } else {
    return InvalidArgument(
        "attribute 'direction': expected forward, reverse or bidirectional, got '" + dir + "'");
  }
  if (attrs.Has("hidden_size")) {
    BRISK_ASSIGN_OR_RETURN(r.hidden_size, attrs.GetInt("hidden_size"));
    if (r.hidden_size <= 0) {
      return InvalidArgument("attribute 'hidden_size' must be positive, got " +
                             std::to_string(r.hidden_size));
    }
  }
  BRISK_ASSIGN_OR_RETURN(int64_t layout, attrs.GetInt("layout", 0));
  if (layout != 0 && layout != 1) {
    return InvalidArgument("attribute 'layout' must be 0 or 1, got " + std::to_string(layout));
  }
  r.layout = int(layout);
  if (attrs.Has("clip")) {
    BRISK_ASSIGN_OR_RETURN(float clip, attrs.GetFloat("clip"));
    if (!(clip > 0)) {
      return InvalidArgument("attribute 'clip' must be positive, got " + std::to_string(clip));
    }
    r.clip = clip;
  }
  if (kind == RnnKind::kLstm) {
    BRISK_ASSIGN_OR_RETURN(int64_t input_forget, attrs.GetInt("input_forget", 0));
    r.input_forget = input_forget != 0;
  }
  if (kind == RnnKind::kGru) {
    BRISK_ASSIGN_OR_RETURN(int64_t lbr, attrs.GetInt("linear_before_reset", 0));
    r.linear_before_reset = lbr != 0;
  }
  const int per_dir = ActivationsPerDirection(kind);
  std::vector<std::string> defaults;
  switch (kind) {
    case RnnKind::kRnn: defaults = {"Tanh"}; break;
    case RnnKind::kGru: defaults = {"Sigmoid", "Tanh"}; break;
    case RnnKind::kLstm: defaults = {"Sigmoid", "Tanh", "Tanh"}; break;
  }
  BRISK_ASSIGN_OR_RETURN(std::vector<std::string> names, attrs.GetStrings("activations", {{}}));
  if (names.empty()) {
    for (int d = 0; d < r.num_directions; ++d) {
      names.insert(names.end(), defaults.begin(), defaults.end());
    }
  } else if (int(names.size()) == per_dir && r.num_directions == 2) {
    std::vector<std::string> both = names;
    both.insert(both.end(), names.begin(), names.end());
    names = std::move(both);
  } else if (int(names.size()) != per_dir * r.num_directions) {
    return InvalidArgument("attribute 'activations': expected " +
                           std::to_string(per_dir * r.num_directions) + " functions, got " +
                           std::to_string(names.size()));
  }
  BRISK_ASSIGN_OR_RETURN(std::vector<float> alphas, attrs.GetFloats("activation_alpha", {{}}));
  BRISK_ASSIGN_OR_RETURN(std::vector<float> betas, attrs.GetFloats("activation_beta", {{}}));
  BRISK_ASSIGN_OR_RETURN(r.activations, ParseActivations(names, alphas, betas));
  return r;
}

// Input indices.
constexpr int kX = 0, kW = 1, kR = 2, kB = 3, kSeqLens = 4, kInitialH = 5, kInitialC = 6, kP = 7;

// ---- Inference -----------------------------------------------------------------------------

Status CheckKnownDim(const std::optional<SymbolicShape>& s, int axis, int64_t expected,
                     std::string_view what) {
  if (!s || axis >= s->rank() || expected < 0) return Status::Ok();
  const Dim& d = s->dims[size_t(axis)];
  if (d.is_known() && d.value != expected) {
    return InvalidArgument(std::string(what) + ": expected dim " + std::to_string(axis) +
                           " to be " + std::to_string(expected) + ", got " +
                           std::to_string(d.value));
  }
  return Status::Ok();
}

Status InferRnn(InferenceContext& ctx, RnnKind kind) {
  BRISK_ASSIGN_OR_RETURN(RnnAttrs a, ParseRnnAttrs(ctx.attrs(), kind));
  const ir::TypeInfo& x = ctx.input_type(kX);
  const ir::TypeInfo& w = ctx.input_type(kW);
  const ir::TypeInfo& r = ctx.input_type(kR);
  if (x.dtype != DType::kUndefined && !IsFloatingPoint(x.dtype)) {
    return InvalidArgument("input 0 'X': expected a floating-point dtype, got " +
                           std::string(DTypeName(x.dtype)));
  }
  for (int i : {kW, kR, kB, kInitialH, kInitialC, kP}) {
    const DType d = ctx.input_type(i).dtype;
    if (i < ctx.num_inputs() && ctx.has_input(i) && d != DType::kUndefined &&
        x.dtype != DType::kUndefined && d != x.dtype) {
      return InvalidArgument("input " + std::to_string(i) + ": dtype " +
                             std::string(DTypeName(d)) + " differs from X's " +
                             std::string(DTypeName(x.dtype)));
    }
  }
  const int gates = NumGates(kind);
  if (x.shape && x.shape->rank() != 3) {
    return InvalidArgument("input 0 'X': expected rank 3, got " + x.shape->ToString());
  }
  if (w.shape && w.shape->rank() != 3) {
    return InvalidArgument("input 1 'W': expected rank 3, got " + w.shape->ToString());
  }
  if (r.shape && r.shape->rank() != 3) {
    return InvalidArgument("input 2 'R': expected rank 3, got " + r.shape->ToString());
  }
  BRISK_RETURN_IF_ERROR(CheckKnownDim(w.shape, 0, a.num_directions, "input 1 'W'"));
  BRISK_RETURN_IF_ERROR(CheckKnownDim(r.shape, 0, a.num_directions, "input 2 'R'"));
  Dim hidden = Dim::Unknown();
  if (a.hidden_size > 0) {
    hidden = Dim::Known(a.hidden_size);
    const std::string hs = " (attribute 'hidden_size' is " + std::to_string(a.hidden_size) + ")";
    BRISK_RETURN_IF_ERROR(CheckKnownDim(w.shape, 1, gates * a.hidden_size, "input 1 'W'" + hs));
    BRISK_RETURN_IF_ERROR(CheckKnownDim(r.shape, 1, gates * a.hidden_size, "input 2 'R'" + hs));
    BRISK_RETURN_IF_ERROR(CheckKnownDim(r.shape, 2, a.hidden_size, "input 2 'R'" + hs));
  } else if (r.shape && r.shape->dims[2].is_known()) {
    hidden = r.shape->dims[2];
  } else if (w.shape && w.shape->dims[1].is_known() && w.shape->dims[1].value % gates == 0) {
    hidden = Dim::Known(w.shape->dims[1].value / gates);
  }
  Dim seq = Dim::Unknown(), batch = Dim::Unknown();
  if (x.shape) {
    seq = x.shape->dims[a.layout == 0 ? 0 : 1];
    batch = x.shape->dims[a.layout == 0 ? 1 : 0];
  }
  const Dim nd = Dim::Known(a.num_directions);
  const DType dtype = x.dtype;
  if (ctx.num_outputs() > 0) {
    ctx.set_output(0, dtype,
                   a.layout == 0 ? SymbolicShape({seq, nd, batch, hidden})
                                 : SymbolicShape({batch, seq, nd, hidden}));
  }
  const SymbolicShape state = a.layout == 0 ? SymbolicShape({nd, batch, hidden})
                                            : SymbolicShape({batch, nd, hidden});
  if (ctx.num_outputs() > 1) ctx.set_output(1, dtype, state);
  if (kind == RnnKind::kLstm && ctx.num_outputs() > 2) ctx.set_output(2, dtype, state);
  return Status::Ok();
}

// ---- Kernel --------------------------------------------------------------------------------

// Reads a tensor as a vector of A, converting element type.
template <typename T, typename A>
std::vector<A> ToAcc(const Tensor& t) {
  std::vector<A> out(size_t(t.num_elements()));
  const T* p = t.data<T>();
  for (size_t i = 0; i < out.size(); ++i) out[i] = A(ToDouble(p[i]));
  return out;
}

Status CheckShape(const Tensor& t, std::initializer_list<int64_t> dims, std::string_view what) {
  const Shape expected(dims);
  if (t.shape() != expected) {
    return InvalidArgument(std::string(what) + ": expected shape " + expected.ToString() +
                           ", got " + t.shape().ToString());
  }
  return Status::Ok();
}

class RnnKernel final : public Kernel {
 public:
  explicit RnnKernel(RnnAttrs attrs) : a_(std::move(attrs)) {}

  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init, RnnKind kind) {
    BRISK_ASSIGN_OR_RETURN(RnnAttrs a, ParseRnnAttrs(init.attrs(), kind));
    return MakeKernel<RnnKernel>(std::move(a));
  }

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(kX);
    if (x == nullptr) return InvalidArgument("input 0 'X' is required");
    if (ctx.input(kW) == nullptr) return InvalidArgument("input 1 'W' is required");
    if (ctx.input(kR) == nullptr) return InvalidArgument("input 2 'R' is required");
    return DispatchFloat(x->dtype(), "input 0 'X'", [&]<typename T>() -> Status {
      using A = std::conditional_t<std::is_same_v<T, double>, double, float>;
      return RunTyped<T, A>(ctx);
    });
  }

 private:
  template <typename T, typename A>
  Status RunTyped(KernelContext& ctx) const {
    const int G = NumGates(a_.kind);
    const int ND = a_.num_directions;
    const Tensor& x = *ctx.input(kX);
    const Tensor& w = *ctx.input(kW);
    const Tensor& r = *ctx.input(kR);
    const DType dt = x.dtype();
    const char* names[] = {"X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"};
    for (int i : {kW, kR, kB, kInitialH, kInitialC, kP}) {
      const Tensor* t = ctx.input(i);
      if (t != nullptr && t->dtype() != dt) {
        return InvalidArgument("input " + std::to_string(i) + " '" + names[i] + "': dtype " +
                               std::string(DTypeName(t->dtype())) + " differs from X's " +
                               std::string(DTypeName(dt)));
      }
    }
    if (x.rank() != 3) {
      return InvalidArgument("input 0 'X': expected rank 3, got " + x.shape().ToString());
    }
    const int64_t S = a_.layout == 0 ? x.dim(0) : x.dim(1);
    const int64_t B = a_.layout == 0 ? x.dim(1) : x.dim(0);
    const int64_t I = x.dim(2);
    if (w.rank() != 3 || w.dim(0) != ND || w.dim(2) != I || w.dim(1) % G != 0) {
      return InvalidArgument("input 1 'W': expected shape [" + std::to_string(ND) + ", " +
                             std::to_string(G) + "*hidden_size, " + std::to_string(I) +
                             "], got " + w.shape().ToString());
    }
    const int64_t H = w.dim(1) / G;
    if (a_.hidden_size > 0 && a_.hidden_size != H) {
      return InvalidArgument("attribute 'hidden_size' " + std::to_string(a_.hidden_size) +
                             " does not match input 1 'W' of shape " + w.shape().ToString());
    }
    if (H == 0) return InvalidArgument("input 1 'W': hidden size is 0");
    BRISK_RETURN_IF_ERROR(CheckShape(r, {ND, G * H, H}, "input 2 'R'"));
    const Tensor* b = ctx.input(kB);
    if (b != nullptr) BRISK_RETURN_IF_ERROR(CheckShape(*b, {ND, 2 * G * H}, "input 3 'B'"));
    std::vector<int64_t> lens(size_t(B), S);
    if (const Tensor* sl = ctx.input(kSeqLens)) {
      if (sl->rank() != 1 || sl->dim(0) != B) {
        return InvalidArgument("input 4 'sequence_lens': expected shape [" + std::to_string(B) +
                               "], got " + sl->shape().ToString());
      }
      BRISK_ASSIGN_OR_RETURN(lens, ReadInts(*sl, "input 4 'sequence_lens'"));
      for (int64_t v : lens) {
        if (v < 0 || v > S) {
          return OutOfRange("input 4 'sequence_lens': value " + std::to_string(v) +
                            " is outside [0, " + std::to_string(S) + "]");
        }
      }
    }
    const bool is_lstm = a_.kind == RnnKind::kLstm;
    auto check_state = [&](int i) -> Status {
      const Tensor* t = ctx.input(i);
      if (t == nullptr) return Status::Ok();
      const std::string what = "input " + std::to_string(i) + " '" + names[i] + "'";
      return a_.layout == 0 ? CheckShape(*t, {ND, B, H}, what) : CheckShape(*t, {B, ND, H}, what);
    };
    BRISK_RETURN_IF_ERROR(check_state(kInitialH));
    const Tensor* p = nullptr;
    if (is_lstm) {
      BRISK_RETURN_IF_ERROR(check_state(kInitialC));
      p = ctx.input(kP);
      if (p != nullptr) BRISK_RETURN_IF_ERROR(CheckShape(*p, {ND, 3 * H}, "input 7 'P'"));
    }

    // Convert everything to A, X and the states to the [seq, batch] / [dir, batch] layout.
    std::vector<A> xs = ToAcc<T, A>(x);
    if (a_.layout == 1) xs = Transpose01(xs, B, S, I);
    const std::vector<A> ws = ToAcc<T, A>(w);
    const std::vector<A> rs = ToAcc<T, A>(r);
    std::vector<A> bs = b ? ToAcc<T, A>(*b) : std::vector<A>(size_t(ND * 2 * G * H), A(0));
    auto load_state = [&](int i) {
      const Tensor* t = i < ctx.num_inputs() ? ctx.input(i) : nullptr;
      if (t == nullptr) return std::vector<A>(size_t(ND * B * H), A(0));
      std::vector<A> v = ToAcc<T, A>(*t);
      return a_.layout == 1 ? Transpose01(v, B, ND, H) : v;
    };
    const std::vector<A> h0 = load_state(kInitialH);
    const std::vector<A> c0 = is_lstm ? load_state(kInitialC) : std::vector<A>();
    const std::vector<A> ps = p ? ToAcc<T, A>(*p) : std::vector<A>(size_t(ND * 3 * H), A(0));

    std::vector<A> y(size_t(S * ND * B * H), A(0));  // [S, ND, B, H]
    std::vector<A> yh(size_t(ND * B * H), A(0));     // [ND, B, H]
    std::vector<A> yc(size_t(ND * B * H), A(0));
    for (int d = 0; d < ND; ++d) {
      const bool reverse = a_.direction == Direction::kReverse ||
                           (a_.direction == Direction::kBidirectional && d == 1);
      const size_t per_dir = size_t(ActivationsPerDirection(a_.kind));
      const Activation* acts = &a_.activations[size_t(d) * per_dir];
      RunDirection<A>(d, reverse, acts, S, B, I, H, xs, ws, rs, bs, ps, h0, c0, lens, y, yh, yc);
    }

    // Outputs.
    auto emit = [&](int i, const std::vector<A>& v, Shape shape) -> Status {
      if (!ctx.output_requested(i)) return Status::Ok();
      BRISK_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(i, dt, std::move(shape)));
      T* o = out->data<T>();
      for (size_t k = 0; k < v.size(); ++k) o[k] = FromDouble<T>(double(v[k]));
      return Status::Ok();
    };
    if (a_.layout == 0) {
      BRISK_RETURN_IF_ERROR(emit(0, y, Shape{S, ND, B, H}));
      BRISK_RETURN_IF_ERROR(emit(1, yh, Shape{ND, B, H}));
      if (is_lstm) BRISK_RETURN_IF_ERROR(emit(2, yc, Shape{ND, B, H}));
    } else {
      // [S, ND, B, H] -> [B, S, ND, H]: move axis 2 to the front.
      std::vector<A> yt(y.size());
      for (int64_t s = 0; s < S; ++s)
        for (int64_t d = 0; d < ND; ++d)
          for (int64_t bb = 0; bb < B; ++bb)
            std::copy_n(&y[size_t(((s * ND + d) * B + bb) * H)], H,
                        &yt[size_t(((bb * S + s) * ND + d) * H)]);
      BRISK_RETURN_IF_ERROR(emit(0, yt, Shape{B, S, ND, H}));
      BRISK_RETURN_IF_ERROR(emit(1, Transpose01(yh, ND, B, H), Shape{B, ND, H}));
      if (is_lstm) BRISK_RETURN_IF_ERROR(emit(2, Transpose01(yc, ND, B, H), Shape{B, ND, H}));
    }
    return Status::Ok();
  }

  // [d0, d1, inner] -> [d1, d0, inner].
  template <typename A>
  static std::vector<A> Transpose01(const std::vector<A>& v, int64_t d0, int64_t d1,
                                    int64_t inner) {
    std::vector<A> out(v.size());
    for (int64_t i = 0; i < d0; ++i)
      for (int64_t j = 0; j < d1; ++j)
        std::copy_n(&v[size_t((i * d1 + j) * inner)], inner, &out[size_t((j * d0 + i) * inner)]);
    return out;
  }

  template <typename A>
  A Clip(A v) const {
    return a_.clip ? std::clamp(v, A(-*a_.clip), A(*a_.clip)) : v;
  }

  template <typename A>
  void RunDirection(int d, bool reverse, const Activation* acts, int64_t S, int64_t B, int64_t I,
                    int64_t H, const std::vector<A>& xs, const std::vector<A>& ws,
                    const std::vector<A>& rs, const std::vector<A>& bs, const std::vector<A>& ps,
                    const std::vector<A>& h0, const std::vector<A>& c0,
                    const std::vector<int64_t>& lens, std::vector<A>& y, std::vector<A>& yh,
                    std::vector<A>& yc) const {
    const int64_t G = NumGates(a_.kind);
    const int64_t GH = G * H;
    const int64_t ND = a_.num_directions;
    const A* W = &ws[size_t(d * GH * I)];
    const A* R = &rs[size_t(d * GH * H)];
    const A* Wb = &bs[size_t(d * 2 * GH)];
    const A* Rb = Wb + GH;
    const A* P = &ps[size_t(d * 3 * H)];

    // xw[t, b, :] = X[t, b, :]·W^T + Wb for all steps at once.
    std::vector<A> xw(size_t(S * B * GH));
    for (int64_t tb = 0; tb < S * B; ++tb) {
      const A* xr = &xs[size_t(tb * I)];
      A* out = &xw[size_t(tb * GH)];
      for (int64_t j = 0; j < GH; ++j) {
        const A* wr = W + j * I;
        A acc = Wb[j];
        for (int64_t k = 0; k < I; ++k) acc += xr[k] * wr[k];
        out[j] = acc;
      }
    }

    std::vector<A> hr(static_cast<size_t>(GH));
    std::vector<A> rh(static_cast<size_t>(H));
    for (int64_t b = 0; b < B; ++b) {
      std::vector<A> h(&h0[size_t((d * B + b) * H)], &h0[size_t((d * B + b + 1) * H)]);
      std::vector<A> c = a_.kind == RnnKind::kLstm
                             ? std::vector<A>(&c0[size_t((d * B + b) * H)],
                                              &c0[size_t((d * B + b + 1) * H)])
                             : std::vector<A>();
      const int64_t len = lens[size_t(b)];
      // Rows of R·h for gates [g0, g1).
      auto recur = [&](const std::vector<A>& hv, int64_t g0, int64_t g1) {
        for (int64_t j = g0 * H; j < g1 * H; ++j) {
          const A* rr = R + j * H;
          A acc = Rb[j];
          for (int64_t k = 0; k < H; ++k) acc += hv[size_t(k)] * rr[k];
          hr[size_t(j)] = acc;
        }
      };
      for (int64_t step = 0; step < len; ++step) {
        const int64_t t = reverse ? len - 1 - step : step;
        const A* xg = &xw[size_t((t * B + b) * GH)];
        switch (a_.kind) {
          case RnnKind::kRnn: {
            recur(h, 0, 1);
            for (int64_t j = 0; j < H; ++j) {
              h[size_t(j)] = acts[0].Apply(Clip(xg[j] + hr[size_t(j)]));
            }
            break;
          }
          case RnnKind::kGru: {
            // Gate order z, r, h.
            if (a_.linear_before_reset) {
              recur(h, 0, 3);
            } else {
              recur(h, 0, 2);
            }
            std::vector<A> z(static_cast<size_t>(H)), rg(static_cast<size_t>(H));
            for (int64_t j = 0; j < H; ++j) {
              z[size_t(j)] = acts[0].Apply(Clip(xg[j] + hr[size_t(j)]));
              rg[size_t(j)] = acts[0].Apply(Clip(xg[H + j] + hr[size_t(H + j)]));
            }
            if (!a_.linear_before_reset) {
              for (int64_t j = 0; j < H; ++j) rh[size_t(j)] = rg[size_t(j)] * h[size_t(j)];
              recur(rh, 2, 3);
            }
            for (int64_t j = 0; j < H; ++j) {
              const A pre = a_.linear_before_reset
                                ? xg[2 * H + j] + rg[size_t(j)] * hr[size_t(2 * H + j)]
                                : xg[2 * H + j] + hr[size_t(2 * H + j)];
              const A ht = acts[1].Apply(Clip(pre));
              const A zz = z[size_t(j)];
              h[size_t(j)] = (A(1) - zz) * ht + zz * h[size_t(j)];
            }
            break;
          }
          case RnnKind::kLstm: {
            // Gate order i, o, f, c; peepholes i, o, f.
            recur(h, 0, 4);
            for (int64_t j = 0; j < H; ++j) {
              const A cp = c[size_t(j)];
              const A ig = acts[0].Apply(Clip(xg[j] + hr[size_t(j)] + P[j] * cp));
              const A fg = a_.input_forget
                               ? A(1) - ig
                               : acts[0].Apply(Clip(xg[2 * H + j] + hr[size_t(2 * H + j)] +
                                                    P[2 * H + j] * cp));
              const A cg = acts[1].Apply(Clip(xg[3 * H + j] + hr[size_t(3 * H + j)]));
              const A cn = fg * cp + ig * cg;
              const A og = acts[0].Apply(Clip(xg[H + j] + hr[size_t(H + j)] + P[H + j] * cn));
              c[size_t(j)] = cn;
              h[size_t(j)] = og * acts[2].Apply(cn);
            }
            break;
          }
        }
        std::copy(h.begin(), h.end(), &y[size_t(((t * ND + d) * B + b) * H)]);
      }
      if (len == 0) continue;  // onnxruntime: an empty sequence gives zero states
      std::copy(h.begin(), h.end(), &yh[size_t((d * B + b) * H)]);
      if (a_.kind == RnnKind::kLstm) std::copy(c.begin(), c.end(), &yc[size_t((d * B + b) * H)]);
    }
  }

  RnnAttrs a_;
};

}  // namespace

BRISK_REGISTER_OPS(rnn) {
  auto infer = [](RnnKind kind) {
    return [kind](InferenceContext& ctx) { return InferRnn(ctx, kind); };
  };
  auto create = [](RnnKind kind) {
    return [kind](const KernelInit& init) { return RnnKernel::Create(init, kind); };
  };
  Op("RNN").Since(7).Infer(infer(RnnKind::kRnn)).Create(create(RnnKind::kRnn));
  Op("GRU").Since(7).Infer(infer(RnnKind::kGru)).Create(create(RnnKind::kGru));
  Op("LSTM").Since(7).Infer(infer(RnnKind::kLstm)).Create(create(RnnKind::kLstm));
}

}  // namespace brisk
