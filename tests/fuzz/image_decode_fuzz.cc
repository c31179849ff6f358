// libFuzzer target: arbitrary bytes -> DecodeImage (TurboJPEG / libpng, sniffed by magic bytes)
// as RGB and as gray, then a resize of what decoded. Bad images must come back as a Status
// naming the origin; a decoded image must have the size its header promised.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "data/ops/decode_image.h"
#include "data/ops/resize.h"

namespace {
// Small, so one execution stays fast and allocations stay far below libFuzzer's limit.
constexpr int64_t kMaxPixels = int64_t(1) << 20;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (int channels : {3, 1}) {
    auto image =
        brisk::data::ops_internal::DecodeImageBytes(data, size, channels, "fuzz.img", kMaxPixels);
    if (!image.ok()) {
      if (image.status().message().rfind("fuzz.img", 0) != 0) std::abort();
      continue;
    }
    if (image->rank() != 3 || image->dim(2) != channels || image->dim(0) <= 0 ||
        image->dim(1) <= 0 || image->dim(0) * image->dim(1) > kMaxPixels) {
      std::abort();
    }
    auto resized = brisk::data::ops_internal::ResizeImage(*image, 7, 5, "bilinear");
    if (!resized.ok()) std::abort();
  }
  return 0;
}
