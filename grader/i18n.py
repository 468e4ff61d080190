"""Messages in the student's language: gettext catalogs, one language per run.

Every line a student reads is written in English in the source and marked `_("…")`: a
template whose variable parts (shapes, numbers, the student's own text) are `{named}` and filled
by `.format()` after translation, so student text is never translated and always shown as
written. `N_("…")` marks a message kept in a table and translated where it is shown.

Which language: `grade --lang ko`, else the locale as gettext reads it (LANGUAGE, LC_ALL,
LC_MESSAGES, LANG: `language_for`), else English. It is chosen once, by the command, and passed
down (`GradeOptions.language`); whatever builds or renders messages runs inside
`speaking(language, course_folders)`, which sets a context variable that `_` reads (so threads
and processes that grade in another language never mix).

Catalogs: the engine's, `grader/locale/<lang>/LC_MESSAGES/grader.mo`, and a course's own (its
check names and diagnoses), `<course folder>/locale/<lang>/LC_MESSAGES/course.mo`, consulted
first. Sources: `babel.cfg` (extraction), the `.po` files beside the `.mo` (see
docs/translating.md). This module imports nothing of the grader.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

DOMAIN = "grader"  # the engine's messages
COURSE_DOMAIN = "course"  # a course's own messages (check names, diagnoses)
LOCALE_DIR = Path(__file__).resolve().with_name("locale")
COURSE_LOCALE = "locale"  # a course folder's catalogs: <folder>/locale/<lang>/LC_MESSAGES/course.mo
ENGLISH = "en"  # the language of the source, and the fallback


@dataclass(frozen=True)
class Speaking:
    """The language of a run and the catalogs that translate into it."""

    language: str
    translations: gettext.NullTranslations


ENGLISH_ONLY = Speaking(ENGLISH, gettext.NullTranslations())  # outside any speaking(): the source's words
_SPEAKING: ContextVar[Speaking | None] = ContextVar("grader_speaking", default=None)


def _(message: str) -> str:
    """`message` in the language of the run (English when its catalog has no translation)."""
    return (_SPEAKING.get() or ENGLISH_ONLY).translations.gettext(message)


def N_(message: str) -> str:  # gettext's name for a message marked, not translated
    """Marks `message` for extraction; it is translated where it is shown (`_(message)`)."""
    return message


def current_language() -> str:
    return (_SPEAKING.get() or ENGLISH_ONLY).language


def languages() -> tuple[str, ...]:
    """The languages the engine has a catalog for, English first."""
    found = sorted(path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (ENGLISH, *found)


def language_for(requested: str | None = None) -> str:
    """The language of a run: `requested` (a code such as "ko", "ko_KR", "ko-KR.UTF-8"), else
    the locale as gettext reads it (LANGUAGE, LC_ALL, LC_MESSAGES, LANG); whatever has no
    catalog is English."""
    asked = [requested.replace("-", "_")] if requested else None
    found = gettext.find(DOMAIN, str(LOCALE_DIR), languages=asked)
    return Path(found).parent.parent.name if found else ENGLISH


def course_locales(folders: Iterable[Path]) -> tuple[Path, ...]:
    """The catalog folders of a course's folders (`<folder>/locale`), those that exist, in order."""
    return tuple(folder / COURSE_LOCALE for folder in folders if (folder / COURSE_LOCALE).is_dir())


def catalog_files(folders: Iterable[Path]) -> dict[str, bytes]:
    """A course's compiled catalogs as files to ship with it (a student kit, a Gradescope bundle):
    {"locale/<lang>/LC_MESSAGES/course.mo": bytes}, each language's from the first folder that has it."""
    files: dict[str, bytes] = {}
    for locale in course_locales(folders):
        for catalog in sorted(locale.glob(f"*/LC_MESSAGES/{COURSE_DOMAIN}.mo")):
            files.setdefault(f"{COURSE_LOCALE}/{catalog.relative_to(locale).as_posix()}", catalog.read_bytes())
    return files


@functools.lru_cache(maxsize=16)
def translations(language: str, course_locales: tuple[Path, ...] = ()) -> gettext.NullTranslations:
    """The catalogs of `language`: each course catalog in order, then the engine's."""
    chain = [gettext.translation(COURSE_DOMAIN, str(folder), languages=[language], fallback=True)
             for folder in course_locales]
    chain.append(gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[language], fallback=True))
    first = chain[0]
    for later in chain[1:]:
        first.add_fallback(later)
    return first


@contextmanager
def speaking(language: str, course_folders: Iterable[Path] = ()) -> Iterator[Speaking]:
    """Within it, `_` translates into `language`, with the course's catalogs first."""
    chosen = Speaking(language, translations(language, course_locales(course_folders)))
    token = _SPEAKING.set(chosen)
    try:
        yield chosen
    finally:
        _SPEAKING.reset(token)
