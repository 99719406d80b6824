"""A downloaded model whose bytes changed after the download is refused at load, not used.

A scripter flipped one byte in the middle of a downloaded ``model.bin``: the model loaded
and transcribed "Cindy Cindy Cindy…" with exit status 0, and ``models list`` still said
"installed". Only ``saytype models verify`` found it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.engine import model_check_stamp
from app.core.engine.model_catalog import list_models
from app.core.engine.model_download import download_model
from app.core.engine.model_folder import ModelError
from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import resolve_model
from tests.support.fake_hub import FakeHub
from tests.test_model_download import NAME, access, hub, models

__all__ = ["hub", "models"]  # the fixtures, shared with the download tests


def _flip_a_byte(path: Path) -> None:
    with path.open("r+b") as stream:
        stream.seek(path.stat().st_size // 2)
        byte = stream.read(1)
        stream.seek(-1, 1)
        stream.write(bytes([byte[0] ^ 0xFF]))


def _load(models: Path) -> object:
    return ModelHost(resolve_model(NAME, models)).get()


def test_a_flipped_byte_is_refused_at_load_and_a_download_repairs_it(
    hub: FakeHub, models: Path
) -> None:
    folder = download_model(NAME, models, access(hub))
    _load(models)
    _flip_a_byte(folder / "model.bin")
    (listed,) = [m for m in list_models(models) if m.name == NAME]
    assert listed.hint == f"files changed since they were checked: saytype models verify {NAME}"
    with pytest.raises(ModelError) as refused:
        _load(models)
    assert str(refused.value).startswith(f"Model '{NAME}' is damaged (model.bin is corrupt")
    assert str(refused.value).endswith(
        f"'saytype models download {NAME}' repairs it, or choose another model."
    )
    download_model(NAME, models, access(hub))
    _load(models)


def test_the_hashes_are_checked_only_when_a_file_changed(
    hub: FakeHub, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The download checked every hash and stamps the folder: loads then cost a stat a file.
    folder = download_model(NAME, models, access(hub))
    checks: list[Path] = []
    real = model_check_stamp.verify_installed
    monkeypatch.setattr(
        model_check_stamp, "verify_installed", lambda folder: checks.append(folder) or real(folder)
    )
    for _ in range(2):
        _load(models)
    assert checks == []
    (folder / "config.json").touch()  # a new time, the same bytes: checked once, then stamped
    for _ in range(2):
        _load(models)
    assert checks == [folder]
