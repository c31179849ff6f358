// ops::Compose, ops::Normalize and ops::OneHot: element-wise map functions.
#include <utility>
#include <vector>

#include "data/ops/cast.h"
#include "data/ops/op_util.h"

namespace brisk::data::ops {

MapFn Compose(std::vector<MapFn> fns) {
  return [fns = std::move(fns)](Element e) -> StatusOr<Element> {
    for (const MapFn& fn : fns) {
      BRISK_ASSIGN_OR_RETURN(e, fn(std::move(e)));
    }
    return e;
  };
}

MapFn Normalize(std::string component, std::vector<float> mean, std::vector<float> stddev) {
  // 1 / std once, so each element is one multiply-add.
  std::vector<float> inv(stddev.size());
  for (size_t i = 0; i < stddev.size(); ++i) inv[i] = 1.0f / stddev[i];
  return [=](Element e) -> StatusOr<Element> {
    BRISK_ASSIGN_OR_RETURN(Tensor * t, ops_internal::Component(e, component, "normalize"));
    for (float s : stddev) {
      if (s == 0.0f) return ops_internal::OpError(e, "normalize", "a stddev of 0");
    }
    const int64_t c = t->rank() == 0 ? 1 : t->dim(t->rank() - 1);
    auto matches = [&](size_t n) { return n == 1 || int64_t(n) == c; };
    if (mean.empty() || inv.empty() || !matches(mean.size()) || !matches(inv.size())) {
      return ops_internal::OpError(
          e, "normalize",
          "mean and stddev need 1 or " + std::to_string(c) + " values (the last dim of " +
              t->TypeString() + "), got " + std::to_string(mean.size()) + " and " +
              std::to_string(inv.size()));
    }
    auto as_float = ops_internal::CastTensor(*t, DType::kFloat32);
    if (!as_float.ok()) return ops_internal::OpError(e, "normalize", as_float.status().message());
    Tensor out = std::move(as_float).value();
    if (out.raw_data() == t->raw_data()) {  // float32 input: write a copy, not shared storage
      BRISK_ASSIGN_OR_RETURN(out, t->Clone());
    }
    float* x = out.data<float>();
    const int64_t n = out.num_elements();
    for (int64_t i = 0; i < n; ++i) {
      const size_t ch = size_t(i % c);
      const float m = mean.size() == 1 ? mean[0] : mean[ch];
      const float s = inv.size() == 1 ? inv[0] : inv[ch];
      x[i] = (x[i] - m) * s;
    }
    *t = std::move(out);
    return e;
  };
}

MapFn OneHot(std::string component, int64_t depth) {
  return [=](Element e) -> StatusOr<Element> {
    BRISK_ASSIGN_OR_RETURN(Tensor * t, ops_internal::Component(e, component, "one_hot"));
    if (t->num_elements() != 1 || !IsInteger(t->dtype())) {
      return ops_internal::OpError(e, "one_hot", "component '" + component +
                                                     "' must be an integer scalar, got " +
                                                     t->TypeString());
    }
    BRISK_ASSIGN_OR_RETURN(Tensor index, ops_internal::CastTensor(*t, DType::kInt64));
    const int64_t i = *index.data<int64_t>();
    if (depth <= 0 || i < 0 || i >= depth) {
      return ops_internal::OpError(e, "one_hot", "index " + std::to_string(i) +
                                                     " is outside [0, " + std::to_string(depth) +
                                                     ")");
    }
    BRISK_ASSIGN_OR_RETURN(Tensor out, Tensor::Zeros(DType::kFloat32, Shape{depth}));
    out.data<float>()[i] = 1.0f;
    *t = std::move(out);
    return e;
  };
}

}  // namespace brisk::data::ops
