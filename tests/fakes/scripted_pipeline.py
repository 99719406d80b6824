"""A model-free stand-in for LivePipeline: each pass 'hears' one more scripted word.

Used to test the worker's threading and cancellation without inference. A pass
spends a little CPU time, as a real pass would, so cancels land mid-pass too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.core.audio.file_decoder import AudioArray
from app.core.engine.dictation_event import DictationEvent


class ScriptedTranscriber:
    """Duck-types StreamingTranscriber: partial every pass, commit every other pass."""

    def __init__(
        self, words: list[str], pass_seconds: float, final_mends: dict[str, str] | None = None
    ) -> None:
        self._words = words
        # The final hears more carefully than the passes: these words come out mended.
        self._final_words = [(final_mends or {}).get(word, word) for word in words]
        self._pass_seconds = pass_seconds
        self._heard = 0
        self._committed = 0
        self._pending_audio = 0
        self._idle = threading.Event()  # never set: used only as an interruptible pause

    def push(self, samples: AudioArray) -> None:
        self._pending_audio += len(samples)

    def pass_due(self) -> bool:
        return self._pending_audio > 0

    def running_pass_is_moot(self) -> bool:
        return self._pending_audio > 0

    def work_while_idle(self) -> bool:
        return False  # the scripted final costs nothing to make at the release

    def run_pass(self, superseded: Callable[[], bool] | None = None) -> list[DictationEvent]:
        self._pending_audio = 0
        self._idle.wait(self._pass_seconds)  # stands in for compute time, not for sync
        self._heard = min(len(self._words), self._heard + 1)
        events = []
        if self._heard % 2 == 0:
            events.append(
                # Like the real transcriber, each committed word carries its leading space.
                DictationEvent(
                    "commit",
                    "".join(" " + w for w in self._words[self._committed : self._heard - 1]),
                )
            )
            self._committed = self._heard - 1
        events.append(
            DictationEvent("partial", " ".join(self._words[self._committed : self._heard]))
        )
        return events

    def finish(self) -> DictationEvent:
        # Like the real transcriber, the final also hears audio no pass has heard yet.
        if self._pending_audio > 0:
            self._pending_audio = 0
            self._heard = min(len(self._words), self._heard + 1)
        return DictationEvent("final", " ".join(self._final_words[: self._heard]))


class ScriptedPipeline:
    """Duck-types LivePipeline for the worker."""

    def __init__(
        self,
        words: list[str],
        pass_seconds: float = 0.002,
        final_mends: dict[str, str] | None = None,
    ) -> None:
        self.words = words
        self.final_mends = final_mends
        self.pass_seconds = pass_seconds
        self.warmed = False
        # (language, vocabulary) each utterance was decoded with (None: the pipeline's own).
        self.decodings: list[tuple[str | None, tuple[str, ...] | None]] = []

    def warm_up(self) -> None:
        self.warmed = True

    def new_transcriber(  # type: ignore[override]
        self,
        cancel: object = None,
        *,
        language: str | None = None,
        vocabulary: tuple[str, ...] | None = None,
    ) -> ScriptedTranscriber:
        self.decodings.append((language, vocabulary))
        return ScriptedTranscriber(self.words, self.pass_seconds, self.final_mends)

    def take_notice(self) -> str | None:
        return None
