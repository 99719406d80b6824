"""A recording cut short before its MP4 index is named as such, with what can mend it.

A scripter's crashed recorder left the first 60 % of an MP4; Saytype said only "not an
audio or video file that can be decoded … (Invalid data found when processing input)".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.audio.file_decoder import AudioFileError, decode_file
from app.core.audio.mp4_index import NO_MP4_INDEX, lacks_mp4_index
from tests.support.media import truncated_copy, video_with_audio
from tests.support.speech import SpeechMaker


@pytest.fixture(scope="module")
def whole_mp4(speech: SpeechMaker, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mp4")
    return video_with_audio(speech.wav("The recorder crashed.", folder / "s.wav"), folder / "a.mp4")


def test_a_cut_mp4_is_told_as_one_without_its_index(whole_mp4: Path, tmp_path: Path) -> None:
    cut = truncated_copy(whole_mp4, tmp_path / "cut.mp4", fraction=0.6)
    assert lacks_mp4_index(cut)
    with pytest.raises(AudioFileError) as failure:
        decode_file(cut)
    assert str(failure.value) == f"{cut}: {NO_MP4_INDEX}"


def test_whole_mp4s_and_other_files_have_nothing_missing(whole_mp4: Path, tmp_path: Path) -> None:
    assert not lacks_mp4_index(whole_mp4)
    text = tmp_path / "notes.mp4"
    text.write_text("not a video\n", encoding="utf-8")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert not lacks_mp4_index(text)
    assert not lacks_mp4_index(empty)
    assert not lacks_mp4_index(tmp_path / "missing.mp4")
