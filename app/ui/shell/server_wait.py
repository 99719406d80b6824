"""A dictation finishing on a server says so in the window: a slow server is not Saytype stuck."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.engine.remote.dictation_engine import DictationEngine
    from app.ui.dictation.dictation_controller import DictationController
    from app.ui.shell.main_window import MainWindow


def show_the_server_wait(
    window: MainWindow, controller: DictationController, engine: DictationEngine
) -> None:
    """A dictation finishing on a server says so: a slow server is not Saytype stuck."""

    def on_state(state: str) -> None:
        endpoint = engine.endpoint
        if state == "finishing" and endpoint is not None:
            window.state_label.setText(f"Waiting for {endpoint.name}…")

    controller.state_changed.connect(on_state)  # after the window's own: it has the last word
