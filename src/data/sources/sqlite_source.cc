// FromSqlite: one prepared statement per iterator, stepped in batches of prefetch_rows. Column
// types are taken per value from SQLite (INTEGER -> int64, REAL -> float64, TEXT -> string,
// BLOB -> uint8[n]); a NULL is an error naming the row and column (the source stays usable).
#include "data/sources/sqlite_source.h"

#include <sqlite3.h>

#include <cstring>
#include <deque>
#include <optional>
#include <utility>

namespace brisk::data::sources {
namespace {

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

std::string QueryLabel(const std::string& db, const std::string& query) {
  const std::string shown = query.size() > 200 ? query.substr(0, 200) + "..." : query;
  return db + ": query '" + shown + "'";
}

class SqliteSource final : public ElementSource {
 public:
  SqliteSource(std::string path, std::string label, std::unique_ptr<sqlite3, DbClose> db,
               std::unique_ptr<sqlite3_stmt, StmtFinalize> stmt, int64_t prefetch_rows)
      : path_(std::move(path)),
        label_(std::move(label)),
        db_(std::move(db)),
        stmt_(std::move(stmt)),
        prefetch_rows_(std::max<int64_t>(1, prefetch_rows)) {}

  StatusOr<std::optional<Element>> Next() override {
    if (ready_.empty() && !done_) Fetch();
    if (ready_.empty()) {
      if (!error_.ok()) return std::exchange(error_, Status::Ok());
      return std::optional<Element>();
    }
    StatusOr<Element> front = std::move(ready_.front());
    ready_.pop_front();
    if (!front.ok()) return front.status();
    return std::optional<Element>(std::move(front).value());
  }

 private:
  // Steps up to prefetch_rows rows into ready_ (each row converted, or its error).
  void Fetch() {
    for (int64_t i = 0; i < prefetch_rows_ && !done_; ++i) {
      const int rc = sqlite3_step(stmt_.get());
      if (rc == SQLITE_DONE) {
        done_ = true;
      } else if (rc == SQLITE_ROW) {
        ready_.push_back(ConvertRow(++row_));
      } else {
        done_ = true;
        error_ = InvalidArgument(label_ + ": at row " + std::to_string(row_ + 1) + ": " +
                                 sqlite3_errmsg(db_.get()));
      }
    }
  }

  StatusOr<Element> ConvertRow(int64_t row) {
    sqlite3_stmt* s = stmt_.get();
    Element e;
    e.origin = path_ + " query row " + std::to_string(row);
    const int n = sqlite3_column_count(s);
    for (int c = 0; c < n; ++c) {
      const char* raw_name = sqlite3_column_name(s, c);
      std::string name = raw_name ? raw_name : "column_" + std::to_string(c);
      switch (sqlite3_column_type(s, c)) {
        case SQLITE_INTEGER:
          e.components.emplace_back(name, Tensor::Scalar<int64_t>(sqlite3_column_int64(s, c)));
          break;
        case SQLITE_FLOAT:
          e.components.emplace_back(name, Tensor::Scalar<double>(sqlite3_column_double(s, c)));
          break;
        case SQLITE_TEXT: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
          const int bytes = sqlite3_column_bytes(s, c);
          e.components.emplace_back(name, Tensor::Scalar(std::string(text ? text : "",
                                                                     size_t(bytes))));
          break;
        }
        case SQLITE_BLOB: {
          const void* blob = sqlite3_column_blob(s, c);
          const int bytes = sqlite3_column_bytes(s, c);
          BRISK_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(DType::kUInt8, Shape{bytes}));
          if (bytes > 0) std::memcpy(t.raw_data(), blob, size_t(bytes));
          e.components.emplace_back(name, std::move(t));
          break;
        }
        default:  // SQLITE_NULL
          return InvalidArgument(label_ + ": row " + std::to_string(row) + ", column '" + name +
                                 "' is NULL (filter it out or use COALESCE/IFNULL in the query)");
      }
    }
    return e;
  }

  std::string path_;
  std::string label_;
  std::unique_ptr<sqlite3, DbClose> db_;
  std::unique_ptr<sqlite3_stmt, StmtFinalize> stmt_;  // finalized before db_ closes
  int64_t prefetch_rows_;
  std::deque<StatusOr<Element>> ready_;
  int64_t row_ = 0;  // rows stepped so far (1-based numbers in origins)
  bool done_ = false;
  Status error_;  // a step error, returned after the rows before it
};

}  // namespace

StatusOr<std::unique_ptr<ElementSource>> OpenSqliteSource(const std::string& database_path,
                                                          const std::string& query,
                                                          const SqliteOptions& options) {
  sqlite3* raw_db = nullptr;
  const int rc = sqlite3_open_v2(database_path.c_str(), &raw_db, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, DbClose> db(raw_db);
  if (rc != SQLITE_OK) {
    const std::string msg = database_path + ": cannot open the SQLite database (" +
                            (db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc)) + ")";
    return rc == SQLITE_CANTOPEN ? NotFound(msg) : InvalidArgument(msg);
  }
  const std::string label = QueryLabel(database_path, query);
  sqlite3_stmt* raw_stmt = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db.get(), query.c_str(), int(query.size()), &raw_stmt, &tail) !=
      SQLITE_OK) {
    return InvalidArgument(label + ": " + sqlite3_errmsg(db.get()));
  }
  std::unique_ptr<sqlite3_stmt, StmtFinalize> stmt(raw_stmt);
  if (!stmt) return InvalidArgument(label + ": the query is empty");
  if (tail != nullptr && std::strspn(tail, " \t\r\n;") != std::strlen(tail)) {
    return InvalidArgument(label + ": only one statement may be given");
  }
  if (sqlite3_column_count(stmt.get()) == 0) {
    return InvalidArgument(label + ": the statement returns no columns (not a SELECT?)");
  }
  return std::unique_ptr<ElementSource>(new SqliteSource(
      database_path, label, std::move(db), std::move(stmt), options.prefetch_rows));
}

}  // namespace brisk::data::sources

namespace brisk::data {

StatusOr<Dataset> FromSqlite(const std::string& database_path, const std::string& query,
                             SqliteOptions options) {
  // Preparing once now makes a missing database or a syntax error fail here.
  BRISK_RETURN_IF_ERROR(sources::OpenSqliteSource(database_path, query, options).status());
  return Dataset::FromSource("sqlite(" + database_path + ")", [=] {
    return sources::OpenSqliteSource(database_path, query, options);
  });
}

}  // namespace brisk::data
