// brisk::data: a tf.data-style input pipeline that keeps the model fed.
//
// A Dataset is an immutable description of a pipeline (a source followed by stages); building it
// does no work. MakeIterator() starts it: parallel stages get worker threads, buffered stages get
// bounded queues, and AUTOTUNE sizes both while the pipeline runs. Elements flow through as
// named tensors (a dict in Python) and keep their order unless a stage is told otherwise.
//
//   Dataset ds = ImageFolder("photos/", {.shuffle_files = false})
//                    .Map(ops::Compose({ops::DecodeImage("image"), ops::Resize("image", 224, 224),
//                                       ops::Normalize("image", {127.5f}, {127.5f})}),
//                         {.num_parallel_calls = kAutotune})
//                    .Batch(32)
//                    .Prefetch(kAutotune);
//   auto it = ds.MakeIterator();
//   while (true) { auto next = (*it)->Next(); ... }
//
// Errors name the source and the item ("photos/cat/001.jpg: not a JPEG or PNG file",
// "train.csv:17: column 'age': 'abc' is not a number"). A pipeline either stops at the first
// error (the default) or, after IgnoreErrors(), skips the failing element and counts it.
// Destroying an iterator stops and joins all its threads, even with work in flight.
//
// Thread-safety: a Dataset may be shared and iterated from many threads (each MakeIterator()
// is independent). One Iterator is used by one consumer thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "brisk/session.h"
#include "brisk/status.h"
#include "brisk/tensor.h"

namespace brisk::data {

// Passed as a parallelism or buffer size: let the pipeline choose and adjust it while it runs.
inline constexpr int kAutotune = -1;

// One item: named components in a fixed order, plus where it came from (for error messages).
struct Element {
  NamedTensors components;
  // "photos/cat/001.jpg", "train.csv:17", "query row 5", "tensor slice 3", "batch 2"
  std::string origin;

  Tensor* Find(std::string_view name);
  const Tensor* Find(std::string_view name) const;
  // The component, or a NotFound error naming the missing component and the ones there are.
  StatusOr<Tensor*> Get(std::string_view name);
};

// A single-threaded producer of elements: what a source (file reader, query, generator)
// implements. Next() returns std::nullopt at the end.
class ElementSource {
 public:
  virtual ~ElementSource() = default;
  virtual StatusOr<std::optional<Element>> Next() = 0;
};
using SourceFactory = std::function<StatusOr<std::unique_ptr<ElementSource>>()>;

// A transformation applied to each element by Map(). It must be thread-safe (parallel map calls
// it from several threads at once) and must not start OpenMP parallel regions.
using MapFn = std::function<StatusOr<Element>(Element)>;

struct MapOptions {
  // Calls in flight at once: 1 = sequential, N, or kAutotune.
  int num_parallel_calls = 1;
  // true: outputs in input order (tf.data's default); false: whichever is ready first.
  bool deterministic = true;
  // Shown in statistics and error messages ("map(decode_image)").
  std::string name = "map";
};

struct PaddedBatchOptions {
  // Per component name: the padded shape (-1 = the largest in the batch). Components not
  // listed pad every dimension to the largest in the batch.
  std::vector<std::pair<std::string, std::vector<int64_t>>> padded_shapes;
  // Per component name: the padding value (default 0).
  std::vector<std::pair<std::string, double>> padding_values;
  bool drop_remainder = false;
};

// One stage's counters, read while the pipeline runs or after it finished.
struct StageStats {
  std::string name;               // "map(decode_image)", "prefetch", "csv(train.csv)"
  int64_t items_out = 0;          // elements this stage produced
  double busy_seconds = 0;        // self time: work done by this stage, summed over its threads
  double wait_seconds = 0;        // time this stage's consumer waited for it (empty buffer)
  double items_per_second = 0;    // items_out over the stage's wall time
  int parallelism = 1;            // current worker count (parallel map) or 1
  int buffer_capacity = 0;        // current buffer size (prefetch, parallel map), 0 = none
  double mean_buffer_fill = 0;    // time-weighted mean of buffered elements
  int64_t errors_ignored = 0;     // elements dropped by IgnoreErrors() at this stage
};

struct PipelineStats {
  std::vector<StageStats> stages;  // source first, last stage last
  // Filled by the consumer (predict or the caller through RecordConsumer()).
  double consumer_wait_seconds = 0;     // time the consumer waited for the next element
  double consumer_compute_seconds = 0;  // time it spent using them (e.g. running the model)
  int64_t consumer_items = 0;

