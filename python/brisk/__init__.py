"""brisk: compile an ONNX model once, run it many times, fast.

    import brisk
    session = brisk.Session("model.onnx", threads=2)
    outputs = session.run({"input": x})            # {output name: ndarray}
    y = session.predict(big_array, batch_size=64)  # streamed in batches, stacked in order

The engine is C++ (the extension module ``brisk._brisk``); this package adds argument handling
and the progress bar.
"""

from __future__ import annotations

import atexit

from . import _brisk

from ._brisk import (  # noqa: F401  (re-exported API)
    Batcher,
    CancelledError,
    DeadlineExceededError,
    Error,
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    OutOfRangeError,
    ResourceExhaustedError,
    TensorInfo,
    UnimplementedError,
    __version__,
)
from ._session import Session  # noqa: F401
from . import data  # noqa: F401,E402

# Running pipelines own C++ threads that may wait for the GIL (Python map functions, generator
# sources); stop them before the interpreter starts tearing down, or the exit could hang.
atexit.register(_brisk._close_all_iterators)
atexit.register(_brisk._close_all_batchers)

__all__ = [
    "Session",
    "Batcher",
    "data",
    "TensorInfo",
    "Error",
    "InvalidArgumentError",
    "NotFoundError",
    "UnimplementedError",
    "OutOfRangeError",
    "ResourceExhaustedError",
    "FailedPreconditionError",
    "CancelledError",
    "DeadlineExceededError",
    "InternalError",
    "__version__",
]
