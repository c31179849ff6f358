#include "kernels/reference/shape_ops_util.h"

#include <algorithm>
#include <cstring>

namespace brisk::shape_ops {
namespace {

// The copy loop over a coalesced index space; strides here are in bytes.
template <typename T>
void CopyLoop(const char* src, const std::vector<int64_t>& ss, char* dst,
              const std::vector<int64_t>& ds, const std::vector<int64_t>& ext) {
  const int rank = int(ext.size());
  const int64_t inner = rank == 0 ? 1 : ext.back();
  const int64_t s_in = rank == 0 ? 0 : ss.back();
  const int64_t d_in = rank == 0 ? 0 : ds.back();
  const bool contiguous = std::is_trivially_copyable_v<T> && s_in == int64_t(sizeof(T)) &&
                          d_in == int64_t(sizeof(T));
  std::vector<int64_t> idx(size_t(std::max(rank - 1, 0)), 0);
  while (true) {
    if (contiguous) {
      std::memcpy(dst, src, size_t(inner) * sizeof(T));
    } else {
      const char* s = src;
      char* d = dst;
      for (int64_t i = 0; i < inner; ++i, s += s_in, d += d_in) {
        if constexpr (std::is_trivially_copyable_v<T>) {
          std::memcpy(d, s, sizeof(T));
        } else {
          *reinterpret_cast<T*>(d) = *reinterpret_cast<const T*>(s);
        }
      }
    }
    // Advance the odometer over the outer dims.
    int k = rank - 2;
    for (; k >= 0; --k) {
      const size_t uk = size_t(k);
      if (++idx[uk] < ext[uk]) {
        src += ss[uk];
        dst += ds[uk];
        break;
      }
      src -= ss[uk] * (ext[uk] - 1);
      dst -= ds[uk] * (ext[uk] - 1);
      idx[uk] = 0;
    }
    if (k < 0) return;
  }
}

template <size_t N>
struct Bytes {
  unsigned char b[N];
};

}  // namespace

void CopyStrided(DType dtype, const void* src, std::span<const int64_t> src_strides, void* dst,
                 std::span<const int64_t> dst_strides, std::span<const int64_t> extents) {
  const int64_t size = int64_t(DTypeSize(dtype));
  // Drop size-1 dims; stop on an empty index space.
  std::vector<int64_t> ext, ss, ds;
  for (size_t i = 0; i < extents.size(); ++i) {
    if (extents[i] == 0) return;
    if (extents[i] == 1) continue;
    ext.push_back(extents[i]);
    ss.push_back(src_strides[i]);
    ds.push_back(dst_strides[i]);
  }
  // Merge dim i into i+1 when both sides are contiguous across them.
  std::vector<int64_t> cext, css, cds;
  for (size_t i = 0; i < ext.size(); ++i) {
    if (!cext.empty() && css.back() == ss[i] * ext[i] && cds.back() == ds[i] * ext[i]) {
      cext.back() *= ext[i];
      css.back() = ss[i];
      cds.back() = ds[i];
      continue;
    }
    cext.push_back(ext[i]);
    css.push_back(ss[i]);
    cds.push_back(ds[i]);
  }
  for (auto& s : css) s *= size;
  for (auto& s : cds) s *= size;
  const char* s = static_cast<const char*>(src);
  char* d = static_cast<char*>(dst);
  if (dtype == DType::kString) return CopyLoop<std::string>(s, css, d, cds, cext);
  switch (size) {
    case 1: return CopyLoop<uint8_t>(s, css, d, cds, cext);
    case 2: return CopyLoop<uint16_t>(s, css, d, cds, cext);
    case 4: return CopyLoop<uint32_t>(s, css, d, cds, cext);
    case 8: return CopyLoop<uint64_t>(s, css, d, cds, cext);
    case 16: return CopyLoop<Bytes<16>>(s, css, d, cds, cext);
    default: break;
  }
}

StatusOr<Tensor> MaterializeView(const Tensor& src, int64_t offset,
                                 std::span<const int64_t> strides, const Shape& out_shape) {
  BRISK_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(src.dtype(), out_shape));
  if (out.num_elements() == 0) return out;
  const std::vector<int64_t> dst_strides = ContiguousStrides(out_shape);
  CopyStrided(src.dtype(), ElementPtr(src, offset), strides, out.raw_data(), dst_strides,
              out_shape.dims());
  return out;
}

