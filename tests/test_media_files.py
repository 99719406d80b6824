"""Expanding dropped files and folders into queue entries."""

from __future__ import annotations

from pathlib import Path

from app.core.audio.media_files import collect_media_files, is_media_file


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_folders_are_searched_recursively_for_media_only(tmp_path: Path) -> None:
    talk = _touch(tmp_path / "talks" / "a.MP3")
    video = _touch(tmp_path / "talks" / "deep" / "b.mkv")
    _touch(tmp_path / "talks" / "notes.txt")
    _touch(tmp_path / "talks" / "cover.jpg")
    _touch(tmp_path / "talks" / ".hidden" / "c.wav")
    assert collect_media_files([tmp_path / "talks"]) == [talk, video]


def test_files_named_directly_are_kept_and_duplicates_dropped(tmp_path: Path) -> None:
    odd = _touch(tmp_path / "recording.bin")  # kept: the queue will say why it fails
    wav = _touch(tmp_path / "one.wav")
    assert collect_media_files([odd, wav, tmp_path / "." / "one.wav", tmp_path]) == [odd, wav]


def test_extension_check_ignores_case() -> None:
    assert is_media_file(Path("x.WAV"))
    assert is_media_file(Path("y.Opus"))
    assert not is_media_file(Path("z.txt"))
