// Det, and the random generators RandomUniform, RandomNormal, RandomUniformLike,
// RandomNormalLike, Bernoulli, Multinomial.
//
// Random ops: with the `seed` attribute every run draws the same values (the generator is seeded
// from it at the start of each run, so one kernel can serve concurrent runs); without it each
// run is seeded from std::random_device. Values follow the requested distributions; they are not
// bit-identical to other runtimes' generators.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"
#include "onnx/tensor_proto.h"

namespace brisk {
namespace {

// ---- Det ------------------------------------------------------------------------------------

Status InferDet(InferenceContext& ctx) {
  const ir::TypeInfo& in = ctx.input_type(0);
  if (!in.shape) {
    ctx.set_output(0, in.dtype, std::nullopt);
    return Status::Ok();
  }
  const int rank = in.shape->rank();
  if (rank < 2) {
    return InvalidArgument("input 0 'X' must have rank >= 2, got " + in.shape->ToString());
  }
  const Dim& m = in.shape->dims[size_t(rank - 2)];
  const Dim& n = in.shape->dims[size_t(rank - 1)];
  if (m.is_known() && n.is_known() && m.value != n.value) {
    return InvalidArgument("input 0 'X': matrices must be square, got " + in.shape->ToString());
  }
  ctx.set_output(0, in.dtype,
                 SymbolicShape(std::vector<Dim>(in.shape->dims.begin(), in.shape->dims.end() - 2)));
  return Status::Ok();
}

// Determinant by LU decomposition with partial pivoting, in double.
double Determinant(std::vector<double>& a, int64_t n) {
  double det = 1;
  for (int64_t k = 0; k < n; ++k) {
    int64_t pivot = k;
    for (int64_t i = k + 1; i < n; ++i) {
      if (std::fabs(a[size_t(i * n + k)]) > std::fabs(a[size_t(pivot * n + k)])) pivot = i;
    }
    const double p = a[size_t(pivot * n + k)];
    if (p == 0) return 0;
    if (pivot != k) {
      for (int64_t j = 0; j < n; ++j) std::swap(a[size_t(k * n + j)], a[size_t(pivot * n + j)]);
      det = -det;
    }
    det *= p;
    for (int64_t i = k + 1; i < n; ++i) {
      const double f = a[size_t(i * n + k)] / p;
      if (f == 0) continue;
      for (int64_t j = k + 1; j < n; ++j) a[size_t(i * n + j)] -= f * a[size_t(k * n + j)];
    }
  }
  return det;
}

Status DetCompute(KernelContext& ctx) {
  if (ctx.input(0) == nullptr) return InvalidArgument("input 0 'X' is required");
  const Tensor& x = *ctx.input(0);
  const int rank = x.rank();
  if (rank < 2) return InvalidArgument("input 0 'X' must have rank >= 2, got " + x.TypeString());
  const int64_t n = x.dim(rank - 1);
  if (x.dim(rank - 2) != n) {
    return InvalidArgument("input 0 'X': matrices must be square, got " + x.TypeString());
  }
  const std::vector<int64_t> batch_dims(x.shape().dims().begin(), x.shape().dims().end() - 2);
  BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(), Shape(batch_dims)));
  return DispatchFloat(x.dtype(), "input 0 'X'", [&]<typename T>() -> Status {
    const T* in = x.data<T>();
    T* out = y->data<T>();
    std::vector<double> a(size_t(n * n));
    for (int64_t b = 0; b < y->num_elements(); ++b) {
      for (int64_t i = 0; i < n * n; ++i) a[size_t(i)] = ToDouble(in[b * n * n + i]);
      out[b] = FromDouble<T>(Determinant(a, n));
    }
    return Status::Ok();
  });
}

// ---- Random generators ----------------------------------------------------------------------

// Seed and output dtype shared by the random ops.
struct RandomParams {
  std::optional<uint64_t> seed;
  std::optional<DType> dtype;  // from the dtype attribute
};

StatusOr<RandomParams> ParseRandomParams(const ir::AttributeMap& attrs) {
  RandomParams p;
  if (attrs.Has("seed")) {
    BRISK_ASSIGN_OR_RETURN(float seed, attrs.GetFloat("seed"));
    uint32_t bits;
    std::memcpy(&bits, &seed, sizeof(bits));
    p.seed = bits;
  }
  if (attrs.Has("dtype")) {
    BRISK_ASSIGN_OR_RETURN(int64_t onnx_type, attrs.GetInt("dtype"));
    const DType d = onnx_io::DTypeFromOnnx(int(onnx_type));
    if (d == DType::kUndefined) {
      return InvalidArgument("attribute 'dtype': unsupported ONNX type " +
                             std::to_string(onnx_type));
    }
    p.dtype = d;
  }
  return p;
}

