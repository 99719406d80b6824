"""Every QThread Saytype starts, named and tracked, so quitting and tests can see what still runs.

Qt aborts the process when a running QThread's object is destroyed, so knowing
which of ours are still running is what lets quit wait for them and lets a test
fail when it leaves one behind.
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QThread

_threads: weakref.WeakSet[QThread] = weakref.WeakSet()


def new_thread(name: str) -> QThread:
    """A QThread named ``name`` (the name shows in logs and debuggers), tracked while alive."""
    thread = QThread()
    thread.setObjectName(name)
    _threads.add(thread)
    return thread


def running_threads() -> list[str]:
    """The names of Saytype's QThreads that are running now."""
    return sorted(thread.objectName() for thread in list(_threads) if thread.isRunning())
