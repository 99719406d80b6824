"""The checks of the settings whose values have rules of their own beyond type and range.

A hotkey must be a chord written the one canonical way, and not one other apps
answer to (a grab of Ctrl+C would stop copying everywhere), a language a code, a
list of words or pairs non-empty texts. :class:`app.core.settings.SettingField` asks
here after its type and range checks, so the loader, the dialog and the profiles all
refuse the same values. The transcripts' folder is checked on disk by the dialog only.
"""

from __future__ import annotations

from pathlib import Path

from app.core.engine.model_registry import model_name_problem
from app.core.hotkeys.chord import canonical_chord, everyday_shortcut_problem
from app.core.text.snippets import snippets_problem

# faster-whisper's language codes (``faster_whisper.tokenizer._LANGUAGE_CODES``), copied so that
# checking a setting never imports faster_whisper; a test keeps the two equal.
WHISPER_LANGUAGES = frozenset(
    {
        "af",
        "am",
        "ar",
        "as",
        "az",
        "ba",
        "be",
        "bg",
        "bn",
        "bo",
        "br",
        "bs",
        "ca",
        "cs",
        "cy",
        "da",
        "de",
        "el",
        "en",
        "es",
        "et",
        "eu",
        "fa",
        "fi",
        "fo",
        "fr",
        "gl",
        "gu",
        "ha",
        "haw",
        "he",
        "hi",
        "hr",
        "ht",
        "hu",
        "hy",
        "id",
        "is",
        "it",
        "ja",
        "jw",
        "ka",
        "kk",
        "km",
        "kn",
        "ko",
        "la",
        "lb",
        "ln",
        "lo",
        "lt",
        "lv",
        "mg",
        "mi",
        "mk",
        "ml",
        "mn",
        "mr",
        "ms",
        "mt",
        "my",
        "ne",
        "nl",
        "nn",
        "no",
        "oc",
        "pa",
        "pl",
        "ps",
        "pt",
        "ro",
        "ru",
        "sa",
        "sd",
        "si",
        "sk",
        "sl",
        "sn",
        "so",
        "sq",
        "sr",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "tg",
        "th",
        "tk",
        "tl",
        "tr",
        "tt",
        "uk",
        "ur",
        "uz",
        "vi",
        "yi",
        "yo",
        "zh",
        "yue",
    }
)


# What a person writing settings.json or profiles.json calls each kind of value.
_JSON_KINDS = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "text",
    tuple: "a list",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


def json_kind(value_type: type) -> str:
    """The JSON name of ``value_type`` for a message ("a list", not "tuple")."""
    return _JSON_KINDS.get(value_type, value_type.__name__)


def special_problem(name: str, value: object) -> str | None:
    """Why ``value`` is not allowed for setting ``name`` beyond its type and range, or None."""
    if name == "hotkey":
        try:
            canonical = canonical_chord(str(value))
        except ValueError as exc:
            return str(exc)
        if canonical != value:
            return f"write it as {canonical!r}"
        return everyday_shortcut_problem(canonical)
    if name == "model":
        return model_name_problem(str(value))
    if name == "language" and value and value not in WHISPER_LANGUAGES:
        return f"{value!r} is not a language Whisper knows (write its code, such as en, de or fr)"
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
    return None


def export_folder_problem(folder: str) -> str | None:
    """Why ``folder`` cannot hold transcripts (it is a file), or None.

    Asked by the settings dialog when the folder is chosen, not by :func:`special_problem`:
    a folder that later becomes a file, or sits on a disk that is gone, must not make
    loading or changing the other settings fail (saving a transcript then says why).
    """
    try:
        is_file = bool(folder) and Path(folder).expanduser().is_file()
    except OSError:  # unreadable (another user's disk): the save says so if it matters
        return None
    return f"{folder} is a file: choose a folder to save transcripts in" if is_file else None
