// ops::DecodeImage. JPEG: TurboJPEG 2.x with TJFLAG_STOPONWARNING, so a truncated or corrupt
// stream (a libjpeg "warning" that would otherwise yield a half-grey image) is an error, and
// TJFLAG_LIMITSCANS against progressive-scan bombs; one tjhandle per thread (thread_local),
// since a handle is not thread-safe and creating one per image costs ~10 us. PNG: libpng's
// simplified API, which reports errors in image.message instead of longjmp-ing through us.
#include "data/ops/decode_image.h"

#include <png.h>
#include <turbojpeg.h>

#include <cstring>
#include <utility>

#include "data/ops/op_util.h"

namespace brisk::data::ops_internal {
namespace {

bool IsJpeg(const uint8_t* d, size_t n) {
  return n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;
}
bool IsPng(const uint8_t* d, size_t n) {
  static constexpr uint8_t kMagic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  return n >= 8 && std::memcmp(d, kMagic, 8) == 0;
}

// A failed call can leave TurboJPEG 2.1's decompressor mid-stream (the next header read then
// fails with "Unsupported marker"), so the handle is replaced after every error.
struct ThreadDecompressor {
  tjhandle handle = tjInitDecompress();
  ~ThreadDecompressor() {
    if (handle != nullptr) tjDestroy(handle);
  }
  // The error text of the failed call; the handle is fresh afterwards.
  std::string TakeErrorAndReset() {
    std::string message = tjGetErrorStr2(handle);
    tjDestroy(handle);
    handle = tjInitDecompress();
    return message;
  }
};

Status CheckSize(int64_t width, int64_t height, int64_t max_pixels, const std::string& origin,
                 const char* format) {
  if (width <= 0 || height <= 0) {
    return InvalidArgument(origin + ": " + format + " has an empty size " +
                           std::to_string(width) + "x" + std::to_string(height));
  }
  if (width * height > max_pixels) {
    return InvalidArgument(origin + ": " + format + " of " + std::to_string(width) + "x" +
                           std::to_string(height) + " pixels is larger than the limit of " +
                           std::to_string(max_pixels) + " pixels");
  }
  return Status::Ok();
}

StatusOr<Tensor> DecodeJpeg(const uint8_t* data, size_t size, int channels,
                            const std::string& origin, int64_t max_pixels) {
  thread_local ThreadDecompressor tj;
  if (tj.handle == nullptr) return Internal(origin + ": cannot create a TurboJPEG decompressor");
  int width = 0, height = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.handle, data, static_cast<unsigned long>(size), &width, &height,
                          &subsamp, &colorspace) != 0) {
    return InvalidArgument(origin + ": corrupt JPEG header (" + tj.TakeErrorAndReset() + ")");
  }
  BRISK_RETURN_IF_ERROR(CheckSize(width, height, max_pixels, origin, "JPEG"));
  BRISK_ASSIGN_OR_RETURN(Tensor image,
                         Tensor::Allocate(DType::kUInt8, Shape{height, width, channels}));
  const int format = channels == 1 ? TJPF_GRAY : TJPF_RGB;
  if (tjDecompress2(tj.handle, data, static_cast<unsigned long>(size),
                    static_cast<unsigned char*>(image.raw_data()), width, 0, height, format,
                    TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS) != 0) {
    return InvalidArgument(origin + ": truncated or corrupt JPEG (" + tj.TakeErrorAndReset() +
                           ")");
  }
  return image;
}

StatusOr<Tensor> DecodePng(const uint8_t* data, size_t size, int channels,
                           const std::string& origin, int64_t max_pixels) {
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&png, data, size) == 0) {
    const std::string msg = png.message;
    png_image_free(&png);
    return InvalidArgument(origin + ": corrupt PNG (" + msg + ")");
  }
  const Status size_ok = CheckSize(png.width, png.height, max_pixels, origin, "PNG");
  if (!size_ok.ok()) {
    png_image_free(&png);
    return size_ok;
  }
  // Alpha is dropped by compositing onto black (libpng's rule when no background is given).
  png.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  auto image = Tensor::Allocate(DType::kUInt8, Shape{int64_t(png.height), int64_t(png.width),
                                                     int64_t(channels)});
  if (!image.ok()) {
    png_image_free(&png);
    return image.status();
  }
  if (png_image_finish_read(&png, nullptr, image->raw_data(), 0, nullptr) == 0) {
    const std::string msg = png.message;
    png_image_free(&png);
    return InvalidArgument(origin + ": truncated or corrupt PNG (" + msg + ")");
  }
  png_image_free(&png);
  return image;
}

}  // namespace

StatusOr<Tensor> DecodeImageBytes(const uint8_t* data, size_t size, int channels,
                                  const std::string& origin, int64_t max_pixels) {
  if (channels != 1 && channels != 3) {
    return InvalidArgument(origin + ": decode_image: channels must be 1 or 3, got " +
                           std::to_string(channels));
  }
  if (IsJpeg(data, size)) return DecodeJpeg(data, size, channels, origin, max_pixels);
  if (IsPng(data, size)) return DecodePng(data, size, channels, origin, max_pixels);
  return InvalidArgument(origin + ": not a JPEG or PNG file (" + std::to_string(size) +
                         " bytes, no JPEG/PNG signature)");
}

}  // namespace brisk::data::ops_internal

namespace brisk::data::ops {

MapFn DecodeImage(std::string component, int channels) {
  return [component = std::move(component), channels](Element e) -> StatusOr<Element> {
    BRISK_ASSIGN_OR_RETURN(Tensor * bytes, ops_internal::Component(e, component, "decode_image"));
    if (bytes->dtype() != DType::kUInt8 || bytes->rank() != 1) {
      return ops_internal::OpError(e, "decode_image",
                                   "component '" + component + "' must be uint8[n] file bytes, "
                                   "got " + bytes->TypeString());
    }
    const std::string origin = e.origin.empty() ? "component '" + component + "'" : e.origin;
    BRISK_ASSIGN_OR_RETURN(Tensor image, ops_internal::DecodeImageBytes(
                                             bytes->data<uint8_t>(), size_t(bytes->dim(0)),
                                             channels, origin));
    *bytes = std::move(image);
    return e;
  };
}

}  // namespace brisk::data::ops
