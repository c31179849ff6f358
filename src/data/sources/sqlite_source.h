// Element source over the result rows of one SQLite query (sqlite3 C API). Internal: FromSqlite
// wraps it in a Dataset; tests use it directly.
#pragma once

#include <memory>
#include <string>

#include "brisk/data.h"

namespace brisk::data::sources {

// Opens the database read-only and prepares `query` (a syntax error or a missing table fails
// here, naming the database and the query). Rows are stepped as Next() asks for them.
StatusOr<std::unique_ptr<ElementSource>> OpenSqliteSource(const std::string& database_path,
                                                          const std::string& query,
                                                          const SqliteOptions& options);

}  // namespace brisk::data::sources
