// ops::Resize against straightforward per-pixel formulas of tf.image.resize (antialias=False,
// half-pixel centers): bilinear and nearest, up- and downscale, odd sizes, identity, uint8 and
// float32 input; area on exact integer factors; a hand-checked 2x2 -> 4x4 case.
#include <gtest/gtest.h>

#include <cmath>

#include "brisk/data.h"
#include "data/ops/resize.h"
#include "testing/tensor_testing.h"

namespace brisk::data {
namespace {
using namespace ::brisk::testing;  // NOLINT

// TensorFlow's ResizeBilinear(half_pixel_centers=True), one output value at a time.
float BilinearRef(const Tensor& in, int oh, int ow, int y, int x, int c) {
  const int H = int(in.dim(0)), W = int(in.dim(1)), C = int(in.dim(2));
  auto at = [&](int yy, int xx) { return in.data<float>()[(yy * W + xx) * C + c]; };
  const float sy = float(H) / float(oh), sx = float(W) / float(ow);
  const float iy = (float(y) + 0.5f) * sy - 0.5f, ix = (float(x) + 0.5f) * sx - 0.5f;
  const int y0 = std::max(int(std::floor(iy)), 0), y1 = std::min(int(std::ceil(iy)), H - 1);
  const int x0 = std::max(int(std::floor(ix)), 0), x1 = std::min(int(std::ceil(ix)), W - 1);
  const float ly = iy - std::floor(iy), lx = ix - std::floor(ix);
  const float top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * lx;
  const float bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * lx;
  return top + (bottom - top) * ly;
}

float NearestRef(const Tensor& in, int oh, int ow, int y, int x, int c) {
  const int H = int(in.dim(0)), W = int(in.dim(1)), C = int(in.dim(2));
  const int iy = std::min(int(std::floor((float(y) + 0.5f) * float(H) / float(oh))), H - 1);
  const int ix = std::min(int(std::floor((float(x) + 0.5f) * float(W) / float(ow))), W - 1);
  return in.data<float>()[(iy * W + ix) * C + c];
}

void ExpectMatches(const Tensor& in, int oh, int ow, const std::string& method) {
  ASSERT_OK_AND_ASSIGN(Tensor out, ops_internal::ResizeImage(in, oh, ow, method));
  ASSERT_EQ(out.shape(), Shape({oh, ow, in.dim(2)}));
  ASSERT_EQ(out.dtype(), DType::kFloat32);
  const int C = int(in.dim(2));
  for (int y = 0; y < oh; ++y) {
    for (int x = 0; x < ow; ++x) {
      for (int c = 0; c < C; ++c) {
        const float want = method == "nearest" ? NearestRef(in, oh, ow, y, x, c)
                                               : BilinearRef(in, oh, ow, y, x, c);
        ASSERT_NEAR(out.data<float>()[(y * ow + x) * C + c], want, 1e-4)
            << method << " " << in.TypeString() << " -> " << oh << "x" << ow << " at " << y
            << "," << x << "," << c;
      }
    }
  }
}

TEST(OpsResize, BilinearAndNearestMatchTheFormulas) {
  const std::vector<std::pair<int, int>> in_sizes = {{1, 1}, {2, 3}, {5, 7}, {16, 9}};
  const std::vector<std::pair<int, int>> out_sizes = {{1, 1}, {3, 2}, {4, 4}, {7, 5}, {13, 31}};
  uint64_t seed = 1;
  for (auto [ih, iw] : in_sizes) {
    for (int c : {1, 3}) {
      const Tensor in = RandomFloat({ih, iw, c}, seed++, 0.f, 255.f);
      for (auto [oh, ow] : out_sizes) {
        ExpectMatches(in, oh, ow, "bilinear");
        ExpectMatches(in, oh, ow, "nearest");
      }
    }
  }
}

TEST(OpsResize, Uint8InputGivesTheSameAsFloat) {
  std::vector<uint8_t> bytes(6 * 5 * 3);
  std::vector<float> floats(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) floats[i] = bytes[i] = uint8_t(i * 37 % 256);
  const Tensor u = MakeTensor<uint8_t>({6, 5, 3}, bytes);
  const Tensor f = MakeTensor<float>({6, 5, 3}, floats);
  for (std::string method : {"bilinear", "nearest", "area"}) {
    ASSERT_OK_AND_ASSIGN(Tensor a, ops_internal::ResizeImage(u, 4, 9, method));
    ASSERT_OK_AND_ASSIGN(Tensor b, ops_internal::ResizeImage(f, 4, 9, method));
    EXPECT_TENSOR_EQ(a, b);
  }
}

TEST(OpsResize, IdentityIsExact) {
  const Tensor in = RandomFloat({7, 5, 3}, 9, 0.f, 255.f);
  for (std::string method : {"bilinear", "nearest", "area"}) {
    ASSERT_OK_AND_ASSIGN(Tensor out, ops_internal::ResizeImage(in, 7, 5, method));
    EXPECT_TENSOR_EQ(out, in);
  }
}

TEST(OpsResize, HandCheckedUpscale) {
  const Tensor in = MakeTensor<float>({2, 2, 1}, {0, 10, 20, 30});
  ASSERT_OK_AND_ASSIGN(Tensor out, ops_internal::ResizeImage(in, 4, 4, "bilinear"));
  EXPECT_TENSOR_NEAR(out,
                     MakeTensor<float>({4, 4, 1}, {0, 2.5, 7.5, 10, 5, 7.5, 12.5, 15, 15, 17.5,
                                                   22.5, 25, 20, 22.5, 27.5, 30}),
                     0, 1e-5);
}

TEST(OpsResize, AreaAveragesBoxes) {
  // 4x6 -> 2x3: each output is the mean of a 2x2 block.
  const Tensor in = RandomFloat({4, 6, 2}, 5, 0.f, 1.f);
  ASSERT_OK_AND_ASSIGN(Tensor out, ops_internal::ResizeImage(in, 2, 3, "area"));
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 3; ++x) {
      for (int c = 0; c < 2; ++c) {
        float sum = 0;
        for (int dy = 0; dy < 2; ++dy) {
          for (int dx = 0; dx < 2; ++dx) {
            sum += in.data<float>()[((2 * y + dy) * 6 + 2 * x + dx) * 2 + c];
          }
        }
        EXPECT_NEAR(out.data<float>()[(y * 3 + x) * 2 + c], sum / 4, 1e-6);
      }
    }
  }
  // 3 -> 2 columns: weights 1, 0.5 | 0.5, 1 over 1.5.
  const Tensor row = MakeTensor<float>({1, 3, 1}, {3, 6, 9});
  ASSERT_OK_AND_ASSIGN(out, ops_internal::ResizeImage(row, 1, 2, "area"));
  EXPECT_TENSOR_NEAR(out, MakeTensor<float>({1, 2, 1}, {4, 8}), 0, 1e-5);
}

TEST(OpsResize, Errors) {
  const Tensor in = RandomFloat({4, 4, 3}, 1);
  ExpectErrorContains(ops_internal::ResizeImage(in, 2, 2, "bicubic"), {"unknown method 'bicubic'"});
  ExpectErrorContains(ops_internal::ResizeImage(in, 0, 2, "bilinear"), {"positive"});
  ExpectErrorContains(ops_internal::ResizeImage(RandomFloat({4, 4}, 1), 2, 2, "bilinear"),
                      {"[H, W, C]", "float32[4, 4]"});
  Element e;
  e.components.emplace_back("image", RandomFloat({4, 4}, 1));
  e.origin = "a.png";
  ExpectErrorContains(ops::Resize("image", 2, 2)(e), {"a.png", "component 'image'", "[H, W, C]"});
}

}  // namespace
}  // namespace brisk::data
