// RegexFullMatch (opset 20): whether each string fully matches an RE2-syntax pattern.
//
// Implemented with std::wregex (ECMAScript grammar) over UTF-32 code points, so `.` matches one
// code point and \w \d \s \b are ASCII-only, as in RE2. The pattern is translated from RE2
// syntax first: a leading (?i)/(?s) flag group, (?P<name>...) and (?<name>...) groups,
// \A, \z, \Q...\E and \x{H...} are rewritten; constructs RE2 rejects (lookaround,
// back-references, repeat counts above 1000, nesting deeper than 1000) are errors, and RE2-only
// constructs std::regex cannot express (\p{...} Unicode classes, (?m), (?U)) are reported as
// unsupported. Matching uses libstdc++'s polynomial (breadth-first) executor, so time is
// polynomial and stack depth does not grow with the input's length.
#include <cctype>
#include <regex>
#include <string>

#include "kernels/reference/text_util.h"
#include "kernels/registry.h"

namespace brisk {
namespace {

using text::InputName;

const char kAttr[] = "attribute 'pattern'";

std::wstring ToWide(std::string_view s) {
  std::wstring out;
  out.reserve(s.size());
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t at = pos;
    std::optional<char32_t> cp = text::DecodeUtf8(s, &pos);
    // A malformed byte becomes a lone surrogate, which no pattern character matches.
    out += cp ? wchar_t(*cp) : wchar_t(0xDC00 + static_cast<unsigned char>(s[at]));
  }
  return out;
}

void AppendLiteral(char32_t c, std::wstring& out) {
  if (c < 0x80 && std::string_view("\\^$.|?*+()[]{}-/").find(char(c)) != std::string_view::npos)
    out += L'\\';
  out += wchar_t(c);
}

struct Translated {
  std::wstring pattern;
  bool icase = false;
};

Status Unsupported(const std::string& what) {
  return Unimplemented(std::string(kAttr) + ": " + what + " is not supported");
}
Status Invalid(const std::string& what) {
  return InvalidArgument(std::string(kAttr) + ": " + what);
}

StatusOr<Translated> TranslateRe2(const std::string& pattern) {
  std::u32string p;
  {
    size_t pos = 0;
    while (pos < pattern.size()) {
      std::optional<char32_t> cp = text::DecodeUtf8(pattern, &pos);
      if (!cp) return Invalid("invalid UTF-8");
      p += *cp;
    }
  }
  Translated t;
  bool dotall = false;
  size_t i = 0;
  // Leading flag group: (?i), (?s), (?is).
  if (p.size() >= 3 && p[0] == U'(' && p[1] == U'?') {
    size_t j = 2;
    while (j < p.size() && (p[j] == U'i' || p[j] == U's' || p[j] == U'm' || p[j] == U'U')) ++j;
    if (j > 2 && j < p.size() && p[j] == U')') {
      for (size_t k = 2; k < j; ++k) {
        if (p[k] == U'i') t.icase = true;
        else if (p[k] == U's') dotall = true;
        else return Unsupported(std::string("flag '") + char(p[k]) + "'");
      }
      i = j + 1;
    }
  }
  std::wstring& out = t.pattern;
  bool in_class = false;
  int depth = 0;
  const size_t n = p.size();
  auto read_int = [&](size_t& k, int64_t& v) {
    const size_t start = k;
    v = 0;
    while (k < n && p[k] >= U'0' && p[k] <= U'9') {
      v = std::min<int64_t>(v * 10 + (p[k] - U'0'), 1000000);
      ++k;
    }
    return k > start;
  };
  // 1 after a repetition operator, 2 after its non-greedy '?': RE2 rejects a repetition of a
  // repetition ("a**"), which std::regex would accept.
  int quant = 0;
  while (i < n) {
    const char32_t c = p[i];
    const int prev_quant = quant;
    quant = 0;
    if (c == U'\\') {
      if (i + 1 >= n) return Invalid("trailing backslash");
      const char32_t e = p[i + 1];
      if (e == U'p' || e == U'P') return Unsupported("Unicode class \\p");
      if (e == U'C') return Unsupported("\\C");
      if (e >= U'1' && e <= U'9') return Invalid("back-references are not allowed");
      if (!in_class && e == U'A') {
        out += L'^', i += 2;
        continue;
      }
      if (!in_class && e == U'z') {
        out += L'$', i += 2;
        continue;
      }
      if (e == U'Q') {
        size_t k = i + 2;
        for (; k < n; ++k) {
          if (p[k] == U'\\' && k + 1 < n && p[k + 1] == U'E') break;
          AppendLiteral(p[k], out);
        }
        i = k < n ? k + 2 : n;
        continue;
      }
      if (e == U'x' && i + 2 < n && p[i + 2] == U'{') {
        size_t k = i + 3;
        char32_t v = 0;
        while (k < n && k < i + 10 && std::isxdigit(static_cast<int>(p[k] < 0x80 ? p[k] : 0))) {
          const auto d = static_cast<char>(p[k]);
          v = v * 16 + char32_t(d <= '9' ? d - '0' : (d | 0x20) - 'a' + 10);
          ++k;
        }
        if (k >= n || p[k] != U'}' || k == i + 3 || v > 0x10FFFF) return Invalid("bad \\x{...}");
        AppendLiteral(v, out);
        i = k + 1;
        continue;
      }
      out += wchar_t(c);
      out += wchar_t(e);
      i += 2;
      continue;
    }
    if (in_class) {
      if (c == U'[' && i + 1 < n && p[i + 1] == U':') {  // [:alpha:]
        const size_t close = p.find(U":]", i + 2);
        if (close != std::u32string::npos) {
          for (size_t k = i; k < close + 2; ++k) out += wchar_t(p[k]);
          i = close + 2;
          continue;
        }
      }
      if (c == U']') in_class = false;
      out += wchar_t(c);
      ++i;
      continue;
    }
    switch (c) {
      case U'[':
        in_class = true;
        out += L'[';
        ++i;
        if (i < n && p[i] == U'^') out += L'^', ++i;
        if (i < n && p[i] == U']') out += L"\\]", ++i;  // a leading ']' is literal in RE2
        continue;
      case U'(':
        if (++depth > 1000) return Invalid("nesting deeper than 1000");
        if (i + 1 < n && p[i + 1] == U'?') {
          const std::u32string_view rest(p.data() + i + 2, n - i - 2);
          if (rest.starts_with(U"P<") || (rest.starts_with(U"<") && !rest.starts_with(U"<=") &&
                                          !rest.starts_with(U"<!"))) {
            const size_t close = p.find(U'>', i);
            if (close == std::u32string::npos) return Invalid("unterminated group name");
            out += L'(';
            i = close + 1;
            continue;
          }
          if (rest.starts_with(U":")) {
            out += L"(?:";
            i += 3;
            continue;
          }
          if (rest.starts_with(U"=") || rest.starts_with(U"!") || rest.starts_with(U"<"))
            return Invalid("lookaround assertions are not allowed");
          return Unsupported("inline flag group");
        }
        out += L'(';
        ++i;
        continue;
      case U')':
        --depth;
        out += L')';
        ++i;
        continue;
      case U'{': {
        // A valid quantifier {n}, {n,} or {n,m} is copied; any other '{' is a literal (RE2).
        size_t k = i + 1;
        int64_t lo = 0, hi = 0;
        bool quantifier = false;
        if (read_int(k, lo)) {
          hi = lo;
          if (k < n && p[k] == U',') {
            ++k;
            read_int(k, hi);
          }
          quantifier = k < n && p[k] == U'}';
        }
        if (!quantifier) {
          out += L"\\{";
          ++i;
          continue;
        }
        if (prev_quant != 0) return Invalid("bad repetition operator");
        if (lo > 1000 || hi > 1000) return Invalid("repeat count above 1000");
        quant = 1;
        for (; i <= k; ++i) out += wchar_t(p[i]);
        continue;
      }
      case U'}':
        out += L"\\}";
        ++i;
        continue;
      case U'*':
      case U'+':
      case U'?':
        if (prev_quant == 1 && c == U'?') {
          quant = 2;
        } else if (prev_quant != 0) {
          return Invalid("bad repetition operator");
        } else {
          quant = 1;
        }
        out += wchar_t(c);
        ++i;
        continue;
      case U'.':
        out += dotall ? L"[\\s\\S]" : L".";
        ++i;
        continue;
      default:
        out += wchar_t(c);
        ++i;
    }
  }
  return t;
}

StatusOr<std::shared_ptr<const std::wregex>> CompilePattern(const std::string& pattern) {
  BRISK_ASSIGN_OR_RETURN(Translated t, TranslateRe2(pattern));
  auto flags = std::regex_constants::ECMAScript | std::regex_constants::__polynomial;
  if (t.icase) flags |= std::regex_constants::icase;
  try {
    return std::shared_ptr<const std::wregex>(std::make_shared<std::wregex>(t.pattern, flags));
  } catch (const std::regex_error& e) {
    return InvalidArgument(std::string(kAttr) + ": invalid regular expression '" + pattern +
                           "': " + e.what());
  } catch (const std::exception& e) {
    return ResourceExhausted(std::string(kAttr) + ": cannot compile '" + pattern +
                             "': " + e.what());
  }
}

Status InferRegexFullMatch(InferenceContext& ctx) {
  BRISK_RETURN_IF_ERROR(text::CheckStringInput(ctx, 0, "X"));
  BRISK_ASSIGN_OR_RETURN(std::string pattern, ctx.attrs().GetString("pattern"));
  BRISK_RETURN_IF_ERROR(TranslateRe2(pattern).status());
  ctx.set_output(0, DType::kBool, ctx.input_type(0).shape);
  return Status::Ok();
}

class RegexFullMatchKernel : public Kernel {
 public:
  static StatusOr<std::unique_ptr<Kernel>> Create(const KernelInit& init) {
    auto pattern = init.attrs().GetString("pattern");
    if (!pattern.ok()) return InvalidArgument(std::string(kAttr) + " is required");
    BRISK_ASSIGN_OR_RETURN(std::shared_ptr<const std::wregex> re, CompilePattern(*pattern));
    return MakeKernel<RegexFullMatchKernel>(std::move(re));
  }
  explicit RegexFullMatchKernel(std::shared_ptr<const std::wregex> re) : re_(std::move(re)) {}

  Status Run(KernelContext& ctx) const override {
    BRISK_ASSIGN_OR_RETURN(const Tensor* x, text::RequireStringInput(ctx, 0, "X"));
    BRISK_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kBool, x->shape()));
    const int64_t n = x->num_elements();
    for (int64_t i = 0; i < n; ++i) {
      const std::wstring w = ToWide(x->data<std::string>()[i]);
      try {
        y->data<bool>()[i] = std::regex_match(w, *re_);
      } catch (const std::exception& e) {
        return ResourceExhausted(InputName(0, "X") + ": matching element " + std::to_string(i) +
                                 " failed: " + e.what());
      }
    }
    return Status::Ok();
  }

 private:
  std::shared_ptr<const std::wregex> re_;
};

}  // namespace

BRISK_REGISTER_OPS(text_regex) {
  Op("RegexFullMatch").Since(20).Infer(InferRegexFullMatch).Kernel<RegexFullMatchKernel>();
}

}  // namespace brisk
