// Fast float32 Softmax, LayerNormalization and inference BatchNormalization on the CPU.
// - Softmax: opset 13+ along any axis (rows when the axis is last, strided columns otherwise);
//   opsets 1-12 flatten to 2-D at the axis, so it is always rows.
// - LayerNormalization (17): rows over the normalized trailing block; Scale/B must hold exactly
//   that block's element count; Mean/InvStdDev outputs when requested (stash_type 1 only).
// - BatchNormalization: inference only (no training_mode, no statistics outputs), constant
//   float32 parameters folded at create into one scale and shift per channel.
// Anything else (other dtypes, unknown rank, broadcast Scale, non-constant BN parameters) is
// declined and the reference kernel runs.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/threads.h"
#include "kernels/cpu/fast_kernel_util.h"
#include "kernels/cpu/ukernels/f32_elementwise.h"
#include "kernels/cpu/ukernels/f32_rows.h"
#include "kernels/registry.h"

namespace brisk::cpu {
namespace {

StatusOr<std::unique_ptr<Kernel>> Decline() { return std::unique_ptr<Kernel>(); }

// Rows per ParallelFor chunk so that a chunk holds about kStreamGrain elements.
int64_t RowGrain(int64_t row_len) {
  return std::max<int64_t>(1, kStreamGrain / std::max<int64_t>(1, row_len));
}

// Axis `axis` of a rank-`rank` tensor, or -1 when out of range.
int NormalizedAxis(int64_t axis, int rank) {
  if (axis < 0) axis += rank;
  return axis >= 0 && axis < rank ? int(axis) : -1;
}

// ---- Softmax -------------------------------------------------------------------------------

class SoftmaxKernel : public Kernel {
 public:
  SoftmaxKernel(int axis, bool coerce_2d)
      : axis_(axis), coerce_2d_(coerce_2d), uk_(ukernels::ActiveF32Rows()) {}

  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    const std::optional<int> rank = KnownRank(init, 0);
    if (!IsFloat32Input(init, 0) || !rank || *rank < 1) return Decline();
    StatusOr<int64_t> axis = init.attrs().GetInt("axis", init.opset() >= 13 ? -1 : 1);
    if (!axis.ok()) return Decline();
    const int a = NormalizedAxis(*axis, *rank);
    if (a < 0) return Decline();
    return MakeKernel<SoftmaxKernel>(a, init.opset() < 13);
  }

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr || x->dtype() != DType::kFloat32 || x->rank() <= axis_) {
      return InvalidArgument("input 0 'input': expected float32 of rank > " +
                             std::to_string(axis_));
    }
    const Shape& s = x->shape();
    const int64_t outer = s.NumElements(0, axis_);
    const int64_t len = coerce_2d_ ? s.NumElements(axis_, s.rank()) : s[axis_];
    const int64_t inner = coerce_2d_ ? 1 : s.NumElements(axis_ + 1, s.rank());
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kFloat32, s));
    if (x->num_elements() == 0) return Status::Ok();
    const float* xp = x->data<float>();
    float* yp = y->data<float>();
    if (inner == 1) {
      ParallelFor(outer, RowGrain(len), [&](int64_t r0, int64_t r1) {
        uk_.softmax_rows(xp + r0 * len, yp + r0 * len, r1 - r0, len);
      });
    } else {
      const int64_t block = len * inner;
      ParallelFor(outer, RowGrain(block), [&](int64_t o0, int64_t o1) {
        std::vector<float> scratch(static_cast<size_t>(2 * inner));
        for (int64_t o = o0; o < o1; ++o) {
          uk_.softmax_strided(xp + o * block, yp + o * block, len, inner, scratch.data());
        }
      });
    }
    return Status::Ok();
  }
  std::string Describe() const override { return std::string(IsaName(uk_.isa)); }

 private:
  int axis_;
  bool coerce_2d_;
  const ukernels::F32RowsUkernels& uk_;
};

