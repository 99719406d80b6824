"""Download a faster-whisper model from the Hugging Face hub, atomically and resumably.

Users of other Whisper apps lose hours to half-downloaded models that then fail
to load in odd ways. So a download never writes into the folder that loading
reads: files go into ``<models_dir>/.partial-<name>/`` as ``<file>.part``; each
finished file is checked against the size and hash the hub's metadata gives
(sha256 for LFS files, the git blob id for small ones); the folder is checked
as a loadable model; and only then is it renamed to ``<models_dir>/<name>`` in
one step. An interruption or a cancel leaves only the ``.partial-`` folder,
which loading never looks at and which the next download resumes (HTTP Range).

We use huggingface_hub's API client and HTTP session, as faster-whisper does, but
stream the files ourselves: ``hf_hub_download`` (huggingface_hub 1.x/2.x) deletes its
temporary file on failure (no resume), and has no cancel hook or per-chunk progress.
"""

from __future__ import annotations

import fcntl
import fnmatch
import json
import logging
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from app.core.engine.cancellation import CancellationToken, Cancelled
from app.core.engine.download_messages import (
    describe_os_error,
    disk_message,
    http_status,
    is_transport_error,
    network_message,
    refused_message,
)
from app.core.engine.model_catalog import MODEL_FILE_PATTERNS, catalog_entry, partial_folder
from app.core.engine.model_check_stamp import stamp_checked
from app.core.engine.model_folder import ModelError, check_model_folder
from app.core.engine.model_integrity import (
    MANIFEST_NAME,
    RemoteFile,
    file_problem,
    verify_installed,
)
from app.core.engine.model_registry import BUNDLED_MODEL
from app.core.offline import hub_requests_allowed, user_hub_offline

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://huggingface.co"
_CHUNK_BYTES = 1 << 20
_TIMEOUT_S = 30.0
_SPACE_MARGIN_BYTES = 50_000_000


class DownloadError(ModelError):
    """A download failed; the message says why and what to do, in one or two sentences."""


@dataclass(frozen=True)
class HubAccess:
    """Where models come from: the hub's address and whether the network may be used."""

    endpoint: str = DEFAULT_ENDPOINT
    offline: bool = False

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> HubAccess:
        """Read ``HF_ENDPOINT`` and the user's own ``HF_HUB_OFFLINE`` (see app.core.offline)."""
        endpoint = (environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
        return cls(endpoint=endpoint, offline=user_hub_offline(environ))


@dataclass(frozen=True)
class DownloadProgress:
    """How far a download has come, over all its files."""

    file_name: str
    done_bytes: int
    total_bytes: int

    @property
    def fraction(self) -> float:
        """Share done, 0..1."""
        return self.done_bytes / self.total_bytes if self.total_bytes else 0.0


ProgressCallback = Callable[[DownloadProgress], None]


def download_model(
    name: str,
    models_dir: Path,
    access: HubAccess,
    progress: ProgressCallback | None = None,
    cancel: CancellationToken | None = None,
) -> Path:
    """Download and install model ``name`` into ``models_dir / name``; return that folder.

    Resumes an earlier unfinished download; replaces an installed copy that fails its
    checks. On any failure nothing loadable is left behind.

    Raises:
        DownloadError: offline mode, network or disk problems, or files that fail their checks.
        Cancelled: when ``cancel`` was set; the partial files stay for a later resume.
    """
    if name == BUNDLED_MODEL:
        raise DownloadError(f"'{name}' ships with Saytype; there is nothing to download.")
    entry = catalog_entry(name)
    target = models_dir / name
    if target.exists():
        damage = verify_installed(target)  # a damaged model is repaired by downloading again
        if not damage:
            raise DownloadError(
                f"Model '{name}' is already installed in {target}; remove it first to download "
                "it again."
            )
        log.info("model %s is damaged (%s): downloading it again", name, damage[0])
    if access.offline:
        raise DownloadError(
            f"Cannot download '{name}': offline mode is on (HF_HUB_OFFLINE). "
            "Unset it to allow downloads."
        )
    cancel = cancel or CancellationToken()
    partial = partial_folder(models_dir, name)
    try:
        partial.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"Cannot create {partial}: {describe_os_error(exc)}.") from exc
    # Saytype keeps the hub offline (app.core.offline); this download is the user's request.
    try:
        with _exclusive(partial, name), hub_requests_allowed():
            _download_into(partial, target, entry.repo_id, access, progress=progress, cancel=cancel)
    except DownloadError:
        _drop_if_nothing_to_resume(partial)
        raise
    log.info("model %s installed in %s", name, target)
    return target


