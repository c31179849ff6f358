// NumPy .npy and .npz files <-> brisk::Tensor. Files are untrusted input: headers are parsed
// strictly, sizes checked against the shape, and errors name the file (and array, for .npz).
#pragma once

#include <string>
#include <string_view>

#include "brisk/session.h"
#include "brisk/status.h"
#include "brisk/tensor.h"

namespace brisk::io {

// Parses .npy bytes (format versions 1-3, little-endian numeric and bool dtypes, C order).
StatusOr<Tensor> ParseNpy(std::string_view bytes, const std::string& label);
// Serializes to .npy (version 1.0). Fails for dtypes NumPy has no type for (bfloat16, string).
StatusOr<std::string> SerializeNpy(const Tensor& tensor);

StatusOr<Tensor> ReadNpy(const std::string& path);
Status WriteNpy(const std::string& path, const Tensor& tensor);

// .npz: a zip of .npy members; array names are member names without ".npy".
StatusOr<NamedTensors> ReadNpz(const std::string& path);
Status WriteNpz(const std::string& path, const NamedTensors& arrays);

}  // namespace brisk::io
