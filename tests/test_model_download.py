"""Model downloads against a hub-like server on 127.0.0.1 serving the real tiny.en files.

Covers a full download, an interrupted one that resumes with HTTP Range, a
corrupt file, a cancel, offline mode, an unreachable hub and a full disk. The
invariant every test checks: nothing loadable appears unless all of it arrived
and matched the hub's sizes and hashes.
"""

from __future__ import annotations

import errno
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.engine.cancellation import CancellationToken, Cancelled
from app.core.engine.model_catalog import (
    MODEL_REPOSITORIES,
    ModelStatus,
    list_models,
    partial_folder,
)
from app.core.engine.model_download import (
    DownloadError,
    DownloadProgress,
    HubAccess,
    download_model,
)
from app.core.engine.model_folder import ModelError, check_model_folder
from app.core.engine.model_integrity import MANIFEST_NAME, verify_installed
from app.core.engine.model_registry import ModelKind, bundled_model_path, resolve_model
from tests.support.fake_hub import FakeHub, running_fake_hub

NAME = "base.en"  # served with the bundled tiny.en's files


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    import huggingface_hub.constants

    # conftest forbids hub access; huggingface_hub read that flag when it was imported.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    with running_fake_hub() as served:
        served.add_repo(MODEL_REPOSITORIES[NAME], bundled_model_path())
        yield served


@pytest.fixture
def models(tmp_path: Path) -> Path:
    return tmp_path / "models"


def access(hub: FakeHub) -> HubAccess:
    return HubAccess(endpoint=hub.endpoint)


def test_repository_table_matches_faster_whisper() -> None:
    from app.core.engine.whisper_internals import hub_repositories

    assert hub_repositories() == MODEL_REPOSITORIES


def test_hub_access_reads_the_environment() -> None:
    assert HubAccess.from_environment({}) == HubAccess("https://huggingface.co", offline=False)
    read = HubAccess.from_environment({"HF_ENDPOINT": "http://x:1/", "HF_HUB_OFFLINE": "1"})
    assert read == HubAccess("http://x:1", offline=True)


def test_full_download_installs_a_verified_model(hub: FakeHub, models: Path) -> None:
    seen: list[DownloadProgress] = []
    folder = download_model(NAME, models, access(hub), progress=seen.append)
    assert folder == models / NAME
    check_model_folder(folder)
    bundled = bundled_model_path()
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        assert (folder / name).read_bytes() == (bundled / name).read_bytes()
    assert json.loads((folder / MANIFEST_NAME).read_text())["revision"]
    assert not partial_folder(models, NAME).exists()
    total = sum(p.stat().st_size for p in bundled.iterdir() if p.is_file())
    assert seen[-1].done_bytes == seen[-1].total_bytes == total
    assert [p.done_bytes for p in seen] == sorted(p.done_bytes for p in seen)
    assert verify_installed(folder) == []
    source = resolve_model(NAME, models)
    assert (source.kind, source.path) == (ModelKind.NAMED, folder)
    assert [m.status for m in list_models(models) if m.name == NAME] == [ModelStatus.INSTALLED]


def test_interrupted_download_leaves_nothing_loadable_then_resumes(
    hub: FakeHub, models: Path
) -> None:
    cut = 20_000_000
    hub.cut_after["model.bin"] = cut
    with pytest.raises(
        DownloadError,
        match=r"connection to http://127\.0\.0\.1:\d+ broke during the download\. Download again",
    ):
        download_model(NAME, models, access(hub))
    assert not (models / NAME).exists()
    with pytest.raises(ModelError, match="not installed"):
        resolve_model(NAME, models)
    part = partial_folder(models, NAME) / "model.bin.part"
    assert part.stat().st_size == cut
    assert [m.status for m in list_models(models) if m.name == NAME] == [ModelStatus.PARTIAL]

    download_model(NAME, models, access(hub))
    assert hub.file_requests("model.bin")[-1] == ("GET", f"bytes={cut}-")
    assert verify_installed(models / NAME) == []
    check_model_folder(models / NAME)


def test_a_file_the_server_refuses_is_named_with_its_answer(hub: FakeHub, models: Path) -> None:
    # An HTTP error answer used to read "The connection ... broke during the download".
    hub.refuse["model.bin"] = 503
    with pytest.raises(DownloadError) as refused:
        download_model(NAME, models, access(hub))
    assert str(refused.value) == (
        f"{hub.endpoint} refused to send model.bin (HTTP 503, Service Unavailable). "
        "Try again later; what was downloaded so far is kept."
    )
    assert not (models / NAME).exists()
    download_model(NAME, models, access(hub))  # the server sends it now
    assert verify_installed(models / NAME) == []
    hub.refuse["model.bin"] = 403
    with pytest.raises(DownloadError, match=r"HTTP 403, Forbidden\)\. The model may have moved"):
        download_model(NAME, models / "other", access(hub))


def test_corrupt_file_is_rejected_and_deleted(hub: FakeHub, models: Path) -> None:
    hub.corrupt.add("model.bin")
    with pytest.raises(DownloadError, match=r"model\.bin is corrupt.*deleted"):
        download_model(NAME, models, access(hub))
    assert not (models / NAME).exists()
    assert not (partial_folder(models, NAME) / "model.bin.part").exists()
    hub.corrupt.clear()
    download_model(NAME, models, access(hub))
    assert verify_installed(models / NAME) == []


