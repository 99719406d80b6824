"""`saytype models verify` checks the bundled model's bytes, not only that its files are there.

A new user overwrote a few 4 KB blocks inside a copy of model.bin (same size):
verify said OK, and transcription printed "))))))))". The bundled model is
checked against the sha256 its package installed (pip's RECORD); a folder copied
by hand has no record, so verify listens to the welcome sample with it instead.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest

from app.commands.models import run_verify
from app.core.engine import model_registry
from app.core.engine.model_integrity import checksums_known, verify_installed


@pytest.fixture
def bundled_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled model that the registry takes for the bundled one."""
    copy = tmp_path / "model"
    shutil.copytree(model_registry.bundled_model_path(), copy)
    monkeypatch.setattr(model_registry, "bundled_model_path", lambda: copy)
    return copy


def test_the_bundled_model_as_installed_is_intact() -> None:
    folder = model_registry.bundled_model_path()
    assert checksums_known(folder)
    assert verify_installed(folder) == []


def test_a_damaged_block_inside_the_bundled_model_is_found(bundled_copy: Path) -> None:
    weights = bundled_copy / "model.bin"
    size = weights.stat().st_size
    with weights.open("r+b") as stream:
        stream.seek(size // 2)
        stream.write(b"\xff" * 4096)
    assert weights.stat().st_size == size
    assert verify_installed(bundled_copy) == [
        "model.bin is corrupt: its sha256 differs from what its package installed."
    ]


def verify(folder: Path) -> tuple[int, str, str]:
    """``saytype models verify FOLDER``: its status, stdout and stderr."""

    class Args:
        name = str(folder)

    stdout, stderr = io.StringIO(), io.StringIO()
    status = run_verify(Args(), stdout, stderr)  # type: ignore[arg-type]
    return status, stdout.getvalue(), stderr.getvalue()


@pytest.mark.model
def test_a_folder_copied_by_hand_is_checked_by_listening_to_the_welcome_sample(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "my-model"
    shutil.copytree(model_registry.bundled_model_path(), copy)
    assert not checksums_known(copy)
    status, out, err = verify(copy)
    assert status == 0, err
    assert "no checksums were recorded" in out
    assert "it heard the welcome sample as it was said" in out


@pytest.mark.model
def test_damaged_weights_in_a_copy_are_heard(tmp_path: Path) -> None:
    # Weights damaged in place (the same size) load and decode without an error.
    copy = tmp_path / "my-model"
    shutil.copytree(model_registry.bundled_model_path(), copy)
    noise = np.random.default_rng(1).integers(0, 256, 5 * 2**20, dtype=np.uint8).tobytes()
    with (copy / "model.bin").open("r+b") as weights:
        weights.seek(30 * 2**20)
        weights.write(noise)
    status, out, err = verify(copy)
    assert status == 1, out
    assert "its weights look damaged: in the welcome sample it heard" in err
    assert f"Model '{copy}' is damaged" in err


def _damage(weights: Path) -> None:
    size = weights.stat().st_size
    with weights.open("r+b") as stream:
        stream.seek(size // 2)
        stream.write(b"\xff" * 4096)


def test_damaged_bundled_weights_are_refused_at_load_with_what_mends_them(
    bundled_copy: Path,
) -> None:
    # Loaded, they typed "))))))))" into a terminal: the load now checks the package's
    # hashes, and says how to repair a model that cannot be removed or downloaded.
    from app.core.engine.model_folder import ModelError
    from app.core.engine.model_host import ModelHost

    _damage(bundled_copy / "model.bin")
    host = ModelHost(model_registry.resolve_model("tiny.en"))
    with pytest.raises(ModelError, match=r"is damaged .*reinstall Saytype"):
        host.get()
    status, _out, err = verify(bundled_copy)
    assert status == 1
    assert "reinstall Saytype" in err
    assert "download it again" not in err
