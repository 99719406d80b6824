"""The checks of the settings whose values have rules of their own beyond type and range.

A hotkey must be a chord written the one canonical way, a language a code, a
list of words or pairs non-empty texts, the transcripts' folder not a file.
:class:`app.core.settings.SettingField` asks here after its type and range checks,
so the loader, the dialog and the profiles all refuse the same values.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.core.engine.model_registry import model_name_problem
from app.core.hotkeys.chord import canonical_chord
from app.core.text.snippets import snippets_problem

LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def special_problem(name: str, value: object) -> str | None:
    """Why ``value`` is not allowed for setting ``name`` beyond its type and range, or None."""
    if name == "hotkey":
        try:
            canonical = canonical_chord(str(value))
        except ValueError as exc:
            return str(exc)
        return None if canonical == value else f"write it as {canonical!r}"
    if name == "model":
        return model_name_problem(str(value))
    if name == "language" and value and not LANGUAGE_CODE.fullmatch(str(value)):
        return f"{value!r} is not a language code such as 'en'"
    if name == "schema_version" and isinstance(value, int) and value < 1:
        return "must be at least 1"
    if name == "vocabulary" and not all(isinstance(w, str) and w.strip() for w in value):  # type: ignore[attr-defined]
        return "each entry must be a non-empty word or name"
    if name == "replacements" and isinstance(value, tuple):
        for pair in value:
            if not (
                isinstance(pair, tuple)
                and len(pair) == 2
                and all(isinstance(part, str) and part.strip() for part in pair)
            ):
                return f"{pair!r} is not a pair of non-empty texts (heard, written)"
    if name == "snippets" and isinstance(value, tuple):
        return snippets_problem(value)
    if name == "export_folder" and value and Path(str(value)).expanduser().is_file():
        return f"{value} is a file: choose a folder to save transcripts in"
    return None
