// ai.onnx.ml ops: Binarizer, LabelEncoder (opsets 1, 2, 4), ArrayFeatureExtractor.
//
// LabelEncoder: keys_* / values_* may be lists (strings, int64s, floats) or, from opset 4, 1-D
// tensors of string/int64/int32/int16/float/double (tensors are accepted from opset 2 too). A
// repeated key maps to its last value; a NaN key matches every NaN input. Elements not found
// map to the default: default_tensor when given, else default_string ("_Unused") for string
// values, default_int64 (-1) for integer values, default_float (-0.0) for floating values.
// Opset 1 maps strings to their index in classes_strings (default_int64) or int64 indices back
// to strings (default_string).
// ArrayFeatureExtractor gathers the flattened int64 indices along the last axis; a 1-D input
// gives a [1, k] output (as onnxruntime does).
#include <cmath>
#include <functional>
#include <memory>
#include <map>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/text_util.h"
#include "kernels/registry.h"

namespace brisk {
namespace {

using text::DTypeStr;
using text::InputName;

// ---- Binarizer -----------------------------------------------------------------------------

Status CheckBinarizerDtype(DType d) {
  if (d == DType::kUndefined || d == DType::kFloat32 || d == DType::kFloat64 ||
      d == DType::kInt64 || d == DType::kInt32)
    return Status::Ok();
  return InvalidArgument(InputName(0, "X") + ": dtype " + DTypeStr(d) +
                         " is not supported (expected float32, float64, int64 or int32)");
}

Status InferBinarizer(InferenceContext& ctx) {
  BRISK_RETURN_IF_ERROR(CheckBinarizerDtype(ctx.input_type(0).dtype));
  BRISK_RETURN_IF_ERROR(ctx.attrs().GetFloat("threshold", 0.f).status());
  ctx.set_output_type(0, ctx.input_type(0));
  return Status::Ok();
}

Status BinarizerCompute(KernelContext& ctx) {
  const Tensor* x = ctx.input(0);
  if (x == nullptr) return InvalidArgument(InputName(0, "X") + " is required");
  BRISK_RETURN_IF_ERROR(CheckBinarizerDtype(x->dtype()));
  BRISK_ASSIGN_OR_RETURN(float threshold, ctx.attrs().GetFloat("threshold", 0.f));
  BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
  return DispatchNumeric(x->dtype(), InputName(0, "X"), [&]<typename T>() -> Status {
    const T* px = x->data<T>();
    T* py = y->data<T>();
    const auto t = static_cast<double>(threshold);
    for (int64_t i = 0; i < x->num_elements(); ++i)
      py[i] = FromDouble<T>(ToDouble(px[i]) > t ? 1.0 : 0.0);  // NaN -> 0
    return Status::Ok();
  });
}

// ---- LabelEncoder --------------------------------------------------------------------------

bool IsLabelType(DType d) {
  return d == DType::kString || d == DType::kInt64 || d == DType::kInt32 || d == DType::kInt16 ||
         d == DType::kFloat32 || d == DType::kFloat64;
}

template <typename F>
Status DispatchLabel(DType d, std::string_view what, F&& fn) {
  switch (d) {
    case DType::kString: return fn.template operator()<std::string>();
    case DType::kInt64: return fn.template operator()<int64_t>();
    case DType::kInt32: return fn.template operator()<int32_t>();
    case DType::kInt16: return fn.template operator()<int16_t>();
    case DType::kFloat32: return fn.template operator()<float>();
    case DType::kFloat64: return fn.template operator()<double>();
    default:
      return InvalidArgument(std::string(what) + ": dtype " + DTypeStr(d) +
                             " is not supported (expected string, int64, int32, int16, float32 "
                             "or float64)");
  }
}

template <typename T>
Tensor Vec(const std::vector<T>& v) {
  Tensor t = *Tensor::Allocate(kDTypeOf<T>, Shape{static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) t.data<T>()[i] = v[i];
  return t;
}

// Keys, values and the default as tensors: what every opset's attributes reduce to.
struct LabelMap {
  Tensor keys, values, def;
};

// Reads the one set attribute among `<prefix>_strings`, `<prefix>_int64s`, `<prefix>_floats`,
// `<prefix>_tensor`.
StatusOr<Tensor> ReadLabelList(const ir::AttributeMap& attrs, const std::string& prefix) {
  int set = 0;
  Tensor out;
  if (attrs.Has(prefix + "_strings")) {
    BRISK_ASSIGN_OR_RETURN(auto v, attrs.GetStrings(prefix + "_strings"));
    out = Vec(v), ++set;
  }
  if (attrs.Has(prefix + "_int64s")) {
    BRISK_ASSIGN_OR_RETURN(auto v, attrs.GetInts(prefix + "_int64s"));
    out = Vec(v), ++set;
  }
  if (attrs.Has(prefix + "_floats")) {
    BRISK_ASSIGN_OR_RETURN(auto v, attrs.GetFloats(prefix + "_floats"));
    out = Vec(v), ++set;
  }
  if (attrs.Has(prefix + "_tensor")) {
    BRISK_ASSIGN_OR_RETURN(out, attrs.GetTensor(prefix + "_tensor"));
    ++set;
    if (!IsLabelType(out.dtype())) {
      return InvalidArgument("attribute '" + prefix + "_tensor': dtype " + DTypeStr(out.dtype()) +
                             " is not supported");
    }
    if (out.rank() > 1) {
      return InvalidArgument("attribute '" + prefix + "_tensor': expected a 1-D tensor, got " +
                             out.shape().ToString());
    }
  }
  if (set != 1) {
    return InvalidArgument("exactly one of attributes '" + prefix + "_strings', '" + prefix +
                           "_int64s', '" + prefix + "_floats', '" + prefix +
                           "_tensor' must be set, got " + std::to_string(set));
  }
  return out;
}

StatusOr<LabelMap> ParseLabelMap(const ir::AttributeMap& attrs, int opset, DType input_dtype) {
  LabelMap m;
  if (opset < 2) {
    BRISK_ASSIGN_OR_RETURN(auto classes, attrs.GetStrings("classes_strings"));
    BRISK_ASSIGN_OR_RETURN(int64_t def_int, attrs.GetInt("default_int64", -1));
    BRISK_ASSIGN_OR_RETURN(std::string def_str, attrs.GetString("default_string", "_Unused"));
    std::vector<int64_t> idx(classes.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int64_t>(i);
    if (input_dtype == DType::kInt64) {
      m.keys = Vec(idx), m.values = Vec(classes), m.def = Tensor::Scalar(def_str);
    } else {
      m.keys = Vec(classes), m.values = Vec(idx), m.def = Tensor::Scalar(def_int);
    }
    return m;
  }
  BRISK_ASSIGN_OR_RETURN(m.keys, ReadLabelList(attrs, "keys"));
  BRISK_ASSIGN_OR_RETURN(m.values, ReadLabelList(attrs, "values"));
  if (m.keys.num_elements() != m.values.num_elements()) {
    return InvalidArgument("attributes 'keys_*' and 'values_*' have different lengths (" +
                           std::to_string(m.keys.num_elements()) + " vs " +
                           std::to_string(m.values.num_elements()) + ")");
  }
  const DType vd = m.values.dtype();
  if (attrs.Has("default_tensor")) {
    BRISK_ASSIGN_OR_RETURN(m.def, attrs.GetTensor("default_tensor"));
    if (m.def.dtype() != vd || m.def.num_elements() != 1) {
      return InvalidArgument("attribute 'default_tensor': expected one element of dtype " +
                             DTypeStr(vd) + ", got " + m.def.TypeString());
    }
  } else if (vd == DType::kString) {
    BRISK_ASSIGN_OR_RETURN(std::string s, attrs.GetString("default_string", "_Unused"));
    m.def = Tensor::Scalar(s);
  } else {
    BRISK_ASSIGN_OR_RETURN(int64_t di, attrs.GetInt("default_int64", -1));
    BRISK_ASSIGN_OR_RETURN(float df, attrs.GetFloat("default_float", -0.f));
    const bool is_float = vd == DType::kFloat32 || vd == DType::kFloat64;
    m.def = *Tensor::Allocate(vd, Shape{});
    BRISK_RETURN_IF_ERROR(DispatchLabel(vd, "values", [&]<typename V>() -> Status {
      if constexpr (!std::is_same_v<V, std::string>)
        *m.def.data<V>() = is_float ? static_cast<V>(df) : static_cast<V>(di);
      return Status::Ok();
    }));
  }
  return m;
}

StatusOr<DType> LabelOutputDtype(const ir::AttributeMap& attrs, int opset, DType input) {
  if (opset < 2) {
    if (input == DType::kUndefined) return DType::kUndefined;
    if (input == DType::kInt64) return DType::kString;
    if (input == DType::kString) return DType::kInt64;
    return InvalidArgument(InputName(0, "X") + ": dtype " + DTypeStr(input) +
                           " is not supported (expected string or int64)");
  }
  BRISK_ASSIGN_OR_RETURN(LabelMap m, ParseLabelMap(attrs, opset, input));
  if (input != DType::kUndefined && input != m.keys.dtype()) {
    return InvalidArgument(InputName(0, "X") + ": dtype " + DTypeStr(input) +
                           " differs from the keys' dtype " + DTypeStr(m.keys.dtype()));
  }
  return m.values.dtype();
}

Status InferLabelEncoder(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(DType out,
                         LabelOutputDtype(ctx.attrs(), ctx.opset(), ctx.input_type(0).dtype));
  ctx.set_output(0, out, ctx.input_type(0).shape);
  return Status::Ok();
}

// Ordering for keys: floats compare by value with every NaN equal to every NaN.
template <typename K>
struct KeyLess {
  bool operator()(const K& a, const K& b) const {
    if constexpr (std::is_floating_point_v<K>) {
      if (std::isnan(a) || std::isnan(b)) return !std::isnan(a) && std::isnan(b);
    }
    return a < b;
  }
};

// Looks every element of x up in the map and writes y (allocated with the values' dtype).
using Lookup = std::function<void(const Tensor& x, Tensor* y)>;

StatusOr<Lookup> BuildLookup(const LabelMap& m) {
  Lookup out;
  BRISK_RETURN_IF_ERROR(DispatchLabel(m.keys.dtype(), "keys", [&]<typename K>() -> Status {
    auto index = std::make_shared<std::map<K, int64_t, KeyLess<K>>>();
    for (int64_t i = 0; i < m.keys.num_elements(); ++i)
      index->insert_or_assign(m.keys.data<K>()[i], i);
    return DispatchLabel(m.values.dtype(), "values", [&]<typename V>() -> Status {
      out = [index, values = m.values, def = m.def](const Tensor& x, Tensor* y) {
        const V* vals = values.data<V>();
        const V& d = *def.data<V>();
        V* py = y->data<V>();
        const K* px = x.data<K>();
        for (int64_t i = 0; i < x.num_elements(); ++i) {
          auto it = index->find(px[i]);
          py[i] = it == index->end() ? d : vals[it->second];
        }
      };
      return Status::Ok();
    });
  }));
  return out;
}

class LabelEncoderKernel : public Kernel {
 public:
  // Opset 1's mapping direction depends on the input dtype: when it is not known here, the
  // map is built on each run.
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    const DType in = init.input_types.empty() ? DType::kUndefined : init.input_types[0].dtype;
    if (init.opset() < 2 && in == DType::kUndefined) {
      BRISK_RETURN_IF_ERROR(init.attrs().GetStrings("classes_strings").status());
      return MakeKernel<LabelEncoderKernel>(LabelMap{}, Lookup{});
    }
    BRISK_ASSIGN_OR_RETURN(LabelMap m, ParseLabelMap(init.attrs(), init.opset(), in));
    BRISK_ASSIGN_OR_RETURN(Lookup lookup, BuildLookup(m));
    return MakeKernel<LabelEncoderKernel>(std::move(m), std::move(lookup));
  }
  LabelEncoderKernel(LabelMap m, Lookup lookup) : m_(std::move(m)), lookup_(std::move(lookup)) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument(InputName(0, "X") + " is required");
    const LabelMap* m = &m_;
    const Lookup* lookup = &lookup_;
    LabelMap run_map;
    Lookup run_lookup;
    if (!lookup_ || (ctx.opset() < 2 && x->dtype() != m_.keys.dtype())) {
      BRISK_ASSIGN_OR_RETURN(run_map, ParseLabelMap(ctx.attrs(), ctx.opset(), x->dtype()));
      BRISK_ASSIGN_OR_RETURN(run_lookup, BuildLookup(run_map));
      m = &run_map;
      lookup = &run_lookup;
    }
    if (x->dtype() != m->keys.dtype()) {
      return InvalidArgument(InputName(0, "X") + ": dtype " + DTypeStr(x->dtype()) +
                             " differs from the keys' dtype " + DTypeStr(m->keys.dtype()));
    }
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, m->values.dtype(), x->shape()));
    (*lookup)(*x, y);
    return Status::Ok();
  }

