"""CPU facts the engine needs to choose thread counts."""

from __future__ import annotations

import os
from pathlib import Path

_CPU_SYSFS = Path("/sys/devices/system/cpu")


def physical_core_count(sysfs: Path = _CPU_SYSFS) -> int:
    """Return the number of physical cores this process may use.

    Hyper-threads share one core's execution units, so CTranslate2 runs no faster
    with more threads than physical cores. Linux exposes the topology in sysfs;
    elsewhere we fall back to the logical count.
    """
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
    cores: set[tuple[str, str]] = set()
    for cpu in allowed:
        topology = sysfs / f"cpu{cpu}" / "topology"
        try:
            package = (topology / "physical_package_id").read_text().strip()
            core = (topology / "core_id").read_text().strip()
        except OSError:
            return max(1, len(allowed))
        cores.add((package, core))
    return max(1, len(cores))
