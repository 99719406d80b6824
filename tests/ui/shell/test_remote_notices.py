"""A server's failure notice goes once a server hears a dictation again."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.core.engine.remote.dictation_engine import FELL_BACK
from app.core.output.history import HistoryEntry
from app.ui.dictation.live_view import NoticeBar
from app.ui.shell.remote_notices import RemoteNotices

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

DOWN = "Cannot connect to http://127.0.0.1:47811/v1: connection refused" + FELL_BACK
GPU = "The GPU failed; the CPU took over."


def entry(model: str) -> HistoryEntry:
    return HistoryEntry(1, 0.0, "text", 1.0, model, None, None)


def test_the_fallback_notice_goes_when_a_server_hears_the_next_dictation(qtbot: QtBot) -> None:
    bar = NoticeBar()
    qtbot.addWidget(bar)
    notices = RemoteNotices(bar)
    notices.show(DOWN)
    notices.show(GPU)
    notices.dictation_saved(entry("tiny.en"))  # still local: the server may still be down
    assert bar.messages == [DOWN, GPU]
    notices.dictation_saved(entry("whisper-1 on wy (server)"))
    assert bar.messages == [GPU]  # not a server's notice: it stays