def _download_into(
    partial: Path,
    target: Path,
    repo_id: str,
    access: HubAccess,
    *,
    progress: ProgressCallback | None,
    cancel: CancellationToken,
) -> None:
    """Fetch the files into ``partial`` (resuming), check them, and install them as ``target``."""
    revision, files = fetch_file_list(repo_id, access)
    _forget_stale_parts(partial, revision, files)
    _check_free_space(partial, files)
    total = sum(remote.size for remote in files)
    done = sum(
        min(_part(partial, remote).stat().st_size, remote.size)
        for remote in files
        if _part(partial, remote).exists()
    )
    if progress is not None:
        progress(DownloadProgress(files[0].name, done, total))
    for remote in files:
        done = _fetch_file(
            repo_id, revision, remote, partial, access, done, total, progress, cancel
        )
    _install(partial, target, repo_id, revision, files)


def fetch_file_list(repo_id: str, access: HubAccess) -> tuple[str, list[RemoteFile]]:
    """Ask the hub for the repository's commit and the model files with sizes and hashes.

    Raises:
        DownloadError: when the hub cannot be reached or lacks the repository.
    """
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled, RepositoryNotFoundError

    try:
        info = HfApi(endpoint=access.endpoint).model_info(
            repo_id, files_metadata=True, timeout=_TIMEOUT_S
        )
    except RepositoryNotFoundError as exc:
        raise DownloadError(f"The hub at {access.endpoint} has no repository {repo_id}.") from exc
    except OfflineModeIsEnabled as exc:
        raise DownloadError("Cannot download: the hub is set offline (HF_HUB_OFFLINE).") from exc
    except (HfHubHTTPError, OSError) as exc:
        raise DownloadError(network_message(access.endpoint, exc)) from exc
    except Exception as exc:
        if is_transport_error(exc):
            raise DownloadError(network_message(access.endpoint, exc)) from exc
        raise
    files = [
        RemoteFile(
            name=sibling.rfilename,
            size=int(sibling.lfs.size if sibling.lfs else (sibling.size or 0)),
            sha256=sibling.lfs.sha256 if sibling.lfs else None,
            git_blob_id=None if sibling.lfs else sibling.blob_id,
        )
        for sibling in info.siblings or []
        if any(fnmatch.fnmatch(sibling.rfilename, pattern) for pattern in MODEL_FILE_PATTERNS)
    ]
    if not any(remote.name == "model.bin" for remote in files):
        raise DownloadError(f"Repository {repo_id} on {access.endpoint} holds no model.bin.")
    if not info.sha:
        raise DownloadError(f"The hub at {access.endpoint} gave no commit for {repo_id}.")
    return info.sha, files


def _drop_if_nothing_to_resume(partial: Path) -> None:
    """Remove a partial folder that holds no downloaded bytes (the hub never answered):
    left behind, it would only say "partial download" in the models folder for nothing."""
    try:
        if any(path.name != ".lock" for path in partial.iterdir()):
            return
        (partial / ".lock").unlink(missing_ok=True)
        partial.rmdir()
    except OSError:  # another download took it, or it is not ours to tidy
        return


def _part(partial: Path, remote: RemoteFile) -> Path:
    return partial / f"{remote.name}.part"