std::mt19937_64 MakeGenerator(const RandomParams& p) {
  if (p.seed) return std::mt19937_64(*p.seed);
  std::random_device rd;
  return std::mt19937_64((uint64_t(rd()) << 32) ^ rd());
}

enum class RandomKind { kUniform, kNormal };

// RandomUniform / RandomNormal (shape attribute) and their *Like forms (shape of input 0).
class RandomKernel : public Kernel {
 public:
  RandomKernel(RandomKind kind, bool like, RandomParams p, double a, double b,
               std::vector<int64_t> shape)
      : kind_(kind), like_(like), p_(p), a_(a), b_(b), shape_(std::move(shape)) {}

  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init, RandomKind kind,
                                                  bool like) {
    BRISK_ASSIGN_OR_RETURN(RandomParams p, ParseRandomParams(init.attrs()));
    BRISK_ASSIGN_OR_RETURN(auto ab, ReadDistribution(init.attrs(), kind));
    std::vector<int64_t> shape;
    if (!like) {
      BRISK_ASSIGN_OR_RETURN(shape, ReadShape(init.attrs()));
    }
    return MakeKernel<RandomKernel>(kind, like, p, ab.first, ab.second, std::move(shape));
  }

  static StatusOr<std::pair<double, double>> ReadDistribution(const ir::AttributeMap& attrs,
                                                              RandomKind kind) {
    if (kind == RandomKind::kUniform) {
      BRISK_ASSIGN_OR_RETURN(float low, attrs.GetFloat("low", 0.f));
      BRISK_ASSIGN_OR_RETURN(float high, attrs.GetFloat("high", 1.f));
      if (!(low <= high)) {
        return InvalidArgument("attributes 'low' (" + std::to_string(low) + ") and 'high' (" +
                               std::to_string(high) + ") must satisfy low <= high");
      }
      return std::pair<double, double>(low, high);
    }
    BRISK_ASSIGN_OR_RETURN(float mean, attrs.GetFloat("mean", 0.f));
    BRISK_ASSIGN_OR_RETURN(float scale, attrs.GetFloat("scale", 1.f));
    if (!(scale >= 0)) {
      return InvalidArgument("attribute 'scale' must be >= 0, got " + std::to_string(scale));
    }
    return std::pair<double, double>(mean, scale);
  }

  static StatusOr<std::vector<int64_t>> ReadShape(const ir::AttributeMap& attrs) {
    if (!attrs.Has("shape")) return InvalidArgument("attribute 'shape' is required");
    BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> shape, attrs.GetInts("shape"));
    Status valid = Shape(shape).Validate();
    if (!valid.ok()) return InvalidArgument("attribute 'shape': " + valid.message());
    return shape;
  }

  // The output dtype: the attribute, else (Like forms) the input's, else float32.
  static StatusOr<DType> OutputDType(const RandomParams& p, bool like, DType input) {
    const DType d = p.dtype ? *p.dtype : like ? input : DType::kFloat32;
    if (!IsFloatingPoint(d)) {
      return InvalidArgument(std::string(p.dtype ? "attribute 'dtype'" : "input 0") +
                             ": output dtype " + std::string(DTypeName(d)) +
                             " is not a floating-point type");
    }
    return d;
  }

  Status Run(KernelContext& ctx) const override {
    Shape shape(shape_);
    DType input_dtype = DType::kUndefined;
    if (like_) {
      if (ctx.input(0) == nullptr) return InvalidArgument("input 0 'input' is required");
      shape = ctx.input(0)->shape();
      input_dtype = ctx.input(0)->dtype();
    }
    BRISK_ASSIGN_OR_RETURN(DType dtype, OutputDType(p_, like_, input_dtype));
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, dtype, shape));
    std::mt19937_64 gen = MakeGenerator(p_);
    return DispatchFloat(dtype, "output", [&]<typename T>() -> Status {
      T* out = y->data<T>();
      if (kind_ == RandomKind::kUniform) {
        std::uniform_real_distribution<double> dist(a_, b_ > a_ ? b_ : a_ + 0.0);
        for (int64_t i = 0; i < y->num_elements(); ++i) {
          out[i] = b_ > a_ ? FromDouble<T>(dist(gen)) : FromDouble<T>(a_);
        }
      } else {
        std::normal_distribution<double> dist(0.0, 1.0);
        for (int64_t i = 0; i < y->num_elements(); ++i) out[i] = FromDouble<T>(a_ + b_ * dist(gen));
      }
      return Status::Ok();
    });
  }

 private:
  RandomKind kind_;
  bool like_;
  RandomParams p_;
  double a_, b_;
  std::vector<int64_t> shape_;
};

