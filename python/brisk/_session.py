"""brisk.Session: the C++ session plus predict()'s argument handling and progress bar."""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence, Union

from . import _brisk
from ._progress import progress_for

ArrayLike = Any
Feeds = Union[Mapping[str, ArrayLike], Sequence[ArrayLike], ArrayLike]


class Session(_brisk._Session):
    """A model loaded and optimized once, ready to run many times.

    Args:
        path: the ONNX model file.
        threads: intra-op threads (0 = the physical cores this process may use).
        optimization: graph optimization level: "none", "basic", "extended" or "all".
        batch_chunk: run large batches in cache-sized chunks (0 = automatic, N = at most N
            samples a chunk, -1 = never).
        reference_kernels: use only the slow reference kernels (the test oracle).
        flush_denormals: treat denormal floats as zero while running.

    ``run`` may be called from many threads at once; the GIL is released while the model runs.
    """

    def __init__(
        self,
        path: Union[str, os.PathLike],
        threads: int = 0,
        optimization: str = "all",
        batch_chunk: int = 0,
        reference_kernels: bool = False,
        flush_denormals: bool = True,
    ) -> None:
        super().__init__(
            os.fspath(path), threads, optimization, batch_chunk, reference_kernels, flush_denormals
        )
        self.path = os.fspath(path)

    def __repr__(self) -> str:
        ins = ", ".join(repr(i)[12:-1] for i in self.inputs)
        outs = ", ".join(repr(o)[12:-1] for o in self.outputs)
        return f"<brisk.Session {self.path!r} inputs=[{ins}] outputs=[{outs}]>"

    def predict(
        self,
        x: Any,
        batch_size: int = 32,
        verbose: Union[str, int] = "auto",
        return_stats: bool = False,
    ) -> Any:
        """Runs the model over many rows and returns the outputs stacked in order.

        ``x`` is an array (one-input models), a dict {input name: array} or a list in input
        order (dim 0 is the row; streamed in batches of ``batch_size`` without copying), or a
        ``brisk.data.Dataset`` (run in the batches it yields, overlapping the pipeline with
        compute; components that are not model inputs, such as labels, are ignored).

        Returns one ndarray for a one-output model, else {output name: ndarray}. With
        ``return_stats=True`` returns ``(outputs, stats)`` where ``stats`` is a
        ``brisk.data.PipelineStats`` (input wait vs compute, per-stage counters, verdict).
        ``verbose``: "auto" shows a progress bar when stderr is a terminal, 0 never, 1 always.
        Ctrl-C stops it between batches with KeyboardInterrupt.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        from .data import Dataset  # late: brisk.data imports this module

        with progress_for(verbose) as progress:
            if isinstance(x, Dataset):
                outputs, stats = self._predict_dataset(x, progress)
            else:
                feeds = x
                if isinstance(x, Mapping):
                    missing = [i.name for i in self.inputs if i.name not in x]
                    if missing:
                        raise _brisk.InvalidArgumentError(
                            f"predict: no array for input(s) {missing}"
                        )
                outputs, stats = self._predict_arrays(feeds, batch_size, progress)
        result = outputs[next(iter(outputs))] if len(outputs) == 1 else outputs
        return (result, stats) if return_stats else result

