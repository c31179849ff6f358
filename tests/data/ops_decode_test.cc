// ops::DecodeImage: PNG decodes exactly, JPEG (quality 100, 4:4:4) within a small tolerance,
// gray output, content sniffed by magic bytes, and errors naming the origin for a truncated
// JPEG, a corrupt header and a text file named .jpg.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "data/ops/decode_image.h"
#include "data/sources/image_folder.h"
#include "data/sources_testing.h"
#include "testing/tensor_testing.h"

namespace brisk::data {
namespace {
using namespace ::brisk::testing;  // NOLINT

using source_testing::EncodeJpeg;
using source_testing::EncodePng;
using source_testing::Pattern;
using source_testing::ScratchDir;

Element BytesElement(const std::string& bytes, const std::string& origin) {
  Tensor t = *Tensor::Allocate(DType::kUInt8, Shape{int64_t(bytes.size())});
  std::copy(bytes.begin(), bytes.end(), t.data<char>());
  Element e;
  e.components.emplace_back("image", t);
  e.components.emplace_back("label", Tensor::Scalar<int64_t>(1));
  e.origin = origin;
  return e;
}

int MaxAbsDiff(const Tensor& t, const std::vector<uint8_t>& want) {
  int worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    worst = std::max(worst, std::abs(int(t.data<uint8_t>()[i]) - int(want[i])));
  }
  return worst;
}

TEST(OpsDecodeImage, PngIsExact) {
  const int h = 13, w = 17;
  const auto rgb = Pattern(h, w, 3);
  ASSERT_OK_AND_ASSIGN(Element e,
                       ops::DecodeImage()(BytesElement(EncodePng(rgb, h, w, 3), "a.png")));
  const Tensor& image = e.components[0].second;
  ASSERT_EQ(image.shape(), Shape({h, w, 3}));
  EXPECT_EQ(MaxAbsDiff(image, rgb), 0);
  EXPECT_EQ(e.components[1].first, "label");  // other components untouched

  const auto gray = Pattern(h, w, 1);
  ASSERT_OK_AND_ASSIGN(
      e, ops::DecodeImage("image", 1)(BytesElement(EncodePng(gray, h, w, 1), "g.png")));
  ASSERT_EQ(e.components[0].second.shape(), Shape({h, w, 1}));
  EXPECT_EQ(MaxAbsDiff(e.components[0].second, gray), 0);
}

TEST(OpsDecodeImage, OpaqueRgbaPngDropsAlpha) {
  const int h = 5, w = 6;
  auto rgba = Pattern(h, w, 4);
  std::vector<uint8_t> rgb;
  for (size_t i = 0; i < rgba.size(); i += 4) {
    rgba[i + 3] = 255;
    rgb.insert(rgb.end(), {rgba[i], rgba[i + 1], rgba[i + 2]});
  }
  const std::string png = EncodePng(rgba, h, w, 4);
  ASSERT_OK_AND_ASSIGN(Tensor t, ops_internal::DecodeImageBytes(
                                     reinterpret_cast<const uint8_t*>(png.data()), png.size(), 3,
                                     "rgba.png"));
  EXPECT_EQ(MaxAbsDiff(t, rgb), 0);
}

TEST(OpsDecodeImage, JpegQuality100IsClose) {
  const int h = 30, w = 40;
  const auto rgb = Pattern(h, w, 3);
  const std::string jpeg = EncodeJpeg(rgb, h, w, 100);
  ASSERT_OK_AND_ASSIGN(Element e, ops::DecodeImage()(BytesElement(jpeg, "a.jpg")));
  const Tensor& image = e.components[0].second;
  ASSERT_EQ(image.shape(), Shape({h, w, 3}));
  EXPECT_LE(MaxAbsDiff(image, rgb), 4);
  // Gray output of a colour JPEG: the luma plane.
  ASSERT_OK_AND_ASSIGN(e, ops::DecodeImage("image", 1)(BytesElement(jpeg, "a.jpg")));
  EXPECT_EQ(e.components[0].second.shape(), Shape({h, w, 1}));
}

TEST(OpsDecodeImage, SniffsContentNotExtension) {
  const auto rgb = Pattern(4, 4, 3);
  // A PNG named .jpg decodes as PNG.
  ASSERT_OK_AND_ASSIGN(Element e,
                       ops::DecodeImage()(BytesElement(EncodePng(rgb, 4, 4, 3), "x.jpg")));
  EXPECT_EQ(MaxAbsDiff(e.components[0].second, rgb), 0);
}

TEST(OpsDecodeImage, TruncatedJpegNamesTheOrigin) {
  const auto rgb = Pattern(64, 64, 3);
  const std::string jpeg = EncodeJpeg(rgb, 64, 64, 90);
  auto r = ops::DecodeImage()(BytesElement(jpeg.substr(0, jpeg.size() / 2), "photos/cat/001.jpg"));
  ExpectErrorContains(r, {"photos/cat/001.jpg", "truncated or corrupt JPEG"});
  // Cut inside the header.
  r = ops::DecodeImage()(BytesElement(jpeg.substr(0, 40), "photos/cat/002.jpg"));
  ExpectErrorContains(r, {"photos/cat/002.jpg", "JPEG"});
}

// Regression: TurboJPEG's handle (one per thread) stayed broken after a failed decode, so the
// next good JPEG on that thread failed with "Unsupported marker type".
TEST(OpsDecodeImage, AGoodJpegDecodesAfterABadOneOnTheSameThread) {
  const auto rgb = Pattern(16, 16, 3);
  const std::string jpeg = EncodeJpeg(rgb, 16, 16, 100);
  for (const std::string& bad : {jpeg.substr(0, jpeg.size() / 2), jpeg.substr(0, 30),
                                 std::string("\xFF\xD8\xFF\x01garbage")}) {
    EXPECT_FALSE(ops::DecodeImage()(BytesElement(bad, "bad.jpg")).ok());
    ASSERT_OK_AND_ASSIGN(Element e, ops::DecodeImage()(BytesElement(jpeg, "good.jpg")));
    EXPECT_LE(MaxAbsDiff(e.components[0].second, rgb), 4);
  }
}

TEST(OpsDecodeImage, CorruptJpegHeaderNamesTheOrigin) {
  std::string junk = "\xFF\xD8\xFF";
  for (int i = 0; i < 200; ++i) junk += char((i * 37 + 11) & 0xff);
  ExpectErrorContains(ops::DecodeImage()(BytesElement(junk, "bad.jpg")), {"bad.jpg", "JPEG"});
  const auto rgb = Pattern(8, 8, 3);
  std::string png = EncodePng(rgb, 8, 8, 3);
  png.resize(png.size() - 20);  // loses the image data's end and IEND
  ExpectErrorContains(ops::DecodeImage()(BytesElement(png, "cut.png")), {"cut.png", "PNG"});
}

TEST(OpsDecodeImage, TextFileNamedJpgThroughImageFolder) {
  ScratchDir dir;
  dir.Write("photos/cat/001.jpg", EncodeJpeg(Pattern(8, 8, 3), 8, 8, 95));
  dir.Write("photos/cat/002.jpg", "this is a text file\n");
  ASSERT_OK_AND_ASSIGN(auto files, sources::ListImageFiles(dir.path() + "/photos", {}));
  auto source =
      sources::MakeImageFileSource(std::make_shared<const std::vector<sources::ImageFile>>(files));
  const MapFn decode = ops::DecodeImage();
  ASSERT_OK_AND_ASSIGN(auto first, source->Next());
  ASSERT_OK_AND_ASSIGN(Element decoded, decode(std::move(*first)));
  EXPECT_EQ(decoded.components[0].second.shape(), Shape({8, 8, 3}));
  ASSERT_OK_AND_ASSIGN(auto second, source->Next());
  ExpectErrorContains(decode(std::move(*second)),
                      {"photos/cat/002.jpg", "not a JPEG or PNG file"});
}

// One MapFn called from two threads at once (as a parallel map does): each thread has its own
// TurboJPEG handle, and results equal the single-threaded ones.
TEST(OpsDecodeImage, ConcurrentCallsFromTwoThreads) {
  const MapFn decode = ops::Compose({ops::DecodeImage(), ops::Resize("image", 9, 11)});
  std::vector<std::string> files;
  for (int i = 0; i < 6; ++i) {
    const auto rgb = Pattern(20 + i, 30 - i, 3);
    files.push_back(i % 2 ? EncodePng(rgb, 20 + i, 30 - i, 3)
                          : EncodeJpeg(rgb, 20 + i, 30 - i, 90));
  }
  files.push_back("not an image");
  std::vector<StatusOr<Element>> want;
  for (const auto& f : files) want.push_back(decode(BytesElement(f, "f")));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (size_t i = size_t(t); i < files.size() + size_t(t); ++i) {
          const size_t k = i % files.size();
          auto got = decode(BytesElement(files[k], "f"));
          if (got.ok() != want[k].ok() ||
              (got.ok() && CompareTensors(got->components[0].second,
                                          want[k]->components[0].second, 0, 0) != "")) {
            ++mismatches;
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(OpsDecodeImage, BadInputs) {
  Element e = BytesElement("x", "o");
  ExpectErrorContains(ops::DecodeImage("img")(e), {"o: decode_image", "no component 'img'",
                                                   "image, label"});
  ExpectErrorContains(ops::DecodeImage("label")(e), {"uint8[n]", "int64"});
  ExpectErrorContains(ops::DecodeImage("image", 4)(e), {"channels must be 1 or 3"});
  const auto rgb = Pattern(40, 40, 3);
  const std::string png = EncodePng(rgb, 40, 40, 3);
  ExpectErrorContains(
      ops_internal::DecodeImageBytes(reinterpret_cast<const uint8_t*>(png.data()), png.size(), 3,
                                     "big.png", /*max_pixels=*/1000),
      {"big.png", "40x40", "limit"});
}

}  // namespace
}  // namespace brisk::data
