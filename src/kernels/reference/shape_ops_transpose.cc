// Transpose, DepthToSpace, SpaceToDepth, Tile: element permutations and repetitions, each a
// single strided copy (shape_ops::CopyStrided) of a view of the input.
#include <algorithm>

#include "kernels/reference/shape_ops_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using shape_ops::InputName;
using shape_ops::ReadIntList;
using shape_ops::UnknownShape;

// ---- Transpose -----------------------------------------------------------------------------

// The permutation for a rank: the attribute, or reversed dims when absent.
StatusOr<std::vector<int>> TransposePerm(const std::optional<std::vector<int64_t>>& attr,
                                         int rank) {
  std::vector<int> perm(static_cast<size_t>(rank));
  if (!attr) {
    for (int i = 0; i < rank; ++i) perm[size_t(i)] = rank - 1 - i;
    return perm;
  }
  if (int(attr->size()) != rank) {
    return InvalidArgument("attribute 'perm' has " + std::to_string(attr->size()) +
                           " entries but the input has rank " + std::to_string(rank));
  }
  std::vector<bool> seen(size_t(rank), false);
  for (int i = 0; i < rank; ++i) {
    int64_t p = (*attr)[size_t(i)];
    if (p < -rank || p >= rank) {
      return InvalidArgument("attribute 'perm': entry " + std::to_string(p) +
                             " is out of range for rank " + std::to_string(rank));
    }
    if (p < 0) p += rank;
    if (seen[size_t(p)]) {
      return InvalidArgument("attribute 'perm' is not a permutation: " + std::to_string(p) +
                             " appears more than once");
    }
    seen[size_t(p)] = true;
    perm[size_t(i)] = int(p);
  }
  return perm;
}

StatusOr<std::optional<std::vector<int64_t>>> PermAttr(const ir::AttributeMap& attrs) {
  if (!attrs.Has("perm")) return std::optional<std::vector<int64_t>>();
  BRISK_ASSIGN_OR_RETURN(auto perm, attrs.GetInts("perm"));
  return std::optional<std::vector<int64_t>>(std::move(perm));
}

Status InferTranspose(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  BRISK_ASSIGN_OR_RETURN(auto attr, PermAttr(ctx.attrs()));
  if (!in.shape) {
    if (attr) ctx.set_output(0, in.dtype, UnknownShape(int(attr->size())));
    else ctx.set_output(0, in.dtype, std::nullopt);
    return Status::Ok();
  }
  BRISK_ASSIGN_OR_RETURN(auto perm, TransposePerm(attr, in.shape->rank()));
  SymbolicShape out;
  for (int p : perm) out.dims.push_back(in.shape->dims[size_t(p)]);
  ctx.set_output(0, in.dtype, std::move(out));
  return Status::Ok();
}

class TransposeKernel final : public Kernel {
 public:
  explicit TransposeKernel(std::optional<std::vector<int64_t>> perm) : perm_(std::move(perm)) {}
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(auto attr, PermAttr(init.attrs()));
    return MakeKernel<TransposeKernel>(std::move(attr));
  }
  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "data"));
    BRISK_ASSIGN_OR_RETURN(auto perm, TransposePerm(perm_, x->rank()));
    const std::vector<int64_t> in_strides = ContiguousStrides(x->shape());
    std::vector<int64_t> dims, strides;
    for (int p : perm) {
      dims.push_back(x->dim(p));
      strides.push_back(in_strides[size_t(p)]);
    }
    return shape_ops::ViewToOutput(ctx, 0, *x, 0, strides, Shape(std::move(dims)));
  }

 private:
  std::optional<std::vector<int64_t>> perm_;
};

// ---- DepthToSpace / SpaceToDepth -----------------------------------------------------------

struct BlockAttrs {
  int64_t blocksize = 0;
  bool crd = false;  // DepthToSpace mode
};

StatusOr<BlockAttrs> GetBlockAttrs(const ir::AttributeMap& attrs, int opset, bool depth_to_space) {
  BlockAttrs b;
  BRISK_ASSIGN_OR_RETURN(b.blocksize, attrs.GetInt("blocksize"));
  if (b.blocksize <= 0 || b.blocksize > (int64_t(1) << 24)) {
    return InvalidArgument("attribute 'blocksize' must be positive, got " +
                           std::to_string(b.blocksize));
  }
  if (depth_to_space && opset >= 11) {
    BRISK_ASSIGN_OR_RETURN(std::string mode, attrs.GetString("mode", "DCR"));
    if (mode != "DCR" && mode != "CRD") {
      return InvalidArgument("attribute 'mode' must be \"DCR\" or \"CRD\", got \"" + mode + "\"");
    }
    b.crd = mode == "CRD";
  }
  return b;
}

