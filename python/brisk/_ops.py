"""brisk.data.ops: the built-in map functions. Each returns a MapFunction that runs in the
pipeline's C++ worker threads; pass one, or a list run one after another, to Dataset.map."""

from ._brisk import (  # noqa: F401  (re-exported API)
    op_cast as cast,
    op_center_crop as center_crop,
    op_decode_image as decode_image,
    op_hwc_to_chw as hwc_to_chw,
    op_normalize as normalize,
    op_one_hot as one_hot,
    op_resize as resize,
    op_tokenize as tokenize,
)

__all__ = ["cast", "center_crop", "decode_image", "hwc_to_chw", "normalize", "one_hot", "resize",
           "tokenize"]
