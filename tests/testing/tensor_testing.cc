#include "testing/tensor_testing.h"

#include <cmath>
#include <random>
#include <sstream>

#include "kernels/dispatch.h"
#include "kernels/op_runner.h"

namespace brisk::testing {

Tensor MakeBoolTensor(Shape shape, std::vector<int> values) {
  Tensor t = *Tensor::Allocate(DType::kBool, shape);
  EXPECT_EQ(int64_t(values.size()), t.num_elements());
  for (size_t i = 0; i < values.size() && int64_t(i) < t.num_elements(); ++i)
    t.data<bool>()[i] = values[i] != 0;
  return t;
}

Tensor MakeFloat16Tensor(Shape shape, std::vector<float> values) {
  std::vector<Float16> h;
  for (float v : values) h.push_back(Float16(v));
  return MakeTensor<Float16>(shape, h);
}

void ExpectOpOutputs(const OpSpec& spec, const std::vector<std::optional<Tensor>>& inputs,
                     const std::vector<Tensor>& expected, double rtol, double atol) {
  auto out = RunOp(spec, inputs);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("output " + std::to_string(i));
    EXPECT_TENSOR_NEAR((*out)[i], expected[i], rtol, atol);
  }
}

std::string InferOutputString(const std::string& op, int opset, const ir::AttributeMap& attrs,
                              std::vector<ir::TypeInfo> types, int num_outputs, int out) {
  auto t = InferOp({.op_type = op, .opset = opset, .attrs = attrs, .num_outputs = num_outputs},
                   std::move(types));
  if (!t.ok()) return t.status().ToString();
  const ir::TypeInfo& type = (*t)[size_t(out)];
  return std::string(DTypeName(type.dtype)) + " " + (type.shape ? type.shape->ToString() : "?");
}

StatusOr<Tensor> RunSingle(const std::string& op, std::vector<std::optional<Tensor>> inputs,
                           int opset, ir::AttributeMap attrs) {
  BRISK_ASSIGN_OR_RETURN(auto out, RunOp({.op_type = op, .opset = opset, .attrs = std::move(attrs)},
                                         std::move(inputs)));
  return std::move(out[0]);
}

Tensor RandomFloat(Shape shape, uint64_t seed, float lo, float hi) {
  Tensor t = *Tensor::Allocate(DType::kFloat32, shape);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (float& v : t.span<float>()) v = dist(rng);
  return t;
}

std::string CompareTensors(const Tensor& actual, const Tensor& expected, double rtol,
                           double atol) {
  if (!actual.defined()) return "actual tensor is undefined";
  if (actual.dtype() != expected.dtype() || actual.shape() != expected.shape()) {
    return "expected " + expected.TypeString() + ", got " + actual.TypeString();
  }
  std::string diff;
  auto report = [&](int64_t i, const std::string& a, const std::string& e) {
    std::ostringstream os;
    os << "element " << i << " of " << actual.TypeString() << ": got " << a << ", expected "
       << e;
    diff = os.str();
  };
  const int64_t n = actual.num_elements();
  Status s = DispatchAll(actual.dtype(), "compare", [&]<typename T>() -> Status {
    const T* a = actual.data<T>();
    const T* e = expected.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<T, std::string>) {
        if (a[i] != e[i]) return report(i, a[i], e[i]), Status::Ok();
      } else if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T>) {
        if (a[i] != e[i])
          return report(i, std::to_string(int64_t(a[i])), std::to_string(int64_t(e[i]))),
                 Status::Ok();
      } else {
        const double ad = ToDouble(a[i]);
        const double ed = ToDouble(e[i]);
        if (std::isnan(ad) || std::isnan(ed)) {
          if (std::isnan(ad) != std::isnan(ed))
            return report(i, std::to_string(ad), std::to_string(ed)), Status::Ok();
          continue;
        }
        if (std::isinf(ed) || std::isinf(ad)) {
          if (ad != ed) return report(i, std::to_string(ad), std::to_string(ed)), Status::Ok();
          continue;
        }
        if (std::abs(ad - ed) > atol + rtol * std::abs(ed))
          return report(i, std::to_string(ad), std::to_string(ed)), Status::Ok();
      }
    }
    return Status::Ok();
  });
  if (!s.ok()) return s.ToString();
  return diff;
}

Attrs& Attrs::Int(const std::string& name, int64_t v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInt;
  a.i = v;
  map_.Set(name, a);
  return *this;
}
Attrs& Attrs::Float(const std::string& name, float v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kFloat;
  a.f = v;
  map_.Set(name, a);
  return *this;
}
Attrs& Attrs::String(const std::string& name, std::string v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kString;
  a.s = std::move(v);
  map_.Set(name, a);
  return *this;
}
Attrs& Attrs::Ints(const std::string& name, std::vector<int64_t> v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInts;
  a.ints = std::move(v);
  map_.Set(name, a);
  return *this;
}
Attrs& Attrs::Floats(const std::string& name, std::vector<float> v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kFloats;
  a.floats = std::move(v);
  map_.Set(name, a);
  return *this;
}
Attrs& Attrs::Strings(const std::string& name, std::vector<std::string> v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kStrings;
  a.strings = std::move(v);
  map_.Set(name, a);
  return *this;
}
Attrs& Attrs::TensorAttr(const std::string& name, Tensor v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kTensor;
  a.t = std::move(v);
  map_.Set(name, a);
  return *this;
}

}  // namespace brisk::testing
