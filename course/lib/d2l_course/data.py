"""The D2L course's image data for its training checks, loaded in the grading process (never in
the kernel: validation images and labels stay here). Checks get it as the fixture `image_data`
(`d2l_course.fixtures`).

Offline by default: scikit-learn's bundled 8x8 digits, split once and for all into 1,297
training and 500 validation images. Where an instructor has Fashion-MNIST's four original files,
`load_image_data(folder)` uses them instead, with the t10k part as validation (the command line
passes the folder: `--data`, or the environment variable it reads, as the fixture `data_dir`). Images are `(n, 1, h, w)` float32 in [0, 1]; labels int64.

Loaded data is cached per process: treat the tensors as read-only.
"""

from __future__ import annotations

import functools
import gzip
import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from grader.errors import DatasetError

FASHION_MNIST_FILES = {
    "train_X": "train-images-idx3-ubyte.gz",
    "train_y": "train-labels-idx1-ubyte.gz",
    "val_X": "t10k-images-idx3-ubyte.gz",
    "val_y": "t10k-labels-idx1-ubyte.gz",
}
DIGITS_SPLIT_SEED = 0
DIGITS_TRAIN_SIZE = 1297  # of 1,797; the other 500 are the validation part

# IDX type codes (third byte of the magic number) and the big-endian dtypes they name.
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class ImageData:
    name: str
    train_X: torch.Tensor  # (n, 1, h, w) float32 in [0, 1]
    train_y: torch.Tensor  # (n,) int64
    val_X: torch.Tensor
    val_y: torch.Tensor


def load_image_data(folder: Path | None = None) -> ImageData:
    """Fashion-MNIST from `folder`, else (None) the digits; cached."""
    if folder is not None:
        folder = Path(folder).expanduser().resolve()
    return _load_cached(folder)


@functools.lru_cache(maxsize=None)
def _load_cached(folder: Path | None) -> ImageData:
    return load_digits_data() if folder is None else load_fashion_mnist(folder)


def load_digits_data() -> ImageData:
    """scikit-learn's 8x8 digits, pixels / 16, in a fixed 1,297 / 500 split."""
    from sklearn.datasets import load_digits  # slow to import; only needed here

    digits = load_digits()
    images = torch.from_numpy((digits.images / 16.0).astype(np.float32)).unsqueeze(1)
    labels = torch.from_numpy(digits.target.astype(np.int64))
    order = torch.from_numpy(np.random.default_rng(DIGITS_SPLIT_SEED).permutation(len(labels)))
    train, val = order[:DIGITS_TRAIN_SIZE], order[DIGITS_TRAIN_SIZE:]
    return ImageData("digits", images[train], labels[train], images[val], labels[val])


def load_fashion_mnist(folder: Path) -> ImageData:
    """Fashion-MNIST from its four original files in `folder`; the t10k part is validation."""
    folder = Path(folder)
    missing = [name for name in FASHION_MNIST_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise DatasetError(folder, f"Fashion-MNIST files missing: {', '.join(missing)}")
    parts = {key: read_idx(folder / name) for key, name in FASHION_MNIST_FILES.items()}
    tensors = {}
    for split in ("train", "val"):
        images, labels = parts[f"{split}_X"], parts[f"{split}_y"]
        images_path = folder / FASHION_MNIST_FILES[f"{split}_X"]
        if images.ndim != 3 or images.dtype != np.uint8:
            found = f"{images.ndim}-D {images.dtype}"
            raise DatasetError(images_path, f"expected 3-D unsigned bytes, got {found}")
        if labels.ndim != 1 or len(labels) != len(images):
            raise DatasetError(
                folder / FASHION_MNIST_FILES[f"{split}_y"],
                f"expected {len(images)} labels, got shape {labels.shape}",
            )
        tensors[f"{split}_X"] = torch.from_numpy(images).to(torch.float32).div_(255).unsqueeze(1)
        tensors[f"{split}_y"] = torch.from_numpy(labels.astype(np.int64))
    return ImageData("fashion-mnist", **tensors)


def read_idx(path: Path) -> np.ndarray:
    """The array stored in an IDX file (plain or gzip-compressed), in native byte order."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DatasetError(path, f"cannot read: {error.strerror or error}") from None
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise DatasetError(path, f"corrupt gzip data: {error}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_DTYPES:
        raise DatasetError(path, f"not an IDX file (magic number {raw[:4].hex() or 'missing'})")
    dtype, ndim = IDX_DTYPES[raw[2]], raw[3]
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise DatasetError(path, f"truncated header: {ndim} sizes announced, file has {len(raw)} bytes")
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    expected = math.prod(shape) * dtype.itemsize
    actual = len(raw) - header_size
    if actual != expected:
        what = "truncated data" if actual < expected else "trailing bytes after the data"
        raise DatasetError(path, f"{what}: shape {shape} needs {expected} bytes, found {actual}")
    array = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a writable copy in native byte order
