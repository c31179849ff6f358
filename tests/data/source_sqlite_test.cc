// FromSqlite's source: column types, row origins, prefetch batches, and the errors (syntax error
// naming database and query, NULL naming row and column, missing database, not a SELECT).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "data/sources/sqlite_source.h"
#include "data/sources_testing.h"
#include "testing/tensor_testing.h"

namespace brisk::data {
namespace {
using namespace ::brisk::testing;  // NOLINT

using source_testing::Drain;
using source_testing::Get;
using source_testing::ScratchDir;

std::string MakeDb(const ScratchDir& dir, const std::string& sql) {
  const std::string path = dir.path() + "/t.db";
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
  return path;
}

constexpr char kSchema[] =
    "CREATE TABLE t(id INTEGER, x REAL, name TEXT, data BLOB);"
    "INSERT INTO t VALUES (1, 0.5, 'one', x'0102');"
    "INSERT INTO t VALUES (2, -1.25, 'two', x'');"
    "INSERT INTO t VALUES (3, 2.0, 'three', x'ff');"
    "INSERT INTO t VALUES (4, NULL, 'four', x'00');"
    "INSERT INTO t VALUES (5, 8.0, 'five', x'05');";

TEST(SourceSqlite, TypesPerColumn) {
  ScratchDir dir;
  const std::string db = MakeDb(dir, kSchema);
  ASSERT_OK_AND_ASSIGN(auto source,
                       sources::OpenSqliteSource(db, "SELECT * FROM t WHERE id <= 3", {}));
  ASSERT_OK_AND_ASSIGN(auto rows, Drain(*source));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].origin, db + " query row 1");
  EXPECT_EQ(Get(rows[0], "id").dtype(), DType::kInt64);
  EXPECT_EQ(*Get(rows[2], "id").data<int64_t>(), 3);
  EXPECT_EQ(*Get(rows[1], "x").data<double>(), -1.25);
  EXPECT_EQ(*Get(rows[2], "name").data<std::string>(), "three");
  EXPECT_TENSOR_EQ(Get(rows[0], "data"), MakeTensor<uint8_t>({2}, {1, 2}));
  EXPECT_EQ(Get(rows[1], "data").dim(0), 0);
  EXPECT_EQ(rows[0].components[0].first, "id");  // result column order
}

TEST(SourceSqlite, NullNamesRowAndColumnAndTheSourceGoesOn) {
  ScratchDir dir;
  const std::string db = MakeDb(dir, kSchema);
  SqliteOptions options;
  options.prefetch_rows = 2;  // the NULL row arrives in the second batch
  ASSERT_OK_AND_ASSIGN(auto source, sources::OpenSqliteSource(db, "SELECT id, x FROM t", options));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(source->Next().ok());
  auto null_row = source->Next();
  ExpectErrorContains(null_row, {db, "row 4", "column 'x'", "NULL"});
  ASSERT_OK_AND_ASSIGN(auto fifth, source->Next());
  ASSERT_TRUE(fifth.has_value());
  EXPECT_EQ(*Get(*fifth, "id").data<int64_t>(), 5);
  ASSERT_OK_AND_ASSIGN(auto end, source->Next());
  EXPECT_FALSE(end.has_value());
}

TEST(SourceSqlite, SyntaxErrorNamesDatabaseAndQuery) {
  ScratchDir dir;
  const std::string db = MakeDb(dir, kSchema);
  ExpectErrorContains(sources::OpenSqliteSource(db, "SELEC id FROM t", {}),
                      {db, "SELEC id FROM t", "syntax error"});
  ExpectErrorContains(sources::OpenSqliteSource(db, "SELECT * FROM nope", {}),
                      {"no such table: nope"});
  ExpectErrorContains(FromSqlite(db, "SELECT bad syntax (", {}), {db, "SELECT bad syntax ("});
  ExpectErrorContains(sources::OpenSqliteSource(db, "SELECT 1; SELECT 2", {}),
                      {"one statement"});
}

TEST(SourceSqlite, OpensReadOnly) {
  ScratchDir dir;
  const std::string db = MakeDb(dir, kSchema);
  ASSERT_OK_AND_ASSIGN(auto source,
                       sources::OpenSqliteSource(db, "DELETE FROM t RETURNING id", {}));
  auto rows = Drain(*source);
  ExpectErrorContains(rows, {"readonly"});
}

TEST(SourceSqlite, MissingDatabaseIsNotFound) {
  ExpectErrorContains(sources::OpenSqliteSource("/nonexistent/x.db", "SELECT 1", {}),
                      StatusCode::kNotFound, {"/nonexistent/x.db"});
}

TEST(SourceSqlite, NotADatabase) {
  ScratchDir dir;
  const std::string path = dir.Write("junk.db", std::string(2048, 'j'));
  ExpectErrorContains(sources::OpenSqliteSource(path, "SELECT * FROM t", {}),
                      {path, "not a database"});
}

}  // namespace
}  // namespace brisk::data
