"""Shared fixtures: hermetic user folders, test speech, and one shared tiny.en model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.engine.model_host import ModelHost
from app.core.engine.model_registry import resolve_model
from tests.support.speech import SpeechMaker

# GUI tests run offscreen unless a test starts its own X server (integration tests do).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def hermetic_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every platformdirs location into tmp_path, and forbid model-hub access."""
    home = tmp_path / "home"
    for variable, folder in {
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_DATA_HOME": home / ".local/share",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_STATE_HOME": home / ".local/state",
    }.items():
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(variable, str(folder))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return home


@pytest.fixture(scope="session")
def speech() -> SpeechMaker:
    """The hibari-tts synthesiser, loaded once."""
    return SpeechMaker()


@pytest.fixture(scope="session")
def tiny_en() -> ModelHost:
    """The bundled tiny.en model, loaded once for every model test."""
    return ModelHost(resolve_model("tiny.en"))