Status ViewToOutput(KernelContext& ctx, int out, const Tensor& src, int64_t offset,
                    std::span<const int64_t> strides, const Shape& out_shape) {
  BRISK_ASSIGN_OR_RETURN(Tensor t, MaterializeView(src, offset, strides, out_shape));
  ctx.set_output(out, std::move(t));
  return Status::Ok();
}

void FillElements(DType dtype, void* dst, int64_t n, const void* value) {
  if (n <= 0) return;
  if (dtype == DType::kString) {
    const auto& v = *static_cast<const std::string*>(value);
    auto* d = static_cast<std::string*>(dst);
    for (int64_t i = 0; i < n; ++i) d[i] = v;
    return;
  }
  const size_t size = DTypeSize(dtype);
  char* d = static_cast<char*>(dst);
  std::memcpy(d, value, size);
  // Doubling copies.
  int64_t filled = 1;
  while (filled < n) {
    const int64_t chunk = std::min(filled, n - filled);
    std::memcpy(d + size_t(filled) * size, d, size_t(chunk) * size);
    filled += chunk;
  }
}

std::string InputName(int index, std::string_view name) {
  return "input " + std::to_string(index) + " '" + std::string(name) + "'";
}

StatusOr<std::vector<int64_t>> ReadIntList(const Tensor& t, int index, std::string_view name) {
  if (t.rank() > 1) {
    return InvalidArgument(InputName(index, name) + " must be a 1-D tensor, got " +
                           t.TypeString());
  }
  return ReadInts(t, InputName(index, name));
}

StatusOr<const Tensor*> RequiredInput(const KernelContext& ctx, int index,
                                      std::string_view name) {
  const Tensor* t = ctx.input(index);
  if (t == nullptr) return InvalidArgument(InputName(index, name) + " is required");
  return t;
}

SymbolicShape UnknownShape(int rank) {
  return SymbolicShape(std::vector<Dim>(size_t(std::max(rank, 0)), Dim::Unknown()));
}

std::optional<int64_t> KnownLength(const InferenceContext& ctx, int index) {
  if (!ctx.has_input(index)) return std::nullopt;
  const Tensor* c = ctx.input_constant(index);
  if (c != nullptr) return c->num_elements();
  const auto& shape = ctx.input_type(index).shape;
  if (!shape) return std::nullopt;
  if (shape->rank() == 0) return 1;
  if (shape->rank() == 1 && shape->dims[0].is_known()) return shape->dims[0].value;
  return std::nullopt;
}

StatusOr<Dim> MergeDims(const Dim& a, const Dim& b, std::string_view what) {
  if (a.is_known() && b.is_known()) {
    if (a.value != b.value) {
      return InvalidArgument(std::string(what) + ": dims " + std::to_string(a.value) + " and " +
                             std::to_string(b.value) + " differ");
    }
    return a;
  }
  if (a.is_known()) return a;
  if (b.is_known()) return b;
  if (a.is_symbol()) return a;
  return b;
}

std::optional<int64_t> KnownProduct(std::span<const Dim> dims) {
  int64_t p = 1;
  for (const Dim& d : dims) {
    if (!d.is_known()) return std::nullopt;
    if (d.value != 0 && p > kMaxElements / d.value) return std::nullopt;
    p *= d.value;
  }
  return p;
}

Status CheckUniqueAxes(std::span<const int> axes, std::string_view what) {
  std::vector<int> sorted(axes.begin(), axes.end());
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i] == sorted[i - 1]) {
      return InvalidArgument(std::string(what) + ": axis " + std::to_string(sorted[i]) +
                             " appears more than once");
    }
  }
  return Status::Ok();
}

}  // namespace brisk::shape_ops
