"""Cancel all files: with more than one left, the user is asked first."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from app.ui.files.file_jobs import FileJobRunner
from app.ui.shell.questions import ask


def ask_to_cancel_all(parent: QWidget, runner: FileJobRunner) -> QMessageBox | None:
    """Cancel every job at once, or ask when several are left (one click stopped 16 files).

    Returns:
        The question on screen (None when the jobs were cancelled at once).
    """
    left = runner.jobs_left
    if left <= 1:
        runner.cancel_all()
        return None
    return ask(
        parent,
        "Cancel all files?",
        f"Stop the {left} files still to transcribe? What each has transcribed is kept.",
        "&Cancel them",
        "&Keep going",
        runner.cancel_all,
    )
