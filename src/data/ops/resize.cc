// ops::Resize. Each axis gets a list of (input index, weight) taps per output index; the image
// is filtered along the width (input rows -> float rows of the output width), then along the
// height. Taps follow TensorFlow's kernels with half_pixel_centers=True, which is what
// tf.image.resize(antialias=False) runs:
//   bilinear: x = (o + 0.5) * in/out - 0.5, taps max(floor(x), 0) and min(ceil(x), in - 1),
//             weights 1 - f, f with f = x - floor(x);
//   nearest:  min(floor((o + 0.5) * in/out), in - 1);
//   area:     the box [o * s, (o + 1) * s), s = in/out, each input cell weighted by its overlap,
//             divided by s.
#include "data/ops/resize.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "data/ops/op_util.h"

namespace brisk::data::ops_internal {
namespace {

struct Taps {
  std::vector<int> start;      // per output index: offset into index/weight
  std::vector<int> count;
  std::vector<int> index;
  std::vector<float> weight;
};

Taps MakeTaps(int in, int out, std::string_view method) {
  Taps t;
  const float scale = float(in) / float(out);  // in float, as TensorFlow computes it
  auto add = [&](int i, float w) {
    t.index.push_back(i);
    t.weight.push_back(w);
  };
  for (int o = 0; o < out; ++o) {
    t.start.push_back(int(t.index.size()));
    if (method == "nearest") {
      add(std::min(int(std::floor((float(o) + 0.5f) * scale)), in - 1), 1.0f);
    } else if (method == "area") {
      const double lo = o * double(scale), hi = (o + 1) * double(scale);
      for (int i = int(std::floor(lo)); i < std::min(in, int(std::ceil(hi))); ++i) {
        const double overlap = std::min(hi, i + 1.0) - std::max(lo, double(i));
        if (overlap > 0) add(i, float(overlap / double(scale)));
      }
    } else {  // bilinear
      const float x = (float(o) + 0.5f) * scale - 0.5f;
      const float fl = std::floor(x);
      const int lower = std::max(int(fl), 0);
      const int upper = std::min(int(std::ceil(x)), in - 1);
      const float frac = x - fl;
      add(lower, 1.0f - frac);
      add(upper, frac);
    }
    t.count.push_back(int(t.index.size()) - t.start.back());
  }
  return t;
}

// kC > 0: the channel count known at compile time (1, 3: the inner loop unrolls), 0: `c`.
template <typename T, int kC>
void ResizeTyped(const T* src, int in_h, int in_w, int c, const Taps& ty, const Taps& tx,
                 float* dst, int out_h, int out_w) {
  if constexpr (kC > 0) c = kC;
  // Pass 1, along the width, only for the input rows some output row reads.
  std::vector<char> needed(size_t(in_h), 0);
  for (int i : ty.index) needed[size_t(i)] = 1;
  const size_t row = size_t(out_w) * size_t(c);
  std::vector<float> rows(size_t(in_h) * row, 0.0f);
  for (int y = 0; y < in_h; ++y) {
    if (!needed[size_t(y)]) continue;
    const T* in_row = src + size_t(y) * size_t(in_w) * size_t(c);
    float* out_row = rows.data() + size_t(y) * row;
    for (int x = 0; x < out_w; ++x) {
      float* o = out_row + size_t(x) * size_t(c);
      for (int k = 0; k < tx.count[size_t(x)]; ++k) {
        const int j = tx.start[size_t(x)] + k;
        const T* p = in_row + size_t(tx.index[size_t(j)]) * size_t(c);
        const float w = tx.weight[size_t(j)];
        for (int ch = 0; ch < (kC > 0 ? kC : c); ++ch) o[ch] += w * float(p[ch]);
      }
    }
  }
  // Pass 2, along the height.
  std::fill(dst, dst + size_t(out_h) * row, 0.0f);
  for (int y = 0; y < out_h; ++y) {
    float* o = dst + size_t(y) * row;
    for (int k = 0; k < ty.count[size_t(y)]; ++k) {
      const int j = ty.start[size_t(y)] + k;
      const float* r = rows.data() + size_t(ty.index[size_t(j)]) * row;
      const float w = ty.weight[size_t(j)];
      for (size_t i = 0; i < row; ++i) o[i] += w * r[i];
    }
  }
}

}  // namespace

StatusOr<Tensor> ResizeImage(const Tensor& image, int height, int width,
                             std::string_view method) {
  if (method != "bilinear" && method != "nearest" && method != "area") {
    return InvalidArgument("resize: unknown method '" + std::string(method) +
                           "' (bilinear, nearest, area)");
  }
  if (height <= 0 || width <= 0) {
    return InvalidArgument("resize: the output size must be positive, got " +
                           std::to_string(height) + "x" + std::to_string(width));
  }
  if (image.rank() != 3 || (image.dtype() != DType::kUInt8 && image.dtype() != DType::kFloat32)) {
    return InvalidArgument("resize: expected a uint8 or float32 [H, W, C] image, got " +
                           image.TypeString());
  }
  const int in_h = int(image.dim(0)), in_w = int(image.dim(1)), c = int(image.dim(2));
  if (in_h == 0 || in_w == 0) {
    return InvalidArgument("resize: the image is empty (" + image.TypeString() + ")");
  }
  BRISK_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(DType::kFloat32, Shape{height, width, c}));
  const Taps ty = MakeTaps(in_h, height, method);
  const Taps tx = MakeTaps(in_w, width, method);
  auto run = [&](const auto* src) {
    using T = std::remove_cv_t<std::remove_pointer_t<decltype(src)>>;
    float* dst = out.data<float>();
    if (c == 3) {
      ResizeTyped<T, 3>(src, in_h, in_w, c, ty, tx, dst, height, width);
    } else if (c == 1) {
      ResizeTyped<T, 1>(src, in_h, in_w, c, ty, tx, dst, height, width);
    } else {
      ResizeTyped<T, 0>(src, in_h, in_w, c, ty, tx, dst, height, width);
    }
  };
  if (image.dtype() == DType::kUInt8) {
    run(image.data<uint8_t>());
  } else {
    run(image.data<float>());
  }
  return out;
}

}  // namespace brisk::data::ops_internal

namespace brisk::data::ops {

MapFn Resize(std::string component, int height, int width, std::string method) {
  return [=](Element e) -> StatusOr<Element> {
    BRISK_ASSIGN_OR_RETURN(Tensor * image, ops_internal::Component(e, component, "resize"));
    auto resized = ops_internal::ResizeImage(*image, height, width, method);
    if (!resized.ok()) {
      return ops_internal::OpError(e, "component '" + component + "'",
                                   resized.status().message());
    }
    *image = std::move(resized).value();
    return e;
  };
}

}  // namespace brisk::data::ops