Dim MulDim(const Dim& d, int64_t f) {
  if (d.is_known()) {
    if (d.value != 0 && f > kMaxElements / d.value) return Dim::Unknown();
    return Dim::Known(d.value * f);
  }
  if (f == 1) return d;
  return Dim::Unknown();
}

StatusOr<Dim> DivDim(const Dim& d, int64_t f, const std::string& what) {
  if (!d.is_known()) return f == 1 ? d : Dim::Unknown();
  if (d.value % f != 0) {
    return InvalidArgument(what + " " + std::to_string(d.value) + " is not divisible by " +
                           std::to_string(f));
  }
  return Dim::Known(d.value / f);
}

Status CheckRank4(const std::optional<SymbolicShape>& s) {
  if (s && s->rank() != 4) {
    return InvalidArgument("input 0 'input' must have rank 4 (N, C, H, W), got " + s->ToString());
  }
  return Status::Ok();
}

Status InferDepthToSpace(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  BRISK_ASSIGN_OR_RETURN(BlockAttrs b, GetBlockAttrs(ctx.attrs(), ctx.opset(), true));
  BRISK_RETURN_IF_ERROR(CheckRank4(in.shape));
  if (!in.shape) {
    ctx.set_output(0, in.dtype, UnknownShape(4));
    return Status::Ok();
  }
  const auto& d = in.shape->dims;
  BRISK_ASSIGN_OR_RETURN(Dim c, DivDim(d[1], b.blocksize * b.blocksize,
                                       "input 0 'input': channel count"));
  ctx.set_output(0, in.dtype,
                 SymbolicShape({d[0], c, MulDim(d[2], b.blocksize), MulDim(d[3], b.blocksize)}));
  return Status::Ok();
}

Status InferSpaceToDepth(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  BRISK_ASSIGN_OR_RETURN(BlockAttrs b, GetBlockAttrs(ctx.attrs(), ctx.opset(), false));
  BRISK_RETURN_IF_ERROR(CheckRank4(in.shape));
  if (!in.shape) {
    ctx.set_output(0, in.dtype, UnknownShape(4));
    return Status::Ok();
  }
  const auto& d = in.shape->dims;
  BRISK_ASSIGN_OR_RETURN(Dim h, DivDim(d[2], b.blocksize, "input 0 'input': height"));
  BRISK_ASSIGN_OR_RETURN(Dim w, DivDim(d[3], b.blocksize, "input 0 'input': width"));
  ctx.set_output(0, in.dtype,
                 SymbolicShape({d[0], MulDim(d[1], b.blocksize * b.blocksize), h, w}));
  return Status::Ok();
}

class DepthToSpaceKernel final : public Kernel {
 public:
  DepthToSpaceKernel(BlockAttrs b, bool depth_to_space) : b_(b), d2s_(depth_to_space) {}
  static StatusOr<std::unique_ptr<Kernel>> CreateD2S(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(BlockAttrs b, GetBlockAttrs(init.attrs(), init.opset(), true));
    return MakeKernel<DepthToSpaceKernel>(b, true);
  }
  static StatusOr<std::unique_ptr<Kernel>> CreateS2D(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(BlockAttrs b, GetBlockAttrs(init.attrs(), init.opset(), false));
    return MakeKernel<DepthToSpaceKernel>(b, false);
  }

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "input"));
    BRISK_RETURN_IF_ERROR(CheckRank4(SymbolicShape::FromShape(x->shape())));
    const int64_t n = x->dim(0), c = x->dim(1), h = x->dim(2), w = x->dim(3);
    const int64_t b = b_.blocksize;
    if (d2s_) {
      if (c % (b * b) != 0) {
        return InvalidArgument("input 0 'input': channel count " + std::to_string(c) +
                               " is not divisible by blocksize^2 = " + std::to_string(b * b));
      }
      const int64_t oc = c / (b * b);
      // Output viewed as [N, C', H, b1, W, b2].
      const int64_t hw = h * w;
      const int64_t c_stride = b_.crd ? b * b * hw : hw;
      const int64_t b1_stride = b_.crd ? b * hw : b * oc * hw;
      const int64_t b2_stride = b_.crd ? hw : oc * hw;
      const int64_t view[] = {n, oc, h, b, w, b};
      const int64_t strides[] = {c * hw, c_stride, w, b1_stride, 1, b2_stride};
      BRISK_ASSIGN_OR_RETURN(Tensor* y,
                             ctx.AllocateOutput(0, x->dtype(), Shape{n, oc, h * b, w * b}));
      if (y->num_elements() == 0) return Status::Ok();
      const std::vector<int64_t> dst = ContiguousStrides(Shape(view));
      shape_ops::CopyStrided(x->dtype(), x->raw_data(), strides, y->raw_data(), dst, view);
      return Status::Ok();
    }
    if (h % b != 0 || w % b != 0) {
      return InvalidArgument("input 0 'input': height " + std::to_string(h) + " and width " +
                             std::to_string(w) + " must be divisible by blocksize " +
                             std::to_string(b));
    }
    // Output viewed as [N, b1, b2, C, H', W'].
    const int64_t oh = h / b, ow = w / b;
    const int64_t view[] = {n, b, b, c, oh, ow};
    const int64_t strides[] = {c * h * w, w, 1, h * w, b * w, b};
    BRISK_ASSIGN_OR_RETURN(Tensor* y,
                           ctx.AllocateOutput(0, x->dtype(), Shape{n, c * b * b, oh, ow}));
    if (y->num_elements() == 0) return Status::Ok();
    const std::vector<int64_t> dst = ContiguousStrides(Shape(view));
    shape_ops::CopyStrided(x->dtype(), x->raw_data(), strides, y->raw_data(), dst, view);
    return Status::Ok();
  }

 private:
  BlockAttrs b_;
  bool d2s_;
};

