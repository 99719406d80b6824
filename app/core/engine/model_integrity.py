"""Whether a model folder still holds exactly the files the hub described.

A download records each file's size and hash (sha256 for LFS files, the git blob
id for small ones) in ``saytype-download.json`` inside the model folder, so that
``saytype models verify`` can later tell a damaged disk or an edited file from an
intact model without the network.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from app.core.engine.model_folder import ModelError, check_model_folder

MANIFEST_NAME = "saytype-download.json"
_BLOCK_BYTES = 1 << 20


@dataclass(frozen=True)
class RemoteFile:
    """One file of a model repository, with what the hub says it must contain."""

    name: str
    size: int
    sha256: str | None  # LFS files
    git_blob_id: str | None  # small files kept in git


def verify_installed(folder: Path) -> list[str]:
    """Check a model folder against the sizes and hashes recorded when it was downloaded.

    Returns:
        One sentence per problem; empty when the model is intact. Folders without a
        download record (the bundled model, copied folders) get the structural check only.
    """
    try:
        check_model_folder(folder)
    except ModelError as exc:
        return [str(exc)]
    manifest = folder / MANIFEST_NAME
    if not manifest.is_file():
        return []
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
