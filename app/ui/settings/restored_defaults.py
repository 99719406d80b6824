"""What Restore Defaults changed, in one sentence under the pages.

It resets every page at once while showing only one, and a user could not tell
what had changed before pressing OK (a new user, stop 51).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from app.core.settings import SettingField, Settings


def settings_or_none(read: Callable[[], Settings]) -> Settings | None:
    """The form's settings, or None while it holds a value that is not allowed."""
    try:
        return read()
    except ValueError:
        return None


def restored_summary(
    before: Settings | None, now: Settings | None, fields: Mapping[str, SettingField]
) -> str:
    """The sentence for the dialog; ``before`` is None when the form held a bad value."""
    if now is None:  # a default the form cannot show here (no model offered): say nothing
        return ""
    if before is None:
        return "Every setting shows its default again. Nothing is saved until OK."
    changed = [
        setting.label
        for name, setting in fields.items()
        if name != "schema_version" and getattr(before, name) != getattr(now, name)
    ]
    if not changed:
        return "Every setting was at its default already."
    count = "1 setting" if len(changed) == 1 else f"{len(changed)} settings"
    return (
        f"Restore Defaults changed {count}: {', '.join(changed)}. Nothing is saved until OK; "
        "Cancel keeps what you had."
    )