  // The stage that limits throughput: the largest busy_seconds / parallelism among stages
  // (empty when there are none).
  std::string Bottleneck() const;
  // One line, using TensorFlow's thresholds on consumer wait / (wait + compute):
  //   < 5% "compute-bound", 5-20% "moderately input-bound", > 20% "input-bound",
  //   with the bottleneck stage and a suggestion when input-bound.
  std::string Verdict() const;
  // A table, one stage a row, then the verdict.
  std::string Report() const;
};

struct IteratorOptions {
  // Threads the pipeline may keep busy in total (all parallel stages); 0 = the CPUs this
  // process may use. AUTOTUNE never exceeds it.
  int cpu_budget = 0;
  // Bytes all buffers together may hold; 0 = half the available RAM, at most 2 GiB.
  int64_t ram_budget_bytes = 0;
};

class Iterator {
 public:
  virtual ~Iterator() = default;  // stops and joins every thread of the pipeline
  // The next element, std::nullopt at the end. After an error the iterator is finished.
  virtual StatusOr<std::optional<Element>> Next() = 0;
  // Counters of every stage (consumer fields filled from RecordConsumer()).
  virtual PipelineStats Stats() const = 0;
  // Lets a consumer that is not predict() report how long it worked on an element, so the
  // verdict can weigh input waiting against compute.
  virtual void RecordConsumer(double compute_seconds) = 0;
};

namespace internal {
class DatasetNode;
}

class Dataset {
 public:
  // ---- sources ----
  // Row i of every tensor (dim 0 is the row; all tensors must have the same row count).
  static StatusOr<Dataset> FromTensorSlices(NamedTensors tensors);
  // Any single-threaded producer (file readers, Python generators).
  static Dataset FromSource(std::string name, SourceFactory factory);

  // ---- stages ----
  Dataset Map(MapFn fn, MapOptions options = {}) const;
  Dataset Batch(int64_t batch_size, bool drop_remainder = false) const;
  Dataset PaddedBatch(int64_t batch_size, PaddedBatchOptions options = {}) const;
  // A buffer of `buffer_size` elements; emits a random one and refills its slot. With
  // reshuffle_each_iteration, each iterator (epoch) draws a new order from the seed.
  Dataset Shuffle(int64_t buffer_size, uint64_t seed = 0,
                  bool reshuffle_each_iteration = true) const;
  // Stores the elements of the first complete pass and replays them after: in memory when
  // `filename` is empty, else in `filename` (+ ".index", ".lockfile"). A pass that stops early
  // discards its partial cache.
  Dataset Cache(std::string filename = "") const;
  // Produces up to `buffer_size` elements ahead of the consumer on a background thread
  // (kAutotune: starts at 1, grows when the consumer finds the buffer empty).
  Dataset Prefetch(int buffer_size = kAutotune) const;
  Dataset Repeat(int64_t count = -1) const;  // -1 = forever
  Dataset Take(int64_t count) const;
  Dataset Skip(int64_t count) const;
  // Drops elements whose production failed upstream (counted in StageStats::errors_ignored).
  Dataset IgnoreErrors() const;

  StatusOr<std::unique_ptr<Iterator>> MakeIterator(const IteratorOptions& options = {}) const;

  // The pipeline, one stage per line (for logs and `repr` in Python).
  std::string Describe() const;

  explicit Dataset(std::shared_ptr<const internal::DatasetNode> node) : node_(std::move(node)) {}
  const std::shared_ptr<const internal::DatasetNode>& node() const { return node_; }