// ---- LayerNormalization --------------------------------------------------------------------

class LayerNormKernel : public Kernel {
 public:
  LayerNormKernel(int axis, float eps) : axis_(axis), eps_(eps), uk_(ukernels::ActiveF32Rows()) {}

  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    const std::optional<int> rank = KnownRank(init, 0);
    if (!IsFloat32Input(init, 0) || !IsFloat32Input(init, 1) || !rank || *rank < 1) {
      return Decline();
    }
    StatusOr<int64_t> axis = init.attrs().GetInt("axis", -1);
    StatusOr<float> eps = init.attrs().GetFloat("epsilon", 1e-5f);
    StatusOr<int64_t> stash = init.attrs().GetInt("stash_type", 1);
    if (!axis.ok() || !eps.ok() || !stash.ok() || *stash != 1) return Decline();
    const int a = NormalizedAxis(*axis, *rank);
    if (a < 0) return Decline();
    // The normalized block's size must be known and match Scale (and B) element for element.
    const auto& xs = *init.input_types[0].shape;
    int64_t cols = 1;
    for (int i = a; i < *rank; ++i) {
      if (!xs.dims[size_t(i)].is_known()) return Decline();
      cols *= xs.dims[size_t(i)].value;
    }
    for (int i = 1; i <= 2; ++i) {
      if (i == 2 && !init.node.has_input(2)) break;
      const std::optional<Shape> ps = KnownShape(init, i);
      if (!IsFloat32Input(init, i) || !ps || ps->NumElements() != cols || ps->rank() > *rank) {
        return Decline();
      }
    }
    return MakeKernel<LayerNormKernel>(a, *eps);
  }

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    const Tensor* scale = ctx.input(1);
    const Tensor* bias = ctx.input(2);
    if (x == nullptr || x->rank() <= axis_ || scale == nullptr) {
      return InvalidArgument("input 0 'X': expected rank > " + std::to_string(axis_));
    }
    const Shape& s = x->shape();
    const int64_t rows = s.NumElements(0, axis_);
    const int64_t cols = s.NumElements(axis_, s.rank());
    if (scale->num_elements() != cols || (bias != nullptr && bias->num_elements() != cols)) {
      return InvalidArgument("input 1 'Scale' / 2 'B': expected " + std::to_string(cols) +
                             " elements (the normalized shape of X " + s.ToString() + ")");
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kFloat32, s));
    DimVector stat_dims = s.dims();  // inline: no allocation
    for (int i = axis_; i < s.rank(); ++i) stat_dims[size_t(i)] = 1;
    float* stats[2] = {nullptr, nullptr};
    for (int i = 1; i <= 2 && i < ctx.num_outputs(); ++i) {
      if (!ctx.output_requested(i)) continue;
      BRISK_ASSIGN_OR_RETURN(Tensor * t,
                             ctx.AllocateOutput(i, DType::kFloat32, Shape(stat_dims)));
      stats[i - 1] = t->data<float>();
    }
    if (rows == 0) return Status::Ok();
    const float* xp = x->data<float>();
    float* yp = y->data<float>();
    const float* g = scale->data<float>();
    const float* b = bias != nullptr ? bias->data<float>() : nullptr;
    ParallelFor(rows, RowGrain(cols), [&](int64_t r0, int64_t r1) {
      uk_.layernorm_rows(xp + r0 * cols, yp + r0 * cols, r1 - r0, cols, g, b, eps_,
                         stats[0] ? stats[0] + r0 : nullptr, stats[1] ? stats[1] + r0 : nullptr);
    });
    return Status::Ok();
  }
  std::string Describe() const override { return std::string(IsaName(uk_.isa)); }

 private:
  int axis_;
  float eps_;
  const ukernels::F32RowsUkernels& uk_;
};

// ---- BatchNormalization (inference) --------------------------------------------------------

