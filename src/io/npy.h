// NumPy .npy and .npz files <-> brisk::Tensor. Files are untrusted input: headers are parsed
// strictly, sizes checked against the shape, and errors name the file (and array, for .npz).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "brisk/session.h"
#include "brisk/status.h"
#include "brisk/tensor.h"

namespace brisk::io {

// Parses .npy bytes (format versions 1-3, little-endian numeric and bool dtypes, C order).
StatusOr<Tensor> ParseNpy(std::string_view bytes, const std::string& label);

// The header alone, for readers that fetch the array data lazily (src/data/sources).
// NpyHeaderSize reads the first 10-12 bytes (magic, version, header length) and returns how
// many bytes precede the data; ParseNpyHeader parses those bytes.
struct NpyHeader {
  DType dtype = DType::kUndefined;
  std::vector<int64_t> dims;
  size_t data_offset = 0;  // bytes before the array data
  size_t data_bytes = 0;   // bytes of array data the shape needs
};
StatusOr<size_t> NpyHeaderSize(std::string_view first_bytes, const std::string& label);
StatusOr<NpyHeader> ParseNpyHeader(std::string_view header_bytes, const std::string& label);
// Serializes to .npy (version 1.0). Fails for dtypes NumPy has no type for (bfloat16, string).
StatusOr<std::string> SerializeNpy(const Tensor& tensor);

StatusOr<Tensor> ReadNpy(const std::string& path);
Status WriteNpy(const std::string& path, const Tensor& tensor);

// .npz: a zip of .npy members; array names are member names without ".npy".
StatusOr<NamedTensors> ReadNpz(const std::string& path);
Status WriteNpz(const std::string& path, const NamedTensors& arrays);

}  // namespace brisk::io
