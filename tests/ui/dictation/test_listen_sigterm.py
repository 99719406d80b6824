"""``saytype listen`` run by a script in the background ends on SIGTERM with its final text.

A background job has /dev/null for stdin (no Enter can come) and ignores SIGINT, so a
script's ``kill`` sent SIGTERM, and the process died with the words said so far unprinted
(they were only in ``saytype recover``). SIGTERM now counts as Ctrl+C.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from saytype_bench.accuracy import word_error_rate
from tests.support.pulse_rig import Pulse
from tests.support.speech import SpeechMaker

pytestmark = [pytest.mark.integration, pytest.mark.model]

SAID = "Please bring the latest sales figures and the new contract."
REPO = Path(__file__).resolve().parents[3]


def test_sigterm_ends_a_background_listen_with_its_final(
    pulse: Pulse, speech: SpeechMaker, tmp_path: Path
) -> None:
    wav = speech.wav(SAID, tmp_path / "said.wav", pause_s=0.3)
    listen = subprocess.Popen(
        [sys.executable, "-m", "app", "listen", "--jsonl"],
        stdin=subprocess.DEVNULL,  # what `saytype listen … &` gets
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=pulse.daemon.full_env(),
        cwd=REPO,
    )
    try:
        assert listen.stderr is not None
        ready = listen.stderr.readline()
        assert f"stop it with kill -TERM {listen.pid}" in ready, ready
        pulse.start_playing(wav).wait(60)
        assert listen.stdout is not None
        heard: list[dict[str, object]] = []
        while not any("contract" in str(e["text"]).lower() for e in heard):
            line = listen.stdout.readline()
            assert line, "listen ended before the words were heard"
            heard.append(json.loads(line))
        listen.send_signal(signal.SIGTERM)
        rest, _err = listen.communicate(timeout=120)
    finally:
        if listen.poll() is None:
            listen.kill()
            listen.wait()
    events = heard + [json.loads(line) for line in rest.splitlines()]
    assert listen.returncode == 0
    kinds = [event["type"] for event in events]
    assert kinds.count("release") == 1
    assert kinds[-1] == "final"
    assert word_error_rate([SAID], [str(events[-1]["text"])]) <= 0.15, events[-1]
