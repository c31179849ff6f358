// Helpers for the source and map-op tests (tests/data/source_*_test.cc, ops_*_test.cc): a temp
// directory, draining an ElementSource, and JPEG/PNG encoders to make fixture images.
#pragma once

#include <gtest/gtest.h>
#include <png.h>
#include <turbojpeg.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "brisk/data.h"

namespace brisk::data::source_testing {

class ScratchDir {
 public:
  ScratchDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "brisk_sources_XXXXXX").string();
    path_ = mkdtemp(templ.data()) ? templ : "";
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `contents` to path()/name (creating folders) and returns the full path.
  std::string Write(const std::string& name, const std::string& contents) const {
    const auto full = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream(full, std::ios::binary) << contents;
    return full.string();
  }

 private:
  std::string path_;
};

// Every element until the end or the first error.
inline StatusOr<std::vector<Element>> Drain(ElementSource& source) {
  std::vector<Element> out;
  while (true) {
    BRISK_ASSIGN_OR_RETURN(std::optional<Element> e, source.Next());
    if (!e) return out;
    out.push_back(std::move(*e));
  }
}

inline const Tensor& Get(const Element& e, const std::string& name) {
  for (const auto& [n, t] : e.components) {
    if (n == name) return t;
  }
  ADD_FAILURE() << "no component " << name << " in " << e.origin;
  static const Tensor kEmpty;
  return kEmpty;
}

// A deterministic RGB test pattern, uint8 [h, w, 3] row-major.
inline std::vector<uint8_t> Pattern(int h, int w, int channels = 3) {
  std::vector<uint8_t> p(size_t(h) * size_t(w) * size_t(channels));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < channels; ++c) {
        // Smooth gradients (JPEG-friendly) plus a channel offset.
        p[(size_t(y) * size_t(w) + size_t(x)) * size_t(channels) + size_t(c)] =
            uint8_t((x * 255 / std::max(1, w - 1) + y * 64 / std::max(1, h - 1) + c * 40) % 256);
      }
    }
  }
  return p;
}

inline std::string EncodeJpeg(const std::vector<uint8_t>& rgb, int h, int w, int quality,
                              int subsamp = TJSAMP_444) {
  tjhandle tj = tjInitCompress();
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  const int rc = tjCompress2(tj, rgb.data(), w, 0, h, TJPF_RGB, &buf, &size, subsamp, quality,
                             TJFLAG_ACCURATEDCT);
  EXPECT_EQ(rc, 0) << tjGetErrorStr2(tj);
  std::string out(reinterpret_cast<const char*>(buf), size);
  tjFree(buf);
  tjDestroy(tj);
  return out;
}

inline std::string EncodePng(const std::vector<uint8_t>& pixels, int h, int w, int channels) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  img.width = png_uint_32(w);
  img.height = png_uint_32(h);
  img.format = channels == 1 ? PNG_FORMAT_GRAY : channels == 4 ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
  png_alloc_size_t size = 0;
  EXPECT_NE(png_image_write_to_memory(&img, nullptr, &size, 0, pixels.data(), 0, nullptr), 0);
  std::string out(size, '\0');
  EXPECT_NE(png_image_write_to_memory(&img, out.data(), &size, 0, pixels.data(), 0, nullptr), 0)
      << img.message;
  out.resize(size);
  return out;
}

}  // namespace brisk::data::source_testing
