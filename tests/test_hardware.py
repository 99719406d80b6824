"""physical_core_count counts cores, not hyper-threads, over the CPUs this process may use.

Each test builds a fake ``/sys/devices/system/cpu`` tree in tmp_path. Where a test
needs a particular set of allowed CPUs it fakes ``os.sched_getaffinity``; otherwise
the tree covers every CPU the real affinity mask allows.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path

import pytest

from app.core.engine.hardware import physical_core_count


def make_sysfs(root: Path, topology: dict[int, tuple[int, int]]) -> Path:
    """Write ``cpuN/topology/{physical_package_id,core_id}`` for each N -> (package, core)."""
    sysfs = root / "cpu"
    for cpu, (package, core) in topology.items():
        folder = sysfs / f"cpu{cpu}" / "topology"
        folder.mkdir(parents=True)
        (folder / "physical_package_id").write_text(f"{package}\n")
        (folder / "core_id").write_text(f"{core}\n")
    return sysfs


def allow_cpus(monkeypatch: pytest.MonkeyPatch, cpus: Iterable[int]) -> None:
    allowed = set(cpus)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: allowed, raising=False)


def test_hyperthreads_on_one_core_count_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow_cpus(monkeypatch, range(4))
    sysfs = make_sysfs(tmp_path, {0: (0, 0), 1: (0, 1), 2: (0, 0), 3: (0, 1)})
    assert physical_core_count(sysfs) == 2


def test_same_core_id_on_two_packages_counts_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow_cpus(monkeypatch, range(4))
    sysfs = make_sysfs(tmp_path, {0: (0, 0), 1: (1, 0), 2: (0, 0), 3: (1, 0)})
    assert physical_core_count(sysfs) == 2


def test_only_cpus_in_the_affinity_mask_are_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pinned to cpu0 and cpu2, which are siblings of one core, on a 2-core machine.
    allow_cpus(monkeypatch, [0, 2])
    sysfs = make_sysfs(tmp_path, {0: (0, 0), 1: (0, 1), 2: (0, 0), 3: (0, 1)})
    assert physical_core_count(sysfs) == 1


def test_real_affinity_mask_with_two_threads_per_core(tmp_path: Path) -> None:
    allowed = sorted(os.sched_getaffinity(0))
    sysfs = make_sysfs(tmp_path, {cpu: (0, index // 2) for index, cpu in enumerate(allowed)})
    assert physical_core_count(sysfs) == math.ceil(len(allowed) / 2)


def test_missing_topology_falls_back_to_the_logical_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow_cpus(monkeypatch, range(4))
    sysfs = make_sysfs(tmp_path, {0: (0, 0), 1: (0, 0)})  # cpu2 and cpu3 have no topology
    assert physical_core_count(sysfs) == 4


def test_empty_sysfs_falls_back_to_the_logical_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow_cpus(monkeypatch, range(6))
    assert physical_core_count(tmp_path / "no-such-sysfs") == 6


def test_without_sched_getaffinity_uses_cpu_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 12)
    assert physical_core_count(tmp_path) == 12


def test_unknown_cpu_count_still_gives_one_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert physical_core_count(tmp_path) == 1


def test_real_machine_reports_at_least_one_core() -> None:
    count = physical_core_count()
    assert 1 <= count <= len(os.sched_getaffinity(0))
