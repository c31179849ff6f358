// Image resizing for ops::Resize, exposed for tests: a separable resampler whose per-axis taps
// reproduce tf.image.resize(antialias=False) (half-pixel centers) for bilinear, nearest and area.
#pragma once

#include <string_view>

#include "brisk/status.h"
#include "brisk/tensor.h"

namespace brisk::data::ops_internal {

// uint8 or float32 [H, W, C] -> float32 [height, width, C]. method: bilinear, nearest, area.
StatusOr<Tensor> ResizeImage(const Tensor& image, int height, int width, std::string_view method);

}  // namespace brisk::data::ops_internal
