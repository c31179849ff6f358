// JPEG (libturbojpeg) and PNG (libpng) decoding to uint8[H, W, C]. Internal entry point shared by
// ops::DecodeImage and the image_decode fuzzer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "brisk/status.h"
#include "brisk/tensor.h"

namespace brisk::data::ops_internal {

// Images with more pixels are refused before any pixel memory is allocated.
inline constexpr int64_t kMaxDecodedPixels = int64_t(1) << 28;  // e.g. 16384 x 16384

// The format is sniffed from the magic bytes (not a file extension). channels: 1 or 3. Errors
// start with `origin` ("photos/cat/001.jpg: truncated or corrupt JPEG (...)").
StatusOr<Tensor> DecodeImageBytes(const uint8_t* data, size_t size, int channels,
                                  const std::string& origin,
                                  int64_t max_pixels = kMaxDecodedPixels);

}  // namespace brisk::data::ops_internal