Status InferRandom(InferenceContext& ctx, bool like) {
  BRISK_ASSIGN_OR_RETURN(RandomParams p, ParseRandomParams(ctx.attrs()));
  if (like) {
    const ir::TypeInfo& in = ctx.input_type(0);
    if (in.dtype == DType::kUndefined && !p.dtype) {
      ctx.set_output(0, DType::kUndefined, in.shape);
      return Status::Ok();
    }
    BRISK_ASSIGN_OR_RETURN(DType d, RandomKernel::OutputDType(p, true, in.dtype));
    ctx.set_output(0, d, in.shape);
    return Status::Ok();
  }
  BRISK_ASSIGN_OR_RETURN(DType d, RandomKernel::OutputDType(p, false, DType::kUndefined));
  BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> shape, RandomKernel::ReadShape(ctx.attrs()));
  ctx.set_output(0, d, SymbolicShape::FromShape(Shape(shape)));
  return Status::Ok();
}

// ---- Bernoulli ------------------------------------------------------------------------------

StatusOr<DType> BernoulliDType(const RandomParams& p, DType input) {
  const DType d = p.dtype ? *p.dtype : input;
  if (d == DType::kString) return InvalidArgument("attribute 'dtype': string is not supported");
  return d;
}

Status InferBernoulli(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(RandomParams p, ParseRandomParams(ctx.attrs()));
  const ir::TypeInfo& in = ctx.input_type(0);
  BRISK_ASSIGN_OR_RETURN(DType d, BernoulliDType(p, in.dtype));
  ctx.set_output(0, d, in.shape);
  return Status::Ok();
}

class BernoulliKernel : public Kernel {
 public:
  explicit BernoulliKernel(RandomParams p) : p_(p) {}
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(RandomParams p, ParseRandomParams(init.attrs()));
    return MakeKernel<BernoulliKernel>(p);
  }

  Status Run(KernelContext& ctx) const override {
    if (ctx.input(0) == nullptr) return InvalidArgument("input 0 'input' is required");
    const Tensor& x = *ctx.input(0);
    BRISK_ASSIGN_OR_RETURN(DType dtype, BernoulliDType(p_, x.dtype()));
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, dtype, x.shape()));
    std::vector<double> probs;
    BRISK_RETURN_IF_ERROR(DispatchFloat(x.dtype(), "input 0 'input'", [&]<typename T>() -> Status {
      for (const T& v : x.span<T>()) {
        const double d = ToDouble(v);
        if (!(d >= 0 && d <= 1)) {
          return InvalidArgument("input 0 'input': probability " + std::to_string(d) +
                                 " is outside [0, 1]");
        }
        probs.push_back(d);
      }
      return Status::Ok();
    }));
    std::mt19937_64 gen = MakeGenerator(p_);
    std::uniform_real_distribution<double> dist(0.0, 1.0);
    return DispatchNumericOrBool(dtype, "attribute 'dtype'", [&]<typename T>() -> Status {
      T* out = y->data<T>();
      for (size_t i = 0; i < probs.size(); ++i) {
        const bool one = dist(gen) < probs[i];
        if constexpr (std::is_same_v<T, bool>) {
          out[i] = one;
        } else {
          out[i] = FromDouble<T>(one ? 1.0 : 0.0);
        }
      }
      return Status::Ok();
    });
  }

 private:
  RandomParams p_;
};

// ---- Multinomial ----------------------------------------------------------------------------

struct MultinomialParams {
  RandomParams random;
  int64_t sample_size = 1;
  DType dtype = DType::kInt32;
};

StatusOr<MultinomialParams> ParseMultinomial(const ir::AttributeMap& attrs) {
  MultinomialParams m;
  BRISK_ASSIGN_OR_RETURN(m.random, ParseRandomParams(attrs));
  if (m.random.dtype) m.dtype = *m.random.dtype;
  if (m.dtype != DType::kInt32 && m.dtype != DType::kInt64) {
    return InvalidArgument("attribute 'dtype' must be int32 or int64, got " +
                           std::string(DTypeName(m.dtype)));
  }
  BRISK_ASSIGN_OR_RETURN(m.sample_size, attrs.GetInt("sample_size", 1));
  if (m.sample_size < 0) {
    return InvalidArgument("attribute 'sample_size' must be >= 0, got " +
                           std::to_string(m.sample_size));
  }
  return m;
}

