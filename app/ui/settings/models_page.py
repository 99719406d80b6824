"""The Models page of the settings: list, download (with progress and cancel), remove, verify.

The same Qt-free functions as ``saytype models`` do the work; a download runs on
a plain thread, reports through queued signals, and stops at the next chunk
when cancelled (its partial files stay, so a later download resumes).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.engine.cancellation import CancellationToken, Cancelled
from app.core.engine.model_catalog import ModelListing, ModelStatus, list_models, remove_model
from app.core.engine.model_download import DownloadProgress, HubAccess, download_model
from app.core.engine.model_folder import ModelError
from app.core.engine.model_integrity import checksums_known, verify_installed
from app.ui.shell.background import run_in_background
from app.ui.shell.questions import ask

log = logging.getLogger(__name__)

_COLUMNS = ("Model", "Status", "Size", "Speed and accuracy")


class ModelsPage(QWidget):
    """Manages the models in ``models_dir``; ``models_changed`` after an install or removal."""

    models_changed = Signal()
    download_ended = Signal()  # the download thread has ended (installed, failed or cancelled)
    _progressed = Signal(int, int)
    _ended = Signal(str, str)  # outcome ("installed", "failed", "cancelled"), message

    def __init__(self, models_dir: Path, access: HubAccess, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Models")
        self._models_dir = models_dir
        self._access = access
        self._cancel: CancellationToken | None = None
        self._thread: threading.Thread | None = None
        self._listings: list[ModelListing] = []
        self.in_use: Callable[[], str] = lambda: ""  # the model Settings → Model says now

        self.table = QTableWidget(0, len(_COLUMNS), self)
        self.table.setAccessibleName("Models")
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.download = self._button("Do&wnload", "Download and install the selected model")
        self.cancel = self._button("S&top download", "Stop; the next download resumes")
        self.remove = self._button("Re&move", "Delete the selected model from this computer")
        self.verify = self._button("&Verify", "Check the selected model's files")
        self.download.clicked.connect(self.start_download)
        self.cancel.clicked.connect(self.cancel_download)
        self.remove.clicked.connect(self.ask_to_remove)
        self.verify.clicked.connect(self.verify_selected)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Download progress")
        self.progress.hide()
        self.message = QLabel(self)
        self.message.setAccessibleName("Models message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        for button in (self.download, self.cancel, self.remove, self.verify):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        self._progressed.connect(self._show_progress)
        self._ended.connect(self._on_ended)
        self.refresh()

    def _button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.setAccessibleName(text.replace("&", ""))
        return button

    @property
    def downloading(self) -> bool:
        """Whether a download is running."""
        return self._thread is not None and self._thread.is_alive()

    def refresh(self) -> None:
        """Re-read what is on disk, keeping the selection."""
        selected = self.selected_name()
        self._listings = list_models(self._models_dir)
        self.table.setRowCount(len(self._listings))
        for row, model in enumerate(self._listings):
            size = f"{'~' if model.size_is_estimate else ''}{model.size_bytes / 1e6:,.0f} MB"
            status = _STATUS_WORDS[model.status]
            for column, text in enumerate((model.name, status, size, model.hint)):
                self.table.setItem(row, column, QTableWidgetItem(text))
            if model.name == selected:
                self.table.selectRow(row)
        if self.selected_name() is None and self._listings:
            # A row is always chosen, so a keyboard user tabbing in finds the buttons working.
            self.table.selectRow(0)
        self.table.resizeColumnsToContents()
        self._update_buttons()

    def select(self, name: str) -> None:
        """Select the row of model ``name``."""
        for row, model in enumerate(self._listings):
            if model.name == name:
                self.table.selectRow(row)

    def selected_name(self) -> str | None:
        """The selected model's name."""
        listing = self._selected()
        return listing.name if listing else None

    def status_of(self, name: str) -> ModelStatus | None:
        """The listed status of ``name``."""
        return next((m.status for m in self._listings if m.name == name), None)

    def _selected(self) -> ModelListing | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self._listings[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        listing = self._selected()
        status = listing.status if listing else None
        busy = self.downloading
        self.download.setEnabled(
            not busy and status in {ModelStatus.AVAILABLE, ModelStatus.PARTIAL}
        )
        self.cancel.setEnabled(busy)
        self.remove.setEnabled(not busy and status in {ModelStatus.INSTALLED, ModelStatus.PARTIAL})
        self.verify.setEnabled(not busy and status in {ModelStatus.INSTALLED, ModelStatus.BUNDLED})

    def start_download(self) -> None:
        """Download the selected model on a thread."""
        name = self.selected_name()
        if name is None or self.downloading:
            return
        self._cancel = CancellationToken()
        self.progress.setValue(0)
        self.progress.show()
        self.message.setText(f"Downloading {name}…")
        self._thread = threading.Thread(
            target=self._download, args=(name, self._cancel), name="model-download", daemon=True
        )
        self._thread.start()
        self._update_buttons()

    def cancel_download(self) -> None:
        """Stop the running download at its next chunk."""
        if self._cancel is not None:
            self._cancel.cancel()

    def wait_for_download(self, timeout_s: float = 10.0) -> bool:
        """Block until the download thread ended (at close); True if it did."""
        if self._thread is None:
            return True
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _download(self, name: str, cancel: CancellationToken) -> None:
        def report(step: DownloadProgress) -> None:
            self._progressed.emit(step.done_bytes // 1000, step.total_bytes // 1000)

        try:
            folder = download_model(name, self._models_dir, self._access, report, cancel)
        except Cancelled:
            self._ended.emit("cancelled", f"Download of {name} stopped; download it to resume.")
        except ModelError as exc:
            self._ended.emit("failed", str(exc))
        except Exception as exc:  # never let a thread die silently
            log.exception("download of %s failed", name)
            self._ended.emit("failed", f"Download of {name} failed: {exc}")
        else:
            self._ended.emit("installed", f"Installed {name} in {folder}.")

    def _show_progress(self, done_kb: int, total_kb: int) -> None:
        self.progress.setMaximum(max(1, total_kb))
        self.progress.setValue(done_kb)

    def _on_ended(self, outcome: str, message: str) -> None:
        if self._thread is not None:
            self._thread.join()
        self._thread = None
        self.progress.hide()
        self.message.setText(message)
        self.refresh()
        if outcome == "installed":
            self.models_changed.emit()
        self.download_ended.emit()

    def ask_to_remove(self) -> QMessageBox | None:
        """Remove asks first: a model is hundreds of MB to download again."""
        listing = self._selected()
        if listing is None:
            return None
        size = f" ({listing.size_bytes / 1e6:.0f} MB)" if listing.size_bytes else ""
        used = " It is the model in use: the bundled one will take its place."
        return ask(
            self,
            f"Remove {listing.name}?",
            f"Remove {listing.name}{size} from this computer? Download can fetch it again."
            + (used if self.in_use() == listing.name else ""),
            "&Remove",
            "&Keep",
            self.remove_selected,
        )

    def remove_selected(self) -> None:
        """Delete the selected model (and any partial download of it)."""
        name = self.selected_name()
        if name is None:
            return
        try:
            remove_model(name, self._models_dir)
        except (ModelError, OSError) as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"Removed {name}.")
        self.refresh()
        self.models_changed.emit()

    def verify_selected(self) -> None:
        """Check the selected model's files and say what was found."""
        listing = self._selected()
        if listing is None or listing.path is None:
            return
        name = listing.name
        self.message.setText(f"Checking {name}…")  # hashing a model takes seconds

        def said(found: tuple[list[str], str]) -> None:
            problems, intact = found
            if problems:
                self.message.setText(f"{name} is damaged: " + " ".join(problems))
            else:
                self.message.setText(f"{name}: {intact}.")

        folder = listing.path
        run_in_background(lambda: _check_model(folder), said, receiver=self)


def _check_model(folder: Path) -> tuple[list[str], str]:
    """Its problems, and what an intact model's check found (``saytype models verify``'s)."""
    from app.core.engine.model_hearing import hearing_problem, welcome_sample

    problems = verify_installed(folder)
    if problems or checksums_known(folder):
        return problems, "all files are intact"
    sample = welcome_sample()  # copied by hand: no checksums, so listen to it instead
    if sample is None:
        return [], "its files are all there; their contents could not be checked"
    heard = hearing_problem(folder, sample)
    return ([heard] if heard else []), "its files are all there and it hears as it should"


def ask_to_stop_the_download(parent: QWidget, stop: Callable[[], None]) -> QMessageBox:
    """Ask whether to stop a download that closing ``parent`` would stop; ``stop`` if yes."""
    return ask(
        parent,
        "Stop the download?",
        "A model is still downloading, and closing Settings stops it. What has arrived "
        "is kept: Download goes on from there later.",
        "&Stop and close",
        "&Keep downloading",
        stop,
    )


# What the status column says: "available" read as "ready to use" to a new user.
_STATUS_WORDS = {
    ModelStatus.BUNDLED: "bundled",
    ModelStatus.INSTALLED: "downloaded",
    ModelStatus.PARTIAL: "partly downloaded",
    ModelStatus.AVAILABLE: "not downloaded",
}
