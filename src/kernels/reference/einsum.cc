// Einsum (opset 12): numpy einsum semantics. Terms are letters with at most one "..." each;
// a label repeated within a term takes a diagonal; labels missing from the output are summed;
// ellipsis dims broadcast numpy-style (right-aligned). Without "->" the output is the ellipsis
// dims followed by the labels that appear exactly once, in ASCII order.
//
// The reference computation is one loop over every label's range (output labels outermost),
// accumulating the product of the operands: O(product of all label sizes), no intermediates.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/linalg_norm_util.h"
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

using linalg_norm::Accum;
using linalg_norm::FromAccum;
using linalg_norm::InputName;
using linalg_norm::ToAccum;

constexpr int kEllipsisBase = 256;  // labels >= this are ellipsis dims; letters use char codes

struct Term {
  std::vector<int> letters_before;  // labels before "..."
  std::vector<int> letters_after;   // labels after "..." (all labels when no ellipsis)
  bool ellipsis = false;
};

struct EinsumSpec {
  std::vector<std::vector<int>> inputs;  // one label per dim of each operand
  std::vector<int> output;
  int ellipsis_rank = 0;
};

Status EquationError(const std::string& eq, const std::string& why) {
  return InvalidArgument("attribute 'equation' \"" + eq + "\": " + why);
}

StatusOr<Term> ParseTerm(const std::string& eq, const std::string& t) {
  Term term;
  for (size_t i = 0; i < t.size();) {
    const char ch = t[i];
    if (ch == '.') {
      if (t.compare(i, 3, "...") != 0 || term.ellipsis)
        return EquationError(eq, "malformed or repeated ellipsis in term \"" + t + "\"");
      term.ellipsis = true;
      term.letters_before = term.letters_after;
      term.letters_after.clear();
      i += 3;
      continue;
    }
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
      return EquationError(eq, std::string("invalid character '") + ch + "'");
    term.letters_after.push_back(int(static_cast<unsigned char>(ch)));
    ++i;
  }
  return term;
}

// Parses the equation and expands each term to one label per dim of its operand.
StatusOr<EinsumSpec> ParseEinsum(const std::string& equation, const std::vector<int>& ranks) {
  std::string eq;
  for (char c : equation)
    if (c != ' ') eq += c;
  const size_t arrow = eq.find("->");
  const std::string lhs = arrow == std::string::npos ? eq : eq.substr(0, arrow);
  std::vector<Term> terms;
  size_t start = 0;
  while (true) {
    const size_t comma = lhs.find(',', start);
    BRISK_ASSIGN_OR_RETURN(Term t, ParseTerm(equation, lhs.substr(start, comma - start)));
    terms.push_back(std::move(t));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != ranks.size()) {
    return EquationError(equation, "has " + std::to_string(terms.size()) + " input terms but " +
                                       std::to_string(ranks.size()) + " inputs were given");
  }
  EinsumSpec spec;
  std::map<int, int> count;
  for (size_t i = 0; i < terms.size(); ++i) {
    const Term& t = terms[i];
    const int letters = int(t.letters_before.size() + t.letters_after.size());
    const int ell = ranks[i] - letters;
    if (t.ellipsis ? ell < 0 : ell != 0) {
      return InvalidArgument(InputName(int(i), "Inputs") + ": rank " + std::to_string(ranks[i]) +
                             " does not match term " + std::to_string(i) + " of equation \"" +
                             equation + "\" (" + std::to_string(letters) + " labels" +
                             (t.ellipsis ? " and an ellipsis)" : ")"));
    }
    spec.ellipsis_rank = std::max(spec.ellipsis_rank, ell);
    std::vector<int> labels = t.letters_before;
    for (int l : t.letters_before) ++count[l];
    for (int l : t.letters_after) ++count[l];
    for (int j = 0; j < ell; ++j) labels.push_back(-1 - (ell - j));  // fixed up below
    labels.insert(labels.end(), t.letters_after.begin(), t.letters_after.end());
    spec.inputs.push_back(std::move(labels));
  }
  // Ellipsis dims right-aligned to the widest ellipsis: -1 - k (k from the right) becomes
  // kEllipsisBase + (E - k).
  for (auto& labels : spec.inputs)
    for (int& l : labels)
      if (l < 0) l = kEllipsisBase + spec.ellipsis_rank + (l + 1);
  if (arrow == std::string::npos) {
    for (int k = 0; k < spec.ellipsis_rank; ++k) spec.output.push_back(kEllipsisBase + k);
    for (const auto& [label, n] : count)
      if (n == 1) spec.output.push_back(label);  // std::map iterates in ASCII order
  } else {
    BRISK_ASSIGN_OR_RETURN(Term out, ParseTerm(equation, eq.substr(arrow + 2)));
    spec.output = out.letters_before;
    if (out.ellipsis)
      for (int k = 0; k < spec.ellipsis_rank; ++k) spec.output.push_back(kEllipsisBase + k);
    spec.output.insert(spec.output.end(), out.letters_after.begin(), out.letters_after.end());
    std::vector<int> seen;
    for (int l : spec.output) {
      if (l >= kEllipsisBase) continue;
      if (std::find(seen.begin(), seen.end(), l) != seen.end())
        return EquationError(equation, std::string("output label '") + char(l) + "' repeated");
      if (count.count(l) == 0)
        return EquationError(equation,
                             std::string("output label '") + char(l) + "' is not in any input");
      seen.push_back(l);
    }
  }
  return spec;
}

