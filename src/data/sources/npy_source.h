// Element sources over NumPy files: rows of .npy arrays and .npz archives, read from disk one row
// at a time (only the headers are read up front). Internal: FromNpy/FromNpz wrap them in a
// Dataset; tests use them directly.
#pragma once

#include <memory>
#include <string>

#include "brisk/data.h"

namespace brisk::data::sources {

// Element i = {component: row i of the array}, origin "<path> row i".
StatusOr<std::unique_ptr<ElementSource>> OpenNpySource(const std::string& path,
                                                       const std::string& component);
// Element i = row i of every member (component = member name without ".npy"), origin
// "<path> row i". Every member must have the same number of rows.
StatusOr<std::unique_ptr<ElementSource>> OpenNpzSource(const std::string& path);

}  // namespace brisk::data::sources
