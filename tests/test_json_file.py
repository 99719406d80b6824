"""The rules Saytype's own JSON files share: strict UTF-8, damaged files set aside, atomic saves."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from app.core.json_file import (
    BACKUPS_KEPT,
    backup_paths,
    read_json,
    salvage_object,
    save_json,
    set_aside,
)


class _SaveFailed(Exception):
    """Stands for a caller's own error type (SettingsError, ProfileError)."""


def test_read_json_rejects_what_is_not_utf8_json(tmp_path: Path) -> None:
    path = tmp_path / "file.json"
    path.write_bytes('{"word": "café"}'.encode())
    assert read_json(path) == {"word": "café"}
    for damaged in (b"\xff\xfe{}", b"{", b""):
        path.write_bytes(damaged)
        with pytest.raises(ValueError):  # noqa: PT011 - both decode errors are ValueErrors
            read_json(path)
    with pytest.raises(FileNotFoundError):
        read_json(tmp_path / "missing.json")


def test_set_aside_keeps_an_older_backup(tmp_path: Path) -> None:
    # A file damaged twice must not take the place of the only copy of what the user had.
    path = tmp_path / "file.json"
    (tmp_path / "file.json.bak").write_text("an older backup", encoding="utf-8")
    path.write_bytes(b"{damaged")

    backup = set_aside(path)

    assert backup == tmp_path / "file.json.bak.2"
    assert backup.read_bytes() == b"{damaged"
    assert (tmp_path / "file.json.bak").read_text(encoding="utf-8") == "an older backup"
    assert not path.exists()


def test_set_aside_says_none_when_every_backup_name_is_taken(tmp_path: Path) -> None:
    path = tmp_path / "file.json"
    path.write_bytes(b"{damaged")
    names = backup_paths(path)
    assert len(names) == BACKUPS_KEPT
    for name in names:
        name.write_text("kept", encoding="utf-8")

    assert set_aside(path) is None
    assert path.read_bytes() == b"{damaged"
    assert all(name.read_text(encoding="utf-8") == "kept" for name in names)


@pytest.mark.parametrize(
    ("damaged", "members"),
    [
        (b'{"a": 1, "b": [1, 2], "c": "cut he', {"a": 1, "b": [1, 2]}),
        (b'{"a": "caf\xc3\xa9",\n  "b": 50', {"a": "caf\u00e9"}),  # "50" may be "500" cut
        (b'\xef\xbb\xbf {"a": {"n": 1} , "b": tru', {"a": {"n": 1}}),
        (b'{"a": 1, "b": 2}', {"a": 1, "b": 2}),
        (b"[1, 2]", {}),
        (b"", {}),
        (b'{"a" 1}', {}),
        (b"{" + b"[" * 100_000, {}),
    ],
)
def test_salvage_takes_the_members_whole_before_the_damage(
    damaged: bytes, members: dict[str, object]
) -> None:
    assert salvage_object(damaged) == members


def test_save_json_is_private_and_readable_back(tmp_path: Path) -> None:
    path = tmp_path / "config" / "file.json"
    save_json(path, {"word": "café"}, what="the words", error=_SaveFailed)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert path.read_text(encoding="utf-8").endswith("}\n")
    assert json.loads(path.read_text(encoding="utf-8")) == {"word": "café"}


def test_save_json_failure_is_the_callers_sentence_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config" / "file.json"
    save_json(path, {"version": 1}, what="the words", error=_SaveFailed)

    def full_disk(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(_SaveFailed) as raised:
        save_json(path, {"version": 2}, what="the words", error=_SaveFailed)

    assert str(raised.value) == (
        f"Could not save the words to {path}: there is no space left on the disk."
    )
    assert isinstance(raised.value.__cause__, OSError)
    monkeypatch.undo()
    assert read_json(path) == {"version": 1}
    assert [p.name for p in path.parent.iterdir()] == ["file.json"]  # no temp file left


def test_a_bom_is_read_and_deep_nesting_is_a_plain_error(tmp_path: Path) -> None:
    path = tmp_path / "file.json"
    path.write_bytes(b"\xef\xbb\xbf" + '{"word": "café"}'.encode())  # as Notepad saves it
    assert read_json(path) == {"word": "café"}
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ValueError, match="nested too deeply"):
        read_json(path)
