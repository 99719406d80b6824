"""The faster-whisper models Saytype can download, and what is on disk now.

The name → repository table mirrors faster-whisper's own (read by
:func:`whisper_internals.hub_repositories`; a test keeps them equal) rather than
importing it, because importing faster_whisper loads CTranslate2, and
``saytype models list`` should answer at once. Sizes are the download sizes of
the fp16 weights on the hub, rounded; they are shown before any network access,
so they are hints, and the download checks the real sizes from the hub's
metadata.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from app.core.engine.model_check_stamp import changed_since_checked
from app.core.engine.model_folder import ModelError, check_model_folder
from app.core.engine.model_registry import BUNDLED_MODEL, bundled_model_path, unknown_model_message

log = logging.getLogger(__name__)

# Keep in step with whisper_internals.hub_repositories() (tests/test_model_download.py).
MODEL_REPOSITORIES: dict[str, str] = {
    "tiny.en": "Systran/faster-whisper-tiny.en",
    "tiny": "Systran/faster-whisper-tiny",
    "base.en": "Systran/faster-whisper-base.en",
    "base": "Systran/faster-whisper-base",
    "small.en": "Systran/faster-whisper-small.en",
    "small": "Systran/faster-whisper-small",
    "medium.en": "Systran/faster-whisper-medium.en",
    "medium": "Systran/faster-whisper-medium",
    "large-v1": "Systran/faster-whisper-large-v1",
    "large-v2": "Systran/faster-whisper-large-v2",
    "large-v3": "Systran/faster-whisper-large-v3",
    "large": "Systran/faster-whisper-large-v3",
    "distil-large-v2": "Systran/faster-distil-whisper-large-v2",
    "distil-medium.en": "Systran/faster-distil-whisper-medium.en",
    "distil-small.en": "Systran/faster-distil-whisper-small.en",
    "distil-large-v3": "Systran/faster-distil-whisper-large-v3",
    "distil-large-v3.5": "distil-whisper/distil-large-v3.5-ct2",
    "large-v3-turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
    "turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
}

# The files faster-whisper itself fetches (faster_whisper.utils.download_model).
MODEL_FILE_PATTERNS = (
    "config.json",
    "preprocessor_config.json",
    "model.bin",
    "tokenizer.json",
    "vocabulary.*",
)

PARTIAL_PREFIX = ".partial-"


@dataclass(frozen=True)
class CatalogEntry:
    """One downloadable model as ``saytype models list`` offers it."""

    name: str
    approx_mb: int
    hint: str

    @property
    def repo_id(self) -> str:
        """The Hugging Face repository faster-whisper downloads this model from."""
        return MODEL_REPOSITORIES[self.name]


# The models offered in lists, smallest first; other names in MODEL_REPOSITORIES
# (older large versions, aliases) still download by name.
CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry("tiny.en", 75, "fastest; lowest accuracy; English only"),
    CatalogEntry("tiny", 75, "fastest; lowest accuracy; 99 languages"),
    CatalogEntry("base.en", 145, "very fast; fair accuracy; English only"),
    CatalogEntry("base", 145, "very fast; fair accuracy; 99 languages"),
    CatalogEntry("small.en", 484, "fast; good accuracy; English only"),
    CatalogEntry("small", 484, "fast; good accuracy; 99 languages"),
    CatalogEntry("distil-small.en", 336, "fast; good accuracy; English only"),
    CatalogEntry("medium.en", 1530, "slow; very good accuracy; English only"),
    CatalogEntry("medium", 1530, "slow; very good accuracy; 99 languages"),
    CatalogEntry("distil-medium.en", 789, "medium's accuracy at twice its speed; English only"),
    CatalogEntry("distil-large-v3", 1510, "near large-v3 accuracy, much faster; English only"),
    CatalogEntry("large-v3-turbo", 1620, "near large-v3 accuracy, ~6x faster; 99 languages"),
    CatalogEntry("large-v3", 3090, "slowest; best accuracy; 99 languages"),
)


class ModelStatus(Enum):
    """Where a listed model stands on this machine."""

    BUNDLED = "bundled"
    INSTALLED = "installed"
    PARTIAL = "partial"  # an interrupted download that the next download resumes
    AVAILABLE = "available"


@dataclass(frozen=True)
class ModelListing:
    """One line of ``saytype models list``."""

    name: str
    status: ModelStatus
    size_bytes: int
    hint: str
    path: Path | None

    @property
    def size_is_estimate(self) -> bool:
        """Whether the size is the catalog's estimate rather than measured on disk."""
        return self.status is ModelStatus.AVAILABLE


