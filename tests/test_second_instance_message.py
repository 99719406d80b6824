"""What a second ``saytype FILE…`` says it handed to the running app: files and folders."""

from __future__ import annotations

from pathlib import Path

from app.running_instance import files_and_folders


def test_files_and_folders_are_counted_apart(tmp_path: Path) -> None:
    folder, talk, memo = tmp_path / "talks", tmp_path / "talk.wav", tmp_path / "memo.mp3"
    folder.mkdir()
    assert files_and_folders([str(talk)]) == "1 file"
    assert files_and_folders([str(folder)]) == "1 folder"
    assert files_and_folders([str(folder), str(talk), str(memo)]) == "2 files and 1 folder"
