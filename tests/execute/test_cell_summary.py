"""A failed cell's summary: the error's message, or for a bare `assert` the line that failed."""

from grader.execute.run import error_summary

CELL_FRAME = ("\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[2]\x1b[39m\x1b[32m, line 2\x1b[39m\n"
              "\x1b[32m      1\x1b[39m x = \x1b[32m1\x1b[39m\n"
              "\x1b[32m----> \x1b[39m\x1b[32m2\x1b[39m \x1b[38;5;28;01massert\x1b[39;00m x == \x1b[32m2\x1b[39m\n")
LIBRARY_FRAME = ("File \x1b[32m/venv/lib/python3.11/site-packages/torch/functional.py:402\x1b[39m, in einsum\n"
                 "\x1b[32m--> 402\x1b[39m     \x1b[38;5;28;01massert\x1b[39;00m ok\n")


def test_an_error_with_a_message_is_summarized_by_it():
    assert error_summary({"ename": "ValueError", "evalue": "bad shape", "traceback": [CELL_FRAME]}) == \
        "ValueError: bad shape"


def test_a_bare_assert_is_summarized_by_the_notebook_line_that_failed():
    error = {"ename": "AssertionError", "evalue": "", "traceback": ["-----", CELL_FRAME, "AssertionError: "]}
    assert error_summary(error) == "AssertionError: assert x == 2"


def test_a_library_s_line_is_never_the_summary():
    assert error_summary({"ename": "AssertionError", "evalue": "", "traceback": [CELL_FRAME, LIBRARY_FRAME]}) == \
        "AssertionError: assert x == 2"
    assert error_summary({"ename": "AssertionError", "evalue": "", "traceback": [LIBRARY_FRAME]}) == "AssertionError"
    assert error_summary({"ename": "AssertionError", "evalue": " ", "traceback": "not a list"}) == "AssertionError"
