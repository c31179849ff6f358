// FromCsv's source: typed columns, header/no header, type guessing, quoted newlines and line
// numbers, streaming over the chunk size, and the errors (missing field, non-numeric field,
// unknown column, bad quoting, missing file).
#include <gtest/gtest.h>

#include "data/sources/csv_source.h"
#include "data/sources_testing.h"
#include "testing/tensor_testing.h"

namespace brisk::data {
namespace {
using namespace ::brisk::testing;  // NOLINT

using source_testing::Drain;
using source_testing::Get;
using source_testing::ScratchDir;

StatusOr<std::vector<Element>> ReadCsv(const std::string& text, CsvOptions options = {}) {
  BRISK_ASSIGN_OR_RETURN(auto source, sources::OpenCsvBytes(text, "t.csv", options));
  return Drain(*source);
}

TEST(SourceCsv, TypedColumnsFromHeader) {
  ScratchDir dir;
  const std::string path =
      dir.Write("train.csv", "name,age,score,ok\nann,31,1.5,true\nbob,-4,2e3,0\n");
  CsvOptions options;
  options.columns = {{"score", DType::kFloat64}, {"age", DType::kInt64}, {"name", DType::kString},
                     {"ok", DType::kBool}};
  ASSERT_OK_AND_ASSIGN(auto source, sources::OpenCsvSource(path, options));
  ASSERT_OK_AND_ASSIGN(auto rows, Drain(*source));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].origin, path + ":2");
  EXPECT_EQ(rows[1].origin, path + ":3");
  ASSERT_EQ(rows[0].components.size(), 4u);
  EXPECT_EQ(rows[0].components[0].first, "score");  // the order asked for
  EXPECT_EQ(*Get(rows[0], "score").data<double>(), 1.5);
  EXPECT_EQ(*Get(rows[1], "score").data<double>(), 2000.0);
  EXPECT_EQ(*Get(rows[1], "age").data<int64_t>(), -4);
  EXPECT_EQ(*Get(rows[0], "name").data<std::string>(), "ann");
  EXPECT_EQ(*Get(rows[0], "ok").data<bool>(), true);
  EXPECT_EQ(*Get(rows[1], "ok").data<bool>(), false);
  EXPECT_EQ(Get(rows[0], "age").rank(), 0);
}

TEST(SourceCsv, GuessesTypesFromTheFirstRow) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("x,label\n0.25,cat\n+3,dog\n"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(Get(rows[0], "x").dtype(), DType::kFloat32);
  EXPECT_EQ(*Get(rows[1], "x").data<float>(), 3.0f);
  EXPECT_EQ(*Get(rows[1], "label").data<std::string>(), "dog");
}

TEST(SourceCsv, ByteOrderMarkIsSkipped) {
  CsvOptions options;
  options.columns = {{"name", DType::kString}};
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("\xEF\xBB\xBFname,x\nann,1\n", options));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(*Get(rows[0], "name").data<std::string>(), "ann");
}

TEST(SourceCsv, NoHeaderNamesColumnsByPosition) {
  CsvOptions options;
  options.header = false;
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("1;2\n3;4\n", [&] {
                         options.delimiter = ';';
                         return options;
                       }()));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].origin, "t.csv:1");
  EXPECT_EQ(*Get(rows[1], "column_1").data<float>(), 4.0f);
  options.columns = {{"a", DType::kInt32}, {"b", DType::kInt32}};
  ASSERT_OK_AND_ASSIGN(rows, ReadCsv("1;2\n3;4\n", options));
  EXPECT_EQ(*Get(rows[1], "b").data<int32_t>(), 4);
}

TEST(SourceCsv, QuotedNewlinesKeepPhysicalLineNumbers) {
  const std::string text =
      "id,text\n"
      "1,\"two\nlines\"\n"
      "\n"                       // a blank line: skipped, still counted
      "2,\"a \"\"quote\"\"\"\r\n"
      "3,plain\n";
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv(text));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].origin, "t.csv:2");
  EXPECT_EQ(*Get(rows[0], "text").data<std::string>(), "two\nlines");
  EXPECT_EQ(rows[1].origin, "t.csv:5");
  EXPECT_EQ(*Get(rows[1], "text").data<std::string>(), "a \"quote\"");
  EXPECT_EQ(rows[2].origin, "t.csv:6");
}

TEST(SourceCsv, LineNumbersAfterAMultiLineFieldInErrors) {
  const std::string text = "id,v\n1,\"x\ny\"\n2,oops\n";
  CsvOptions options;
  options.columns = {{"id", DType::kInt64}, {"v", DType::kFloat32}};
  ASSERT_OK_AND_ASSIGN(auto source, sources::OpenCsvBytes(text, "t.csv", options));
  auto first = source->Next();
  ExpectErrorContains(first, {"t.csv:2", "column 'v'", "'x\ny' is not a number"});
  auto second = source->Next();  // a row error leaves the source usable
  ExpectErrorContains(second, {"t.csv:4", "column 'v'", "'oops' is not a number"});
  ASSERT_OK_AND_ASSIGN(auto end, source->Next());
  EXPECT_FALSE(end.has_value());
}

