"""Every message a student reads has its Korean translation, and the shipped catalogs are current.

The messages are extracted from the source with Babel, as `pybabel extract` does with the
project's configurations (babel.cfg for the engine, babel-course.cfg for the built-in course):
a message someone adds without translating it fails here, and so does a translation that
drops or renames one of its template's `{fields}`, or a compiled `.mo` older than its `.po`.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from conftest import ROOT

KEYWORDS = {"_": None, "N_": None, "gettext": None}  # the markers: the first argument of each
CATALOGS = [  # (configuration, extra keywords, the catalog's domain, its locale folder)
    ("babel.cfg", {}, "grader", ROOT / "grader" / "locale"),
    ("babel-course.cfg", {"check": None}, "course", ROOT / "course" / "locale"),  # @pytest.mark.check("name")
]
LANGUAGES = ["ko"]
FIELD = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)s")


def extracted(config: str, keywords: dict) -> set[str]:
    """The messages `pybabel extract -F config -k N_ [-k check]` finds in the repository."""
    with open(ROOT / config, encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(file)
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords={**KEYWORDS, **keywords})
    return {message if isinstance(message, str) else message[0] for _file, _line, message, *_rest in found}


def catalog(folder: Path, domain: str, language: str):  # a babel Catalog
    path = folder / language / "LC_MESSAGES" / f"{domain}.po"
    with open(path, "rb") as file:
        return read_po(file)


@pytest.fixture(scope="module", params=CATALOGS, ids=lambda c: c[2])
def source_messages(request):
    config, keywords, domain, folder = request.param
    return extracted(config, keywords), domain, folder


def test_the_source_marks_messages(source_messages):
    messages, domain, _folder = source_messages
    assert len(messages) > (100 if domain == "grader" else 20)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_lacks_a_translation(source_messages, language):
    messages, domain, folder = source_messages
    translated = {m.id: m for m in catalog(folder, domain, language) if m.id}
    missing = sorted(m for m in messages if m not in translated or not translated[m].string
                     or translated[m].fuzzy)
    assert not missing, (f"{len(missing)} message(s) with no {language} translation in {domain}.po; "
                         f"run the commands of docs/translating.md: {missing[:5]}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_translation_keeps_the_fields_of_its_template(source_messages, language):
    _messages, domain, folder = source_messages
    wrong = [(m.id, m.string) for m in catalog(folder, domain, language)
             if m.id and m.string and sorted(FIELD.findall(m.id)) != sorted(FIELD.findall(m.string))]
    assert not wrong


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_check_name_keeps_the_function_it_names(language):
    """`softmax: rows sum to one` -> `softmax: …`: the text before ':' is the graded name."""
    _config, _keywords, domain, folder = CATALOGS[1]
    names = extracted(CATALOGS[1][0], {"check": None}) - extracted(CATALOGS[1][0], {})
    translated = {m.id: m.string for m in catalog(folder, domain, language) if m.id}
    wrong = [name for name in names if translated.get(name, name).split(":")[0] != name.split(":")[0]]
    assert names and not wrong


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("domain", "folder"), [(c[2], c[3]) for c in CATALOGS], ids=[c[2] for c in CATALOGS])
def test_the_compiled_catalog_is_the_one_its_po_says(domain, folder, language):
    """The `.mo` shipped (and read by gettext at run time) holds every translation of the `.po`:
    `pybabel compile` was run after the last edit."""
    with open(folder / language / "LC_MESSAGES" / f"{domain}.mo", "rb") as file:
        compiled = gettext.GNUTranslations(file)
    stale = [m.id for m in catalog(folder, domain, language)
             if m.id and m.string and not m.fuzzy and compiled.gettext(m.id) != m.string]
    assert not stale, f"{domain}.mo is older than {domain}.po: run pybabel compile ({stale[:3]})"


def formatted_templates(root: Path):
    """(file, line, template, the names `.format` gives) for each `_("…").format(...)` under `root`."""
    import ast

    for path in sorted(root.rglob("*.py")):
        if "kits" in path.parts or "__pycache__" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
                    and isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Name)
                    and node.func.value.func.id == "_" and node.func.value.args
                    and isinstance(node.func.value.args[0], ast.Constant)):
                yield path.name, node.lineno, node.func.value.args[0].value, {k.arg for k in node.keywords}


@pytest.mark.parametrize("root", [ROOT / "grader", ROOT / "course" / "checks"], ids=["grader", "course"])
def test_each_template_is_given_exactly_its_fields(root):
    """A field the template names but `.format` does not give fails only on the path that shows the
    message (a wrong answer): found here, for every template, without running it."""
    import string

    wrong = []
    for name, line, template, given in formatted_templates(root):
        fields = {field for _text, field, _spec, _conv in string.Formatter().parse(template) if field}
        if fields != given:
            wrong.append(f"{name}:{line}: {sorted(fields)} != {sorted(given)}")
    assert not wrong