def catalog_entry(name: str) -> CatalogEntry:
    """Return the catalog entry of a downloadable model name.

    Raises:
        ModelError: for a name faster-whisper does not know.
    """
    for entry in CATALOG:
        if entry.name == name:
            return entry
    if name in MODEL_REPOSITORIES:
        return CatalogEntry(name, 0, "")
    names = tuple(entry.name for entry in CATALOG)
    known = ", ".join(names)
    raise ModelError(f"{unknown_model_message(name, names)} Downloadable models: {known}.")


def partial_folder(models_dir: Path, name: str) -> Path:
    """Where an unfinished download of ``name`` is kept until it completes."""
    return models_dir / f"{PARTIAL_PREFIX}{name}"


def folder_size(folder: Path) -> int:
    """Total bytes of the regular files under ``folder`` (0 when it is missing)."""
    if not folder.is_dir():
        return 0
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def holds_downloaded_bytes(partial: Path) -> bool:
    """Whether an unfinished download has received any model bytes (its ``*.part`` files)."""
    try:
        return any(part.stat().st_size > 0 for part in partial.glob("*.part"))
    except OSError:  # a running download moved its files on meanwhile: it has bytes
        return True


def list_models(models_dir: Path) -> list[ModelListing]:
    """The bundled model, installed and partly downloaded models, then downloadable ones.

    An unfinished download that holds no model bytes yet is not listed as partial:
    its model appears among the downloadable ones, in catalog order.
    """
    listings: list[ModelListing] = []
    try:
        bundled: Path | None = bundled_model_path()
    except ModelError:
        bundled = None
    hints = {entry.name: entry.hint for entry in CATALOG}
    if bundled is not None and bundled.is_dir():
        listings.append(
            ModelListing(
                BUNDLED_MODEL,
                ModelStatus.BUNDLED,
                folder_size(bundled),
                hints[BUNDLED_MODEL] + "; ships with Saytype",
                bundled,
            )
        )
    if models_dir.is_dir():
        for folder in sorted(models_dir.iterdir()):
            if not folder.is_dir():
                continue
            if folder.name.startswith(PARTIAL_PREFIX):
                if not holds_downloaded_bytes(folder):
                    # A download that failed before any bytes left only its lock file:
                    # the model is still just available, not "partial · 0 MB".
                    continue
                name = folder.name.removeprefix(PARTIAL_PREFIX)
                status = ModelStatus.PARTIAL
            elif folder.name.startswith("."):
                continue  # a removal in progress or other housekeeping
            else:
                name = folder.name
                status = ModelStatus.INSTALLED
            hint = (
                "unfinished download; download again to resume"
                if status is ModelStatus.PARTIAL
                else _damage(folder) or hints.get(name, "")
            )
            listings.append(ModelListing(name, status, folder_size(folder), hint, folder))
    shown = {listing.name for listing in listings}
    for entry in CATALOG:
        if entry.name not in shown:
            listings.append(
                ModelListing(
                    entry.name, ModelStatus.AVAILABLE, entry.approx_mb * 1_000_000, entry.hint, None
                )
            )
    return listings


def _damage(folder: Path) -> str:
    """What is wrong with an installed model's files, as a hint ("" when nothing is).

    Listed as "downloaded" without a word, a damaged model was chosen in Settings and
    each start then fell back to tiny.en.
    """
    try:
        check_model_folder(folder)
    except ModelError as exc:
        return f"damaged: {exc}"
    if changed_since_checked(folder):  # a flipped byte keeps the folder's shape
        return f"files changed since they were checked: saytype models verify {folder.name}"
    return ""


def remove_model(name: str, models_dir: Path) -> list[Path]:
    """Delete an installed model and any unfinished download of it; return what was removed.

    The folder is first renamed to a hidden name in one step, so a removal that is
    interrupted half-way never leaves a half-deleted model that still looks loadable.

    Raises:
        ModelError: for the bundled model, a name with a path in it, or nothing to remove.
    """
    import shutil

    if name == BUNDLED_MODEL:
        raise ModelError(f"'{name}' ships with Saytype and cannot be removed.")
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ModelError(f"'{name}' is not a model name.")
    removed: list[Path] = []
    for folder in (models_dir / name, partial_folder(models_dir, name)):
        if not folder.exists():
            continue
        doomed = folder.with_name(f".removing-{folder.name}")
        if doomed.exists():
            shutil.rmtree(doomed)
        folder.rename(doomed)
        shutil.rmtree(doomed)
        removed.append(folder)
    if not removed:
        raise ModelError(f"Model '{name}' is not installed in {models_dir}.")
    log.info("removed %s", ", ".join(str(path) for path in removed))
    return removed