Status InferMultinomial(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(MultinomialParams m, ParseMultinomial(ctx.attrs()));
  const ir::TypeInfo& in = ctx.input_type(0);
  if (!in.shape) {
    ctx.set_output(0, m.dtype, SymbolicShape({Dim::Unknown(), Dim::Known(m.sample_size)}));
    return Status::Ok();
  }
  if (in.shape->rank() != 2) {
    return InvalidArgument("input 0 'input' must be [batch_size, class_size], got " +
                           in.shape->ToString());
  }
  ctx.set_output(0, m.dtype, SymbolicShape({in.shape->dims[0], Dim::Known(m.sample_size)}));
  return Status::Ok();
}

class MultinomialKernel : public Kernel {
 public:
  explicit MultinomialKernel(MultinomialParams m) : m_(m) {}
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(MultinomialParams m, ParseMultinomial(init.attrs()));
    return MakeKernel<MultinomialKernel>(m);
  }

  Status Run(KernelContext& ctx) const override {
    if (ctx.input(0) == nullptr) return InvalidArgument("input 0 'input' is required");
    const Tensor& x = *ctx.input(0);
    if (x.rank() != 2) {
      return InvalidArgument("input 0 'input' must be [batch_size, class_size], got " +
                             x.TypeString());
    }
    const int64_t batch = x.dim(0), classes = x.dim(1);
    if (classes == 0 && batch > 0 && m_.sample_size > 0) {
      return InvalidArgument("input 0 'input': cannot sample from 0 classes");
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * y,
                           ctx.AllocateOutput(0, m_.dtype, Shape{batch, m_.sample_size}));
    std::vector<double> logits(size_t(x.num_elements()));
    BRISK_RETURN_IF_ERROR(DispatchFloat(x.dtype(), "input 0 'input'", [&]<typename T>() -> Status {
      for (int64_t i = 0; i < x.num_elements(); ++i) logits[size_t(i)] = ToDouble(x.data<T>()[i]);
      return Status::Ok();
    }));
    std::mt19937_64 gen = MakeGenerator(m_.random);
    std::vector<double> cumulative(static_cast<size_t>(classes));
    for (int64_t b = 0; b < batch; ++b) {
      const double* row = logits.data() + b * classes;
      double max = -INFINITY;
      for (int64_t c = 0; c < classes; ++c) max = std::max(max, row[c]);
      double total = 0;
      for (int64_t c = 0; c < classes; ++c) {
        total += std::isfinite(max) ? std::exp(row[c] - max) : 1.0;
        cumulative[size_t(c)] = total;
      }
      std::uniform_real_distribution<double> dist(0.0, total);
      for (int64_t s = 0; s < m_.sample_size; ++s) {
        const double u = dist(gen);
        int64_t c = int64_t(std::upper_bound(cumulative.begin(), cumulative.end(), u) -
                            cumulative.begin());
        if (c >= classes) c = classes - 1;
        if (m_.dtype == DType::kInt32) {
          y->data<int32_t>()[b * m_.sample_size + s] = int32_t(c);
        } else {
          y->data<int64_t>()[b * m_.sample_size + s] = c;
        }
      }
    }
    return Status::Ok();
  }

 private:
  MultinomialParams m_;
};

}  // namespace

BRISK_REGISTER_OPS(reduce_resize_random) {
  Op("Det").Since(11).Infer(InferDet).Compute(DetCompute);
  for (const auto& [name, kind, like] :
       {std::tuple{"RandomUniform", RandomKind::kUniform, false},
        std::tuple{"RandomNormal", RandomKind::kNormal, false},
        std::tuple{"RandomUniformLike", RandomKind::kUniform, true},
        std::tuple{"RandomNormalLike", RandomKind::kNormal, true}}) {
    const bool is_like = like;
    const RandomKind k = kind;
    Op(name)
        .Since(1)
        .Infer([is_like](InferenceContext& ctx) { return InferRandom(ctx, is_like); })
        .Create([k, is_like](const KernelInit& init) {
          return RandomKernel::Create(init, k, is_like);
        });
  }
  Op("Bernoulli").Since(15).Infer(InferBernoulli).Kernel<BernoulliKernel>();
  Op("Multinomial").Since(7).Infer(InferMultinomial).Kernel<MultinomialKernel>();
}

}  // namespace brisk
