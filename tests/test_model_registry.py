"""Model specs resolve to checked folders, and every broken folder gives one clear sentence.

A broken model must never surface as a C++ error or a silent hub download. Each case
below breaks one thing in a copy of the bundled tiny.en folder and checks that
:class:`ModelError` names the folder and the fault in a single line.

The bundled folder is copied once per module (model.bin is 75 MB); each test builds
its own folder of hard links to that copy and replaces only the file it corrupts
with a fresh file, so the shared copy is never modified.
"""

from __future__ import annotations

import os
import shutil
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.engine.model_catalog import CATALOG
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ComputeOptions, faster_whisper_factory
from app.core.engine.model_registry import (
    ModelKind,
    ModelSource,
    bundled_model_path,
    resolve_model,
)

MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "model.bin")


@pytest.fixture(scope="module")
def pristine_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One untouched copy of the bundled model; tests link to it and never write to it."""
    folder = tmp_path_factory.mktemp("pristine") / "tiny.en"
    folder.mkdir()
    for name in MODEL_FILES:
        shutil.copyfile(bundled_model_path() / name, folder / name)
    return folder


def _link_model(pristine: Path, folder: Path, skip: tuple[str, ...] = ()) -> Path:
    folder.mkdir(parents=True)
    for name in MODEL_FILES:
        if name in skip:
            continue
        try:
            os.link(pristine / name, folder / name)
        except OSError:
            shutil.copyfile(pristine / name, folder / name)
    return folder


@pytest.fixture
def model_copy(pristine_model: Path, tmp_path: Path) -> Path:
    """A complete model folder of this test's own (hard links to the pristine copy)."""
    return _link_model(pristine_model, tmp_path / "model").resolve()


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty models folder; the working directory moves too, so no stray folder there
    named like a model can be taken for a path."""
    folder = tmp_path / "models"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    return folder


def _replace(path: Path, data: bytes) -> None:
    # Unlink first: writing through a hard link would corrupt the pristine copy.
    path.unlink()
    path.write_bytes(data)


def _resolve_error(spec: str | Path, models_dir: Path | None = None) -> str:
    with pytest.raises(ModelError) as raised:
        resolve_model(str(spec), models_dir)
    message = str(raised.value)
    assert "\n" not in message, "the message must be one line"
    return message


def test_pristine_copy_resolves_as_a_local_folder(model_copy: Path) -> None:
    # Guards every error test below: only the corruption they add can be the fault.
    source = resolve_model(str(model_copy))
    assert source == ModelSource(name="model", kind=ModelKind.LOCAL_FOLDER, path=model_copy)


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "nowhere"
    message = _resolve_error(folder)
    assert str(folder) in message
    assert "does not exist" in message


def test_file_in_place_of_folder_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"\0" * 16)
    message = _resolve_error(path)
    assert str(path) in message
    assert "not a folder" in message


@pytest.mark.parametrize(
    ("missing", "fault"),
    [
        ("config.json", "missing config.json"),
        ("tokenizer.json", "missing its tokenizer (tokenizer.json)"),
        ("vocabulary.txt", "missing its vocabulary"),
        ("model.bin", "missing model.bin"),
    ],
)
def test_missing_file_is_named(
    pristine_model: Path, tmp_path: Path, missing: str, fault: str
) -> None:
    folder = _link_model(pristine_model, tmp_path / "model", skip=(missing,)).resolve()
    message = _resolve_error(folder)
    assert str(folder) in message
    assert fault in message


def test_vocabulary_json_stands_in_for_vocabulary_txt(pristine_model: Path, tmp_path: Path) -> None:
    folder = _link_model(pristine_model, tmp_path / "model", skip=("vocabulary.txt",)).resolve()
    (folder / "vocabulary.json").write_text('["a", "<|startoftranscript|>"]', encoding="utf-8")
    assert resolve_model(str(folder)).path == folder


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"", b"\xff\xfe\x00garbage"],
    ids=["broken-json", "empty", "not-utf8"],
)
def test_unreadable_config_is_reported(model_copy: Path, content: bytes) -> None:
    _replace(model_copy / "config.json", content)
    message = _resolve_error(model_copy)
    assert str(model_copy) in message
    # What to do, not the parser's "Expecting value: line 1 column 1 (char 0)".
    assert message.endswith("has a damaged config.json; download or copy the model again.")


@pytest.mark.parametrize(
    ("name", "content", "fault"),
    [
        ("tokenizer.json", b'{"version": "1.0", "mo', "unreadable tokenizer.json"),
        ("tokenizer.json", b"[]", "tokenizer.json with no model"),
        ("vocabulary.txt", b"", "empty or damaged vocabulary.txt"),
        ("vocabulary.txt", b"\xff\xfe\x00garbage", "unreadable vocabulary.txt"),
    ],
    ids=["cut-tokenizer", "tokenizer-not-an-object", "empty-vocabulary", "binary-vocabulary"],
)
def test_damaged_tokenizer_or_vocabulary_is_named_before_any_load(
    model_copy: Path, name: str, content: bytes, fault: str
) -> None:
    _replace(model_copy / name, content)
    message = _resolve_error(model_copy)
    assert str(model_copy) in message
    assert fault in message
    assert "download or copy the model again" in message


@pytest.mark.parametrize(
    "keep",
    [
        lambda size: size - 1,
        lambda size: size // 2,
        lambda size: 10,
        lambda size: 0,
    ],
    ids=["one-byte-short", "half", "ten-bytes", "empty"],
)
def test_truncated_weights_are_reported(
    pristine_model: Path, model_copy: Path, keep: Callable[[int], int]
) -> None:
    weights = pristine_model / "model.bin"
    length = keep(weights.stat().st_size)
    with weights.open("rb") as stream:
        head = stream.read(length)
    _replace(model_copy / "model.bin", head)
    message = _resolve_error(model_copy)
    assert str(model_copy) in message
    assert "truncated or damaged model.bin" in message
    assert "download or copy the model again" in message


def test_unknown_name_lists_the_known_ones(models_dir: Path) -> None:
    message = _resolve_error("tiny.fr", models_dir)
    assert "Unknown model 'tiny.fr'" in message
    assert "Did you mean 'tiny'?" in message  # French: the multilingual one
    assert all(f" {entry.name}," in message or f" {entry.name}." in message for entry in CATALOG)


@pytest.mark.parametrize("spec", ["", "   "], ids=["empty", "blank"])
def test_empty_spec_is_rejected(spec: str) -> None:
    assert "No model given" in _resolve_error(spec)


def test_known_name_not_installed_says_it_never_downloads(models_dir: Path) -> None:
    message = _resolve_error("base.en", models_dir)
    assert "'base.en' is not installed" in message
    assert str(models_dir) in message
    assert "never downloads" in message


def test_known_name_without_models_dir_says_it_never_downloads(models_dir: Path) -> None:
    message = _resolve_error("small")
    assert "'small' is not installed" in message
    assert "never downloads" in message


def test_installed_name_resolves_to_its_folder_under_models_dir(
    pristine_model: Path, models_dir: Path
) -> None:
    folder = _link_model(pristine_model, models_dir / "base.en")
    source = resolve_model("base.en", models_dir)
    assert source == ModelSource(name="base.en", kind=ModelKind.NAMED, path=folder)
    assert source.english_only


def test_installed_name_with_a_broken_folder_names_that_folder(
    pristine_model: Path, models_dir: Path
) -> None:
    folder = _link_model(pristine_model, models_dir / "small", skip=("tokenizer.json",))
    message = _resolve_error("small", models_dir)
    assert str(folder) in message
    assert "tokenizer" in message


def test_bundled_name_resolves_to_the_bundled_folder(models_dir: Path) -> None:
    source = resolve_model(" tiny.en ", models_dir)
    assert source == ModelSource(name="tiny.en", kind=ModelKind.BUNDLED, path=bundled_model_path())
    assert source.english_only


def test_relative_path_spec_resolves_to_an_absolute_local_folder(
    pristine_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _link_model(pristine_model, tmp_path / "my-model").resolve()
    monkeypatch.chdir(tmp_path)
    source = resolve_model("./my-model")
    assert source == ModelSource(name="my-model", kind=ModelKind.LOCAL_FOLDER, path=folder)
    assert not source.english_only


def test_factory_turns_corrupt_weights_into_model_error(model_copy: Path) -> None:
    # Same size and a header the integrity check accepts, but a spec name CTranslate2
    # does not know: the check passes and only CTranslate2's load can fail (ValueError).
    weights = bytearray((model_copy / "model.bin").read_bytes())
    offset = 4 + 2  # after the uint32 format version and the uint16 length of the spec name
    assert weights[offset : offset + len(b"WhisperSpec")] == b"WhisperSpec"
    weights[offset : offset + len(b"WhisperSpec")] = b"WhisperSpex"
    _replace(model_copy / "model.bin", bytes(weights))
    source = resolve_model(str(model_copy))

    with pytest.raises(ModelError) as raised:
        faster_whisper_factory(source, ComputeOptions(cpu_threads=1))
    message = str(raised.value)
    assert str(model_copy) in message
    assert "could not be loaded" in message
    assert "\n" not in message
    assert isinstance(raised.value.__cause__, ValueError)


def _first_matrix_dims_offset(weights: bytes) -> int:
    """Walk the model.bin header (version >= 4) to the dims of the first rank-2 variable."""
    (version,) = struct.unpack_from("<I", weights, 0)
    assert version >= 4
    (name_length,) = struct.unpack_from("<H", weights, 4)
    position: int = 4 + 2 + name_length + 4
    (count,) = struct.unpack_from("<I", weights, position)
    position += 4
    for _ in range(count):
        (name_length,) = struct.unpack_from("<H", weights, position)
        position += 2 + name_length
        rank = weights[position]
        position += 1
        if rank == 2:
            return position
        position += 4 * rank + 1
        (data_bytes,) = struct.unpack_from("<I", weights, position)
        position += 4 + data_bytes
    raise AssertionError("no rank-2 variable in model.bin")


def test_factory_reports_an_inconsistent_variable_shape(model_copy: Path) -> None:
    # The first 2-D variable claims one column fewer than its bytes hold.
    weights = bytearray((model_copy / "model.bin").read_bytes())
    offset = _first_matrix_dims_offset(bytes(weights))
    (rows, columns) = struct.unpack_from("<II", weights, offset)
    struct.pack_into("<II", weights, offset, rows, columns - 1)
    _replace(model_copy / "model.bin", bytes(weights))
    source = resolve_model(str(model_copy))

    with pytest.raises(ModelError, match="could not be loaded") as raised:
        faster_whisper_factory(source, ComputeOptions(cpu_threads=1))
    assert "\n" not in str(raised.value)
    assert isinstance(raised.value.__cause__, RuntimeError)
