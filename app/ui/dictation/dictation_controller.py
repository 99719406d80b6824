"""Runs dictations: hotkey/tray/window requests → worker → history → delivery.

Requests (start, stop, toggle, cancel) come from a hotkey, the tray, the window or the
control socket, in any order; each asks the :class:`DictationSession` first. The final
text is in history *before* it is delivered, so a crash or a focus change never loses a
dictation. Each has the profile of the window focused at its start; ``final_delivery`` last."""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.dictation_session import DictationSession, DictationState, StateChange
from app.core.engine.dictation_job import Decoding
from app.core.engine.pause_gate import GateHold, PauseGate
from app.core.hotkeys.key_commands import key_delay_s
from app.core.output.history import NOT_DELIVERED, HistoryEntry, HistoryStore
from app.core.profiles.profile import DEFAULT_PROFILE, DictationProfile
from app.core.settings import Settings
from app.core.text.streaming import TextEdit
from app.ui.dictation.dictation_history import DictationHistory
from app.ui.dictation.dictation_run import HELD_SOURCES, DictationRequest, DictationRun
from app.ui.dictation.final_delivery import FinalDelivery
from app.ui.dictation.inference_worker import InferenceWorker
from app.ui.dictation.journal_writer import KEPT_FOR_RECOVERY, DictationJournal
from app.ui.dictation.mic_notices import silent_input, tell_microphone_warnings
from app.ui.dictation.microphone import Microphone, OpenResult, mic_failure_notice
from app.ui.dictation.profile_chooser import ProfileChooser

log = logging.getLogger(__name__)


