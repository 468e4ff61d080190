"""The files the instructor tools write for a platform, kept as files in `templates/`.

`setup.sh` and `run_autograder` (Gradescope) and `classroom.yml` (GitHub Classroom) are real
shell and YAML files, readable and checkable as they are. Their few blanks are `@name@`
placeholders (as autoconf's), filled with string.Template; the shell's `$VAR` and the
workflow's `${{ expr }}` are left alone and need no escaping.
"""

from __future__ import annotations

import string
from importlib import resources

TORCH_VERSION = "2.13.0"  # what the Gradescope image and the Classroom runner install


class FileTemplate(string.Template):
    """`@name@` blanks (lower-case letters and `_`); any other `@` is plain text."""

    pattern = r"@(?:(?P<named>[a-z_]+)@|(?P<braced>(?!))|(?P<escaped>(?!))|(?P<invalid>(?!)))"
    flags = 0  # case-sensitive: `@Name@` is text


def fill(name: str, **values: str) -> str:
    """The template `name` with every blank filled; a blank without a value raises KeyError."""
    text = resources.files("grader.instructor").joinpath("templates", name).read_text("utf-8")
    return FileTemplate(text).substitute(values)
