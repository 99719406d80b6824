"""Giving freed memory back: oneDNN's cache setting and trimming while a model is freed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.engine.process_memory import tune_native_memory

ONEDNN = "ONEDNN_PRIMITIVE_CACHE_CAPACITY"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc and /proc")


def test_onednn_primitive_cache_is_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ONEDNN, raising=False)
    tune_native_memory()
    assert os.environ[ONEDNN] == "0"


def test_a_users_own_onednn_cache_size_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ONEDNN, "64")
    tune_native_memory()
    assert os.environ[ONEDNN] == "64"


# Run in a fresh process: in a busy one the thread might share the main heap,
# which a plain trim does shrink.
_FREE_A_THREAD_HEAP = """
import sys, threading
from app.core.engine.process_memory import (
    release_freed_memory, rss_mb, trimming_frees, tune_native_memory)
tune_native_memory()
blocks = []
def allocate():
    blocks.extend(bytes(range(256)) * 4096 for _ in range(48))  # 48 MB, written
worker = threading.Thread(target=allocate)
worker.start()
worker.join()
before = rss_mb()
if sys.argv[1] == "trimming":
    with trimming_frees():
        blocks.clear()
else:
    blocks.clear()
    release_freed_memory()
print(before - rss_mb())
"""


def _megabytes_given_back(how: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _FREE_A_THREAD_HEAP, how],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return float(done.stdout)


@linux_only
def test_trimming_frees_gives_a_worker_threads_heap_back() -> None:
    # The model's buffers live in CTranslate2's threads' heaps; a plain trim
    # leaves their free tops resident, freeing inside trimming_frees does not.
    assert _megabytes_given_back("trimming") >= 40


@linux_only
def test_a_plain_trim_leaves_a_thread_heaps_free_top_resident() -> None:
    # Why trimming_frees exists: if glibc ever returns this memory by itself,
    # this test fails and the workaround can go.
    assert _megabytes_given_back("plain") < 10