class DictationController(QObject):
    """Owns the session; wires the microphone, worker, history and delivery together.

    Args:
        delivery: a DeliveryService (or a fake with its methods and signals).
        history: the store, or None when it could not be opened (texts then go to the clipboard).
        own_window_active: whether Saytype's own window has the focus (texts are kept there).
        profiles: chooses each dictation's profile; without it, the settings alone apply.
    """

    state_changed = Signal(str)  # DictationState value
    live_text = Signal(str, str)  # committed, partial
    final_text = Signal(str)
    notice = Signal(str, str)  # level: info | warning | error, message
    notice_withdrawn = Signal(str)  # a notice that no longer holds
    history_added = Signal(object)  # HistoryEntry
    history_updated = Signal(object)  # HistoryEntry, marked NOT_DELIVERED: never typed
    profile_chosen = Signal(str)  # the name of the profile the dictation under way uses
    text_out = Signal()  # the final's keys went out (a paste's clipboard is still lent)
    completed = Signal(str, str)  # where the text went (typed, clipboard, none…), who started it

    def __init__(  # noqa: PLR0917 - the composition root passes each part
        self,
        worker: InferenceWorker,
        microphone: Microphone,
        delivery: Any,
        history: HistoryStore | None,
        settings: Settings,
        model_name: str,
        own_window_active: Any = None,
        gate: PauseGate | None = None,
        profiles: ProfileChooser | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = DictationSession(on_change=self._on_state_change)
        self._worker = worker
        self._mic = microphone
        self._delivery = delivery
        self.settings = settings
        self.model_name = model_name
        self._own_window_active = own_window_active or (lambda: False)
        self._gate_hold = GateHold(gate) if gate is not None else None
        self._profiles = profiles
        self._keys_held = False  # the hotkey's keys are down: typing now would make shortcuts
        self._current: DictationRun | None = None
        self._next: DictationRequest | None = None  # to begin once the last one is done
        self.last_text = ""
        self.journal = DictationJournal(parent=self)  # the crash journal of the dictation
        self.journal.failed.connect(lambda message: self.notice.emit("warning", message))
        self.history = DictationHistory(
            history, self.journal, microphone.ring, self, self.notice.emit, self.history_added.emit
        )
        self.history.follow_deliveries(delivery, self.history_updated.emit)
        self.final_delivery = FinalDelivery(
            delivery,
            self._own_window_active,
            self.notice.emit,
            delivered=self._mark_delivered,
            finished=self._finish_delivery,
            failed=self._delivery_failed,
            under_way=lambda: self._current,
            text_out=self.text_out.emit,
        )
        worker.partial.connect(self._on_partial)
        worker.committed.connect(self._on_committed)
        worker.final.connect(self._on_final)
        worker.failed.connect(self._on_failed)
        microphone.failed.connect(self._on_mic_failed)
        tell_microphone_warnings(microphone, self)
        self.apply_settings(settings)

    # Requests ------------------------------------------------------------------

    def apply_settings(self, settings: Settings) -> None:
        """Use new settings from the next dictation on."""
        self.settings = settings
        self._delivery.set_options(settings.delivery, settings.paste_restore_delay_ms)

    def toggle(self, source: str = "window") -> None:
        """Finish when listening; else start (after the last dictation, if it still finishes)."""
        if self.listening:
            self.stop()
        else:
            self.start(source=source)

    @property
    def listening(self) -> bool:
        """Whether a hotkey press now would finish a dictation (one listens, or waits to)."""
        waiting = self._next is not None and self._next.end is None
        return self.session.state is DictationState.LISTENING or waiting

    def start(
        self,
        output: str | None = None,
        source: str = "window",
        on_mic: OpenResult | None = None,
        since: float | None = None,
    ) -> bool:
        """Start listening, with the pre-roll before now (or before ``since``, when a key went
        down); False when busy. While the last dictation finishes, the new one begins after it.
        A microphone that cannot open fails it, with a notice; ``on_mic`` is told the reason,
        or None once the microphone records for it."""
        pre_roll_s = self.settings.pre_roll_ms / 1000 + key_delay_s(since)
        request = DictationRequest(self._mic.start_position(pre_roll_s), output, source)
        if self.session.active:
            current = self._current
            if self.listening or self._next is not None or current is None:
                return False
            request.start = max(request.start, current.end or 0)
            if not self.settings.keep_mic_open:
                self._mic.open()  # after its queued close: the words said now are recorded
            self._next = request
            log.info("the next dictation starts once the last one is delivered")
            if on_mic is not None:
                on_mic(None)  # its audio is being recorded already
            return True
        # Starts now, at the press's ring position; fails if the microphone cannot open.
        request.on_mic = on_mic
        return self._begin(request)

    def _begin(self, request: DictationRequest) -> bool:
        decoding = Decoding(pending=True)  # the profile's language and words, once known
        start = request.start
        job_id = self._worker.start(start, decoding)
        output = request.output or self.settings.output
        self._current = current = DictationRun(
            job_id, start, output=output, source=request.source, decoding=decoding
        )
        current.live = self.final_delivery.live_typist(current, held=self._keys_held)
        self.journal.begin(
            self._mic.ring, start, model=self.model_name, pause_history=self.settings.pause_history
        )
        self.session.start(job_id)
        self._mic.open(on_result=partial(self._mic_opened, current, request.on_mic))
        self.live_text.emit("", "")
        if self._profiles is not None:
            self._profiles.choose(self.settings, partial(self._profile_chosen, current))
        else:
            self._profile_chosen(current, DictationProfile(DEFAULT_PROFILE, self.settings))
        return True

    def _profile_chosen(self, current: DictationRun, profile: DictationProfile) -> None:
        """The profile of ``current`` is known (moments after the press; words wait for it)."""
        if self._current is not current:
            return  # cancelled meanwhile
        waiting = current.use_profile(profile)
        self.profile_chosen.emit(profile.name)
        for kind, text in waiting:  # words that came first: shaped as the profile says
            (self._on_committed if kind == "commit" else self._on_final)(current.job_id, text)

    def stop(self, end: int | None = None) -> None:
        """Release: decode the rest and deliver the final text (``end``: where it ends)."""
        if self._next is not None and self._next.end is None:
            self._next.end = self._mic.release_position()  # it ends before it begins
            return
        current = self._current
        if current is None or not self.session.finish():
            return
        # Keys down here are a tap's second press, or a hold the microphone cut short.
        tapped = self._keys_held and not current.cut_short
        current.held_to_talk = current.source in HELD_SOURCES and not tapped
        # Not the ring's position: the microphone's last words are still on their way.
        current.end = self._mic.release_position() if end is None else end
        if current.live is not None:
            current.live.hold_for_final()
        self.journal.end_at(current.end)
        self._worker.finish(current.job_id, current.end)
        if not self.settings.keep_mic_open:
            self._mic.close(after=current.end)

    def escape(self) -> None:
        """The hotkey's Esc: cancel, but a released dictation none of whose words went out (held
        commits wait) is kept, not typed: one Esc must not lose what was said."""
        if not self.final_delivery.withhold(self._current, self.session.state.value):
            self.cancel()  # typed as spoken: those words stay; a request not out is copied

    def cancel(self, *, keep_recording: bool = False) -> None:
        """Drop the dictation (one waiting to begin first): nothing more goes out. Words typed
        as spoken stay, in history too; ``keep_recording`` (a quit) keeps the journal."""
        if self._next is not None:
            self._next = None
            self.state_changed.emit(self.session.state.value)  # the hotkey: nothing listens
            return
        job_id = self.session.cancel()
        if job_id is None:
            return
        self._worker.cancel(job_id)
        self.journal.abandon() if keep_recording else self.journal.discard()
        dropped = self._delivery.cancel_pending()
        current, self._current = self._current, None
        self.history.keep_cancelled(
            current, self.settings, self.model_name, dropped, keep_heard=not keep_recording
        )
        self.final_delivery.cancelled(current, dropped)
        self.live_text.emit("", "")
        if not self.settings.keep_mic_open:
            self._mic.close()

    def set_hotkey_held(self, held: bool) -> None:
        """The hotkey's keys went down or up; typing (and the last text) waits for them."""
        self._keys_held = held
        (self._delivery.hotkey_held.set if held else self._delivery.hotkey_held.clear)()
        current = self._current
        if current is not None and current.live is not None:
            current.live.set_held(held)

    def dismiss_error(self) -> None:  # the user has seen the error
        self.session.dismiss_error()

    def copy_last(self) -> bool:
        """Put the last final text on the clipboard; False when there is none."""
        if self.last_text:
            self._delivery.copy_to_clipboard(self.last_text)
        return bool(self.last_text)

    @property
    def elapsed_s(self) -> float:
        """Seconds since the current dictation started (0 when idle)."""
        current = self._current
        if not self.session.active or current is None:
            return 0.0
        return time.monotonic() - current.started_at

    # Worker events (GUI thread; the worker already dropped stale jobs) ------------

    def _run_of(self, job_id: int) -> DictationRun | None:
        """The dictation under way when ``job_id`` is its job, else None."""
        current = self._current
        return current if current is not None and current.job_id == job_id else None

    def _on_partial(self, job_id: int, text: str) -> None:
        current = self._run_of(job_id)
        if current is not None:
            update = current.shaping.partial(text)
            self.live_text.emit(update.shown, update.pending)

    def _on_committed(self, job_id: int, text: str) -> None:
        current = self._run_of(job_id)
        if current is None:
            return
        if current.profile is None:
            current.waiting.append(("commit", text))
            return
        update = current.shaping.commit(text)
        self.live_text.emit(update.shown, update.pending)
        if self._keys_held and self.final_delivery.types_as_spoken(current, self.settings):
            log.info("type-as-I-speak: settled words wait for the hotkey's release")
        self.final_delivery.type_settled(current, update.edit, self.settings)

    def _on_final(self, job_id: int, text: str) -> None:
        current = self._current
        if current is not None and current.job_id == job_id and current.profile is None:
            current.waiting.append(("final", text))  # shaped once its profile is known
            return
        if current is None or not self.session.final_received(job_id):
            return
        if current.end is not None:  # the tail that was on its way at the release is in now
            self.journal.end_at(current.end)
        live = current.live
        replaced = live is not None and live.replaceable and bool(text.strip())
        if live is not None and replaced:
            # Hold-to-talk kept every commit back: the final, heard with beam search over
            # the whole end of the utterance, is typed instead, as the history keeps it.
            live.withdraw()
        typed_live = live is not None and live.used and not replaced
        update = current.shaping.final(text, typed_live=typed_live)
        text = update.shown  # typed live: what the focused app shows once the queue is out
        self.live_text.emit(text, "")
        self.final_text.emit(text)
        if not text:
            self.journal.discard()
            silent = silent_input(self._mic, current.start, current.end)
            self.final_delivery.nothing_to_deliver(current, update.edit, typed_live, silent)
            return
        self.last_text = text
        then = partial(self._saved, current, text, update.edit, typed_live or replaced)
        current.final_saving = True
        heard_by = self.history.heard_by(self.model_name)  # a server's, when it was
        self.history.save(current, text, self.settings, heard_by, then)

    def _saved(
        self,
        current: DictationRun,
        text: str,
        edit: TextEdit,
        typed_live: bool,
        entry: HistoryEntry | None,
    ) -> None:
        """The history has the text (or could not keep it): now it may be delivered."""
        if self._current is not current:  # cancelled while it was being saved
            self.history.saved_after_cancel(current, entry)
            return
        current.entry = entry
        self.journal.discard()  # saved (a kept recording was moved out of it first)
        self.final_delivery.deliver(current, text, edit, self.settings, typed_live=typed_live)

    def _on_failed(self, job_id: int, message: str) -> None:
        current = self._run_of(job_id)
        if current is not None and self.session.fail(job_id, message):
            if current.live is not None:
                current.live.release_held()  # no final will replace what the commits settled
            self._current = None
            kept = self.journal.abandon()  # offered for recovery at the next start
            said = f"Dictation failed: {message.rstrip('.')}."
            self.notice.emit("error", f"{said} {KEPT_FOR_RECOVERY}" if kept else said)

    def _mic_opened(self, run: DictationRun, tell: OpenResult | None, error: str | None) -> None:
        """The microphone lane opened the stream for ``run`` (or could not); ``tell`` hears it."""
        try:
            if error is not None:
                if self._current is run and self.session.fail(run.job_id, error):
                    self._current = None
                    self._worker.cancel(run.job_id)
                    self.journal.discard()
                self.notice.emit("error", error)
        finally:  # a `saytype start` waits for this answer
            if tell is not None:
                tell(error)

    def _on_mic_failed(self, message: str) -> None:
        # What was heard before the failure is still transcribed and delivered.
        current, listening = self._current, self.session.state is DictationState.LISTENING
        heard = listening and current is not None and self._mic.ring.position > current.start
        said = mic_failure_notice(message, words_kept=heard) if listening else message
        self.notice.emit("error", said)  # idle (a reopen): start-up's sentence, one notice
        if listening and current is not None:  # cut off mid-sentence: no Enter after it
            current.cut_short = True
            self.stop()

    def _mark_delivered(self, current: DictationRun, how: str) -> None:
        self.history.mark_delivered(current, how)
        if current.unsaved:  # after the paste, which restores the clipboard it borrowed
            self._delivery.copy_to_clipboard(self.last_text)
        self._finish_delivery(how)

    def _delivery_failed(self, message: str) -> None:
        if self._current is not None:  # the History tab marks it, to be pasted from there
            self.history.mark_delivered(self._current, NOT_DELIVERED, self.history.updated)
        self._current = None
        self.session.fail(None, message)

    def _finish_delivery(self, where: str) -> None:
        current, self._current = self._current, None
        self.session.delivered()
        if current is not None and current.output == "withheld":  # Esc: History marks it
            self.history.mark_delivered(current, NOT_DELIVERED, self.history.updated)
        if current is not None:
            self.completed.emit(where, current.source)

    def _on_state_change(self, change: StateChange) -> None:
        if self._gate_hold is not None:  # file jobs wait at their next segment
            self._gate_hold.set(self.session.hearing)  # the new state is the session's now
        self.state_changed.emit(change.new.value)
        if change.new in {DictationState.IDLE, DictationState.ERROR} and self._next is not None:
            QTimer.singleShot(0, self._begin_next)  # once this change has been told

    def _begin_next(self) -> None:
        after, self._next = self._next, None
        if after is None or self.session.active:
            return
        self._begin(after)
        if after.end is not None:
            self.stop(after.end)
