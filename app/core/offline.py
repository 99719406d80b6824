"""Saytype opens no network connection of its own accord: the hub libraries are told so at start.

Models are local folders, but huggingface_hub (used by faster-whisper) may
otherwise reach out: telemetry, update checks, an implicit token, a model
lookup. :func:`enforce_offline` switches all of that off through the
libraries' own environment variables, first thing in every entry point.
huggingface_hub reads ``HF_HUB_OFFLINE`` once, when it is imported, so the
switches go in before any heavy import and are also applied to a hub that is
already imported.

The one exception is a model download the user asks for:
:func:`hub_requests_allowed` lifts the hub's offline flag for that download
alone. Whether the *user* had put the hub offline (``HF_HUB_OFFLINE=1`` before
Saytype started) is kept in :data:`USER_CHOICE_VARIABLE`, so that choice still
refuses downloads (:func:`user_hub_offline`), in this process and its children.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager

# A value the hub reads as true and Saytype recognises as its own (users write "1").
_ENFORCED = "ON"
_TRUE_VALUES = {"1", "ON", "YES", "TRUE"}

OFFLINE_SWITCHES: Mapping[str, str] = {
    "HF_HUB_OFFLINE": _ENFORCED,  # no request to the hub at all
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",  # never send a stored token unasked
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    "DO_NOT_TRACK": "1",  # the cross-tool convention (consoledonottrack.com)
}
USER_CHOICE_VARIABLE = "SAYTYPE_USER_HF_HUB_OFFLINE"


class _DownloadLift:
    """Counts running downloads; the hub is online while at least one runs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.flag_before = True


_downloads = _DownloadLift()


def enforce_offline(environ: MutableMapping[str, str] | None = None) -> None:
    """Set the offline and telemetry-off switches; call before importing the model libraries.

    Args:
        environ: the environment to change; ``os.environ`` when omitted (then an
            already imported huggingface_hub is switched offline too).
    """
    env = os.environ if environ is None else environ
    if env.get("HF_HUB_OFFLINE") != _ENFORCED or USER_CHOICE_VARIABLE not in env:
        env[USER_CHOICE_VARIABLE] = _hub_offline_value(env)
    env.update(OFFLINE_SWITCHES)
    if environ is None:
        _switch_loaded_hub()


def user_hub_offline(environ: Mapping[str, str]) -> bool:
    """Whether the user (not Saytype) put the hub offline, which refuses even downloads."""
    if environ.get("HF_HUB_OFFLINE") == _ENFORCED and USER_CHOICE_VARIABLE in environ:
        value = environ[USER_CHOICE_VARIABLE]
    else:
        value = _hub_offline_value(environ)
    return value.strip().upper() in _TRUE_VALUES


@contextmanager
def hub_requests_allowed() -> Iterator[None]:
    """Let huggingface_hub make requests while a download the user asked for runs.

    Nested and concurrent downloads share one lift; the flag comes back when the
    last one ends.
    """
    from huggingface_hub import constants

    with _downloads.lock:
        if _downloads.running == 0:
            _downloads.flag_before = constants.HF_HUB_OFFLINE
            constants.HF_HUB_OFFLINE = False
        _downloads.running += 1
    try:
        yield
    finally:
        with _downloads.lock:
            _downloads.running -= 1
            if _downloads.running == 0:
                constants.HF_HUB_OFFLINE = _downloads.flag_before


def _hub_offline_value(environ: Mapping[str, str]) -> str:
    return environ.get("HF_HUB_OFFLINE") or environ.get("TRANSFORMERS_OFFLINE") or ""


def _switch_loaded_hub() -> None:
    """huggingface_hub copies the variables into constants at import: update a loaded one."""
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is None:
        return
    with _downloads.lock:
        if _downloads.running:
            _downloads.flag_before = True  # a download runs: offline again when it ends
        else:
            constants.HF_HUB_OFFLINE = True  # type: ignore[attr-defined]
    constants.HF_HUB_DISABLE_TELEMETRY = True  # type: ignore[attr-defined]
    constants.HF_HUB_DISABLE_IMPLICIT_TOKEN = True  # type: ignore[attr-defined]
    constants.HF_HUB_DISABLE_UPDATE_CHECK = True  # type: ignore[attr-defined]