// ---- Tile ----------------------------------------------------------------------------------

Status CheckRepeats(std::span<const int64_t> repeats, int rank) {
  if (int(repeats.size()) != rank) {
    return InvalidArgument(InputName(1, "repeats") + " has " + std::to_string(repeats.size()) +
                           " entries but input 0 'input' has rank " + std::to_string(rank));
  }
  for (int64_t r : repeats) {
    if (r < 0) {
      return InvalidArgument(InputName(1, "repeats") + ": value " + std::to_string(r) +
                             " is negative");
    }
  }
  return Status::Ok();
}

Status InferTile(InferenceContext& ctx) {
  const auto& in = ctx.input_type(0);
  if (!in.shape) {
    ctx.set_output(0, in.dtype, std::nullopt);
    return Status::Ok();
  }
  auto repeats = ConstantInts(ctx, 1);
  if (!repeats) {
    ctx.set_output(0, in.dtype, UnknownShape(in.shape->rank()));
    return Status::Ok();
  }
  BRISK_RETURN_IF_ERROR(CheckRepeats(*repeats, in.shape->rank()));
  SymbolicShape out;
  for (int i = 0; i < in.shape->rank(); ++i) {
    out.dims.push_back(MulDim(in.shape->dims[size_t(i)], (*repeats)[size_t(i)]));
  }
  ctx.set_output(0, in.dtype, std::move(out));
  return Status::Ok();
}

Status TileCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* x, shape_ops::RequiredInput(ctx, 0, "input"));
  BRISK_ASSIGN_OR_RETURN(const Tensor* r, shape_ops::RequiredInput(ctx, 1, "repeats"));
  BRISK_ASSIGN_OR_RETURN(auto repeats, ReadIntList(*r, 1, "repeats"));
  BRISK_RETURN_IF_ERROR(CheckRepeats(repeats, x->rank()));
  // The output [r0 * d0, r1 * d1, ...] is, row-major, the view [r0, d0, r1, d1, ...] of the
  // input with stride 0 on the repeat dims.
  const std::vector<int64_t> in_strides = ContiguousStrides(x->shape());
  std::vector<int64_t> view, strides, out_dims;
  for (int i = 0; i < x->rank(); ++i) {
    view.push_back(repeats[size_t(i)]);
    view.push_back(x->dim(i));
    strides.push_back(0);
    strides.push_back(in_strides[size_t(i)]);
    if (x->dim(i) != 0 && repeats[size_t(i)] > kMaxElements / x->dim(i)) {
      return InvalidArgument(InputName(1, "repeats") + ": the output would be too large");
    }
    out_dims.push_back(repeats[size_t(i)] * x->dim(i));
  }
  BRISK_ASSIGN_OR_RETURN(Tensor* y, ctx.AllocateOutput(0, x->dtype(), Shape(out_dims)));
  if (y->num_elements() == 0) return Status::Ok();
  const std::vector<int64_t> dst = ContiguousStrides(Shape(view));
  shape_ops::CopyStrided(x->dtype(), x->raw_data(), strides, y->raw_data(), dst, view);
  return Status::Ok();
}

}  // namespace

BRISK_REGISTER_OPS(shape_ops_transpose) {
  Op("Transpose").Since(1).Infer(InferTranspose).Kernel<TransposeKernel>();
  Op("DepthToSpace").Since(1).Infer(InferDepthToSpace).Create(DepthToSpaceKernel::CreateD2S);
  Op("SpaceToDepth").Since(1).Infer(InferSpaceToDepth).Create(DepthToSpaceKernel::CreateS2D);
  Op("Tile").Since(6).Infer(InferTile).Compute(TileCompute);
}

}  // namespace brisk
