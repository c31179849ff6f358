// NonMaxSuppression (opsets 10, 11): greedy per (batch, class) selection of boxes by descending
// score (ties: lower box index first), dropping boxes whose IoU with an already selected box
// exceeds iou_threshold and, when score_threshold is given, boxes whose score is not above it.
// boxes [B, S, 4] (center_point_box 0: [y1, x1, y2, x2], any diagonal pair; 1: [xc, yc, w, h]),
// scores [B, C, S]; optional scalar inputs max_output_boxes_per_class (int64, default 0 = none),
// iou_threshold and score_threshold (float). Output: int64 [num_selected, 3] of
// (batch, class, box), ordered by batch, class, then selection order.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

constexpr char kBoxes[] = "input 0 'boxes'";
constexpr char kScores[] = "input 1 'scores'";
constexpr char kMaxOut[] = "input 2 'max_output_boxes_per_class'";
constexpr char kIou[] = "input 3 'iou_threshold'";
constexpr char kScoreThr[] = "input 4 'score_threshold'";

StatusOr<int64_t> ParseCenterPointBox(const ir::AttributeMap& attrs) {
  BRISK_ASSIGN_OR_RETURN(int64_t c, attrs.GetInt("center_point_box", 0));
  if (c != 0 && c != 1) {
    return InvalidArgument("attribute 'center_point_box' must be 0 or 1, got " +
                           std::to_string(c));
  }
  return c;
}

bool Conflict(const Dim& a, const Dim& b) {
  return a.is_known() && b.is_known() && a.value != b.value;
}

Status InferNms(InferenceContext& ctx) {
  BRISK_RETURN_IF_ERROR(ParseCenterPointBox(ctx.attrs()).status());
  const ir::TypeInfo& b = ctx.input_type(0);
  const ir::TypeInfo& s = ctx.input_type(1);
  if (b.dtype != DType::kUndefined && !IsFloatingPoint(b.dtype)) {
    return InvalidArgument(std::string(kBoxes) + ": dtype " + std::string(DTypeName(b.dtype)) +
                           " is not supported (expected a floating-point type)");
  }
  if (b.shape) {
    if (b.shape->rank() != 3) {
      return InvalidArgument(std::string(kBoxes) + ": expected rank 3 [batches, boxes, 4], got " +
                             b.shape->ToString());
    }
    if (Conflict(b.shape->dims[2], Dim::Known(4))) {
      return InvalidArgument(std::string(kBoxes) + ": last dim must be 4, got " +
                             b.shape->ToString());
    }
  }
  if (s.shape && s.shape->rank() != 3) {
    return InvalidArgument(std::string(kScores) +
                           ": expected rank 3 [batches, classes, boxes], got " +
                           s.shape->ToString());
  }
  if (b.shape && s.shape &&
      (Conflict(b.shape->dims[0], s.shape->dims[0]) ||
       Conflict(b.shape->dims[1], s.shape->dims[2]))) {
    return InvalidArgument(std::string(kScores) + ": shape " + s.shape->ToString() +
                           " does not match " + kBoxes + " shape " + b.shape->ToString());
  }
  ctx.set_output(0, DType::kInt64, SymbolicShape({Dim::Unknown(), Dim::Known(3)}));
  return Status::Ok();
}

// Reads an optional scalar (empty tensor = absent).
StatusOr<std::optional<double>> OptionalScalar(const Tensor* t, const char* what) {
  if (t == nullptr || t->num_elements() == 0) return std::optional<double>();
  if (t->num_elements() != 1) {
    return InvalidArgument(std::string(what) + ": expected a scalar, got shape " +
                           t->shape().ToString());
  }
  double v = 0;
  BRISK_RETURN_IF_ERROR(DispatchNumeric(t->dtype(), what, [&]<typename T>() -> Status {
    v = ToDouble(t->data<T>()[0]);
    return Status::Ok();
  }));
  return std::optional<double>(v);
}

struct Box {
  double x_min, y_min, x_max, y_max;
};

Box ToBox(const double* b, bool center) {
  if (center) {
    const double hw = b[2] / 2, hh = b[3] / 2;
    return {b[0] - hw, b[1] - hh, b[0] + hw, b[1] + hh};
  }
  return {std::min(b[1], b[3]), std::min(b[0], b[2]), std::max(b[1], b[3]), std::max(b[0], b[2])};
}

bool SuppressByIou(const Box& a, const Box& b, double iou_threshold) {
  const double ix_min = std::max(a.x_min, b.x_min), ix_max = std::min(a.x_max, b.x_max);
  if (ix_max <= ix_min) return false;
  const double iy_min = std::max(a.y_min, b.y_min), iy_max = std::min(a.y_max, b.y_max);
  if (iy_max <= iy_min) return false;
  const double inter = (ix_max - ix_min) * (iy_max - iy_min);
  const double area_a = (a.x_max - a.x_min) * (a.y_max - a.y_min);
  const double area_b = (b.x_max - b.x_min) * (b.y_max - b.y_min);
  const double uni = area_a + area_b - inter;
  if (inter <= 0 || area_a <= 0 || area_b <= 0 || uni <= 0) return false;
  return inter / uni > iou_threshold;
}

class NmsKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(int64_t c, ParseCenterPointBox(init.attrs()));
    return MakeKernel<NmsKernel>(c == 1);
  }
  explicit NmsKernel(bool center) : center_(center) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* boxes = ctx.input(0);
    const Tensor* scores = ctx.input(1);
    if (boxes == nullptr) return InvalidArgument(std::string(kBoxes) + " is required");
    if (scores == nullptr) return InvalidArgument(std::string(kScores) + " is required");
    if (boxes->rank() != 3 || boxes->dim(2) != 4) {
      return InvalidArgument(std::string(kBoxes) + ": expected shape [batches, boxes, 4], got " +
                             boxes->shape().ToString());
    }
    if (scores->rank() != 3 || scores->dim(0) != boxes->dim(0) ||
        scores->dim(2) != boxes->dim(1)) {
      return InvalidArgument(std::string(kScores) + ": expected shape [" +
                             std::to_string(boxes->dim(0)) + ", classes, " +
                             std::to_string(boxes->dim(1)) + "], got " +
                             scores->shape().ToString());
    }
    BRISK_ASSIGN_OR_RETURN(std::optional<double> iou_d, OptionalScalar(ctx.input(3), kIou));
    BRISK_ASSIGN_OR_RETURN(std::optional<double> score_thr,
                           OptionalScalar(ctx.input(4), kScoreThr));
    int64_t max_out = 0;
    if (ctx.input(2) != nullptr && ctx.input(2)->num_elements() > 0) {
      BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> v, ReadInts(*ctx.input(2), kMaxOut));
      if (v.size() != 1) {
        return InvalidArgument(std::string(kMaxOut) + ": expected a scalar, got shape " +
                               ctx.input(2)->shape().ToString());
      }
      max_out = std::max<int64_t>(v[0], 0);
    }
    const double iou_threshold = iou_d.value_or(0.0);
    if (!(iou_threshold >= 0 && iou_threshold <= 1)) {
      return InvalidArgument(std::string(kIou) + ": must be in [0, 1], got " +
                             std::to_string(iou_threshold));
    }
    const int64_t num_batches = boxes->dim(0), num_boxes = boxes->dim(1);
    const int64_t num_classes = scores->dim(1);
    std::vector<double> bx(static_cast<size_t>(boxes->num_elements()));
    std::vector<double> sc(static_cast<size_t>(scores->num_elements()));
    BRISK_RETURN_IF_ERROR(DispatchFloat(boxes->dtype(), kBoxes, [&]<typename T>() -> Status {
      for (size_t i = 0; i < bx.size(); ++i) bx[i] = ToDouble(boxes->data<T>()[i]);
      return Status::Ok();
    }));
    BRISK_RETURN_IF_ERROR(DispatchFloat(scores->dtype(), kScores, [&]<typename T>() -> Status {
      for (size_t i = 0; i < sc.size(); ++i) sc[i] = ToDouble(scores->data<T>()[i]);
      return Status::Ok();
    }));

    std::vector<int64_t> selected;  // triples
    std::vector<Box> all_boxes(static_cast<size_t>(num_boxes));
    std::vector<int64_t> order;
    std::vector<int64_t> picked;
    for (int64_t b = 0; b < num_batches && max_out > 0; ++b) {
      for (int64_t i = 0; i < num_boxes; ++i)
        all_boxes[size_t(i)] = ToBox(&bx[size_t((b * num_boxes + i) * 4)], center_);
      for (int64_t c = 0; c < num_classes; ++c) {
        const double* s = &sc[size_t((b * num_classes + c) * num_boxes)];
        order.clear();
        for (int64_t i = 0; i < num_boxes; ++i)
          if (!score_thr || s[i] > *score_thr) order.push_back(i);
        // NaN scores rank lowest (keeps the comparison a strict weak order).
        auto key = [&](int64_t i) { return std::isnan(s[i]) ? -INFINITY : s[i]; };
        std::stable_sort(order.begin(), order.end(),
                         [&](int64_t l, int64_t r) { return key(l) > key(r); });
        picked.clear();
        for (int64_t i : order) {
          if (int64_t(picked.size()) >= max_out) break;
          bool keep = true;
          for (int64_t p : picked) {
            if (SuppressByIou(all_boxes[size_t(i)], all_boxes[size_t(p)], iou_threshold)) {
              keep = false;
              break;
            }
          }
          if (!keep) continue;
          picked.push_back(i);
          selected.insert(selected.end(), {b, c, i});
        }
      }
    }
    const int64_t num_selected = int64_t(selected.size() / 3);
    BRISK_ASSIGN_OR_RETURN(Tensor * out,
                           ctx.AllocateOutput(0, DType::kInt64, Shape{num_selected, 3}));
    std::copy(selected.begin(), selected.end(), out->data<int64_t>());
    return Status::Ok();
  }

 private:
  bool center_;
};

}  // namespace

BRISK_REGISTER_OPS(nms) {
  Op("NonMaxSuppression").Since(10).Infer(InferNms).Kernel<NmsKernel>();
}

}  // namespace brisk
