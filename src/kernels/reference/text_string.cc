// String tensor ops: StringNormalizer (opset 10), StringConcat and StringSplit (opset 20).
//
// StringNormalizer follows the ONNX spec (and onnxruntime): elements of a [C] or [1, C] tensor
// equal to a stopword are dropped (compared case-insensitively unless is_case_sensitive), the
// rest optionally lower- or upper-cased; when every element is dropped the output is [""] with
// shape [1] or [1, 1]. Case mapping covers ASCII, Latin-1, Latin Extended-A, Greek and
// Cyrillic; `locale` is accepted and otherwise ignored.
// StringSplit follows Python's str.split: with a delimiter, consecutive delimiters delimit
// empty strings; without one (or with ""), runs of whitespace separate and leading/trailing
// whitespace is dropped. Rows are padded with "" to the longest split.
#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "kernels/reference/text_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using text::CheckStringInput;
using text::InputName;
using text::RequireStringInput;

// ---- StringNormalizer ----------------------------------------------------------------------

enum class CaseChange { kNone, kLower, kUpper };

StatusOr<CaseChange> ParseCaseChange(const ir::AttributeMap& attrs) {
  BRISK_ASSIGN_OR_RETURN(std::string s, attrs.GetString("case_change_action", "NONE"));
  if (s == "NONE") return CaseChange::kNone;
  if (s == "LOWER") return CaseChange::kLower;
  if (s == "UPPER") return CaseChange::kUpper;
  return InvalidArgument("attribute 'case_change_action': '" + s +
                         "' is not one of NONE, LOWER, UPPER");
}

StatusOr<std::string> ChangeCase(const std::string& s, CaseChange c, std::string_view what) {
  if (c == CaseChange::kLower) return text::MapUtf8(s, text::ToLowerCp, what);
  if (c == CaseChange::kUpper) return text::MapUtf8(s, text::ToUpperCp, what);
  return s;
}

Status CheckNormalizerRank(int rank, std::optional<int64_t> dim0) {
  if (rank != 1 && rank != 2) {
    return InvalidArgument(InputName(0, "X") + ": expected shape [C] or [1, C], got rank " +
                           std::to_string(rank));
  }
  if (rank == 2 && dim0 && *dim0 != 1) {
    return InvalidArgument(InputName(0, "X") + ": expected shape [1, C], got first dim " +
                           std::to_string(*dim0));
  }
  return Status::Ok();
}

Status InferStringNormalizer(InferenceContext& ctx) {
  BRISK_RETURN_IF_ERROR(CheckStringInput(ctx, 0, "X"));
  BRISK_RETURN_IF_ERROR(ParseCaseChange(ctx.attrs()).status());
  BRISK_ASSIGN_OR_RETURN(std::vector<std::string> stopwords,
                         ctx.attrs().GetStrings("stopwords", std::vector<std::string>{}));
  const auto& in = ctx.input_type(0).shape;
  if (!in) {
    ctx.set_output(0, DType::kString, std::nullopt);
    return Status::Ok();
  }
  const Dim d0 = in->dims.empty() ? Dim::Unknown() : in->dims[0];
  BRISK_RETURN_IF_ERROR(CheckNormalizerRank(
      in->rank(), d0.is_known() ? std::optional<int64_t>(d0.value) : std::nullopt));
  Dim c = in->dims.back();
  if (!stopwords.empty()) {
    c = Dim::Unknown();
  } else if (c.is_known() && c.value == 0) {
    c = Dim::Known(1);  // an empty input yields [""]
  }
  SymbolicShape out = *in;
  out.dims.back() = c;
  if (out.rank() == 2) out.dims[0] = Dim::Known(1);
  ctx.set_output(0, DType::kString, out);
  return Status::Ok();
}

class StringNormalizerKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(CaseChange change, ParseCaseChange(init.attrs()));
    BRISK_ASSIGN_OR_RETURN(int64_t sensitive, init.attrs().GetInt("is_case_sensitive", 0));
    BRISK_ASSIGN_OR_RETURN(std::vector<std::string> stopwords,
                           init.attrs().GetStrings("stopwords", std::vector<std::string>{}));
    BRISK_RETURN_IF_ERROR(init.attrs().GetString("locale", "").status());
    std::unordered_set<std::string> stops;
    for (const std::string& w : stopwords) {
      if (sensitive != 0) {
        stops.insert(w);
      } else {
        BRISK_ASSIGN_OR_RETURN(std::string lw,
                               text::MapUtf8(w, text::ToLowerCp, "attribute 'stopwords'"));
        stops.insert(std::move(lw));
      }
    }
    return MakeKernel<StringNormalizerKernel>(change, sensitive != 0, std::move(stops));
  }
  StringNormalizerKernel(CaseChange change, bool sensitive, std::unordered_set<std::string> stops)
      : change_(change), sensitive_(sensitive), stops_(std::move(stops)) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireStringInput(ctx, 0, "X"));
    BRISK_RETURN_IF_ERROR(CheckNormalizerRank(
        x->rank(), x->rank() == 2 ? std::optional<int64_t>(x->dim(0)) : std::nullopt));
    const std::string what = InputName(0, "X");
    std::vector<std::string> kept;
    for (const std::string& s : x->span<std::string>()) {
      if (!stops_.empty()) {
        if (sensitive_) {
          if (stops_.count(s) != 0) continue;
        } else {
          BRISK_ASSIGN_OR_RETURN(std::string ls, text::MapUtf8(s, text::ToLowerCp, what));
          if (stops_.count(ls) != 0) continue;
        }
      }
      BRISK_ASSIGN_OR_RETURN(std::string out, ChangeCase(s, change_, what));
      kept.push_back(std::move(out));
    }
    if (kept.empty()) kept.emplace_back();
    const auto c = static_cast<int64_t>(kept.size());
    Shape shape = x->rank() == 1 ? Shape{c} : Shape{1, c};
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kString, shape));
    std::move(kept.begin(), kept.end(), y->data<std::string>());
    return Status::Ok();
  }

 private:
  CaseChange change_;
  bool sensitive_;
  std::unordered_set<std::string> stops_;
};

// ---- StringConcat --------------------------------------------------------------------------

Status InferStringConcat(InferenceContext& ctx) {
  BRISK_RETURN_IF_ERROR(CheckStringInput(ctx, 0, "X"));
  BRISK_RETURN_IF_ERROR(CheckStringInput(ctx, 1, "Y"));
  BRISK_RETURN_IF_ERROR(InferBroadcast(ctx));
  ctx.set_output(0, DType::kString, ctx.output_types()[0].shape);
  return Status::Ok();
}

Status StringConcatCompute(KernelContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(const Tensor* a, RequireStringInput(ctx, 0, "X"));
  BRISK_ASSIGN_OR_RETURN(const Tensor* b, RequireStringInput(ctx, 1, "Y"));
  BRISK_ASSIGN_OR_RETURN(Shape out_shape, BroadcastShapes(a->shape(), b->shape()));
  BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kString, out_shape));
  const std::vector<int64_t> sa = BroadcastStrides(a->shape(), out_shape);
  const std::vector<int64_t> sb = BroadcastStrides(b->shape(), out_shape);
  const int rank = out_shape.rank();
  const int64_t n = out_shape.NumElements();
  std::vector<int64_t> idx(static_cast<size_t>(rank), 0);
  int64_t ia = 0, ib = 0;
  const std::string* pa = a->data<std::string>();
  const std::string* pb = b->data<std::string>();
  std::string* py = y->data<std::string>();
  for (int64_t i = 0; i < n; ++i) {
    py[i] = pa[ia];
    py[i] += pb[ib];
    for (int d = rank - 1; d >= 0; --d) {  // odometer increment
      const auto du = static_cast<size_t>(d);
      if (++idx[du] < out_shape[d]) {
        ia += sa[du];
        ib += sb[du];
        break;
      }
      ia -= sa[du] * (idx[du] - 1);
      ib -= sb[du] * (idx[du] - 1);
      idx[du] = 0;
    }
  }
  return Status::Ok();
}

// ---- StringSplit ---------------------------------------------------------------------------

// Byte length of the whitespace code point at s[pos] (Python's str.isspace), or 0.
size_t WhitespaceLen(std::string_view s, size_t pos) {
  const auto b = static_cast<unsigned char>(s[pos]);
  if (b < 0x80) return (b == ' ' || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F)) ? 1 : 0;
  size_t p = pos;
  std::optional<char32_t> cp = text::DecodeUtf8(s, &p);
  if (!cp) return 0;
  const char32_t c = *cp;
  const bool ws = c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
                  c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
  return ws ? p - pos : 0;
}

void SplitWhitespace(std::string_view s, int64_t maxsplit, std::vector<std::string>& out) {
  size_t pos = 0;
  auto skip_ws = [&](size_t p) {
    while (p < s.size()) {
      const size_t l = WhitespaceLen(s, p);
      if (l == 0) break;
      p += l;
    }
    return p;
  };
  pos = skip_ws(pos);
  int64_t splits = 0;
  while (pos < s.size()) {
    if (maxsplit >= 0 && splits >= maxsplit) {
      out.emplace_back(s.substr(pos));
      return;
    }
    size_t end = pos;
    while (end < s.size() && WhitespaceLen(s, end) == 0) ++end;
    out.emplace_back(s.substr(pos, end - pos));
    ++splits;
    pos = skip_ws(end);
  }
}