 private:
  LabelMap m_;
  Lookup lookup_;
};

// ---- ArrayFeatureExtractor -----------------------------------------------------------------

Status CheckAfeDtypes(DType x, DType y) {
  if (x != DType::kUndefined && x != DType::kFloat32 && x != DType::kFloat64 &&
      x != DType::kInt64 && x != DType::kInt32 && x != DType::kString) {
    return InvalidArgument(InputName(0, "X") + ": dtype " + DTypeStr(x) +
                           " is not supported (expected float32, float64, int64, int32 or "
                           "string)");
  }
  if (y != DType::kUndefined && y != DType::kInt64) {
    return InvalidArgument(InputName(1, "Y") + ": dtype " + DTypeStr(y) +
                           " is not supported (expected int64)");
  }
  return Status::Ok();
}

Status InferArrayFeatureExtractor(InferenceContext& ctx) {
  const ir::TypeInfo& x = ctx.input_type(0);
  const ir::TypeInfo& y = ctx.input_type(1);
  BRISK_RETURN_IF_ERROR(CheckAfeDtypes(x.dtype, y.dtype));
  if (!x.shape || !y.shape) {
    ctx.set_output(0, x.dtype, std::nullopt);
    return Status::Ok();
  }
  if (x.shape->rank() == 0) return InvalidArgument(InputName(0, "X") + ": expected rank >= 1");
  Dim k = Dim::Known(1);
  for (const Dim& d : y.shape->dims) {
    if (!d.is_known()) {
      k = y.shape->rank() == 1 ? d : Dim::Unknown();
      break;
    }
    k.value *= d.value;
  }
  SymbolicShape out;
  if (x.shape->rank() == 1) out.dims.push_back(Dim::Known(1));
  else out.dims.assign(x.shape->dims.begin(), x.shape->dims.end() - 1);
  out.dims.push_back(k);
  ctx.set_output(0, x.dtype, out);
  return Status::Ok();
}

