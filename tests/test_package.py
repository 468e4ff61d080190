"""The public surface stays small and sorted."""

import grader


def test_public_names_are_sorted_and_importable():
    assert grader.__all__ == sorted(grader.__all__)
    for name in grader.__all__:
        assert getattr(grader, name) is not None


def test_every_public_name_has_a_home():
    assert sorted(grader._WHERE) == grader.__all__