@contextmanager
def _exclusive(partial: Path, name: str) -> Iterator[None]:
    """Hold a lock so that two processes never write the same partial files."""
    with (partial / ".lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DownloadError(f"Model '{name}' is already being downloaded.") from None
        yield


def _forget_stale_parts(partial: Path, revision: str, files: list[RemoteFile]) -> None:
    """Drop partial files from another revision of the repository: they cannot be resumed."""
    record = partial / "revision"
    previous = record.read_text().strip() if record.is_file() else None
    if previous not in (None, revision):
        log.info("the repository changed since the interrupted download; starting over")
        for remote in files:
            _part(partial, remote).unlink(missing_ok=True)
    record.write_text(revision + "\n")


def _check_free_space(partial: Path, files: list[RemoteFile]) -> None:
    needed = sum(
        remote.size
        - (_part(partial, remote).stat().st_size if _part(partial, remote).exists() else 0)
        for remote in files
    )
    free = shutil.disk_usage(partial).free
    if needed + _SPACE_MARGIN_BYTES > free:
        raise DownloadError(
            f"Not enough disk space in {partial.parent}: the model needs {needed / 1e6:.0f} MB "
            f"more, and {_SPACE_MARGIN_BYTES / 1e6:.0f} MB are kept free besides; "
            f"{free / 1e6:.0f} MB are free."
        )


def _fetch_file(  # noqa: PLR0917 - one file's whole context
    repo_id: str,
    revision: str,
    remote: RemoteFile,
    partial: Path,
    access: HubAccess,
    done: int,
    total: int,
    progress: ProgressCallback | None,
    cancel: CancellationToken,
) -> int:
    """Bring ``remote``'s part file to its full size (resuming), check it; return bytes done."""
    from huggingface_hub import get_session, hf_hub_url, hf_raise_for_status

    # Public and documented, but exported through a computed __all__ that mypy cannot read.
    from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]

    part = _part(partial, remote)
    have = part.stat().st_size if part.exists() else 0
    if have > remote.size:
        part.unlink()
        done -= remote.size
        have = 0
    if have < remote.size:
        cancel.raise_if_cancelled()
        url = hf_hub_url(repo_id, remote.name, revision=revision, endpoint=access.endpoint)
        headers = build_hf_headers(library_name="saytype")
        if have:
            headers["Range"] = f"bytes={have}-"
            log.info("resuming %s at byte %d", remote.name, have)
        try:
            with get_session().stream("GET", url, headers=headers, timeout=_TIMEOUT_S) as response:
                hf_raise_for_status(response)
                if have and response.status_code != 206:
                    done -= have  # the server ignored the range: start this file over
                    have = 0
                done = _write_body(
                    response.iter_bytes(),
                    part,
                    have,
                    remote,
                    done,
                    total,
                    progress,
                    cancel,
                )
        except (Cancelled, DownloadError):
            raise
        except Exception as exc:
            if http_status(exc):  # answered, with an error: nothing broke on the way
                raise DownloadError(refused_message(access.endpoint, remote, exc)) from exc
            if isinstance(exc, OSError) and exc.errno is not None and not is_transport_error(exc):
                raise DownloadError(disk_message(partial, remote, exc)) from exc
            if isinstance(exc, OSError) or is_transport_error(exc):
                raise DownloadError(network_message(access.endpoint, exc, resumable=True)) from exc
            raise
    problem = file_problem(part, remote)
    if problem:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{problem} The damaged file was deleted; download again to retry.")
    return done


def _write_body(  # noqa: PLR0917 - the copy loop's context
    chunks: Iterator[bytes],
    part: Path,
    have: int,
    remote: RemoteFile,
    done: int,
    total: int,
    progress: ProgressCallback | None,
    cancel: CancellationToken,
) -> int:
    with part.open("r+b" if have else "wb") as stream:
        stream.seek(have)
        stream.truncate()
        return _copy_body(chunks, stream, remote, done, total, progress, cancel)


def _copy_body(  # noqa: PLR0917 - the copy loop's context
    chunks: Iterator[bytes],
    stream: BinaryIO,
    remote: RemoteFile,
    done: int,
    total: int,
    progress: ProgressCallback | None,
    cancel: CancellationToken,
) -> int:
    last_report = 0.0
    for chunk in chunks:
        stream.write(chunk)
        done += len(chunk)
        now = time.monotonic()
        if progress is not None and now - last_report >= 0.05:
            last_report = now
            progress(DownloadProgress(remote.name, done, total))
        if cancel.cancelled:
            stream.flush()  # keep what arrived: the next download resumes from here
            raise Cancelled
    if progress is not None:
        progress(DownloadProgress(remote.name, done, total))
    return done


def _install(
    partial: Path, target: Path, repo_id: str, revision: str, files: list[RemoteFile]
) -> None:
    """Turn the checked part files into a model folder and rename it into place at once."""
    staging = partial / "model"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    for remote in files:
        _part(partial, remote).rename(staging / remote.name)
    record = {
        "repo_id": repo_id,
        "revision": revision,
        "files": [asdict(remote) for remote in files],
    }
    (staging / MANIFEST_NAME).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    try:
        check_model_folder(staging)
    except ModelError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise DownloadError(f"The downloaded files do not form a usable model: {exc}") from exc
    stamp_checked(staging)  # every hash was just checked: the first load need not hash again
    if target.exists():  # the damaged copy being repaired goes just before
        damaged = target.with_name(f".removing-{target.name}")
        shutil.rmtree(damaged, ignore_errors=True)
        target.rename(damaged)
        shutil.rmtree(damaged, ignore_errors=True)
    staging.rename(target)
    shutil.rmtree(partial, ignore_errors=True)