Status ArrayFeatureExtractorCompute(KernelContext& ctx) {
  const Tensor* x = ctx.input(0);
  const Tensor* ind = ctx.input(1);
  if (x == nullptr) return InvalidArgument(InputName(0, "X") + " is required");
  if (ind == nullptr) return InvalidArgument(InputName(1, "Y") + " is required");
  BRISK_RETURN_IF_ERROR(CheckAfeDtypes(x->dtype(), ind->dtype()));
  if (x->rank() == 0) return InvalidArgument(InputName(0, "X") + ": expected rank >= 1");
  const int64_t last = x->dim(x->rank() - 1);
  const int64_t k = ind->num_elements();
  const int64_t* idx = ind->data<int64_t>();
  for (int64_t j = 0; j < k; ++j) {
    if (idx[j] < 0 || idx[j] >= last) {
      return OutOfRange(InputName(1, "Y") + ": index " + std::to_string(idx[j]) +
                        " is out of range for the last axis of size " + std::to_string(last));
    }
  }
  std::vector<int64_t> dims;
  if (x->rank() == 1) dims.push_back(1);
  else dims.assign(x->shape().dims().begin(), x->shape().dims().end() - 1);
  dims.push_back(k);
  const int64_t rows = x->rank() == 1 ? 1 : x->shape().NumElements(0, x->rank() - 1);
  BRISK_ASSIGN_OR_RETURN(Tensor * z, ctx.AllocateOutput(0, x->dtype(), Shape(dims)));
  return DispatchAll(x->dtype(), InputName(0, "X"), [&]<typename T>() -> Status {
    const T* px = x->data<T>();
    T* pz = z->data<T>();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < k; ++j) pz[r * k + j] = px[r * last + idx[j]];
    return Status::Ok();
  });
}

}  // namespace

BRISK_REGISTER_OPS(text_ml) {
  Op("Binarizer").Domain("ai.onnx.ml").Since(1).Infer(InferBinarizer).Compute(BinarizerCompute);
  Op("LabelEncoder")
      .Domain("ai.onnx.ml")
      .Since(1)
      .Infer(InferLabelEncoder)
      .Kernel<LabelEncoderKernel>();
  Op("ArrayFeatureExtractor")
      .Domain("ai.onnx.ml")
      .Since(1)
      .Infer(InferArrayFeatureExtractor)
      .Compute(ArrayFeatureExtractorCompute);
}

}  // namespace brisk
