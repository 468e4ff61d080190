"""HTML pages from Jinja2 templates (`templates/`), autoescaped.

Every value a template prints passes `printable` first (control characters made visible), then
autoescaping: student text, check names and messages can hold anything. Templates get plain
data (dicts, lists, strings, numbers) prepared by their reporter, never markup: nothing is marked
safe. The i18n extension is loaded and reads the run's language (`grader.i18n`): a template's
own words are marked `{{ _("Check") }}` and extracted with the Python code (babel.cfg).
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2
import markupsafe

from grader.i18n import _
from grader.reporters.text import printable


@functools.cache
def environment(keep_newlines: bool = True) -> jinja2.Environment:
    """The templates' environment; `keep_newlines=False` folds line breaks (feedback files)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("grader.reporters", "templates"),
        autoescape=True,
        finalize=functools.partial(_shown, keep_newlines=keep_newlines),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,  # a misspelt field is an error, not an empty cell
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by ext.i18n
        gettext=_, ngettext=lambda one, many, count: _(one) if count == 1 else _(many), newstyle=True)
    return env


def _shown(value: object, keep_newlines: bool) -> object:
    """What `{{ value }}` prints: data made printable (escaped after); the templates' own markup
    (a macro's output) as it is."""
    if value is None:
        return ""
    return value if isinstance(value, markupsafe.Markup) else printable(str(value), keep_newlines)


def render_page(template: str, *, keep_newlines: bool = True, **context: Any) -> str:
    """`template` (a file of templates/) rendered with `context`; ends with one newline."""
    return environment(keep_newlines).get_template(template).render(**context).rstrip("\n") + "\n"
