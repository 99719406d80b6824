"""What ``list_models`` reports for the folders a download leaves behind (no Qt, no network)."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.core.engine.model_catalog import (
    CATALOG,
    ModelStatus,
    holds_downloaded_bytes,
    list_models,
    partial_folder,
)
from app.core.engine.model_registry import bundled_model_path

NAME = "base.en"


def statuses(models: Path) -> dict[str, ModelStatus]:
    return {model.name: model.status for model in list_models(models)}


def test_a_download_that_got_no_bytes_is_listed_as_available_in_catalog_order(
    tmp_path: Path,
) -> None:
    partial = partial_folder(tmp_path, NAME)
    partial.mkdir(parents=True)
    (partial / ".lock").touch()  # all a download leaves when it fails before any bytes
    (partial / "model.bin.part").touch()  # an empty part file holds no bytes either
    assert not holds_downloaded_bytes(partial)
    listed = list_models(tmp_path)
    base = next(model for model in listed if model.name == NAME)
    assert base.status is ModelStatus.AVAILABLE
    assert base.size_is_estimate
    assert base.path is None
    offered = [model.name for model in listed if model.status is ModelStatus.AVAILABLE]
    assert offered == [entry.name for entry in CATALOG if entry.name in offered]
    assert [model.name for model in listed].count(NAME) == 1


def test_a_download_with_bytes_is_listed_as_partial(tmp_path: Path) -> None:
    partial = partial_folder(tmp_path, NAME)
    partial.mkdir(parents=True)
    (partial / "model.bin.part").write_bytes(b"\0" * 1000)
    assert holds_downloaded_bytes(partial)
    listing = next(model for model in list_models(tmp_path) if model.name == NAME)
    assert (listing.status, listing.size_bytes, listing.path) == (
        ModelStatus.PARTIAL,
        1000,
        partial,
    )


def test_an_empty_unfinished_download_of_an_unlisted_model_is_not_shown(tmp_path: Path) -> None:
    partial_folder(tmp_path, "large-v2").mkdir(parents=True)  # downloadable, not in CATALOG
    assert "large-v2" not in statuses(tmp_path)


def test_a_damaged_download_says_so_in_its_hint(tmp_path: Path) -> None:
    # Listed as "downloaded" like any other, a damaged model was chosen in Settings, and
    # each start then fell back to tiny.en.
    whole, damaged = tmp_path / "tiny", tmp_path / NAME
    shutil.copytree(bundled_model_path(), whole)
    shutil.copytree(bundled_model_path(), damaged)
    (damaged / "config.json").write_text("{not json", encoding="utf-8")

    hints = {model.name: model.hint for model in list_models(tmp_path)}

    assert statuses(tmp_path)[NAME] is ModelStatus.INSTALLED  # still there to remove
    assert hints[NAME] == (
        f"damaged: Model folder {damaged} has a damaged config.json; download or copy the "
        "model again."
    )
    assert not hints["tiny"].startswith("damaged")
