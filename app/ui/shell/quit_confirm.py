"""Quitting from the window or the tray while work is under way asks first.

A quit cancels the file queue, and what a running job has heard so far is not
saved; transcripts that could not be saved as files (a full disk) or were
cancelled part way live only in the Files tab; a dictation not yet saved stops,
and its recording is kept for the next start to offer. So the user is asked,
with "Keep running" the default; ``saytype quit`` from a script and the end of
the desktop session do not ask.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from app.ui.shell.questions import ask


def confirm_quit(
    window: QWidget,
    files_left: int,
    quit_app: Callable[[], None],
    *,
    dictating: bool = False,
    unsaved: int = 0,
    unsaved_dictations: int = 0,
) -> QMessageBox | None:
    """Quit now when nothing is under way; else ask, without blocking, and quit if told to.

    Returns:
        The question on screen (None when the app quit at once).
    """
    if files_left == 0 and not dictating and unsaved == 0 and unsaved_dictations == 0:
        quit_app()
        return None

    if not window.isVisible():  # closed with no tray to hide in: it stays while asked
        window.show()  # (gone behind the question, it looked as if Saytype had quit)
    return ask(
        window,
        "Quit Saytype?",
        _what_stops(files_left, dictating=dictating, unsaved=unsaved)
        + _dictations_kept_in_memory(
            unsaved_dictations, first=not (files_left or dictating or unsaved)
        ),
        "&Quit",
        "&Keep running",
        quit_app,
    )


def _what_stops(files_left: int, *, dictating: bool, unsaved: int) -> str:
    sentences = []
    if dictating:
        sentences.append(
            "A dictation is under way. Quitting stops it before its text is saved; its "
            "recording is kept, and Saytype offers to transcribe it at the next start."
        )
    if files_left:
        files, them = (
            ("1 file is", "it") if files_left == 1 else (f"{files_left} files are", "them")
        )
        sentences.append(
            f"{files} still being transcribed. Quitting stops {them}; Saytype offers {them} "
            "again at the next start."
        )
    if unsaved:
        transcripts, them = (
            ("1 transcript is", "it") if unsaved == 1 else (f"{unsaved} transcripts are", "them")
        )
        sentences.append(
            f"{transcripts} not saved in any file, and quitting loses {them}: in the Files tab, "
            "select one and press Enter to export it."
        )
    return " ".join(sentences)


def _dictations_kept_in_memory(count: int, *, first: bool) -> str:
    if not count:
        return ""
    dictations, them = ("1 dictation", "it") if count == 1 else (f"{count} dictations", "them")
    return ("" if first else " ") + (
        f"{dictations} could not be saved in the history yet, and quitting loses {them}: "
        f"let Saytype save {them} first (free some disk space if the disk is full)."
    )
