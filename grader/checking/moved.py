"""The names `grader.check_tools` held for the D2L course before the course moved out of the
engine (to course/lib/d2l_course), and the one line that says where each is imported from now:
`grader.check_tools` still hands them out where the course is importable, and `grade-admin
validate` prints the line for each such import of a checks file."""

# where each lives now (course/lib, on the checks' path through the built-in course's course.toml)
MOVED = {
    **dict.fromkeys(("MLP", "SOFTMAX_REGRESSION", "classifier_accuracy", "regression_error",
                     "synthetic_regression_data"), "d2l_course.models"),
    **dict.fromkeys(("train_grader_softmax_regression", "train_linear_regression", "with_grader_names",
                     "with_grader_relu", "with_grader_softmax"), "d2l_course.in_kernel"),
}


def moved_note(name: str) -> str:
    """The one line that says where a moved name is imported from now."""
    return (f"{name} is the D2L course's now, not grader.check_tools': write "
            f"`from {MOVED[name]} import {name}` (course/lib, put on the checks' path by "
            "course.toml's [checks] path)")
