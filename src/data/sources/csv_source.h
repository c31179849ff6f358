// Element source over CSV text, streamed through libcsv's push parser in fixed-size chunks (the
// file is never held whole). Internal: FromCsv wraps it in a Dataset; tests and the fuzzer use
// it directly (OpenCsvBytes parses text held in memory, with the same code path).
#pragma once

#include <memory>
#include <string>

#include "brisk/data.h"

namespace brisk::data::sources {

// Opens `path`, reads the header (when options.header) and the first data row (to guess types
// when options.columns is empty), and checks the requested columns exist.
StatusOr<std::unique_ptr<ElementSource>> OpenCsvSource(const std::string& path,
                                                       const CsvOptions& options);
// The same over `text`; `label` stands for the file name in origins and errors.
StatusOr<std::unique_ptr<ElementSource>> OpenCsvBytes(std::string text, const std::string& label,
                                                      const CsvOptions& options);

}  // namespace brisk::data::sources
