"""This process's memory: how much it holds now, and giving freed memory back to the OS.

CTranslate2 frees a model's weights when it is unloaded, but glibc's allocator
keeps freed heap pages (from the main arena and the per-thread arenas) for
reuse, so the resident size barely drops. ``malloc_trim(0)`` asks glibc to
return every free page it can; the memory benchmark measures what it buys.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import resource
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


@cache
def _glibc() -> Any:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # musl, macOS: no malloc_trim
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return libc


def release_freed_memory() -> bool:
    """Collect garbage and ask glibc to return free heap pages; True if trimming ran."""
    gc.collect()
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
