"""`grade --version` and `grade-admin --version`: the version the result cache keys on."""

from __future__ import annotations

import re

import pytest

from grader.batch.cache import grader_version
from grader.commands import grade, grade_admin


@pytest.mark.parametrize("command, prog", [(grade, "grade"), (grade_admin, "grade-admin")])
def test_version_prints_the_package_version_and_the_sources_digest(command, prog, capsys):
    with pytest.raises(SystemExit) as stopped:
        command.main(["--version"])
    assert stopped.value.code == 0
    printed = capsys.readouterr().out.strip()
    assert printed == f"{prog} {grader_version()}"
    assert re.fullmatch(rf"{prog} \S+\+[0-9a-f]{{12}}", printed)
