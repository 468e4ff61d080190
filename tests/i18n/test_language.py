"""The run's language: chosen once (--lang, else the locale, else English), and every line a
student reads in it; the table lines up with Hangul. No kernel starts here."""

from __future__ import annotations

import json

import pytest

from grader.checking.verdicts import StudentMissing, StudentRaised, StudentTimeout
from grader.check_tools import expect_close
from grader.check_tools.expect import CheckFailed
from grader.commands import grade as grade_command
from grader.i18n import _, current_language, language_for, speaking
from grader.reporters import classroom, feedback, gradescope
from grader.reporters.table import display_width, render, wrap
from grader.reporters.text import student_safe
from grader.results import (CellRecord, CheckResult, CheckStatus, ExecutionSummary, GradeReport,
                            GradeStatus, Isolation, Outcome, RowStatus)

from conftest import COURSE

LOCALE = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def no_locale(monkeypatch):
    for name in LOCALE:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def a_report(names: tuple[str, ...] = ("softmax: rows sum to one", "cross_entropy: matches")) -> GradeReport:
    return GradeReport(
        submission="/home/grader/in/04_softmax_regression.ipynb", assignment="04_softmax_regression",
        status=GradeStatus.GRADED, isolation=Isolation.BUBBLEWRAP, duration=1.25,
        checks=(CheckResult(names[0], 0, 2, CheckStatus.FAILED, message="softmax(X): expected shape (4, 5), "
                            "got shape (5, 4)", function=names[0].split(":")[0]),
                CheckResult(names[1], 1, 1, CheckStatus.PASSED, function=names[1].split(":")[0])),
        execution=ExecutionSummary(cells=(CellRecord(3, "timeout", "", number=4),)))


# -- which language ------------------------------------------------------------------------------

@pytest.mark.parametrize(("asked", "language"), [("ko", "ko"), ("ko_KR", "ko"), ("ko-KR.UTF-8", "ko"),
                                                   ("en", "en"), ("fr", "en"), ("xx_YY", "en")])
def test_a_language_asked_for_is_that_one_or_english(no_locale, asked, language):
    no_locale.setenv("LANG", "ko_KR.UTF-8")  # what is asked wins over the locale
    assert language_for(asked) == language


@pytest.mark.parametrize(("variables", "language"), [
    ({"LANG": "ko_KR.UTF-8"}, "ko"), ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "C"}, "en"), ({}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "ko_KR.UTF-8"}, "ko"), ({"LANG": "ko_KR.UTF-8", "LC_ALL": "C"}, "en"),
    ({"LC_MESSAGES": "ko_KR"}, "ko"), ({"LANG": "de_DE.UTF-8"}, "en"),
])
def test_without_lang_the_locale_decides_as_gettext_reads_it(no_locale, variables, language):
    for name, value in variables.items():
        no_locale.setenv(name, value)
    assert language_for(None) == language


def test_grade_lang_and_the_locale_reach_the_options(no_locale):
    parse = grade_command.build_parser().parse_args
    assert grade_command.options_from(parse(["x.ipynb", "--lang", "ko"])).language == "ko"
    assert grade_command.options_from(parse(["x.ipynb", "--lang", "klingon"])).language == "en"
    assert grade_command.options_from(parse(["x.ipynb"])).language == "en"
    no_locale.setenv("LANG", "ko_KR.UTF-8")
    assert grade_command.options_from(parse(["x.ipynb"])).language == "ko"
    assert grade_command.options_from(parse(["x.ipynb", "--lang", "en"])).language == "en"


def test_the_language_is_the_run_s_own_and_ends_with_it():
    assert current_language() == "en"
    with speaking("ko"):
        assert current_language() == "ko"
        assert StudentTimeout("softmax(X)", 10).hidden_text != "did not return in time"
    assert current_language() == "en"
    assert StudentTimeout("softmax(X)", 10).hidden_text == "did not return in time"


# -- messages ------------------------------------------------------------------------------------

def test_engine_messages_are_korean_with_the_variable_parts_as_they_were():
    import torch

    with speaking("ko"):
        with pytest.raises(CheckFailed) as failed:
            expect_close(torch.zeros(5, 4), torch.zeros(4, 5), call="softmax(X)")
        missing = str(StudentMissing("softmax(X)", "softmax"))
    said = str(failed.value)
    assert said.startswith("softmax(X): ") and "(4, 5)" in said and "(5, 4)" in said
    assert "모양" in said and "expected" not in said
    assert "softmax" in missing and "정의되어 있지 않습니다" in missing


def test_the_student_s_own_error_and_text_stay_as_written():
    evalue = "mat1 and mat2 shapes cannot be multiplied (4x5 and 4x3) — 학생"
    with speaking("ko"):
        raised = str(StudentRaised("softmax(X)", "RuntimeError", evalue, "at line 3 of code cell 5"))
        shown = student_safe(raised)
    assert raised.startswith("softmax(X) ") and raised.endswith(evalue)
    assert "RuntimeError" in shown and evalue in shown  # the student's own error keeps its class


def test_a_check_name_is_translated_through_the_course_catalog():
    name = "softmax: rows are probabilities that sum to one"
    with speaking("ko", [COURSE]):
        korean = _(name)
    with speaking("ko"):  # without the course: the engine's catalog has no check names
        alone = _(name)
    assert korean != name and korean.startswith("softmax: ") and alone == name


