"""What a live dictation from the command line needs around it, from a file or the mic.

Both inputs of ``saytype listen`` (:mod:`app.commands.listen` for ``--input``,
:mod:`app.commands.listen_mic` for the microphone) load and warm the same
pipeline and journal the dictation's audio for ``saytype recover`` the same way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TextIO

from app.commands.cli_settings import settings_for_command
from app.commands.models import download_hint
from app.core.atomic_file import describe_os_error
from app.core.audio.crash_journal import CrashJournal
from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import resolve_model
from app.core.paths import models_dir


@contextlib.contextmanager
def crash_journal(ring: RingBuffer, start: int, model: str, stderr: TextIO) -> Iterator[None]:
    """Journal the dictation's audio from ``start`` while the block runs.

    The journal is deleted when the block ends (Ctrl+C included) and kept for
    ``saytype recover`` when it raises; a process killed outright leaves it too.
    A closed stdout (``| head -1``) is not a crash: the reader left, so the
    journal is deleted. Nothing is written while the settings pause history.
    The writing is :class:`CrashJournal`'s, on its own thread, as in the GUI;
    the block's end waits for it.
    """

    def warn(exc: OSError) -> None:
        stderr.write(f"saytype: warning: no crash journal ({describe_os_error(exc)}).\n")

    journal = CrashJournal(source="listen", on_error=warn)
    pause_history = settings_for_command(stderr).pause_history
    journal.begin(ring, start, model=model, pause_history=pause_history)
    crashed = False
    try:
        yield
    except BrokenPipeError:
        raise  # the reader of stdout left; the dictation did not fail
    except Exception:
        crashed = True
        raise
    finally:
        if crashed:
            journal.abandon()
        else:
            journal.discard()
        journal.wait_idle()


def load_pipeline(
    model: str,
    stderr: TextIO,
    vocabulary: tuple[str, ...] = (),
    on_failure: Callable[[str], None] | None = None,
) -> LivePipeline | None:
    """Load and warm up the live pipeline; None (after a message) when the model fails.

    ``on_failure`` also gets the reason (``--jsonl`` prints it as an error line).
    """
    try:
        host = ModelHost(resolve_model(model, models_dir()))
        pipeline = LivePipeline(host, vocabulary=vocabulary)
        pipeline.warm_up()
    except ModelError as exc:
        stderr.write(f"saytype: error: {exc}{download_hint(model, models_dir())}\n")
        if on_failure is not None:
            on_failure(str(exc))
        return None
    return pipeline
