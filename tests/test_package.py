"""The public surface stays small, sorted, and every name in it resolves to its home module."""

import importlib
import subprocess
import sys

import pytest

import grader


def test_public_names_are_sorted_and_importable():
    assert grader.__all__ == sorted(grader.__all__)
    for name in grader.__all__:
        assert getattr(grader, name) is not None


def test_every_public_name_has_a_home():
    assert sorted(grader._WHERE) == grader.__all__


@pytest.mark.parametrize("name", grader.__all__)
def test_each_name_is_the_object_of_its_home_module(name):
    home = importlib.import_module(grader._WHERE[name])
    assert getattr(grader, name) is getattr(home, name)
    assert getattr(home, name).__module__.startswith("grader")


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        grader.nothing  # noqa: B018


def test_importing_the_package_loads_none_of_its_modules():
    code = "import sys, grader; print(sorted(m for m in sys.modules if m.startswith('grader.')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