void SplitDelimiter(std::string_view s, std::string_view delim, int64_t maxsplit,
                    std::vector<std::string>& out) {
  size_t pos = 0;
  int64_t splits = 0;
  while (maxsplit < 0 || splits < maxsplit) {
    const size_t f = s.find(delim, pos);
    if (f == std::string_view::npos) break;
    out.emplace_back(s.substr(pos, f - pos));
    pos = f + delim.size();
    ++splits;
  }
  out.emplace_back(s.substr(pos));
}

Status InferStringSplit(InferenceContext& ctx) {
  BRISK_RETURN_IF_ERROR(CheckStringInput(ctx, 0, "X"));
  BRISK_ASSIGN_OR_RETURN(int64_t maxsplit, ctx.attrs().GetInt("maxsplit", -1));
  if (maxsplit < 0 && ctx.attrs().Has("maxsplit")) {
    return InvalidArgument("attribute 'maxsplit' must be >= 0, got " + std::to_string(maxsplit));
  }
  const auto& in = ctx.input_type(0).shape;
  if (!in) {
    ctx.set_output(0, DType::kString, std::nullopt);
    if (ctx.num_outputs() > 1) ctx.set_output(1, DType::kInt64, std::nullopt);
    return Status::Ok();
  }
  bool empty = false;
  for (const Dim& d : in->dims) empty = empty || (d.is_known() && d.value == 0);
  SymbolicShape y = *in;
  y.dims.push_back(empty ? Dim::Known(0) : Dim::Unknown());
  ctx.set_output(0, DType::kString, y);
  if (ctx.num_outputs() > 1) ctx.set_output(1, DType::kInt64, *in);
  return Status::Ok();
}

class StringSplitKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(std::string delim, init.attrs().GetString("delimiter", ""));
    BRISK_ASSIGN_OR_RETURN(int64_t maxsplit, init.attrs().GetInt("maxsplit", -1));
    if (maxsplit < 0 && init.attrs().Has("maxsplit")) {
      return InvalidArgument("attribute 'maxsplit' must be >= 0, got " +
                             std::to_string(maxsplit));
    }
    return MakeKernel<StringSplitKernel>(std::move(delim), maxsplit);
  }
  StringSplitKernel(std::string delim, int64_t maxsplit)
      : delim_(std::move(delim)), maxsplit_(maxsplit) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, RequireStringInput(ctx, 0, "X"));
    const int64_t n = x->num_elements();
    std::vector<std::vector<std::string>> parts(static_cast<size_t>(n));
    int64_t width = 0;
    for (int64_t i = 0; i < n; ++i) {
      auto& p = parts[static_cast<size_t>(i)];
      const std::string& s = x->data<std::string>()[i];
      if (delim_.empty()) {
        SplitWhitespace(s, maxsplit_, p);
      } else {
        SplitDelimiter(s, delim_, maxsplit_, p);
      }
      width = std::max(width, static_cast<int64_t>(p.size()));
    }
    std::vector<int64_t> dims = x->shape().dims();
    dims.push_back(width);
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kString, Shape(dims)));
    std::string* py = y->data<std::string>();
    for (int64_t i = 0; i < n; ++i) {
      auto& p = parts[static_cast<size_t>(i)];
      for (size_t k = 0; k < p.size(); ++k) py[i * width + int64_t(k)] = std::move(p[k]);
    }
    if (ctx.num_outputs() > 1 && ctx.output_requested(1)) {
      BRISK_ASSIGN_OR_RETURN(Tensor * z, ctx.AllocateOutput(1, DType::kInt64, x->shape()));
      for (int64_t i = 0; i < n; ++i)
        z->data<int64_t>()[i] = static_cast<int64_t>(parts[static_cast<size_t>(i)].size());
    }
    return Status::Ok();
  }

 private:
  std::string delim_;
  int64_t maxsplit_;  // < 0: unlimited
};

}  // namespace

BRISK_REGISTER_OPS(text_string) {
  Op("StringNormalizer").Since(10).Infer(InferStringNormalizer).Kernel<StringNormalizerKernel>();
  Op("StringConcat").Since(20).Infer(InferStringConcat).Compute(StringConcatCompute);
  Op("StringSplit").Since(20).Infer(InferStringSplit).Kernel<StringSplitKernel>();
}

}  // namespace brisk
