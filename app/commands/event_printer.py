"""How ``saytype listen`` prints dictation events: JSON lines (``--jsonl``) or plain text.

The text is shaped by :class:`LiveShaping`, the same as in the window; the
printer only renders its updates, and stamps each line with the audio
fed so far and the seconds since the start, read from an :class:`AudioClock`:
the file source for ``--input``, the microphone's clock otherwise.
"""

from __future__ import annotations

import json
import shutil
import time
from typing import Protocol, TextIO

from app.commands.standard_output import write_out
from app.core.engine.dictation_event import DictationEvent
from app.core.text.live_shaping import LiveShaping
from app.core.text.shaper import TextShaper


class AudioClock(Protocol):
    """Where the printed times come from: a FileSource, or the microphone's clock."""

    @property
    def started_at(self) -> float | None:
        """``perf_counter()`` when audio started, or None before."""

    @property
    def fed_seconds(self) -> float:
        """Seconds of audio delivered so far."""


class _NothingFed:
    """The clock of a dictation that failed before any audio: its lines say 0 s."""

    started_at: float | None = None
    fed_seconds = 0.0


def print_failure(stream: TextIO, jsonl: bool, message: str) -> None:
    """An ``error`` line (``--jsonl`` only) for a dictation that failed before it began.

    A script reading the lines learns why none will come, as for a failure mid-way.
    """
    EventPrinter(stream, _NothingFed(), jsonl=jsonl).error(message)


class EventPrinter:
    """Writes events as JSON lines (``--jsonl``) or as plain text, shaped.

    A ``commit`` carries the shaped text to append (nothing is printed while
    its words are held back) and, after "scratch that", an ``erase`` count of
    characters to remove first; a ``final`` is the shaped utterance; a
    ``partial`` shows held-back words and the guess, shaped as the text to append. Nothing is typed
    from here, so the final is shaped whole, as in the window when type-as-I-speak
    is off.
    """

    def __init__(
        self, stream: TextIO, source: AudioClock, jsonl: bool, shaper: TextShaper | None = None
    ) -> None:
        self._stream = stream
        self._source = source
        self._jsonl = jsonl
        self._shaper = shaper or TextShaper()
        self._live = LiveShaping(self._shaper)
        self._released = False
        self._release: dict[str, object] | None = None  # stamped, until printed
        # On a terminal, plain text shows the words as they come on one line that the
        # final replaces; piped, only finals are printed (``text=$(saytype listen)``).
        self._live_line = not jsonl and _is_terminal(stream)
        self._committed = ""  # the commits so far, shaped, erases applied (the live line)

    def release(self) -> None:
        """The key counts as released now (the last sample is fed): a ``release`` line.

        Release → final is measured from this line's ``wall_t``, not from the
        file's duration, which the audio clock reaches a little before or after.
        Only the moment is taken here (this may run in a signal handler or on
        the audio's thread); the line goes out before the next event, the final
        at the latest, from the dictation's thread.
        """
        if not self._released and self._jsonl:
            self._released = True
            # Every line has the same four fields: readers need no special case.
            self._release = self._stamped({"type": "release", "text": ""})

    def error(self, message: str) -> None:
        """An ``error`` line (``--jsonl`` only; stderr says it in words either way).

        A failure that ends the dictation before its final (a server with
        ``--no-fallback``) still gives the reader the release it followed and the
        reason, so stdout alone shows how the dictation ended.
        """
        if self._jsonl:
            self._write_pending_release()
            self._write_record({"type": "error", "text": message})

    def __call__(self, event: DictationEvent) -> None:
        self._write_pending_release()
        record: dict[str, object] = {"type": event.kind}
        if event.kind == "commit":
            edit = self._live.commit(event.text).edit
            if not edit:
                return
            record["text"] = edit.text
            if edit.erase:
                record["erase"] = edit.erase
            kept = len(self._committed) - edit.erase
            self._committed = self._committed[: max(kept, 0)] + edit.text
        elif event.kind == "partial":
            record["text"] = self._live.partial(event.text).pending
        else:
            record["text"] = self._live.final(event.text, typed_live=False).shown
            self._live = LiveShaping(self._shaper)  # the next utterance starts afresh
            self._committed = ""
        if self._jsonl:
            self._write_record(record)
            return
        if event.kind == "final":
            write_out(self._stream, f"{_CLEAR_LINE if self._live_line else ''}{record['text']}\n")
        elif self._live_line:
            pending = record["text"] if event.kind == "partial" else ""
            write_out(self._stream, _CLEAR_LINE + _tail(f"{self._committed}{pending}"))

    def _write_pending_release(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            write_out(self._stream, json.dumps(release, ensure_ascii=False) + "\n")

    def _write_record(self, record: dict[str, object]) -> None:
        write_out(self._stream, json.dumps(self._stamped(record), ensure_ascii=False) + "\n")

    def _stamped(self, record: dict[str, object]) -> dict[str, object]:
        """``record`` with the audio fed so far and the seconds since the start."""
        started = self._source.started_at or time.perf_counter()
        return record | {
            "audio_t": round(self._source.fed_seconds, 3),
            "wall_t": round(time.perf_counter() - started, 3),
        }


_CLEAR_LINE = "\r\x1b[2K"  # to the line's start, and clear it


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):  # closed, or not a file at all
        return False


def _tail(text: str) -> str:
    """The end of ``text`` that fits on one terminal line (a longer one would wrap, and the
    next update could clear only its last row)."""
    width = shutil.get_terminal_size().columns - 1
    flat = text.replace("\n", " ")
    return flat if len(flat) <= width else "…" + flat[-(width - 1) :]
