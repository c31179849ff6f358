// Private helpers of the text kernel family (StringNormalizer, StringConcat, StringSplit,
// RegexFullMatch, TfIdfVectorizer and the ai.onnx.ml ops): input naming, dtype checks, UTF-8
// decoding/encoding and simple Unicode case mapping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "brisk/dtype.h"
#include "brisk/status.h"
#include "kernels/registry.h"

namespace brisk::text {

// "input 0 'X'"
inline std::string InputName(int i, std::string_view name) {
  return "input " + std::to_string(i) + " '" + std::string(name) + "'";
}

inline std::string DTypeStr(DType d) { return std::string(DTypeName(d)); }

// Fails when the known dtype of input i is not a string.
inline Status CheckStringInput(const InferenceContext& ctx, int i, std::string_view name) {
  const DType d = ctx.input_type(i).dtype;
  if (d == DType::kUndefined || d == DType::kString) return Status::Ok();
  return InvalidArgument(InputName(i, name) + ": dtype " + DTypeStr(d) +
                         " is not supported (expected string)");
}

// The input tensor i, required and of dtype string.
inline StatusOr<const Tensor*> RequireStringInput(const KernelContext& ctx, int i,
                                                  std::string_view name) {
  const Tensor* t = ctx.input(i);
  if (t == nullptr) return InvalidArgument(InputName(i, name) + " is required");
  if (t->dtype() != DType::kString) {
    return InvalidArgument(InputName(i, name) + ": dtype " + DTypeStr(t->dtype()) +
                           " is not supported (expected string)");
  }
  return t;
}

// Decodes one UTF-8 code point starting at s[*pos] and advances *pos; nullopt (and *pos
// advanced by one byte) on a malformed sequence (overlong, surrogate, truncated, > U+10FFFF).
inline std::optional<char32_t> DecodeUtf8(std::string_view s, size_t* pos) {
  const auto b0 = static_cast<unsigned char>(s[*pos]);
  int len = 0;
  char32_t cp = 0;
  if (b0 < 0x80) {
    ++*pos;
    return char32_t(b0);
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07;
  } else {
    ++*pos;
    return std::nullopt;
  }
  if (*pos + size_t(len) > s.size()) {
    ++*pos;
    return std::nullopt;
  }
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[*pos + size_t(k)]);
    if ((b & 0xC0) != 0x80) {
      ++*pos;
      return std::nullopt;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++*pos;
    return std::nullopt;
  }
  *pos += size_t(len);
  return cp;
}

inline void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// Simple (one-to-one) case mapping for ASCII, Latin-1, Latin Extended-A pairs, Greek and
// Cyrillic; other code points are returned unchanged.
inline char32_t ToLowerCp(char32_t c) {
  if (c >= U'A' && c <= U'Z') return c + 32;
  if (c < 0x80) return c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c >= 0x100 && c <= 0x137 && c % 2 == 0 && c != 0x130) return c + 1;
  if (c >= 0x139 && c <= 0x148 && c % 2 == 1) return c + 1;
  if (c >= 0x14A && c <= 0x177 && c % 2 == 0) return c + 1;
  if (c == 0x178) return 0xFF;
  if (c >= 0x179 && c <= 0x17E && c % 2 == 1) return c + 1;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

inline char32_t ToUpperCp(char32_t c) {
  if (c >= U'a' && c <= U'z') return c - 32;
  if (c < 0x80) return c;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
  if (c == 0xFF) return 0x178;
  if (c >= 0x101 && c <= 0x137 && c % 2 == 1 && c != 0x131) return c - 1;
  if (c >= 0x13A && c <= 0x148 && c % 2 == 0) return c - 1;
  if (c >= 0x14B && c <= 0x177 && c % 2 == 1) return c - 1;
  if (c >= 0x17A && c <= 0x17E && c % 2 == 0) return c - 1;
  if (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2) return c - 32;
  if (c == 0x3C2) return 0x3A3;  // final sigma
  if (c == 0x3AC) return 0x386;
  if (c >= 0x3AD && c <= 0x3AF) return c - 37;
  if (c == 0x3CC) return 0x38C;
  if (c == 0x3CD || c == 0x3CE) return c - 63;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}

// Maps every code point of a UTF-8 string through `fn`; fails on malformed UTF-8 naming `what`.
template <typename F>
inline StatusOr<std::string> MapUtf8(std::string_view s, F&& fn, std::string_view what) {
  std::string out;
  out.reserve(s.size());
  size_t pos = 0;
  while (pos < s.size()) {
    const size_t at = pos;
    std::optional<char32_t> cp = DecodeUtf8(s, &pos);
    if (!cp) {
      return InvalidArgument(std::string(what) + ": invalid UTF-8 at byte " +
                             std::to_string(at));
    }
    AppendUtf8(fn(*cp), out);
  }
  return out;
}

}  // namespace brisk::text
