"""The D2L course's pytest fixtures (course.toml: `[checks] fixtures = ["d2l_course.fixtures"]`):
a checks file asks for one by naming it as an argument, beside the grader's own `student`,
`reference` and `data_dir`."""

from __future__ import annotations

from pathlib import Path

import pytest

from d2l_course.data import ImageData, load_image_data


@pytest.fixture
def image_data(data_dir: Path | None) -> ImageData:
    """The training and validation images: Fashion-MNIST from `--data`, else the bundled digits."""
    return load_image_data(data_dir)


def preload(data_dir: Path | None, checks_text: str) -> None:
    """Called by the grader while the notebook runs: loads the image data ahead (scikit-learn's
    digits take a second to import) when the checks file asks for it."""
    if "image_data" in checks_text:
        load_image_data(data_dir)