std::string LabelName(int l) {
  return l >= kEllipsisBase ? "ellipsis dim " + std::to_string(l - kEllipsisBase)
                            : std::string("label '") + char(l) + "'";
}

StatusOr<std::string> GetEquation(const ir::AttributeMap& attrs) {
  return attrs.GetString("equation");
}

Status InferEinsum(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(std::string equation, GetEquation(ctx.attrs()));
  DType dtype = DType::kUndefined;
  std::vector<int> ranks;
  bool ranks_known = true;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const ir::TypeInfo& t = ctx.input_type(i);
    if (dtype == DType::kUndefined) dtype = t.dtype;
    else BRISK_RETURN_IF_ERROR(linalg_norm::CheckSameDtype(ctx, i, "Inputs", dtype, "input 0"));
    if (!t.shape) ranks_known = false;
    else ranks.push_back(t.shape->rank());
  }
  if (!ranks_known) {
    ctx.set_output(0, dtype, std::nullopt);
    return Status::Ok();
  }
  BRISK_ASSIGN_OR_RETURN(EinsumSpec spec, ParseEinsum(equation, ranks));
  std::map<int, Dim> dims;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const SymbolicShape& s = *ctx.input_type(i).shape;
    for (int d = 0; d < s.rank(); ++d) {
      const int l = spec.inputs[size_t(i)][size_t(d)];
      const Dim& v = s.dims[size_t(d)];
      auto it = dims.find(l);
      if (it == dims.end()) {
        dims[l] = v;
        continue;
      }
      Dim& cur = it->second;
      if (v.is_known() && v.value == 1) continue;
      if (cur.is_known() && cur.value == 1) {
        cur = v;
      } else if (linalg_norm::DimsConflict(cur, v)) {
        return InvalidArgument(InputName(i, "Inputs") + ": " + LabelName(l) + " has size " +
                               v.ToString() + " but " + cur.ToString() + " elsewhere");
      } else if (v.is_known()) {
        cur = v;
      } else if (!(cur == v) && !cur.is_known()) {
        cur = Dim::Unknown();
      }
    }
  }
  SymbolicShape out;
  for (int l : spec.output) out.dims.push_back(dims.count(l) ? dims[l] : Dim::Known(1));
  ctx.set_output(0, dtype, std::move(out));
  return Status::Ok();
}

class EinsumKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(std::string equation, GetEquation(init.attrs()));
    return MakeKernel<EinsumKernel>(std::move(equation));
  }
  explicit EinsumKernel(std::string equation) : equation_(std::move(equation)) {}

  Status Run(KernelContext& ctx) const override {
    const int n_in = ctx.num_inputs();
    if (n_in == 0) return InvalidArgument("Einsum needs at least one input");
    std::vector<int> ranks;
    for (int i = 0; i < n_in; ++i) {
      if (ctx.input(i) == nullptr) return InvalidArgument(InputName(i, "Inputs") + " is missing");
      if (ctx.input(i)->dtype() != ctx.input(0)->dtype()) {
        return InvalidArgument(InputName(i, "Inputs") + ": dtype " +
                               std::string(DTypeName(ctx.input(i)->dtype())) +
                               " differs from input 0's " +
                               std::string(DTypeName(ctx.input(0)->dtype())));
      }
      ranks.push_back(ctx.input(i)->rank());
    }
    BRISK_ASSIGN_OR_RETURN(EinsumSpec spec, ParseEinsum(equation_, ranks));
    // Label sizes (size-1 dims broadcast).
    std::map<int, int64_t> size;
    for (int i = 0; i < n_in; ++i) {
      const Tensor& t = *ctx.input(i);
      for (int d = 0; d < t.rank(); ++d) {
        const int l = spec.inputs[size_t(i)][size_t(d)];
        const int64_t v = t.dim(d);
        auto it = size.find(l);
        if (it == size.end() || it->second == 1) {
          size[l] = v;
        } else if (v != 1 && v != it->second) {
          return InvalidArgument(InputName(i, "Inputs") + ": " + LabelName(l) + " has size " +
                                 std::to_string(v) + " but " + std::to_string(it->second) +
                                 " elsewhere (shape " + t.shape().ToString() + ")");
        }
      }
    }
    // Loop order: output labels, then summed labels.
    std::vector<int> order = spec.output;
    for (const auto& [l, s] : size)
      if (std::find(order.begin(), order.end(), l) == order.end()) order.push_back(l);
    const size_t n_out = spec.output.size();
    std::vector<int64_t> extent;
    std::vector<int64_t> out_dims;
    for (size_t j = 0; j < order.size(); ++j) {
      const int64_t e = size.count(order[j]) ? size[order[j]] : 1;
      extent.push_back(e);
      if (j < n_out) out_dims.push_back(e);
    }
    // strides[i][j]: step in operand i for label order[j] (summed over repeats; 0 if broadcast).
    std::vector<std::vector<int64_t>> strides(size_t(n_in), std::vector<int64_t>(order.size()));
    for (int i = 0; i < n_in; ++i) {
      const Tensor& t = *ctx.input(i);
      const std::vector<int64_t> cs = ContiguousStrides(t.shape());
      for (int d = 0; d < t.rank(); ++d) {
        if (t.dim(d) == 1) continue;
        const int l = spec.inputs[size_t(i)][size_t(d)];
        const size_t j = size_t(std::find(order.begin(), order.end(), l) - order.begin());
        strides[size_t(i)][j] += cs[size_t(d)];
      }
    }
    Shape out_shape(out_dims);
    BRISK_RETURN_IF_ERROR(out_shape.Validate());
    const DType dtype = ctx.input(0)->dtype();
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, dtype, out_shape));
    int64_t inner_total = 1;
    for (size_t j = n_out; j < order.size(); ++j) inner_total *= extent[j];
    return DispatchNumeric(dtype, InputName(0, "Inputs"), [&]<typename T>() -> Status {
      using A = Accum<T>;
      std::vector<const T*> data;
      for (int i = 0; i < n_in; ++i) data.push_back(ctx.input(i)->data<T>());
      T* yp = y->data<T>();
      const int64_t total_out = y->num_elements();
      std::vector<int64_t> idx(order.size(), 0);
      std::vector<int64_t> base(size_t(n_in), 0);
      for (int64_t o = 0; o < total_out; ++o) {
        // Offsets of the output position in each operand.
        for (int i = 0; i < n_in; ++i) {
          int64_t off = 0;
          for (size_t j = 0; j < n_out; ++j) off += idx[j] * strides[size_t(i)][j];
          base[size_t(i)] = off;
        }
        A acc = A(0);
        std::fill(idx.begin() + long(n_out), idx.end(), 0);
        for (int64_t s = 0; s < inner_total; ++s) {
          A prod = A(1);
          for (int i = 0; i < n_in; ++i) {
            int64_t off = base[size_t(i)];
            for (size_t j = n_out; j < order.size(); ++j) off += idx[j] * strides[size_t(i)][j];
            prod = prod * ToAccum(data[size_t(i)][off]);
          }
          acc += prod;
          for (size_t j = order.size(); j-- > n_out;) {
            if (++idx[j] < extent[j]) break;
            idx[j] = 0;
          }
        }
        yp[o] = FromAccum<T>(acc);
        for (size_t j = n_out; j-- > 0;) {
          if (++idx[j] < extent[j]) break;
          idx[j] = 0;
        }
      }
      return Status::Ok();
    });
  }

 private:
  std::string equation_;
};

}  // namespace

BRISK_REGISTER_OPS(einsum) { Op("Einsum").Since(12).Infer(InferEinsum).Kernel<EinsumKernel>(); }

}  // namespace brisk
