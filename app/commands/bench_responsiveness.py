"""``saytype bench responsiveness``: private folders, a sound device, a QApplication; figures.

The run is private: settings, history, logs and the control socket go to a
temporary folder, so it never touches the user's own (nor a running Saytype).
The microphone is a recording replayed in real time (the shared speech corpus
when it is there, else a tone, which is said), or with ``--mic`` the real one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from app.benchmarks.responsiveness import ResponsivenessReport

import numpy as np
import numpy.typing as npt

_RATE = 16_000


def run_responsiveness_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Run the benchmark once and print its figures (``--json`` for a machine)."""
    with tempfile.TemporaryDirectory(prefix="saytype-responsiveness-") as folder:
        root = Path(folder)
        for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            (root / variable).mkdir()
            os.environ[variable] = str(root / variable)
        (root / "run").mkdir(mode=0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(root / "run")
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        backend, audio, source = _sound_device(args, stderr)
        if backend is None:
            return 1
        file_path: Path | None = None
        if audio is not None:
            from app.core.audio.wav_file import write_wav

            file_path = root / "beside-the-dictation.wav"
            write_wav(file_path, np.tile(audio, 2), _RATE)
        report = _measure(backend, source, file_path)
    if args.json:
        payload = {"benchmark": "responsiveness", **asdict(report), "goal_met": report.goal_met}
        stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        from app.benchmarks.responsiveness import format_report

        stdout.write(format_report(report) + "\n")
    return 0


def _measure(backend: object, source: str, file_path: Path | None) -> ResponsivenessReport:
    from PySide6.QtWidgets import QApplication

    from app.benchmarks.responsiveness import run_responsiveness
    from app.main import DesktopApp  # the real app, as `saytype` builds it

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    return run_responsiveness(
        lambda device: DesktopApp.build(sounddevice_backend=device),
        backend,
        source=source,
        file_path=file_path,
    )


def _sound_device(
    args: argparse.Namespace, stderr: TextIO
) -> tuple[object | None, npt.NDArray[np.float32] | None, str]:
    """The backend, the audio it replays (None for a real mic), and words saying which."""
    if args.mic:
        try:
            import sounddevice
        except (ImportError, OSError) as exc:
            stderr.write(f"saytype: error: no sound device library ({exc}).\n")
            return None, None, ""
        return sounddevice, _tone(), "the real microphone"
    from app.benchmarks.replay_device import ReplayDevice

    audio, source = _recording(args.speech_dir, stderr)
    return ReplayDevice(audio), audio, source


def _recording(speech_dir: Path | None, stderr: TextIO) -> tuple[npt.NDArray[np.float32], str]:
    from app.benchmarks.speech_corpus import CorpusMissingError, find_speech_dir, load_corpus
    from app.core.audio.file_decoder import decode_file

    try:
        items = load_corpus(find_speech_dir(speech_dir))
    except (CorpusMissingError, OSError) as exc:
        stderr.write(f"saytype: note: {exc} A tone is replayed instead (no words).\n")
        return _tone(), "a replayed tone (no speech corpus found)"
    item = min(items, key=lambda candidate: abs(candidate.duration_s - 10))  # about 10 s
    samples = decode_file(item.path).samples.astype(np.float32)
    return samples, f"replayed recording {item.item_id} ({item.duration_s:.0f} s)"


def _tone() -> npt.NDArray[np.float32]:
    t = np.arange(4 * _RATE) / _RATE
    return (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
