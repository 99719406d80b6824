"""``saytype listen --engine E``: the transcriber a dictation runs on, local or remote.

With a remote engine the local model still gives partial text while speaking
and stands by as the fallback; the server gives the final
(:class:`~app.core.engine.remote.remote_final.RemoteFinal`). A Wyoming server
gets the audio streamed while speaking; an OpenAI-compatible one gets the
utterance at the release. ``--no-fallback`` makes a server failure an error
(the crash journal then keeps the recording for ``saytype recover``).
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import TextIO

from app.commands.engine_args import remote_target
from app.core.engine.cancellation import CancellationToken
from app.core.engine.live_dictation import LiveTranscriber
from app.core.engine.live_pipeline import LivePipeline
from app.core.engine.remote.dictation_engine import remote_utterance
from app.core.engine.remote.remote_final import RemoteFinal, RemoteUtterance


def add_fallback_argument(parser: argparse.ArgumentParser) -> None:
    """``--no-fallback``."""
    parser.add_argument(
        "--no-fallback",
        action="store_true",
        help="with a remote --engine: when the server fails, fail (the recording is kept for "
        "'saytype recover') instead of finishing the dictation with the local model",
    )


def dictation_transcriber(
    args: argparse.Namespace, pipeline: LivePipeline, cancel: CancellationToken, stderr: TextIO
) -> LiveTranscriber:
    """The transcriber for one dictation (close it with :func:`closing_connection`)."""
    local = pipeline.new_transcriber(cancel)
    if not args.engine.remote:
        return local

    def fell_back(message: str) -> None:
        stderr.write(
            f"saytype: warning: {message.rstrip('.')}; this dictation was finished by the "
            "local model instead.\n"
        )
        stderr.flush()

    return RemoteFinal(local, _utterance(args), cancel, None if args.no_fallback else fell_back)


@contextlib.contextmanager
def closing_connection(transcriber: LiveTranscriber) -> Iterator[None]:
    """A remote engine's connection (and thread) ends with the block, cancelled or not."""
    try:
        yield
    finally:
        if isinstance(transcriber, RemoteFinal):
            transcriber.close()


def _utterance(args: argparse.Namespace) -> RemoteUtterance:
    # --model names the local model here; the server's comes from the endpoint or its default.
    target = remote_target(argparse.Namespace(**{**vars(args), "model": None}))
    return remote_utterance(
        target.choice.kind,
        target.choice.url,
        target.model,
        target.language,
        target.timeout_s,
        target.ca_file,
        target.api_key,
        args.vocabulary,
        fallback=not args.no_fallback,
    )
