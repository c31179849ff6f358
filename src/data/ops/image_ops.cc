// ops::CenterCrop and ops::HwcToChw: layout changes of [H, W, C] images (any non-string dtype),
// done with byte copies.
#include <cstring>
#include <utility>

#include "data/ops/op_util.h"

namespace brisk::data::ops {
namespace {

Status CheckImage(const Element& e, const Tensor& t, std::string_view op,
                  const std::string& component) {
  if (t.rank() != 3 || t.dtype() == DType::kString) {
    return ops_internal::OpError(e, op, "component '" + component +
                                            "' must be an [H, W, C] image, got " +
                                            t.TypeString());
  }
  return Status::Ok();
}

}  // namespace

MapFn CenterCrop(std::string component, int height, int width) {
  return [=](Element e) -> StatusOr<Element> {
    BRISK_ASSIGN_OR_RETURN(Tensor * image, ops_internal::Component(e, component, "center_crop"));
    BRISK_RETURN_IF_ERROR(CheckImage(e, *image, "center_crop", component));
    const int64_t h = image->dim(0), w = image->dim(1), c = image->dim(2);
    if (height <= 0 || width <= 0 || height > h || width > w) {
      return ops_internal::OpError(e, "center_crop",
                                   "cannot crop " + std::to_string(height) + "x" +
                                       std::to_string(width) + " from an image of " +
                                       std::to_string(h) + "x" + std::to_string(w));
    }
    const int64_t top = (h - height) / 2, left = (w - width) / 2;
    BRISK_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(image->dtype(), Shape{height, width, c}));
    const size_t pixel = size_t(c) * DTypeSize(image->dtype());
    const auto* src = static_cast<const char*>(image->raw_data());
    auto* dst = static_cast<char*>(out.raw_data());
    for (int64_t y = 0; y < height; ++y) {
      std::memcpy(dst + size_t(y) * size_t(width) * pixel,
                  src + (size_t(top + y) * size_t(w) + size_t(left)) * pixel,
                  size_t(width) * pixel);
    }
    *image = std::move(out);
    return e;
  };
}

MapFn HwcToChw(std::string component) {
  return [=](Element e) -> StatusOr<Element> {
    BRISK_ASSIGN_OR_RETURN(Tensor * image, ops_internal::Component(e, component, "hwc_to_chw"));
    BRISK_RETURN_IF_ERROR(CheckImage(e, *image, "hwc_to_chw", component));
    const int64_t h = image->dim(0), w = image->dim(1), c = image->dim(2);
    BRISK_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(image->dtype(), Shape{c, h, w}));
    const size_t elem = DTypeSize(image->dtype());
    const auto* src = static_cast<const char*>(image->raw_data());
    auto* dst = static_cast<char*>(out.raw_data());
    const size_t plane = size_t(h) * size_t(w);
    for (size_t p = 0; p < plane; ++p) {
      for (int64_t ch = 0; ch < c; ++ch) {
        std::memcpy(dst + (size_t(ch) * plane + p) * elem,
                    src + (p * size_t(c) + size_t(ch)) * elem, elem);
      }
    }
    *image = std::move(out);
    return e;
  };
}

}  // namespace brisk::data::ops
