import gzip
import struct

import numpy as np
import pytest
import torch

from d2l_course.data import (
    DatasetError,
    ImageData,
    load_digits_data,
    load_fashion_mnist,
    load_image_data,
    read_idx,
)

IDX_CODES = {
    np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E,
}


def idx_bytes(array):
    array = np.asarray(array)
    code = IDX_CODES[array.dtype.type]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path, array, compress=None):
    data = idx_bytes(array)
    compress = path.suffix == ".gz" if compress is None else compress
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def fake_fashion_mnist(folder, n_train=12, n_val=5, seed=0):
    rng = np.random.default_rng(seed)
    parts = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_val, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_val, dtype=np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in parts.items():
        write_idx(folder / name, array)
    return parts


@pytest.fixture(scope="module")
def digits():
    return load_digits_data()


def test_digits_split_sizes_dtypes_and_ranges(digits):
    assert isinstance(digits, ImageData) and digits.name == "digits"
    assert digits.train_X.shape == (1297, 1, 8, 8) and digits.val_X.shape == (500, 1, 8, 8)
    assert digits.train_y.shape == (1297,) and digits.val_y.shape == (500,)
    for images in (digits.train_X, digits.val_X):
        assert images.dtype == torch.float32
        assert images.min() == 0.0 and images.max() == 1.0
    for labels in (digits.train_y, digits.val_y):
        assert labels.dtype == torch.int64
        assert set(labels.tolist()) == set(range(10))


def test_digits_split_is_disjoint_and_fixed(digits):
    from sklearn.datasets import load_digits

    raw = load_digits()
    flat = {tuple(row) for row in (raw.data / 16).astype(np.float32)}
    train = {tuple(row) for row in digits.train_X.reshape(1297, -1).numpy()}
    val = {tuple(row) for row in digits.val_X.reshape(500, -1).numpy()}
    assert train | val <= flat
    # A handful of the 1,797 images are exact duplicates, so compare positions, not pixels.
    order = np.random.default_rng(0).permutation(1797)
    assert set(order[:1297]).isdisjoint(order[1297:])
    assert torch.equal(digits.val_y, torch.from_numpy(raw.target[order[1297:]].astype(np.int64)))
    assert torch.equal(load_digits_data().train_X, digits.train_X)


@pytest.mark.parametrize("suffix", [".gz", ""])
@pytest.mark.parametrize(
    "array",
    [
        np.array([3, 1, 4, 1, 5], dtype=np.uint8),
        np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4),
        np.array([[-1, 2], [300, -40000]], dtype=np.int32),
        np.array([0.5, -1.25], dtype=np.float32),
        np.array([[1e300]], dtype=np.float64),
        np.array([-300, 7], dtype=np.int16),
        np.array([-5, 5], dtype=np.int8),
    ],
    ids=["labels", "images", "int32", "float32", "float64", "int16", "int8"],
)
def test_read_idx_round_trips(tmp_path, array, suffix):
    result = read_idx(write_idx(tmp_path / f"data-idx{suffix}", array))
    assert result.dtype == array.dtype and result.dtype.isnative
    assert result.shape == array.shape
    np.testing.assert_array_equal(result, array)
    assert result.flags.writeable


def test_read_idx_detects_gzip_by_content(tmp_path):
    array = np.arange(6, dtype=np.uint8)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "x.idx", array, compress=True)), array)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "y.gz", array, compress=False)), array)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x00\x00\x08", "not an IDX file"),
        (b"\x01\x00\x08\x01" + b"\x00" * 8, "not an IDX file"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x01\x00", "not an IDX file"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x02", "truncated header"),
        (idx_bytes(np.zeros((2, 3), dtype=np.uint8))[:-1], "truncated data"),
        (idx_bytes(np.zeros((2, 3), dtype=np.int32))[:-4], "truncated data"),
        (idx_bytes(np.zeros(4, dtype=np.uint8)) + b"\x00", "trailing bytes"),
        (b"", "not an IDX file"),
    ],
    ids=["short", "bad-magic", "bad-type", "header", "data", "data-int32", "trailing", "empty"],
)
def test_read_idx_rejects_malformed_files(tmp_path, data, words):
    path = tmp_path / "bad-idx1-ubyte"
    path.write_bytes(data)
    with pytest.raises(DatasetError, match=words) as caught:
        read_idx(path)
    assert caught.value.path == path


def test_read_idx_rejects_truncated_gzip(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(100, dtype=np.uint8)))[:-10])
    with pytest.raises(DatasetError, match="gzip"):
        read_idx(path)


def test_load_fashion_mnist_from_the_four_files(tmp_path):
    parts = fake_fashion_mnist(tmp_path)
    data = load_fashion_mnist(tmp_path)
    assert data.name == "fashion-mnist"
    assert data.train_X.shape == (12, 1, 28, 28) and data.val_X.shape == (5, 1, 28, 28)
    assert data.train_X.dtype == torch.float32 and data.train_y.dtype == torch.int64
    torch.testing.assert_close(
        data.val_X[:, 0], torch.from_numpy(parts["t10k-images-idx3-ubyte.gz"]).float() / 255
    )
    assert data.train_y.tolist() == parts["train-labels-idx1-ubyte.gz"].tolist()
    assert data.val_y.tolist() == parts["t10k-labels-idx1-ubyte.gz"].tolist()
    assert 0.0 <= float(data.train_X.min()) and float(data.train_X.max()) <= 1.0


def test_load_fashion_mnist_names_missing_files(tmp_path):
    fake_fashion_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetError, match="t10k-labels-idx1-ubyte.gz"):
        load_fashion_mnist(tmp_path)


def test_load_fashion_mnist_rejects_mismatched_labels(tmp_path):
    fake_fashion_mnist(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(3, dtype=np.uint8))
    with pytest.raises(DatasetError, match="expected 12 labels"):
        load_fashion_mnist(tmp_path)


def test_load_image_data_chooses_and_caches(tmp_path, monkeypatch, digits):
    monkeypatch.setenv("GRADER_FASHION_MNIST", str(tmp_path / "fashion"))  # read by the command only
    default = load_image_data()
    assert default.name == "digits" and load_image_data(None) is default
    assert torch.equal(default.val_X, digits.val_X)

    fake_fashion_mnist(tmp_path / "fashion")
    fashion = load_image_data(tmp_path / "fashion")
    assert fashion.name == "fashion-mnist"
    assert load_image_data(tmp_path / "fashion" / ".." / "fashion") is fashion
    assert load_image_data() is default
