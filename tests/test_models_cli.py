"""``saytype models …`` as a user runs it: real child processes against a hub on 127.0.0.1.

The acceptance path: a fresh install lists the bundled model; an interrupted
download leaves nothing that ``transcribe --model`` can load; the resumed one
installs a model that ``transcribe --model NAME`` then uses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.engine.model_catalog import MODEL_REPOSITORIES, partial_folder
from app.core.engine.model_registry import bundled_model_path
from app.core.paths import models_dir
from saytype_bench.accuracy import word_error_rate
from tests.support.fake_hub import FakeHub, running_fake_hub
from tests.support.speech import SpeechMaker

NAME = "base.en"  # served with the bundled tiny.en's files
SENTENCE = "Please book a table for four people at seven tonight."


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with running_fake_hub() as served:
        served.add_repo(MODEL_REPOSITORIES[NAME], bundled_model_path())
        yield served


def saytype(*args: str | Path, hub: FakeHub | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a child process; with ``hub``, downloads go to that server."""
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    if hub is not None:
        env |= {"HF_ENDPOINT": hub.endpoint, "HF_HUB_OFFLINE": "0"}
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def listed(hub: FakeHub | None = None) -> dict[str, dict[str, object]]:
    result = saytype("models", "list", "--json", hub=hub)
    assert result.returncode == 0, result.stderr
    return {record["name"]: record for record in map(json.loads, result.stdout.splitlines())}


def test_fresh_install_lists_the_bundled_model_and_the_catalog() -> None:
    models = listed()
    assert models["tiny.en"]["status"] == "bundled"
    assert models["tiny.en"]["size_bytes"] > 70_000_000
    for name in ("base.en", "small", "medium.en", "distil-large-v3", "large-v3-turbo"):
        assert models[name]["status"] == "available"
        assert models[name]["hint"]
    plain = saytype("models", "list")
    assert "tiny.en" in plain.stdout
    assert "bundled" in plain.stdout


@pytest.mark.model
def test_interrupted_then_resumed_download_is_used_by_transcribe(
    hub: FakeHub, speech: SpeechMaker, tmp_path: Path
) -> None:
    wav = speech.wav(SENTENCE, tmp_path / "booking.wav")
    hub.cut_after["model.bin"] = 30_000_000
    cut = saytype("models", "download", NAME, hub=hub)
    assert cut.returncode == 1
    assert "broke during the download. Download again to resume" in cut.stderr
    assert listed()[NAME]["status"] == "partial"
    refused = saytype("transcribe", wav, "--model", NAME)
    assert refused.returncode == 1
    assert f"Model '{NAME}' is not installed" in refused.stderr

    resumed = saytype("models", "download", NAME, hub=hub)
    assert resumed.returncode == 0, resumed.stderr
    assert f"Installed {NAME}" in resumed.stdout
    assert hub.file_requests("model.bin")[-1] == ("GET", "bytes=30000000-")
    assert listed()[NAME]["status"] == "installed"
    verified = saytype("models", "verify", NAME)
    assert verified.returncode == 0, verified.stderr
    path = saytype("models", "path", NAME)
    assert path.stdout.strip() == str(models_dir() / NAME)

    result = saytype("transcribe", wav, "--model", NAME, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert word_error_rate(SENTENCE, json.loads(result.stdout)["text"]) <= 0.2


def test_verify_reports_damage_and_remove_deletes(hub: FakeHub) -> None:
    assert saytype("models", "download", NAME, hub=hub).returncode == 0
    with (models_dir() / NAME / "config.json").open("a") as stream:
        stream.write(" ")
    damaged = saytype("models", "verify", NAME)
    assert damaged.returncode == 1
    assert "config.json" in damaged.stderr
    assert "damaged" in damaged.stderr
    removed = saytype("models", "remove", NAME)
    assert removed.returncode == 0, removed.stderr
    assert not (models_dir() / NAME).exists()
    assert listed()[NAME]["status"] == "available"


def test_errors_are_one_line_and_exit_1() -> None:
    offline = saytype("models", "download", NAME)  # conftest sets HF_HUB_OFFLINE=1
    assert offline.returncode == 1
    assert offline.stderr.strip() == (
        f"saytype models: error: Cannot download '{NAME}': offline mode is on "
        "(HF_HUB_OFFLINE). Unset it to allow downloads."
    )
    for args in (("remove", "tiny.en"), ("remove", NAME), ("verify", NAME), ("path", "huge")):
        result = saytype("models", *args)
        assert result.returncode == 1, args
        assert result.stderr.startswith("saytype models: error:"), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_the_path_of_a_model_not_downloaded_yet_says_how_to_get_it() -> None:
    # It answered "Saytype never downloads while loading: use the bundled 'tiny.en'…",
    # the words of a failed load, to a question about where the model lives.
    result = saytype("models", "path", NAME)
    assert result.returncode == 1
    assert result.stderr == (
        f"saytype models: error: Model '{NAME}' is not installed (it would be in "
        f"{models_dir() / NAME}). Download it with: saytype models download {NAME}\n"
    )


def test_a_download_that_fails_before_any_bytes_leaves_no_partial_model() -> None:
    with running_fake_hub() as empty_hub:  # the hub has no such repository
        failed = saytype("models", "download", NAME, hub=empty_hub)
    assert failed.returncode == 1
    assert "has no repository" in failed.stderr
    assert not partial_folder(models_dir(), NAME).exists()  # nothing fetched, nothing left
    models = listed()
    assert models[NAME]["status"] == "available"
    assert models[NAME]["size_is_estimate"] is True
    names = list(models)
    assert names.index("tiny") < names.index(NAME) < names.index("base")  # catalog order
    plain = saytype("models", "list")
    assert "partial" not in plain.stdout
