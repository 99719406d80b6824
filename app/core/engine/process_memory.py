"""This process's memory: how much it holds now, and giving freed memory back to the OS.

CTranslate2 frees a model's weights when it is unloaded, but glibc's allocator
keeps freed heap pages for reuse, so the resident size barely drops.
``malloc_trim(0)`` returns free pages inside the heaps, but not the free space
at the top of a worker thread's heap: that is only given back when a ``free``
leaves more than the trim threshold there, and glibc raises that threshold to
64 MB as inference frees big buffers. So :func:`tune_native_memory` pins the
thresholds at glibc's own working values, and :func:`trimming_frees` lowers the
trim threshold while the model is freed (about 20 MB more given back).

oneDNN (inside CTranslate2) caches every primitive it builds, with its buffers,
for the life of the process: another 20 MB that no unload or trim gives back.
:func:`tune_native_memory` turns that cache off before the first model is
built; re-building the two encoder convolutions costs about 3 ms a pass.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_STATM = Path("/proc/self/statm")
_STATUS = Path("/proc/self/status")


def rss_bytes() -> int:
    """Resident set size of this process now (peak RSS where /proc is missing)."""
    try:
        resident_pages = int(_STATM.read_text().split()[1])
    except (OSError, IndexError, ValueError):
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak_kb) * 1024
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    """:func:`rss_bytes` in MB (10^6 bytes), as shown to people."""
    return rss_bytes() / 1e6


def rss_file_mb() -> float:
    """The part of RSS that is file-backed: library code and data pages read from disk.

    Those pages are clean, so the kernel can drop them whenever it needs memory;
    they tell a library's first use apart from memory the process really holds.
    0.0 where /proc/self/status is missing.
    """
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("RssFile:"):
                return int(line.split()[1]) * 1024 / 1e6
    except (OSError, IndexError, ValueError):
        pass
    return 0.0


# oneDNN reads it when it builds its first primitive (the first encode), not at import.
_ONEDNN_CACHE_VARIABLE = "ONEDNN_PRIMITIVE_CACHE_CAPACITY"

# mallopt parameters, and the values glibc's dynamic thresholds end at on 64-bit.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_WORKING_MMAP_THRESHOLD = 32 * 1024 * 1024
_WORKING_TRIM_THRESHOLD = 2 * _WORKING_MMAP_THRESHOLD
_FREEING_TRIM_THRESHOLD = 128 * 1024


def tune_native_memory() -> None:
    """Before a model is built: oneDNN's cache off, glibc's thresholds pinned.

    A user's own ``ONEDNN_PRIMITIVE_CACHE_CAPACITY`` is kept. Pinned thresholds
    stay where glibc's dynamic ones end up after the first inference, so speed is
    unchanged (measured), and :func:`trimming_frees` can lower one for a while.
    """
    os.environ.setdefault(_ONEDNN_CACHE_VARIABLE, "0")
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, _WORKING_MMAP_THRESHOLD)
        libc.mallopt(_M_TRIM_THRESHOLD, _WORKING_TRIM_THRESHOLD)


@contextmanager
def trimming_frees() -> Iterator[None]:
    """While the block frees a model, give each heap's free top back; then trim the rest."""
    libc = _glibc()
    if libc is not None:
        libc.mallopt(_M_TRIM_THRESHOLD, _FREEING_TRIM_THRESHOLD)
    try:
        yield
    finally:
        release_freed_memory()
        if libc is not None:
            libc.mallopt(_M_TRIM_THRESHOLD, _WORKING_TRIM_THRESHOLD)


@cache
def _glibc() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        trim, options = libc.malloc_trim, libc.mallopt
    except (OSError, AttributeError):  # musl, macOS: no malloc_trim
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    options.argtypes = [ctypes.c_int, ctypes.c_int]
    options.restype = ctypes.c_int
    return libc


def release_freed_memory() -> bool:
    """Collect garbage and ask glibc to return free heap pages; True if trimming ran."""
    gc.collect()
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