def test_corrupt_small_file_is_caught_by_its_git_blob_id(hub: FakeHub, models: Path) -> None:
    hub.corrupt.add("config.json")
    with pytest.raises(DownloadError, match=r"config\.json is corrupt"):
        download_model(NAME, models, access(hub))
    assert not (models / NAME).exists()


def test_cancel_keeps_partial_files_for_a_resume(hub: FakeHub, models: Path) -> None:
    cancel = CancellationToken()

    def on_progress(progress: DownloadProgress) -> None:
        if progress.file_name == "model.bin" and progress.done_bytes > 5_000_000:
            cancel.cancel()

    with pytest.raises(Cancelled):
        download_model(NAME, models, access(hub), progress=on_progress, cancel=cancel)
    assert not (models / NAME).exists()
    kept = (partial_folder(models, NAME) / "model.bin.part").stat().st_size
    assert 0 < kept < (bundled_model_path() / "model.bin").stat().st_size
    download_model(NAME, models, access(hub))
    assert hub.file_requests("model.bin")[-1] == ("GET", f"bytes={kept}-")
    assert verify_installed(models / NAME) == []


def test_verify_finds_a_file_damaged_after_install(hub: FakeHub, models: Path) -> None:
    folder = download_model(NAME, models, access(hub))
    tokenizer = folder / "tokenizer.json"
    content = tokenizer.read_bytes()
    spaced = content.index(b": ") + 1  # a space becomes a tab: valid JSON, the same size,
    tokenizer.write_bytes(content[:spaced] + b"\t" + content[spaced + 1 :])  # another hash
    problems = verify_installed(folder)
    assert len(problems) == 1
    assert "tokenizer.json is corrupt" in problems[0]


def test_offline_mode_refuses_before_any_request(hub: FakeHub, models: Path) -> None:
    with pytest.raises(DownloadError, match="offline mode"):
        download_model(NAME, models, HubAccess(hub.endpoint, offline=True))
    assert hub.requests == []


def test_unreachable_hub_gives_a_network_message(hub: FakeHub, models: Path) -> None:
    with pytest.raises(DownloadError, match=r"Could not reach http://127\.0\.0\.1"):
        download_model(NAME, models, HubAccess("http://127.0.0.1:9"))
    # Nothing was fetched, so nothing is left to resume or to show as a partial download.
    assert list(models.iterdir()) == []


def test_unknown_and_bundled_names_are_refused(hub: FakeHub, models: Path) -> None:
    with pytest.raises(ModelError, match="Unknown model 'huge'"):
        download_model("huge", models, access(hub))
    with pytest.raises(ModelError, match=r"Did you mean 'small\.en'"):
        download_model("smal.en", models, access(hub))
    with pytest.raises(DownloadError, match="ships with Saytype"):
        download_model("tiny.en", models, access(hub))
    assert hub.requests == []


def test_repository_missing_on_the_hub(hub: FakeHub, models: Path) -> None:
    with pytest.raises(DownloadError, match="has no repository Systran/faster-whisper-small"):
        download_model("small", models, access(hub))
    assert list(models.iterdir()) == []


def test_full_disk_gives_a_clear_message(
    hub: FakeHub, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.core.engine.model_download as module

    real_copy = module._copy_body

    def failing_copy(*args: object, **kwargs: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(module, "_copy_body", failing_copy)
    with pytest.raises(DownloadError, match=r"The disk is full.*resume"):
        download_model(NAME, models, access(hub))
    assert not (models / NAME).exists()
    monkeypatch.setattr(module, "_copy_body", real_copy)


def test_too_little_free_space_is_refused_up_front(
    hub: FakeHub, models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import app.core.engine.model_download as module

    monkeypatch.setattr(module.shutil, "disk_usage", lambda _p: shutil._ntuple_diskusage(1, 1, 0))
    with pytest.raises(DownloadError, match="Not enough disk space"):
        download_model(NAME, models, access(hub))
    assert hub.file_requests("model.bin") == []


def test_a_second_download_of_an_installed_model_is_refused(hub: FakeHub, models: Path) -> None:
    download_model(NAME, models, access(hub))
    with pytest.raises(DownloadError, match="already installed"):
        download_model(NAME, models, access(hub))


def test_downloading_a_damaged_model_again_repairs_it(hub: FakeHub, models: Path) -> None:
    """A new user deleted config.json (or a disk flipped bytes in model.bin): `models
    download` refused with "already installed … remove it first" and repaired nothing."""
    download_model(NAME, models, access(hub))
    (models / NAME / "config.json").unlink()
    download_model(NAME, models, access(hub))
    assert verify_installed(models / NAME) == []
    with (models / NAME / "model.bin").open("r+b") as model:
        model.seek(1000)
        byte = model.read(1)
        model.seek(1000)
        model.write(bytes([byte[0] ^ 0xFF]))
    assert verify_installed(models / NAME) != []
    download_model(NAME, models, access(hub))
    assert verify_installed(models / NAME) == []
    check_model_folder(models / NAME)
    assert sorted(p.name for p in models.iterdir()) == [NAME]  # nothing left aside
