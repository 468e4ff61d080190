"""Put translations into a catalog: `python tools/fill_catalog.py PO TRANSLATIONS.json`.

TRANSLATIONS.json is {"English message": "translation"}; each message of PO (a `.po` made by
`pybabel init` or `pybabel update`) found there gets that translation, unfuzzied. Messages it
does not name keep theirs; those still empty are listed. Then `pybabel compile` (see
docs/translating.md). A translator's convenience: editing the `.po` by hand does the same.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def fill(po: Path, translations: dict[str, str]) -> list[str]:
    """Write `translations` into `po`; the messages still untranslated."""
    with open(po, "rb") as file:
        catalog = read_po(file)
    for message in catalog:
        if message.id in translations:
            message.string = translations[message.id]
            message.flags.discard("fuzzy")
    with open(po, "wb") as file:
        write_po(file, catalog, no_location=True, sort_output=True)
    return [m.id for m in catalog if m.id and not m.string]


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.splitlines()[0])
    left = fill(Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")))
    print("\n".join(f"untranslated: {message}" for message in left) or "every message is translated")
