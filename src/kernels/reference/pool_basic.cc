// MaxPool (with the optional Indices output), AveragePool and LpPool over 1-D, 2-D, 3-D (any
// N-D) inputs: direct loops over each window's in-bounds positions.
#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/dispatch.h"
#include "kernels/reference/conv_pool_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using conv_pool::AxisGeometry;
using conv_pool::SpatialAttrs;

enum class PoolKind { kMax, kAverage, kLp };

struct PoolConfig {
  PoolKind kind = PoolKind::kMax;
  SpatialAttrs attrs;
  bool count_include_pad = false;
  bool column_major_indices = false;  // MaxPool storage_order = 1
  double p = 2;                       // LpPool
};

StatusOr<PoolConfig> ParsePoolConfig(const ir::AttributeMap& attrs, PoolKind kind) {
  PoolConfig cfg;
  cfg.kind = kind;
  BRISK_ASSIGN_OR_RETURN(cfg.attrs, conv_pool::ParseSpatialAttrs(attrs, true, true));
  if (cfg.attrs.kernel_shape.empty()) {
    return InvalidArgument("attribute 'kernel_shape' is required");
  }
  if (kind == PoolKind::kAverage) {
    BRISK_ASSIGN_OR_RETURN(int64_t cip, attrs.GetInt("count_include_pad", 0));
    if (cip != 0 && cip != 1) {
      return InvalidArgument("attribute 'count_include_pad': expected 0 or 1, got " +
                             std::to_string(cip));
    }
    cfg.count_include_pad = cip == 1;
  }
  if (kind == PoolKind::kMax) {
    BRISK_ASSIGN_OR_RETURN(int64_t order, attrs.GetInt("storage_order", 0));
    if (order != 0 && order != 1) {
      return InvalidArgument("attribute 'storage_order': expected 0 or 1, got " +
                             std::to_string(order));
    }
    cfg.column_major_indices = order == 1;
  }
  if (kind == PoolKind::kLp) {
    // LpPool-1 has a float 'p'; later versions an int.
    const ir::Attribute* a = attrs.Find("p");
    if (a != nullptr) {
      cfg.p = a->kind == ir::Attribute::Kind::kFloat ? double(a->f) : double(a->i);
    }
    if (!(cfg.p > 0)) {
      return InvalidArgument("attribute 'p': must be > 0, got " + std::to_string(cfg.p));
    }
  }
  return cfg;
}

Status InferPool(InferenceContext& ctx, PoolKind kind) {
  BRISK_ASSIGN_OR_RETURN(PoolConfig cfg, ParsePoolConfig(ctx.attrs(), kind));
  const ir::TypeInfo& x = ctx.input_type(0);
  std::optional<SymbolicShape> out;
  if (x.shape) {
    const SymbolicShape& xs = *x.shape;
    if (xs.rank() < 3) {
      return InvalidArgument("input 0 'X': expected rank >= 3, got " + std::to_string(xs.rank()));
    }
    std::span<const Dim> in_spatial(xs.dims.data() + 2, size_t(xs.rank() - 2));
    BRISK_ASSIGN_OR_RETURN(std::vector<Dim> spatial,
                           conv_pool::ForwardSymbolicDims(cfg.attrs, in_spatial, {}));
    out = SymbolicShape({xs.dims[0], xs.dims[1]});
    for (Dim& d : spatial) out->dims.push_back(std::move(d));
  }
  ctx.set_output(0, x.dtype, out);
  if (ctx.num_outputs() > 1) ctx.set_output(1, DType::kInt64, out);
  return Status::Ok();
}

// Window of one output position along one axis: kernel indices [klo, khi) land inside the
// input; `padded` kernel indices land inside the input or its explicit padding.
struct AxisWindow {
  int64_t start = 0;
  int64_t klo = 0, khi = 0;
  int64_t padded = 0;
};

std::vector<std::vector<AxisWindow>> AxisWindows(const std::vector<AxisGeometry>& geo) {
  std::vector<std::vector<AxisWindow>> win(geo.size());
  for (size_t i = 0; i < geo.size(); ++i) {
    const AxisGeometry& g = geo[i];
    for (int64_t o = 0; o < g.out; ++o) {
      AxisWindow w;
      w.start = o * g.stride - g.pad_begin;
      w.klo = w.start >= 0 ? 0 : (-w.start + g.dilation - 1) / g.dilation;
      w.khi = g.in - 1 - w.start < 0 ? 0 : (g.in - 1 - w.start) / g.dilation + 1;
      w.khi = std::max(w.klo, std::min(w.khi, g.kernel));
      w.klo = std::min(w.klo, w.khi);
      const int64_t limit = g.in + g.pad_end - 1 - w.start;
      w.padded = limit < 0 ? 0 : std::min(g.kernel, limit / g.dilation + 1);
      win[i].push_back(w);
    }
  }
  return win;
}

