"""``saytype profiles export`` into the user's own places, and imports from a pipe.

A scripter exported into a shared folder: the folder became owner-only (0700), a link
was replaced by a file of its own, an unrelated file was overwritten without a word, and
``-`` made a file called "-". Two imports run at once lost a profile.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.core.json_file import exclusive_update
from app.core.profiles.profile_file import load_profiles, profiles_path
from tests.profiles.test_profiles_cli import SHARED, saytype, write


def test_an_export_leaves_the_folder_as_it_was_and_is_readable(tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir(mode=0o755)
    team.chmod(0o755)
    exported = saytype("profiles", "export", team / "profiles.json")
    assert exported.returncode == 0, exported.stderr
    assert team.stat().st_mode & 0o777 == 0o755
    assert (team / "profiles.json").stat().st_mode & 0o777 == 0o644


def test_an_export_through_a_link_writes_the_file_it_points_to(tmp_path: Path) -> None:
    saytype("profiles", "import", write(tmp_path / "shared.json", SHARED))
    real = write(tmp_path / "real.json", {"profiles": []})
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert saytype("profiles", "export", link).returncode == 0
    assert link.is_symlink()
    names = [p["name"] for p in json.loads(real.read_text(encoding="utf-8"))["profiles"]]
    assert names == ["Terminal", "Chat"]


def test_an_export_replaces_only_profiles_unless_forced(tmp_path: Path) -> None:
    precious = tmp_path / "notes.json"
    precious.write_text('{"shopping": ["milk"]}', encoding="utf-8")
    refused = saytype("profiles", "export", precious)
    assert refused.returncode == 1
    assert refused.stderr == (
        f"saytype profiles: error: {precious} is there already and does not hold profiles; "
        "--force replaces it.\n"
    )
    assert precious.read_text(encoding="utf-8") == '{"shopping": ["milk"]}'
    earlier = write(tmp_path / "earlier.json", {"format": 1, "profiles": []})
    assert saytype("profiles", "export", earlier).returncode == 0  # an older export: updated
    assert saytype("profiles", "export", "--force", precious).returncode == 0
    assert "profiles" in json.loads(precious.read_text(encoding="utf-8"))


def test_a_dash_is_the_terminal_both_ways(tmp_path: Path) -> None:
    piped = saytype("profiles", "import", "-", stdin=json.dumps(SHARED))
    assert piped.returncode == 0, piped.stderr
    assert "Imported 3 profiles (Default, Terminal, Chat)" in piped.stdout
    exported = saytype("profiles", "export", "-")
    assert exported.returncode == 0
    assert [p["name"] for p in json.loads(exported.stdout)["profiles"]] == ["Terminal", "Chat"]
    assert not Path("-").exists()


def test_imports_at_the_same_time_keep_every_profile(tmp_path: Path) -> None:
    files = [
        write(tmp_path / f"p{n}.json", {"profiles": [{"name": f"P{n}", "window_class": f"app{n}"}]})
        for n in range(8)
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        runs = list(pool.map(lambda f: saytype("profiles", "import", f), files))
    assert all(run.returncode == 0 for run in runs), [run.stderr for run in runs]
    names = {profile.name for profile in load_profiles().book.profiles}
    assert names == {f"P{n}" for n in range(8)}


def test_the_update_lock_keeps_another_process_out_while_held() -> None:
    lock_file = profiles_path().parent / f".{profiles_path().name}.lock"
    probe = (
        "import fcntl, sys\n"
        f"f = open({str(lock_file)!r}, 'a')\n"
        "try:\n    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError:\n"
        "    sys.exit(3)\n"
    )
    with exclusive_update(profiles_path()):
        held = subprocess.run([sys.executable, "-c", probe], timeout=60, check=False)
    free = subprocess.run([sys.executable, "-c", probe], timeout=60, check=False)
    assert (held.returncode, free.returncode) == (3, 0)
