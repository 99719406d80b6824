"""A dictation's trip through the history: saved before delivery, then where it went.

The controller hands each final here before it is typed; the write runs on the
history's own lane (:func:`run_in_background`), never on the GUI thread, and
the answer comes back to the controller there. When no history could be opened,
or the write fails, the dictation is marked ``unsaved`` so the controller puts
the text on the clipboard after delivering it.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QTimer

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.ring_buffer import RingBuffer
from app.core.output.history import CANCELLED, NOT_DELIVERED, HistoryEntry, HistoryStore
from app.core.settings import Settings
from app.ui.dictation.dictation_run import DictationRun, keep_audio_as, save_dictation
from app.ui.dictation.journal_writer import DictationJournal
from app.ui.shell.background import run_in_background

log = logging.getLogger(__name__)

_RETRY_MS = 30_000
MESSAGE_KEPT_TO_SAVE = (
    "The text was copied to the clipboard, and Saytype keeps it to save in history as soon as "
    "the history can be written again."
)
MESSAGE_HEARD_KEPT = (
    "Dictation cancelled: nothing was typed. The words heard until then are in History."
)
MESSAGE_SAVED_AT_LAST = "The dictation history could be written again: every dictation is saved."


class DictationHistory:
    """Saves the controller's dictations in the history store.

    Args:
        history: the store, or None when it could not be opened.
        journal: the crash journal, which becomes the kept recording when asked.
        ring: the microphone's ring (the fallback source of a kept recording).
        receiver: the QObject the answers are for (they are dropped once it is gone).
        notice: called with a level and a sentence for the user.
        added: called with each entry once it is saved.
    """

    def __init__(  # noqa: PLR0917 - the controller passes each part
        self,
        history: HistoryStore | None,
        journal: DictationJournal,
        ring: RingBuffer,
        receiver: QObject,
        notice: Callable[[str, str], object],
        added: Callable[[HistoryEntry], object],
    ) -> None:
        self._history = history
        self._journal = journal
        self._ring = ring
        self._receiver = receiver
        self._notice = notice
        self._added = added
        self.updated: Callable[[HistoryEntry], object] = lambda _entry: None  # marked entries
        # Who heard a final, from the model's name: the dictation engine's, where a server may
        self.heard_by: Callable[[str], str] = lambda model: model
        self._awaiting: dict[int, DictationRun] = {}  # cancelled texts still being delivered
        # Texts a failed write left in memory only, oldest first: tried again before the
        # next dictation's and every half minute, so room made later saves them.
        self._unsaved: list[Callable[[], HistoryEntry]] = []
        self._retrying = False
        self._retry_timer = QTimer(receiver)
        self._retry_timer.setInterval(_RETRY_MS)
        self._retry_timer.timeout.connect(self.retry_unsaved)

    def save(
        self,
        current: DictationRun,
        text: str,
        settings: Settings,
        model_name: str,
        then: Callable[[HistoryEntry | None], None] = lambda _entry: None,
        *,
        delivered_to: str | None = None,
    ) -> None:
        """Write the text to history off the GUI thread, then call ``then(entry)`` on it.

        ``then`` gets None when there is no history, it is paused, or the write failed;
        ``delivered_to`` marks a text that will not be delivered in the same write.
        A cancelled dictation's words typed as they were spoken are saved this way too:
        they are in the user's app, so they belong in history.
        """
        history = self._history
        if history is None and not settings.pause_history:
            current.unsaved = True  # no history could be opened at start-up
        if history is None or settings.pause_history:
            then(None)  # paused: no entry and no recording are written
            return
        end = current.end if current.end is not None else self._ring.position
        kept = keep_audio_as(current, self._journal, self._ring, settings.keep_audio)

        def saved(outcome: tuple[HistoryEntry, str | None]) -> None:
            entry, problem = outcome
            if problem:
                self._notice("warning", problem)
            self._added(entry)
            then(entry)

        def failed(exc: BaseException) -> None:
            current.unsaved = True
            log.warning("the dictation is kept in memory: %s", exc)
            self._notice("warning", f"{exc} {MESSAGE_KEPT_TO_SAVE}")
            self._unsaved.append(
                partial(
                    history.add,
                    text,
                    duration_s,
                    model_name,
                    profile=current.profile.name if current.profile is not None else None,
                    created_at=time.time(),
                    delivered_to=delivered_to,
                )
            )
            self._retry_timer.start()
            then(None)

        self.retry_unsaved()  # first: they were said before this one
        duration_s = (end - current.start) / SAMPLE_RATE
        run_in_background(
            partial(
                save_dictation,
                *(history, current, text, end, model_name),
                kept=kept,
                delivered_to=delivered_to,
            ),
            saved,
            failed,
            lane=history.writes,
            receiver=self._receiver,
        )

    def retry_unsaved(self) -> None:
        """Try again to save the dictations the history could not take (a full disk)."""
        if not self._unsaved or self._retrying or self._history is None:
            return
        self._retrying = True
        write = self._unsaved[0]

        def saved(entry: HistoryEntry) -> None:
            self._retrying = False
            self._unsaved.pop(0)
            self._added(entry)
            if self._unsaved:
                self.retry_unsaved()
                return
            self._retry_timer.stop()
            self._notice("info", MESSAGE_SAVED_AT_LAST)

        def failed(exc: BaseException) -> None:
            self._retrying = False
            log.info("the unsaved dictations still cannot be saved: %s", exc)

        run_in_background(write, saved, failed, lane=self._history.writes, receiver=self._receiver)

    @property
    def unsaved_count(self) -> int:
        """Dictations kept in memory only, until the history can take them."""
        return len(self._unsaved)

    def mark_delivered(
        self,
        current: DictationRun,
        how: str,
        then: Callable[[HistoryEntry], object] = lambda _entry: None,
    ) -> None:
        """Record where the text of ``current`` went (when it has an entry); ``then`` gets
        the entry as it is now, once written."""
        if current.entry is not None and self._history is not None:
            record_delivery(self._history, current.entry, how, then, self._receiver)

    def keep_cancelled(
        self,
        current: DictationRun | None,
        settings: Settings,
        model_name: str,
        dropped: list[int],
        *,
        keep_heard: bool = True,
    ) -> None:
        """History after ``current`` was cancelled before its text was all in.

        A final already in history is marked where it went: the delivery service's
        answer to a request under way decides (one already typing finishes; one
        waiting for keys held fails), a request ``dropped`` from the queue or words
        left to type as spoken never arrive. :meth:`saved_after_cancel` marks a final
        whose write was still on its way. Without a final, the words typed as they
        were spoken are kept; when none went out, the words heard so far are kept
        (``keep_heard``; not at a quit, whose recording is recovered), marked cancelled:
        an Esc pressed by mistake in a long dictation must not lose it.
        """
        if current is None:
            return
        typed = current.live.typed.strip() if current.live is not None else ""
        waiting = current.live.waiting.rstrip() if current.live is not None else ""
        if typed and current.live is not None:
            self._notice("info", current.live.cancelled_notice())
        if not current.final_saving:
            if typed and waiting.strip():  # lines that waited for the final: kept, not lost
                self.save(current, typed + waiting, settings, model_name, delivered_to=CANCELLED)
            elif typed:
                self.save(current, typed, settings, model_name)
            elif keep_heard and current.shaping.heard and not settings.pause_history:
                heard = current.shaping.heard
                self.save(
                    current, heard, settings, model_name, self._cancelled, delivered_to=CANCELLED
                )
            return
        if current.entry is None or current.output != "focused_app":
            return
        if current.how:  # the text went in, the keys after it did not
            self.mark_delivered(current, current.how, self.updated)
        elif current.delivery_id is not None and current.delivery_id not in dropped:
            self._awaiting[current.delivery_id] = current  # the service answers for it
        else:
            self.mark_delivered(current, NOT_DELIVERED, self.updated)

    def _cancelled(self, entry: HistoryEntry | None) -> None:
        if entry is not None:
            self._notice("info", MESSAGE_HEARD_KEPT)

    def follow_deliveries(self, delivery: Any, updated: Callable[[HistoryEntry], object]) -> None:
        """Mark cancelled texts by ``delivery``'s answers; ``updated`` gets each marked entry."""
        self.updated = updated
        delivery.delivered.connect(self._answered)
        delivery.failed.connect(lambda request_id, _message: self._answered(request_id, None))

    def _answered(self, request_id: int, how: str | None) -> None:
        """The delivery service's answer for a cancelled dictation's text (None: it failed)."""
        current = self._awaiting.pop(request_id, None)
        if current is not None:
            self.mark_delivered(current, how or NOT_DELIVERED, self.updated)

    def saved_after_cancel(self, current: DictationRun, entry: HistoryEntry | None) -> None:
        """The final's write of a dictation cancelled meanwhile came back: never typed."""
        if entry is not None and current.output == "focused_app":
            current.entry = entry
            self.mark_delivered(current, NOT_DELIVERED, self.updated)


def record_delivery(
    history: HistoryStore,
    entry: HistoryEntry,
    how: str,
    then: Callable[[HistoryEntry], object],
    receiver: QObject,
) -> None:
    """Record where ``entry``'s text went, on the history's lane; ``then`` (GUI thread) gets
    the entry as it is now, once written."""
    run_in_background(
        partial(history.mark_delivered, entry.id, how),
        lambda _none: then(dataclasses.replace(entry, delivered_to=how)),
        lambda exc: log.warning("could not mark delivery in history: %s", exc),
        lane=history.writes,
        receiver=receiver,
    )
