// ops::Tokenize: a vocabulary file (one token a line, id = line number from 0) read once when
// the map function is made; each call splits the text on whitespace, lower-cases ASCII letters
// and looks the words up (unknown -> the unknown token's id), padding with 0 or truncating to
// max_length.
#include <cctype>
#include <fstream>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

#include "data/ops/op_util.h"

namespace brisk::data::ops {

StatusOr<MapFn> Tokenize(std::string component, const std::string& vocabulary_path,
                         int64_t max_length, std::string unknown_token) {
  if (max_length <= 0) {
    return InvalidArgument("tokenize: max_length must be positive, got " +
                           std::to_string(max_length));
  }
  std::ifstream in(vocabulary_path);
  if (!in) return NotFound(vocabulary_path + ": cannot open the vocabulary file");
  auto vocab = std::make_shared<std::unordered_map<std::string, int64_t>>();
  std::string line;
  for (int64_t id = 0; std::getline(in, line); ++id) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    vocab->emplace(line, id);  // the first line of a repeated token keeps its id
  }
  if (in.bad()) return Internal(vocabulary_path + ": read error");
  const auto unk = vocab->find(unknown_token);
  if (unk == vocab->end()) {
    return InvalidArgument(vocabulary_path + ": the unknown token '" + unknown_token +
                           "' is not in the vocabulary (" + std::to_string(vocab->size()) +
                           " tokens)");
  }
  const int64_t unknown_id = unk->second;
  return MapFn([=](Element e) -> StatusOr<Element> {
    BRISK_ASSIGN_OR_RETURN(Tensor * t, ops_internal::Component(e, component, "tokenize"));
    if (t->dtype() != DType::kString || t->num_elements() != 1) {
      return ops_internal::OpError(e, "tokenize", "component '" + component +
                                                      "' must be a string scalar, got " +
                                                      t->TypeString());
    }
    const std::string& text = *t->data<std::string>();
    BRISK_ASSIGN_OR_RETURN(Tensor ids, Tensor::Zeros(DType::kInt64, Shape{max_length}));
    int64_t* out = ids.data<int64_t>();
    int64_t count = 0;
    std::string word;
    size_t i = 0;
    while (i < text.size() && count < max_length) {
      while (i < text.size() && std::isspace(uint8_t(text[i]))) ++i;
      if (i == text.size()) break;
      word.clear();
      while (i < text.size() && !std::isspace(uint8_t(text[i]))) {
        word += char(std::tolower(uint8_t(text[i])));
        ++i;
      }
      const auto it = vocab->find(word);
      out[count++] = it == vocab->end() ? unknown_id : it->second;
    }
    *t = std::move(ids);
    return e;
  });
}

}  // namespace brisk::data::ops
