// Shared pieces of the Session binding, used by the predict, data and batcher bindings too.
#pragma once

#include <nanobind/nanobind.h>

#include <memory>
#include <string>
#include <vector>

#include "arrays.h"
#include "brisk/session.h"

namespace brisk::python {

// What the Python Session object holds: the engine session is shared with batchers built on it.
struct PySession {
  std::shared_ptr<Session> session;
};

// `feeds` as a dict {name: array}, a list/tuple in input order, or one array for a one-input
// model -> tensors in the order of session.inputs() (undefined where a dict leaves one out).
// Throws InvalidArgumentError for unknown names or a wrong count.
std::vector<InputTensor> FeedsInInputOrder(const Session& session, nanobind::handle feeds);

// The same feeds by name (inputs a dict leaves out are left out); `keep_alive` receives what
// keeps the viewed arrays alive, to hold while the tensors are used.
NamedTensors NamedFeeds(const Session& session, nanobind::handle feeds,
                        std::vector<InputTensor>* keep_alive);

// {output name: ndarray}, in the order of session.outputs().
nanobind::dict OutputsDict(const Session& session, const std::vector<Tensor>& outputs);

nanobind::class_<PySession> BindSession(nanobind::module_& m);
// Adds _predict_arrays / _predict_dataset to the session class.
void BindPredict(nanobind::class_<PySession>& session_class);

}  // namespace brisk::python
