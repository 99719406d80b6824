"""A yes-or-no question (or yes, no, cancel) in a window-modal box that never blocks the loop."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget


def ask(  # noqa: PLR0917 - a question is its words and its answers
    parent: QWidget,
    title: str,
    text: str,
    yes: str,
    no: str,
    on_yes: Callable[[], object],
    *,
    on_no: Callable[[], object] | None = None,
    yes_by_default: bool = False,
    cancel: str | None = None,
    on_cancel: Callable[[], object] | None = None,
) -> QMessageBox:
    """Ask ``text``; ``on_yes`` (or ``on_no``) runs once answered. Esc answers ``no``.

    ``no`` is the default button unless ``yes_by_default``: the questions ask before
    something is lost or stopped, so a stray Enter keeps things as they are. With
    ``cancel``, a third button (and Esc, and closing the box) answers neither: only
    ``on_cancel`` runs, and the user goes back to what they were doing.
    """
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    roles = QMessageBox.ButtonRole
    no_button = box.addButton(no, roles.DestructiveRole if cancel else roles.RejectRole)
    box.setDefaultButton(yes_button if yes_by_default else no_button)
    box.setEscapeButton(box.addButton(cancel, roles.RejectRole) if cancel else no_button)

    def answered(_result: int) -> None:
        if box.clickedButton() is yes_button:
            on_yes()
        elif box.clickedButton() is no_button:
            if on_no is not None:
                on_no()
        elif on_cancel is not None:
            on_cancel()

    box.finished.connect(answered)
    box.open()
    return box