 private:
  std::shared_ptr<const internal::DatasetNode> node_;
};

// ---- file sources (src/data/sources) ----

// Each array of an .npy file (component name given) or an .npz archive (one component per
// member) is sliced into rows along dim 0. Arrays are read lazily, row by row.
StatusOr<Dataset> FromNpy(const std::string& path, const std::string& component = "x");
StatusOr<Dataset> FromNpz(const std::string& path);

struct CsvColumn {
  std::string name;     // header name (or the component name when there is no header)
  DType dtype = DType::kFloat32;  // float32/float64/int32/int64/bool/string
  std::optional<double> default_value;  // used for an empty field; without it empty is an error
};
struct CsvOptions {
  // Columns to read, by header name; empty = every column, types guessed from the first row
  // (number -> float32, else string).
  std::vector<CsvColumn> columns;
  bool header = true;
  char delimiter = ',';
};
// Streams the file (never loaded whole); each row is an element with one scalar component per
// column. Errors name file:line and the column.
StatusOr<Dataset> FromCsv(const std::string& path, CsvOptions options = {});

struct SqliteOptions {
  // Rows fetched per step (the query runs once and is stepped; never one query per row).
  int64_t prefetch_rows = 256;
};
// Each result row of `query` on the SQLite database file is an element, one scalar component per
// result column (INTEGER -> int64, REAL -> float64, TEXT -> string, BLOB -> uint8 vector,
// NULL -> error naming row and column unless ignored).
StatusOr<Dataset> FromSqlite(const std::string& database_path, const std::string& query,
                             SqliteOptions options = {});

struct ImageFolderOptions {
  // Labels come from the names of the immediate subfolders, in sorted order (Keras'
  // image_dataset_from_directory); files directly in the folder get label -1.
  bool labels_from_subfolders = true;
  // Extensions accepted (case-insensitive).
  std::vector<std::string> extensions = {".jpg", ".jpeg", ".png"};
  bool shuffle_files = false;
  uint64_t seed = 0;
};
// Elements: "image" (the encoded file bytes, uint8[n], decode with ops::DecodeImage), "label"
// (int64 scalar), "path" (string scalar). Files are listed in sorted order.
StatusOr<Dataset> ImageFolder(const std::string& directory, ImageFolderOptions options = {});

// Names of the classes ImageFolder() would assign labels 0, 1, ... to.
StatusOr<std::vector<std::string>> ImageFolderClassNames(const std::string& directory);

// ---- built-in map functions (src/data/ops) ----
namespace ops {
// Runs the functions one after another in one map call.
MapFn Compose(std::vector<MapFn> fns);
// JPEG or PNG bytes (uint8[n]) -> uint8[H, W, channels] (channels 1 or 3).
MapFn DecodeImage(std::string component = "image", int channels = 3);
// uint8 or float32 [H, W, C] -> float32 [height, width, C], bilinear (half-pixel centers, as
// tf.image.resize) or "nearest"/"area".
MapFn Resize(std::string component, int height, int width, std::string method = "bilinear");
// [H, W, C] -> the central [height, width, C] (an error when the image is smaller).
MapFn CenterCrop(std::string component, int height, int width);
// float32 (x - mean[c]) / std[c] per channel (last dim); one value applies to every channel.
// Integer inputs are converted to float32 first.
MapFn Normalize(std::string component, std::vector<float> mean, std::vector<float> stddev);
MapFn Cast(std::string component, DType dtype);
// int scalar -> float32[depth] with 1 at the index (an error outside [0, depth)).
MapFn OneHot(std::string component, int64_t depth);
// [H, W, C] -> [C, H, W] (for models that take channels-first images).
MapFn HwcToChw(std::string component);
// Whitespace-split, lower-cased text (string scalar) -> int64[max_length] of vocabulary ids
// (one token a line in the vocabulary file; unknown -> the id of `unknown_token`, padding 0).
StatusOr<MapFn> Tokenize(std::string component, const std::string& vocabulary_path,
                         int64_t max_length, std::string unknown_token = "[UNK]");
}  // namespace ops

// ---- running a model over a dataset ----

struct PredictOptions {
  // Batch size for Predict on tensors (a dataset is run in the batches it yields).
  int64_t batch_size = 32;
  // Called after each batch with (items done, total or -1) — progress bars.
  std::function<void(int64_t, int64_t)> on_progress;
  // Checked between batches; returning true stops with a Cancelled error (Ctrl-C in Python).
  std::function<bool()> should_stop;
};

struct PredictResult {
  std::vector<Tensor> outputs;  // per model output, every row stacked in input order
  PipelineStats stats;          // for a dataset: stages + input wait vs compute
};

// Runs every element (or row batch) of `dataset` through the session, overlapping the pipeline
// with compute, feeding the components whose names match model inputs (others, e.g. labels, are
// ignored), and stacks the outputs in order.
StatusOr<PredictResult> Predict(Session& session, const Dataset& dataset,
                                const PredictOptions& options = {});
// Streams `inputs` (in the order of session.inputs(), dim 0 the row) in batches of
// options.batch_size; batches are views of the caller's rows and outputs are written straight
// into the stacked result.
StatusOr<PredictResult> Predict(Session& session, const std::vector<Tensor>& inputs,
                                const PredictOptions& options = {});

}  // namespace brisk::data
