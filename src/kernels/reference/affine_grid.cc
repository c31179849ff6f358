// AffineGrid (opset 20): sampling grids for GridSample from affine matrices.
// theta [N, 2, 3] with size = [N, C, H, W] gives grid [N, H, W, 2]; theta [N, 3, 4] with
// size = [N, C, D, H, W] gives grid [N, D, H, W, 3]. Each output point is theta @ (x, y[, z], 1)
// where x runs over the last dim: with align_corners, -1 + 2 i / (W - 1) (-1 when W == 1), else
// -1 + (2 i + 1) / W.
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

constexpr char kTheta[] = "input 0 'theta'";
constexpr char kSize[] = "input 1 'size'";

StatusOr<bool> ParseAlignCorners(const ir::AttributeMap& attrs) {
  BRISK_ASSIGN_OR_RETURN(int64_t a, attrs.GetInt("align_corners", 0));
  if (a != 0 && a != 1) {
    return InvalidArgument("attribute 'align_corners' must be 0 or 1, got " + std::to_string(a));
  }
  return a == 1;
}

bool Conflict(const Dim& a, const Dim& b) {
  return a.is_known() && b.is_known() && a.value != b.value;
}

Status CheckSizeValues(const std::vector<int64_t>& size) {
  if (size.size() != 4 && size.size() != 5) {
    return InvalidArgument(std::string(kSize) + ": expected 4 ([N, C, H, W]) or 5 ([N, C, D, H, W])"
                           " values, got " + std::to_string(size.size()));
  }
  for (int64_t v : size) {
    if (v < 0) return InvalidArgument(std::string(kSize) + ": negative size " + std::to_string(v));
  }
  return Status::Ok();
}

Status InferAffineGrid(InferenceContext& ctx) {
  BRISK_RETURN_IF_ERROR(ParseAlignCorners(ctx.attrs()).status());
  const ir::TypeInfo& theta = ctx.input_type(0);
  const ir::TypeInfo& size = ctx.input_type(1);
  if (theta.dtype != DType::kUndefined && !IsFloatingPoint(theta.dtype)) {
    return InvalidArgument(std::string(kTheta) + ": dtype " + std::string(DTypeName(theta.dtype)) +
                           " is not supported (expected a floating-point type)");
  }
  if (size.dtype != DType::kUndefined && size.dtype != DType::kInt64) {
    return InvalidArgument(std::string(kSize) + ": dtype " + std::string(DTypeName(size.dtype)) +
                           " is not supported (expected int64)");
  }
  if (theta.shape && theta.shape->rank() != 3) {
    return InvalidArgument(std::string(kTheta) + ": expected rank 3, got " +
                           theta.shape->ToString());
  }
  int spatial = -1;  // 2 or 3 when known
  if (size.shape) {
    if (size.shape->rank() != 1) {
      return InvalidArgument(std::string(kSize) + ": expected rank 1, got " +
                             size.shape->ToString());
    }
    const Dim& d = size.shape->dims[0];
    if (d.is_known()) {
      if (d.value != 4 && d.value != 5) {
        return InvalidArgument(std::string(kSize) + ": expected 4 or 5 values, got " +
                               std::to_string(d.value));
      }
      spatial = int(d.value) - 2;
    }
  }
  if (spatial < 0 && theta.shape && theta.shape->dims[1].is_known()) {
    spatial = int(theta.shape->dims[1].value);
  }
  if (theta.shape && spatial > 0 &&
      (Conflict(theta.shape->dims[1], Dim::Known(spatial)) ||
       Conflict(theta.shape->dims[2], Dim::Known(spatial + 1)))) {
    return InvalidArgument(std::string(kTheta) + ": expected shape [N, " + std::to_string(spatial) +
                           ", " + std::to_string(spatial + 1) + "] for " +
                           std::to_string(spatial) + "-D grids, got " + theta.shape->ToString());
  }
  std::optional<SymbolicShape> out;
  if (std::optional<std::vector<int64_t>> sz = ConstantInts(ctx, 1)) {
    BRISK_RETURN_IF_ERROR(CheckSizeValues(*sz));
    if (theta.shape && Conflict(theta.shape->dims[0], Dim::Known((*sz)[0]))) {
      return InvalidArgument(std::string(kSize) + ": batch " + std::to_string((*sz)[0]) +
                             " differs from " + kTheta + " batch " +
                             theta.shape->dims[0].ToString());
    }
    SymbolicShape s;
    s.dims.push_back(Dim::Known((*sz)[0]));
    for (size_t i = 2; i < sz->size(); ++i) s.dims.push_back(Dim::Known((*sz)[i]));
    s.dims.push_back(Dim::Known(int64_t(sz->size()) - 2));
    out = s;
  } else if (spatial == 2 || spatial == 3) {
    SymbolicShape s;
    s.dims.push_back(theta.shape ? theta.shape->dims[0] : Dim::Unknown());
    for (int i = 0; i < spatial; ++i) s.dims.push_back(Dim::Unknown());
    s.dims.push_back(Dim::Known(spatial));
    out = s;
  }
  ctx.set_output(0, theta.dtype, out);
  return Status::Ok();
}