# -- reporters -----------------------------------------------------------------------------------

def test_the_table_is_korean_and_english_stays_english():
    english = render(a_report(), width=100)
    with speaking("ko"):
        korean = render(a_report(), width=100)
    assert "Total: 1/3" in english and "FAIL" in english and "timeout" in english
    assert "합계: 1/3" in korean and "실패" in korean and "통과" in korean and "시간 초과" in korean
    assert "Total" not in korean and "FAIL" not in korean


def test_the_table_lines_up_with_hangul():
    names = ("softmax: 각 행이 합이 1인 확률임", "cross_entropy: 여러 입력에서 기준 구현과 일치함")
    with speaking("ko"):
        lines = render(a_report(names), width=100).splitlines()
    rows = [line for line in lines if any(line.rstrip().endswith(n) or n in line for n in names)]
    assert len(rows) == 2
    starts = [display_width(row[:row.index(name)]) for row, name in zip(rows, names)]
    assert starts[0] == starts[1]  # the names start in one column, whatever the marks' widths
    scores = [display_width(row[:row.index("/") + 2]) for row in rows]
    assert scores[0] == scores[1]


def test_wrapping_counts_display_width():
    text = "softmax(X): 원소 20개 중 20개가 다릅니다; 가장 큰 차이는 인덱스 (0, 0)에서 0.9입니다 " * 3
    lines = wrap(text, 40)
    assert len(lines) > 3 and all(display_width(line) <= 40 for line in lines)
    assert " ".join(lines) == " ".join(text.split())
    assert all(display_width(line) <= 10 for line in wrap("가나다라마바사아자차카타파하" * 2, 10))


def test_classroom_gradescope_and_feedback_are_korean():
    report = a_report()
    outcome = Outcome("kim", report.submission, report, RowStatus.GRADED)
    with speaking("ko"):
        room = json.loads(classroom.render(report))
        scope = json.loads(gradescope.render(report))
        files = feedback.render_files([outcome])
    assert "격리: bubblewrap 샌드박스" in room["tests"][1]["message"]
    assert scope["output"].startswith("04_softmax_regression: 1/3점")
    assert "kim 님을 위한 피드백" in files["kim.md"] and "| # | 검사 | 결과 | 점수 | 메시지 |" in files["kim.md"]
    assert "<html lang='ko'>" in files["kim.html"] and "<th>검사</th>" in files["kim.html"]
    assert "실패" in files["kim.html"]


def test_grade_lang_ko_writes_a_korean_result_for_a_file_that_is_not_a_notebook(tmp_path, no_locale):
    no_locale.setattr(grade_command, "decide_isolation", lambda *args: Isolation.BUBBLEWRAP)  # no bwrap probe
    no_locale.setenv("GRADER_WARM_MINUTES", "0")
    notebook = tmp_path / "04_softmax_regression.ipynb"
    notebook.write_text("{ not json", encoding="utf-8")
    results = tmp_path / "results.json"
    status = grade_command.main([str(notebook), "--lang", "ko", "--format", "gradescope", "--output", str(results)])
    data = json.loads(results.read_text(encoding="utf-8"))
    assert status == 4
    assert data["output"].startswith("제출물을 채점하지 못했습니다: 올바른 JSON이 아닙니다")
    assert any(test["name"].startswith("softmax: ") and "softmax: rows" not in test["name"] for test in data["tests"])


def test_classroom_and_gradescope_deployments_grade_in_the_language_asked():
    import io
    import zipfile

    import yaml

    from grader.instructor.classroom import classroom_workflow, kit_workflow
    from grader.instructor.gradescope import gradescope_bundle
    from grader.submission.course import Course

    workflow = classroom_workflow("04_softmax_regression", 17, language="ko")
    assert "--assignment 04_softmax_regression --lang ko --format classroom" in workflow
    step = yaml.safe_load(workflow)["jobs"]["run-autograding-tests"]["steps"][4]["run"]
    fallback = json.loads(step.split("echo '", 1)[1].split("' > result.json", 1)[0])
    assert fallback["tests"][0]["message"].startswith("채점기를 실행하지 못했습니다")
    assert "--lang" not in classroom_workflow("04_softmax_regression", 17)
    assert "--public-only --lang ko --format classroom" in kit_workflow("04_softmax_regression", 9, "dl-notebook-grader", language="ko")
    bundle = zipfile.ZipFile(io.BytesIO(gradescope_bundle(Course(COURSE), "04_softmax_regression", language="ko")))
    assert "gradescope-run 04_softmax_regression --lang ko --submission" in bundle.read("run_autograder").decode()
    assert "course/locale/ko/LC_MESSAGES/course.mo" in bundle.namelist()
    assert "grader-src/grader/locale/ko/LC_MESSAGES/grader.mo" in bundle.namelist()


def test_check_in_a_notebook_speaks_the_language_asked(tmp_path, no_locale, capsys):
    from grader.in_notebook import check

    no_locale.chdir(tmp_path)  # no kit here or above
    no_locale.delenv("GRADER_KIT", raising=False)
    check("no_such_function", lang="ko")
    korean = capsys.readouterr().out
    check("no_such_function")
    english = capsys.readouterr().out
    assert korean.startswith("check: 학생 키트를 찾지 못했습니다") and "GRADER_KIT" in korean
    assert english.startswith("check: no student kit found")
