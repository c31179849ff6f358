// TfIdfVectorizer (opset 9): counts the pool's n-grams (with up to max_skip_count skipped
// tokens between consecutive items) in each row of a [C] or [N, C] int32/int64/string tensor
// and writes the counts (TF), their indicator times the weights (IDF) or the counts times the
// weights (TFIDF) to output coordinate ngram_indexes[i] of the i-th pool n-gram.
//
// The pool lists n-grams grouped by length: ngram_counts[k] is where the (k+1)-grams start.
// Unigrams are counted once per position whatever the skip; an n-gram with n >= 2 is counted
// once per (start, skip distance) at which it occurs. Weights are indexed by output coordinate
// (as the ONNX reference and onnxruntime do). A repeated pool n-gram maps to its last entry.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "kernels/reference/text_util.h"
#include "kernels/registry.h"

namespace brisk {
namespace {

using text::InputName;

enum class Mode { kTF, kIDF, kTFIDF };

struct Config {
  Mode mode = Mode::kTF;
  int64_t min_len = 1, max_len = 1, max_skip = 0;
  std::vector<int64_t> ngram_indexes;
  std::vector<float> weights;
  int64_t output_size = 0;
  bool strings = false;
  // Every pool n-gram of a length in [min_len, max_len] and each of its prefixes; the value
  // is the n-gram's pool index, or -1 for a prefix that is not itself a pool n-gram.
  std::map<std::vector<int64_t>, int64_t> int_grams;
  std::map<std::vector<std::string>, int64_t> str_grams;
};

template <typename K>
void AddGram(std::map<std::vector<K>, int64_t>& m, const std::vector<K>& pool, int64_t begin,
             int64_t n, int64_t id) {
  std::vector<K> key;
  for (int64_t k = 0; k < n; ++k) {
    key.push_back(pool[static_cast<size_t>(begin + k)]);
    auto [it, inserted] = m.emplace(key, -1);
    if (k == n - 1) it->second = id;
  }
}

StatusOr<Config> ParseConfig(const ir::AttributeMap& attrs) {
  Config c;
  BRISK_ASSIGN_OR_RETURN(std::string mode, attrs.GetString("mode"));
  if (mode == "TF") c.mode = Mode::kTF;
  else if (mode == "IDF") c.mode = Mode::kIDF;
  else if (mode == "TFIDF") c.mode = Mode::kTFIDF;
  else return InvalidArgument("attribute 'mode': '" + mode + "' is not one of TF, IDF, TFIDF");
  BRISK_ASSIGN_OR_RETURN(c.min_len, attrs.GetInt("min_gram_length"));
  BRISK_ASSIGN_OR_RETURN(c.max_len, attrs.GetInt("max_gram_length"));
  BRISK_ASSIGN_OR_RETURN(c.max_skip, attrs.GetInt("max_skip_count"));
  if (c.min_len < 1) return InvalidArgument("attribute 'min_gram_length' must be >= 1");
  if (c.max_len < c.min_len) {
    return InvalidArgument("attribute 'max_gram_length' (" + std::to_string(c.max_len) +
                           ") must be >= 'min_gram_length' (" + std::to_string(c.min_len) + ")");
  }
  if (c.max_skip < 0) return InvalidArgument("attribute 'max_skip_count' must be >= 0");
  BRISK_ASSIGN_OR_RETURN(std::vector<int64_t> counts, attrs.GetInts("ngram_counts"));
  BRISK_ASSIGN_OR_RETURN(c.ngram_indexes, attrs.GetInts("ngram_indexes"));
  BRISK_ASSIGN_OR_RETURN(c.weights, attrs.GetFloats("weights", std::vector<float>{}));
  const bool has_ints = attrs.Has("pool_int64s"), has_strings = attrs.Has("pool_strings");
  if (has_ints == has_strings) {
    return InvalidArgument(
        "exactly one of attributes 'pool_int64s' and 'pool_strings' must be set");
  }
  c.strings = has_strings;
  std::vector<int64_t> pool_i;
  std::vector<std::string> pool_s;
  if (has_ints) {
    BRISK_ASSIGN_OR_RETURN(pool_i, attrs.GetInts("pool_int64s"));
  } else {
    BRISK_ASSIGN_OR_RETURN(pool_s, attrs.GetStrings("pool_strings"));
  }
  const auto pool_size = static_cast<int64_t>(has_ints ? pool_i.size() : pool_s.size());
  if (c.ngram_indexes.empty()) return InvalidArgument("attribute 'ngram_indexes' is empty");
  for (int64_t v : c.ngram_indexes) {
    if (v < 0 || v > (int64_t(1) << 40)) {
      return InvalidArgument("attribute 'ngram_indexes': index " + std::to_string(v) +
                             " is out of range");
    }
  }
  c.output_size = *std::max_element(c.ngram_indexes.begin(), c.ngram_indexes.end()) + 1;
  if (!c.weights.empty() && static_cast<int64_t>(c.weights.size()) < c.output_size) {
    return InvalidArgument("attribute 'weights' has " + std::to_string(c.weights.size()) +
                           " values, expected one per output coordinate (" +
                           std::to_string(c.output_size) + ")");
  }
  int64_t id = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    const int64_t begin = counts[k];
    const int64_t end = k + 1 < counts.size() ? counts[k + 1] : pool_size;
    const auto n = static_cast<int64_t>(k + 1);
    if (begin < 0 || end > pool_size || end < begin) {
      return InvalidArgument("attribute 'ngram_counts': entry " + std::to_string(k) + " (" +
                             std::to_string(begin) + ") is not a valid, non-decreasing offset "
                             "into a pool of " + std::to_string(pool_size) + " items");
    }
    if ((end - begin) % n != 0) {
      return InvalidArgument("attribute 'ngram_counts': the " + std::to_string(n) +
                             "-gram section has " + std::to_string(end - begin) +
                             " items, not a multiple of " + std::to_string(n));
    }
    for (int64_t b = begin; b < end; b += n, ++id) {
      if (id >= static_cast<int64_t>(c.ngram_indexes.size())) {
        return InvalidArgument("attribute 'ngram_indexes' has " +
                               std::to_string(c.ngram_indexes.size()) +
                               " entries, fewer than the pool's n-grams");
      }
      if (n < c.min_len || n > c.max_len) continue;
      if (has_ints) AddGram(c.int_grams, pool_i, b, n, id);
      else AddGram(c.str_grams, pool_s, b, n, id);
    }
  }
  if (id != static_cast<int64_t>(c.ngram_indexes.size())) {
    return InvalidArgument("attribute 'ngram_indexes' has " +
                           std::to_string(c.ngram_indexes.size()) + " entries but the pool has " +
                           std::to_string(id) + " n-grams");
  }
  return c;
}

Status CheckInputDtype(DType d, bool strings) {
  if (d == DType::kUndefined) return Status::Ok();
  if (strings ? d == DType::kString : (d == DType::kInt32 || d == DType::kInt64))
    return Status::Ok();
  return InvalidArgument(InputName(0, "X") + ": dtype " + text::DTypeStr(d) +
                         (strings ? " does not match 'pool_strings' (expected string)"
                                  : " does not match 'pool_int64s' (expected int32 or int64)"));
}

Status InferTfIdf(InferenceContext& ctx) {
  BRISK_ASSIGN_OR_RETURN(Config c, ParseConfig(ctx.attrs()));
  const ir::TypeInfo& x = ctx.input_type(0);
  BRISK_RETURN_IF_ERROR(CheckInputDtype(x.dtype, c.strings));
  if (!x.shape) {
    ctx.set_output(0, DType::kFloat32, std::nullopt);
    return Status::Ok();
  }
  if (x.shape->rank() > 2) {
    return InvalidArgument(InputName(0, "X") + ": expected rank 1 or 2, got " +
                           std::to_string(x.shape->rank()));
  }
  SymbolicShape out;
  if (x.shape->rank() == 2) out.dims.push_back(x.shape->dims[0]);
  out.dims.push_back(Dim::Known(c.output_size));
  ctx.set_output(0, DType::kFloat32, out);
  return Status::Ok();
}

class TfIdfKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    BRISK_ASSIGN_OR_RETURN(Config c, ParseConfig(init.attrs()));
    return MakeKernel<TfIdfKernel>(std::move(c));
  }
  explicit TfIdfKernel(Config c) : c_(std::move(c)) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (x == nullptr) return InvalidArgument(InputName(0, "X") + " is required");
    BRISK_RETURN_IF_ERROR(CheckInputDtype(x->dtype(), c_.strings));
    if (x->rank() > 2) {
      return InvalidArgument(InputName(0, "X") + ": expected rank 1 or 2, got " +
                             std::to_string(x->rank()));
    }
    const int64_t rows = x->rank() == 2 ? x->dim(0) : 1;
    const int64_t cols = x->rank() == 0 ? 1 : x->dim(x->rank() - 1);
    const Shape shape = x->rank() == 2 ? Shape{rows, c_.output_size} : Shape{c_.output_size};
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kFloat32, shape));
    std::vector<int64_t> counts(static_cast<size_t>(rows * c_.output_size), 0);
    if (x->dtype() == DType::kString) {
      CountRows(x->data<std::string>(), rows, cols, c_.str_grams, counts);
    } else if (x->dtype() == DType::kInt32) {
      CountRows(x->data<int32_t>(), rows, cols, c_.int_grams, counts);
    } else {
      CountRows(x->data<int64_t>(), rows, cols, c_.int_grams, counts);
    }
    float* py = y->data<float>();
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t j = 0; j < c_.output_size; ++j) {
        const int64_t f = counts[static_cast<size_t>(r * c_.output_size + j)];
        const float w = c_.weights.empty() ? 1.f : c_.weights[static_cast<size_t>(j)];
        float v = static_cast<float>(f);
        if (c_.mode == Mode::kIDF) v = f > 0 ? w : 0.f;
        else if (c_.mode == Mode::kTFIDF) v = w * static_cast<float>(f);
        py[r * c_.output_size + j] = v;
      }
    }
    return Status::Ok();
  }

 private:
  template <typename T, typename K>
  void CountRows(const T* data, int64_t rows, int64_t cols,
                 const std::map<std::vector<K>, int64_t>& grams,
                 std::vector<int64_t>& counts) const {
    if (grams.empty()) return;
    std::vector<K> key;
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = data + r * cols;
      int64_t* out = counts.data() + r * c_.output_size;
      for (int64_t d = 1; d <= c_.max_skip + 1; ++d) {
        if (d > 1 && c_.max_len < 2) break;
        for (int64_t start = 0; start < cols; ++start) {
          key.clear();
          for (int64_t k = 0; k < c_.max_len; ++k) {
            const int64_t pos = start + k * d;
            if (pos >= cols) break;
            key.push_back(static_cast<K>(row[pos]));
            auto it = grams.find(key);
            if (it == grams.end()) break;
            const int64_t n = k + 1;
            if (it->second >= 0 && n >= c_.min_len && !(n == 1 && d > 1))
              ++out[c_.ngram_indexes[static_cast<size_t>(it->second)]];
          }
        }
      }
    }
  }

  Config c_;
};

}  // namespace

BRISK_REGISTER_OPS(text_tfidf) {
  Op("TfIdfVectorizer").Since(9).Infer(InferTfIdf).Kernel<TfIdfKernel>();
}

}  // namespace brisk
