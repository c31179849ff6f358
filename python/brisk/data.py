"""brisk.data: a tf.data-style input pipeline whose stages run in C++ threads.

    import brisk.data as bd
    ds = (bd.image_folder("photos/")
            .map([bd.ops.decode_image("image"), bd.ops.resize("image", 224, 224),
                  bd.ops.normalize("image", mean=[127.5], std=[127.5])],
                 num_parallel_calls=bd.AUTOTUNE)
            .batch(32)
            .prefetch(bd.AUTOTUNE))
    outputs = session.predict(ds)       # overlaps the pipeline with the model
    for element in ds.take(1): ...      # dicts of NumPy arrays

Elements are dicts {component name: ndarray}. Python callables may be used as map functions or
generator sources; they run under the GIL, and their cost shows in the stage statistics.
"""

from __future__ import annotations

from . import _ops as ops  # noqa: F401
from ._brisk import (  # noqa: F401  (re-exported API)
    AUTOTUNE,
    Dataset,
    Iterator,
    MapFunction,
    PipelineStats,
    StageStats,
    from_csv,
    from_npy,
    from_npz,
    from_sqlite,
    image_folder,
    image_folder_class_names,
)

from_tensor_slices = Dataset.from_tensor_slices
from_generator = Dataset.from_generator

__all__ = [
    "AUTOTUNE",
    "Dataset",
    "Iterator",
    "MapFunction",
    "PipelineStats",
    "StageStats",
    "from_csv",
    "from_generator",
    "from_npy",
    "from_npz",
    "from_sqlite",
    "from_tensor_slices",
    "image_folder",
    "image_folder_class_names",
    "ops",
]