template <typename T>
Status PoolCompute(const PoolConfig& cfg, const std::vector<AxisGeometry>& geo, const Tensor& x,
                   Tensor& y, Tensor* indices) {
  const int n = int(geo.size());
  const int64_t planes = x.dim(0) * x.dim(1);
  int64_t in_size = 1, out_size = 1;
  for (const AxisGeometry& g : geo) {
    in_size *= g.in;
    out_size *= g.out;
  }
  if (planes == 0 || out_size == 0) return Status::Ok();
  const auto win = AxisWindows(geo);
  const T* xd = x.data<T>();
  T* yd = y.data<T>();
  int64_t* id = indices != nullptr ? indices->data<int64_t>() : nullptr;
  std::vector<int64_t> offs, col_offs, next, next_col;
  std::vector<int64_t> oi(static_cast<size_t>(n), 0);
  for (int64_t o = 0; o < out_size; ++o) {
    // Offsets (row-major and column-major) of the window's in-bounds positions.
    offs.assign(1, 0);
    col_offs.assign(1, 0);
    int64_t col_stride = 1;
    int64_t padded_count = 1;
    for (int i = 0; i < n; ++i) {
      const AxisGeometry& g = geo[size_t(i)];
      const AxisWindow& w = win[size_t(i)][size_t(oi[size_t(i)])];
      padded_count *= w.padded;
      next.clear();
      next_col.clear();
      for (size_t j = 0; j < offs.size(); ++j) {
        for (int64_t k = w.klo; k < w.khi; ++k) {
          const int64_t coord = w.start + k * g.dilation;
          next.push_back(offs[j] * g.in + coord);
          next_col.push_back(col_offs[j] + coord * col_stride);
        }
      }
      offs.swap(next);
      col_offs.swap(next_col);
      col_stride *= g.in;
    }
    for (int64_t p = 0; p < planes; ++p) {
      const T* xp = xd + p * in_size;
      T& out = yd[p * out_size + o];
      if (cfg.kind == PoolKind::kMax) {
        T best = std::numeric_limits<T>::lowest();
        if constexpr (std::is_same_v<T, Float16>) best = Float16(-65504.f);
        int64_t best_j = -1;
        for (size_t j = 0; j < offs.size(); ++j) {
          const T v = xp[offs[j]];
          if (best_j < 0 || v > best) {
            best = v;
            best_j = int64_t(j);
          }
        }
        out = best;
        if (id != nullptr) {
          id[p * out_size + o] =
              best_j < 0 ? -1
                         : p * in_size + (cfg.column_major_indices ? col_offs[size_t(best_j)]
                                                                   : offs[size_t(best_j)]);
        }
      } else if (cfg.kind == PoolKind::kAverage) {
        double sum = 0;
        for (int64_t off : offs) sum += ToDouble(xp[off]);
        const int64_t count = cfg.count_include_pad ? padded_count : int64_t(offs.size());
        out = FromDouble<T>(sum / double(count));
      } else {
        double sum = 0;
        for (int64_t off : offs) sum += std::pow(std::abs(ToDouble(xp[off])), cfg.p);
        out = FromDouble<T>(std::pow(sum, 1.0 / cfg.p));
      }
    }
    for (int i = n - 1; i >= 0; --i) {
      if (++oi[size_t(i)] < geo[size_t(i)].out) break;
      oi[size_t(i)] = 0;
    }
  }
  return Status::Ok();
}

class PoolKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init, PoolKind kind) {
    BRISK_ASSIGN_OR_RETURN(PoolConfig cfg, ParsePoolConfig(init.attrs(), kind));
    return MakeKernel<PoolKernel>(std::move(cfg));
  }
  explicit PoolKernel(PoolConfig cfg) : cfg_(std::move(cfg)) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    BRISK_RETURN_IF_ERROR(conv_pool::CheckRankAtLeast(x.shape(), 3, 0, "X"));
    BRISK_ASSIGN_OR_RETURN(std::vector<AxisGeometry> geo,
                           conv_pool::ForwardGeometry(cfg_.attrs, conv_pool::SpatialDims(x.shape()),
                                                      {}));
    std::vector<int64_t> out_dims = {x.dim(0), x.dim(1)};
    for (const AxisGeometry& g : geo) out_dims.push_back(g.out);
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(), Shape(out_dims)));
    Tensor* indices = nullptr;
    if (cfg_.kind == PoolKind::kMax && ctx.num_outputs() > 1 && ctx.output_requested(1)) {
      BRISK_ASSIGN_OR_RETURN(indices, ctx.AllocateOutput(1, DType::kInt64, Shape(out_dims)));
    }
    if (cfg_.kind == PoolKind::kMax) {
      switch (x.dtype()) {
        case DType::kInt8: return PoolCompute<int8_t>(cfg_, geo, x, *y, indices);
        case DType::kUInt8: return PoolCompute<uint8_t>(cfg_, geo, x, *y, indices);
        default: break;
      }
    }
    return DispatchFloat(x.dtype(), "input 0 'X'", [&]<typename T>() -> Status {
      return PoolCompute<T>(cfg_, geo, x, *y, indices);
    });
  }

 private:
  PoolConfig cfg_;
};

template <PoolKind kKind>
StatusOr<std::unique_ptr<Kernel>> CreatePool(const KernelInit& init) {
  return PoolKernel::Create(init, kKind);
}

template <PoolKind kKind>
Status InferPoolKind(InferenceContext& ctx) {
  return InferPool(ctx, kKind);
}

}  // namespace

BRISK_REGISTER_OPS(pool_basic) {
  Op("MaxPool").Since(1).Infer(InferPoolKind<PoolKind::kMax>).Create(CreatePool<PoolKind::kMax>);
  Op("AveragePool")
      .Since(1)
      .Infer(InferPoolKind<PoolKind::kAverage>)
      .Create(CreatePool<PoolKind::kAverage>);
  Op("LpPool").Since(1).Infer(InferPoolKind<PoolKind::kLp>).Create(CreatePool<PoolKind::kLp>);
}

}  // namespace brisk