double Coord(int64_t i, int64_t n, bool align) {
  if (align) return n <= 1 ? -1.0 : -1.0 + 2.0 * double(i) / double(n - 1);  // linspace(-1, 1, n)
  return -1.0 + (2.0 * double(i) + 1.0) / double(n);
}

class AffineGridKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(bool align, ParseAlignCorners(init.attrs()));
    return MakeKernel<AffineGridKernel>(align);
  }
  explicit AffineGridKernel(bool align) : align_(align) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* theta = ctx.input(0);
    const Tensor* size_t_ = ctx.input(1);
    if (theta == nullptr) return InvalidArgument(std::string(kTheta) + " is required");
    if (size_t_ == nullptr) return InvalidArgument(std::string(kSize) + " is required");
    if (size_t_->rank() != 1) {
      return InvalidArgument(std::string(kSize) + ": expected rank 1, got " +
                             size_t_->shape().ToString());
    }
    BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> sz, ReadInts(*size_t_, kSize));
    BRISK_RETURN_IF_ERROR(CheckSizeValues(sz));
    const int r = int(sz.size()) - 2;
    const int64_t n = sz[0];
    if (theta->rank() != 3 || theta->dim(0) != n || theta->dim(1) != r || theta->dim(2) != r + 1) {
      return InvalidArgument(std::string(kTheta) + ": expected shape [" + std::to_string(n) +
                             ", " + std::to_string(r) + ", " + std::to_string(r + 1) +
                             "] for size " + Shape(sz).ToString() + ", got " +
                             theta->shape().ToString());
    }
    std::vector<int64_t> out_dims{n};
    for (int i = 0; i < r; ++i) out_dims.push_back(sz[size_t(2 + i)]);
    out_dims.push_back(r);
    Shape out_shape(out_dims);
    BRISK_RETURN_IF_ERROR(out_shape.Validate());
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, theta->dtype(), out_shape));
    // Spatial extents ordered (D,) H, W; coordinates ordered x (W), y (H)[, z (D)].
    const int64_t d_len = r == 3 ? sz[2] : 1, h_len = sz[size_t(r == 3 ? 3 : 2)],
                  w_len = sz[size_t(r == 3 ? 4 : 3)];
    return DispatchFloat(theta->dtype(), kTheta, [&]<typename T>() -> Status {
      const T* th = theta->data<T>();
      T* out = y->data<T>();
      int64_t o = 0;
      for (int64_t b = 0; b < n; ++b) {
        double m[3][4] = {};
        for (int i = 0; i < r; ++i)
          for (int j = 0; j <= r; ++j) m[i][j] = ToDouble(th[(b * r + i) * (r + 1) + j]);
        for (int64_t d = 0; d < d_len; ++d) {
          const double z = r == 3 ? Coord(d, d_len, align_) : 0.0;
          for (int64_t h = 0; h < h_len; ++h) {
            const double yv = Coord(h, h_len, align_);
            for (int64_t w = 0; w < w_len; ++w) {
              const double xv = Coord(w, w_len, align_);
              const double p[4] = {xv, yv, r == 3 ? z : 1.0, 1.0};
              for (int i = 0; i < r; ++i) {
                double acc = 0;
                for (int j = 0; j < r; ++j) acc += m[i][j] * p[j];
                acc += m[i][r];
                out[o++] = FromDouble<T>(acc);
              }
            }
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  bool align_;
};

}  // namespace

BRISK_REGISTER_OPS(affine_grid) {
  Op("AffineGrid").Since(20).Infer(InferAffineGrid).Kernel<AffineGridKernel>();
}

}  // namespace brisk