TEST(SourceCsv, MissingField) {
  CsvOptions options;
  options.columns = {{"a", DType::kFloat32}, {"c", DType::kFloat32}};
  auto rows = ReadCsv("a,b,c\n1,2,3\n4,5\n", options);
  ExpectErrorContains(rows, {"t.csv:3", "column 'c'", "missing field", "2 fields, 3 expected"});
}

TEST(SourceCsv, ExtraField) {
  ExpectErrorContains(ReadCsv("a,b\n1,2\n3,4,5\n"), {"t.csv:3", "3 fields, 2 expected"});
}

TEST(SourceCsv, EmptyFieldNeedsADefault) {
  CsvOptions options;
  options.columns = {{"a", DType::kInt64}};
  ExpectErrorContains(ReadCsv("a\n1\n\"\"\n", options), {"t.csv:3", "column 'a'", "empty field"});
  options.columns[0].default_value = 7;
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("a,b\n,x\n", options));
  EXPECT_EQ(*Get(rows[0], "a").data<int64_t>(), 7);
}

TEST(SourceCsv, NonNumericAndOutOfRange) {
  CsvOptions options;
  options.columns = {{"age", DType::kInt32}};
  ExpectErrorContains(ReadCsv("age\n12\nabc\n", options),
                      {"t.csv:3", "column 'age'", "'abc' is not an int32"});
  ExpectErrorContains(ReadCsv("age\n99999999999\n", options), {"t.csv:2", "not an int32"});
  ExpectErrorContains(ReadCsv("age\n1.5\n", options), {"t.csv:2", "'1.5'"});
  options.columns = {{"age", DType::kFloat32}};
  ExpectErrorContains(ReadCsv("age\n1.5x\n", options), {"t.csv:2", "'1.5x' is not a number"});
  options.columns = {{"age", DType::kBool}};
  ExpectErrorContains(ReadCsv("age\nmaybe\n", options), {"not a boolean"});
}

TEST(SourceCsv, UnknownColumnNamesTheHeader) {
  ScratchDir dir;
  const std::string path = dir.Write("train.csv", "a,b\n1,2\n");
  CsvOptions options;
  options.columns = {{"agee", DType::kFloat32}};
  ExpectErrorContains(sources::OpenCsvSource(path, options),
                      {"train.csv", "no column 'agee'", "a, b"});
  ExpectErrorContains(FromCsv(path, options), {"no column 'agee'"});
  options.columns = {{"a", DType::kUInt8}};
  ExpectErrorContains(sources::OpenCsvSource(path, options), {"column 'a'", "uint8"});
}

TEST(SourceCsv, DuplicateNamesAreRefused) {
  ExpectErrorContains(ReadCsv("a,b,a\n1,2,3\n"), {"t.csv", "'a' appears twice in the header"});
  CsvOptions options;
  options.columns = {{"b", DType::kFloat32}};
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("a,b,a\n1,2,3\n", options));  // 'a' not selected
  EXPECT_EQ(*Get(rows[0], "b").data<float>(), 2.0f);
  options.columns = {{"b", DType::kFloat32}, {"b", DType::kInt64}};
  ExpectErrorContains(ReadCsv("a,b\n1,2\n", options), {"'b' appears twice in the options"});
}

TEST(SourceCsv, BadQuotingNamesTheLine) {
  auto rows = ReadCsv("a,b\n1,2\n3,\"x\"y\n");
  ExpectErrorContains(rows, {"t.csv:3"});
  ExpectErrorContains(ReadCsv("a,b\n1,\"never closed\n"), {"t.csv:2", "unterminated"});
}

TEST(SourceCsv, MissingFileIsNotFound) {
  ExpectErrorContains(sources::OpenCsvSource("/nonexistent/x.csv", {}), StatusCode::kNotFound,
                      {"/nonexistent/x.csv"});
  ExpectErrorContains(ReadCsv(""), {"empty"});
}

TEST(SourceCsv, StreamsAcrossChunkBoundaries) {
  // ~300 KB: several 64 KiB chunks, rows and a quoted newline straddling the boundaries.
  std::string text = "i,s\n";
  int64_t line = 2;
  std::vector<int64_t> lines;
  for (int i = 0; i < 20000; ++i) {
    lines.push_back(line);
    if (i % 997 == 0) {
      text += std::to_string(i) + ",\"multi\nline " + std::string(size_t(i % 50), 'z') + "\"\n";
      line += 2;
    } else {
      text += std::to_string(i) + "," + std::string(size_t(i % 13), 'q') + "\n";
      line += 1;
    }
  }
  ScratchDir dir;
  const std::string path = dir.Write("big.csv", text);
  CsvOptions options;
  options.columns = {{"i", DType::kInt64}, {"s", DType::kString}};
  ASSERT_OK_AND_ASSIGN(auto source, sources::OpenCsvSource(path, options));
  ASSERT_OK_AND_ASSIGN(auto rows, Drain(*source));
  ASSERT_EQ(rows.size(), 20000u);
  for (int i = 0; i < 20000; ++i) {
    ASSERT_EQ(*Get(rows[size_t(i)], "i").data<int64_t>(), i);
    ASSERT_EQ(rows[size_t(i)].origin, path + ":" + std::to_string(lines[size_t(i)])) << i;
  }
}

}  // namespace
}  // namespace brisk::data
