"""Dictation through a remote engine: local partials while speaking, the server's final.

:class:`RemoteFinal` stands where the live loop
(:func:`app.core.engine.live_dictation.run_dictation`) expects a
:class:`~app.core.engine.streaming_transcriber.StreamingTranscriber`. Partial
and committed text come from the local model as before (the issue's "partial
text while speaking comes from the local model"); at the release the utterance
goes to the server, whose answer is the final. A Wyoming server has had the
audio streamed to it while the key was held
(:mod:`app.core.engine.remote.wyoming_stream`), so its answer is ready soon
after the release; an OpenAI-compatible server gets the utterance as one WAV.

Nothing is lost when the server fails: with fallback on (the default) the
local model finishes the utterance and the caller is told in one sentence;
with it off, :class:`RemoteEngineError` reaches the caller, whose crash
journal still holds the audio. A cancel during the request aborts it, and
nothing is emitted.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Protocol

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.audio.wav_file import write_wav
from app.core.engine.cancellation import CancellationToken, Cancelled
from app.core.engine.dictation_event import DictationEvent
from app.core.engine.file_engine import FileEngine
from app.core.engine.file_transcriber import TranscribeOptions
from app.core.engine.local_agreement import looping_phrase, word_key
from app.core.engine.remote.remote_errors import RemoteEngineError
from app.core.engine.streaming_transcriber import StreamingTranscriber

log = logging.getLogger(__name__)


class RemoteUtterance(Protocol):
    """One utterance on its way to a server."""

    def push(self, samples: AudioArray) -> None:
        """More audio of the utterance (a streaming engine sends it now)."""

    def finish(self, audio: AudioArray, cancel: CancellationToken) -> str | None:
        """The server's text for the whole utterance ``audio``; None once ``cancel`` fired.

        Raises:
            RemoteEngineError: the server could not be reached, failed or timed out.
        """

    def close(self) -> None:
        """Drop the connection, if any (after :meth:`finish`, or instead of it)."""


class WholeUtterance:
    """An utterance sent as one file at the release, through any :class:`FileEngine`."""

    def __init__(self, engine: FileEngine, options: TranscribeOptions | None = None) -> None:
        self._engine = engine
        self._options = options

    def push(self, samples: AudioArray) -> None:
        """Nothing to do until the release."""

    def finish(self, audio: AudioArray, cancel: CancellationToken) -> str | None:
        """Send ``audio`` as a WAV (written owner-only, deleted after) and return the text."""
        with tempfile.TemporaryDirectory(prefix="saytype-utterance-") as folder:
            path = Path(folder) / "utterance.wav"
            write_wav(path, audio, SAMPLE_RATE)
            transcript = self._engine.transcribe_file(path, self._options, cancel=cancel)
        return transcript.text if transcript.complete else None

    def close(self) -> None:
        """Nothing is held open."""


class RemoteFinal:
    """A live transcriber whose final comes from a server, with the local model as fallback.

    Args:
        local: the local streaming transcriber (partials, commits, and the fallback final).
        remote: the utterance on its way to the server.
        cancel: the dictation's cancel token (a cancel aborts the request).
        on_fallback: told the server's failure (one sentence) when the local final is used
            instead; None turns fallback off, and the failure is raised.
    """

    def __init__(
        self,
        local: StreamingTranscriber,
        remote: RemoteUtterance,
        cancel: CancellationToken,
        on_fallback: Callable[[str], None] | None,
    ) -> None:
        self._local = local
        self._remote = remote
        self._cancel = cancel
        self._on_fallback = on_fallback
        self._chunks: list[AudioArray] = []
        self._partial = ""  # the local model's newest guess past its commits
        self.fell_back = False

    @property
    def audio_seconds(self) -> float:
        """Seconds of audio pushed so far."""
        return self._local.audio_seconds

    def push(self, samples: AudioArray) -> None:
        """Append captured audio; it goes to the local model and to the server."""
        if len(samples) == 0:
            return
        self._chunks.append(samples)
        self._local.push(samples)
        self._remote.push(samples)

    def pass_due(self) -> bool:
        """Whether the local model is due another pass (for partials)."""
        return self._local.pass_due()

    def run_pass(self, superseded: Callable[[], bool] | None = None) -> list[DictationEvent]:
        """A local pass: partial and committed text while speaking."""
        events = self._local.run_pass(superseded)
        for event in events:
            if event.kind == "commit":
                self._partial = ""  # now in the commits: never counted twice
            elif event.kind == "partial":
                self._partial = event.text
        return events

    def running_pass_is_moot(self) -> bool:
        """Once released, a local pass never gives the final: the server does."""
        return True

    def work_while_idle(self) -> bool:
        """Nothing to prepare: the server gives the final (the local one only on failure)."""
        return False

    def finish(self) -> DictationEvent:
        """The server's final for the utterance, or the local one when it failed.

        Raises:
            Cancelled: the dictation was cancelled while the server worked.
            RemoteEngineError: the server failed and fallback is off.
        """
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)
        try:
            text = self._remote.finish(audio, self._cancel)
        except RemoteEngineError as exc:
            if self._on_fallback is None:
                raise
            log.info("the remote engine failed; finishing the dictation locally")
            self.fell_back = True
            self._on_fallback(str(exc))
            return self._local.finish()
        finally:
            self._remote.close()
        if text is None or self._cancel.cancelled:
            raise Cancelled
        if not text.strip():
            return self._nothing_from_the_server(len(audio) / SAMPLE_RATE)
        if _loops(text):
            return self._checked_loop(text)
        if _stops_before(text, f"{self._local.committed_text} {self._partial}"):
            return self._checked_end(text)
        return DictationEvent("final", text)

    def _checked_end(self, text: str) -> DictationEvent:
        """The server's text ends words before what the local model heard while speaking.

        A server that stops early ("…while I") lost the rest with no notice, and with type
        as I speak nothing said after the typed words reached the app. The local final
        decides: the server failed when it too heard words after the server's last.

        Raises:
            RemoteEngineError: the local model heard more and fallback is off.
        """
        local = self._local.finish()
        if not _stops_before(text, local.text):
            return DictationEvent("final", text)
        return self._server_failed("The server's text stops before the end of what was said", local)

    def _checked_loop(self, text: str) -> DictationEvent:
        """The server's text repeats a phrase ("Thank you for watching!", three times).

        That is how Whisper fails on audio it cannot hear, and it was typed into the
        focused app. People repeat themselves too ("new line, new line, new line"), and
        the local model, which keeps one copy of a loop, then heard the phrase itself: the
        server failed only when the local model never heard the phrase it repeats.

        Raises:
            RemoteEngineError: the local model heard otherwise and fallback is off.
        """
        local = self._local.finish()
        phrase = looping_phrase(_words(text))
        heard = [word_key(word.text) for word in _words(local.text)]
        if _contains(heard, phrase):
            return DictationEvent("final", text)
        return self._server_failed(
            "The server's text repeats a phrase the local model did not hear", local
        )

    def _nothing_from_the_server(self, seconds: float) -> DictationEvent:
        """The server heard nothing: silence, or a server whose own filter dropped the words.

        The local model tells which. Taking the empty answer lost whole dictations, with
        no history entry and no recording to recover.

        Raises:
            RemoteEngineError: the local model heard words and fallback is off.
        """
        local = self._local.finish()
        if not local.text.strip():
            return DictationEvent("final", "")  # nobody heard a word: nothing was said
        failure = f"The server answered with no text for {seconds:.1f} s of speech"
        return self._server_failed(failure, local)

    def _server_failed(self, failure: str, local: DictationEvent) -> DictationEvent:
        """The server's answer is no final: the local one is, with ``failure`` told.

        Raises:
            RemoteEngineError: fallback is off (the caller keeps the recording).
        """
        if self._on_fallback is None:
            raise RemoteEngineError(failure)
        log.info("the remote engine failed this dictation (%s); the local final is used", failure)
        self.fell_back = True
        self._on_fallback(failure)
        return local

    def close(self) -> None:
        """Drop the server's connection (a cancelled dictation never reaches :meth:`finish`)."""
        self._remote.close()


@dataclass(frozen=True)
class _Word:
    text: str


def _words(text: str) -> list[_Word]:
    return [_Word(word) for word in text.split()]


def _loops(text: str) -> bool:
    """Whether ``text`` repeats a phrase back to back, by the rule the live passes use."""
    return bool(looping_phrase(_words(text)))


# Words heard past the server's last one that make its answer one that stopped early: one
# or two are a last word heard otherwise ("gonna" for "going to"), not a lost phrase.
_LOST_WORDS = 3


def _stops_before(server_text: str, heard_text: str) -> bool:
    """Whether ``heard_text`` goes on for words after the point ``server_text`` ends at."""
    server = [word_key(word.text) for word in _words(server_text)]
    heard = [word_key(word.text) for word in _words(heard_text)]
    blocks = SequenceMatcher(a=heard, b=server, autojunk=False).get_matching_blocks()
    last = next((block for block in reversed(blocks) if block.size), None)
    if last is None:
        return False  # nothing in common: another hearing, not an answer cut short
    server_done = last.b + last.size == len(server)
    return server_done and len(heard) - (last.a + last.size) >= _LOST_WORDS


def _contains(words: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return any(words[start : start + size] == phrase for start in range(len(words) - size + 1))
