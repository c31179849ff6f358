// The README's C++ example, built and run by ctest so it stays true: loads the bundled digits
// model, classifies the held-out images, prints the accuracy.
#include <algorithm>
#include <iostream>

#include "brisk/session.h"
#include "io/npy.h"

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "models/digits";
  auto session = brisk::Session::Load(dir + "/digits_cnn.onnx");
  if (!session.ok()) {
    std::cerr << session.status().ToString() << "\n";
    return 1;
  }
  auto images = brisk::io::ReadNpy(dir + "/test_images.npy");
  auto labels = brisk::io::ReadNpy(dir + "/test_labels.npy");
  if (!images.ok() || !labels.ok()) {
    std::cerr << (images.ok() ? labels.status() : images.status()).ToString() << "\n";
    return 1;
  }
  auto outputs = (*session)->Run({{"image", *images}});  // compiles a plan for this shape once
  if (!outputs.ok()) {
    std::cerr << outputs.status().ToString() << "\n";
    return 1;
  }
  const brisk::Tensor& logits = (*outputs)[0];  // float32[N, 10]
  int64_t correct = 0;
  for (int64_t i = 0; i < logits.dim(0); ++i) {
    const float* row = logits.data<float>() + i * 10;
    correct += (std::max_element(row, row + 10) - row) == labels->data<int64_t>()[i];
  }
  std::cout << "accuracy: " << double(correct) / double(logits.dim(0)) << "\n";
  return correct * 100 >= logits.dim(0) * 95 ? 0 : 1;  // the model scores 98.6%
}
