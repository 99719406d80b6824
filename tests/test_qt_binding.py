"""Guards against Qt binding releases that break Saytype's signal-heavy worker.

PySide6-Essentials 6.12.0 decrements Py_True/Py_False on every signal emission
and aborts the interpreter ("bool_dealloc: deallocating True or False") after a
few thousand emits; pyproject.toml excludes it. This test fails if a resolver
ever installs such a release again.
"""

from __future__ import annotations

import subprocess
import sys

PROBE = """
from PySide6.QtCore import QCoreApplication, QObject, Signal

app = QCoreApplication([])


class Emitter(QObject):
    fired = Signal(int, str)


emitter = Emitter()
received = []
emitter.fired.connect(lambda number, text: received.append(number))
for number in range(20_000):
    emitter.fired.emit(number, "partial text")
print(len(received))
"""


def test_many_signal_emissions_do_not_crash_the_interpreter() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "20000"