class BatchNormKernel : public Kernel {
 public:
  BatchNormKernel(std::vector<float> scale, std::vector<float> shift)
      : scale_(std::move(scale)), shift_(std::move(shift)), uk_(ukernels::ActiveF32Elementwise()) {}

  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    if (!IsFloat32Input(init, 0)) return Decline();
    for (size_t i = 1; i < init.node.outputs.size(); ++i) {
      if (init.node.outputs[i] != nullptr) return Decline();  // training statistics
    }
    if (init.opset() >= 14) {
      StatusOr<int64_t> tm = init.attrs().GetInt("training_mode", 0);
      if (!tm.ok() || *tm != 0) return Decline();
    }
    if (init.opset() < 9) {
      StatusOr<int64_t> spatial = init.attrs().GetInt("spatial", 1);
      if (!spatial.ok() || *spatial != 1) return Decline();
    }
    StatusOr<float> eps = init.attrs().GetFloat("epsilon", 1e-5f);
    if (!eps.ok()) return Decline();
    const Tensor* p[5] = {};
    for (int i = 1; i <= 4; ++i) {
      p[i] = ConstantInput(init, i);
      if (p[i] == nullptr || p[i]->dtype() != DType::kFloat32 || p[i]->rank() != 1 ||
          p[i]->num_elements() != p[1]->num_elements()) {
        return Decline();
      }
    }
    const int64_t c = p[1]->num_elements();
    std::vector<float> scale(static_cast<size_t>(c)), shift(static_cast<size_t>(c));
    for (int64_t k = 0; k < c; ++k) {
      // y = (x - mean) / sqrt(var + eps) * gamma + beta = x * a + (beta - mean * a).
      const double a = double(p[1]->data<float>()[k]) /
                       std::sqrt(double(p[4]->data<float>()[k]) + double(*eps));
      scale[size_t(k)] = float(a);
      shift[size_t(k)] = float(double(p[2]->data<float>()[k]) - double(p[3]->data<float>()[k]) * a);
    }
    return MakeKernel<BatchNormKernel>(std::move(scale), std::move(shift));
  }

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    const int64_t c = int64_t(scale_.size());
    if (x == nullptr || x->rank() < 2 || x->dim(1) != c) {
      return InvalidArgument("input 0 'X': expected rank >= 2 with " + std::to_string(c) +
                             " channels (dim 1)");
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kFloat32, x->shape()));
    const int64_t inner = x->shape().NumElements(2, x->rank());
    const int64_t planes = x->dim(0) * c;
    const float* xp = x->data<float>();
    float* yp = y->data<float>();
    if (inner == 1) {  // [N, C]: a row of channels at a time
      ParallelFor(x->dim(0), RowGrain(c), [&](int64_t r0, int64_t r1) {
        for (int64_t i = r0 * c; i < r1 * c; ++i) {
          yp[i] = xp[i] * scale_[size_t(i % c)] + shift_[size_t(i % c)];
        }
      });
      return Status::Ok();
    }
    ParallelFor(planes, RowGrain(inner), [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const size_t ch = size_t(p % c);
        uk_.affine(xp + p * inner, scale_[ch], shift_[ch], yp + p * inner, inner);
      }
    });
    return Status::Ok();
  }
  std::string Describe() const override { return std::string(IsaName(uk_.isa)); }

 private:
  std::vector<float> scale_, shift_;
  const ukernels::F32ElementwiseUkernels& uk_;
};

}  // namespace

BRISK_REGISTER_OPS(cpu_softmax_norm) {
  Op("Softmax").Since(1).Backend(kCpuBackend).Kernel<SoftmaxKernel>();
  Op("LayerNormalization").Since(17).Backend(kCpuBackend).Kernel<LayerNormKernel>();
  Op("BatchNormalization").Since(7).Backend(kCpuBackend).Kernel<BatchNormKernel>();
}

}  // namespace brisk::cpu
