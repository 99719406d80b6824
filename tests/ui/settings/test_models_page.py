"""The settings' Models page: download with progress, cancel and resume, verify, remove."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.core.engine.model_catalog import MODEL_REPOSITORIES, ModelStatus, partial_folder
from app.core.engine.model_download import HubAccess
from app.core.engine.model_registry import bundled_model_path
from app.core.settings import Settings
from app.ui.settings.models_page import ModelsPage
from app.ui.settings.settings_dialog import SettingsDialog
from tests.support.fake_hub import FakeHub, running_fake_hub

pytestmark = pytest.mark.gui
NAME = "base.en"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    with running_fake_hub() as served:
        served.add_repo(MODEL_REPOSITORIES[NAME], bundled_model_path())
        yield served


@pytest.fixture
def page(qtbot: QtBot, hub: FakeHub, tmp_path: Path) -> Iterator[ModelsPage]:
    made = ModelsPage(tmp_path / "models", HubAccess(hub.endpoint))
    qtbot.addWidget(made)
    yield made
    made.cancel_download()
    assert made.wait_for_download()


def test_lists_the_bundled_model_and_enables_actions_by_status(page: ModelsPage) -> None:
    assert page.status_of("tiny.en") is ModelStatus.BUNDLED
    assert page.status_of(NAME) is ModelStatus.AVAILABLE
    page.select("tiny.en")
    assert page.verify.isEnabled()
    assert not page.download.isEnabled()
    assert not page.remove.isEnabled()
    page.select(NAME)
    assert page.download.isEnabled()
    assert not page.cancel.isEnabled()


def test_a_row_is_chosen_from_the_start_so_the_keyboard_finds_working_buttons(
    page: ModelsPage,
) -> None:
    # Tab into the table selected nothing, and every button stayed greyed out.
    assert page.selected_name() == page.table.item(0, 0).text()
    assert page.verify.isEnabled() or page.download.isEnabled()


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen
def test_download_shows_progress_then_verify_and_remove(qtbot: QtBot, page: ModelsPage) -> None:
    page.select(NAME)
    values: list[int] = []
    page.progress.valueChanged.connect(values.append)
    with qtbot.waitSignal(page.models_changed, timeout=30_000):
        page.download.click()
        assert page.cancel.isEnabled()
    assert values
    assert values[-1] == page.progress.maximum()
    assert page.status_of(NAME) is ModelStatus.INSTALLED
    assert page.message.text().startswith(f"Installed {NAME}")
    page.select(NAME)
    page.verify.click()
    qtbot.waitUntil(lambda: page.message.text() == f"{NAME}: all files are intact.", timeout=10_000)
    page.remove.click()  # asks first; Keep (the default) keeps it
    answer(qtbot, page, "&Keep")
    assert page.status_of(NAME) is ModelStatus.INSTALLED
    page.remove.click()
    with qtbot.waitSignal(page.models_changed, timeout=5000):
        answer(qtbot, page, "&Remove")
    assert page.status_of(NAME) is ModelStatus.AVAILABLE


def answer(qtbot: QtBot, page: ModelsPage, label: str) -> None:
    (box,) = [b for b in page.findChildren(QMessageBox) if b.isVisible()]
    assert box.text().startswith(f"Remove {NAME} (")
    assert box.defaultButton().text() == "&Keep"
    (button,) = [b for b in box.buttons() if b.text() == label]
    with qtbot.waitSignal(box.finished):
        button.click()


def test_cancel_stops_and_a_second_download_resumes(
    qtbot: QtBot, page: ModelsPage, hub: FakeHub
) -> None:
    page.select(NAME)
    page.progress.valueChanged.connect(
        lambda value: page.cancel_download() if value > 5000 else None
    )
    page.download.click()
    qtbot.waitUntil(lambda: not page.downloading and page.progress.isHidden(), timeout=30_000)
    assert "stopped" in page.message.text()
    assert page.status_of(NAME) is ModelStatus.PARTIAL
    page.progress.valueChanged.disconnect()
    page.select(NAME)
    with qtbot.waitSignal(page.models_changed, timeout=30_000):
        page.download.click()
    assert page.status_of(NAME) is ModelStatus.INSTALLED
    method, byte_range = hub.file_requests("model.bin")[-1]
    assert (method, byte_range is not None and byte_range.startswith("bytes=")) == ("GET", True)


def test_a_failed_download_says_why(qtbot: QtBot, page: ModelsPage, hub: FakeHub) -> None:
    hub.corrupt.add("model.bin")
    page.select(NAME)
    page.download.click()
    qtbot.waitUntil(lambda: not page.downloading and page.progress.isHidden(), timeout=30_000)
    assert "model.bin is corrupt" in page.message.text()
    assert page.status_of(NAME) is not ModelStatus.INSTALLED


def test_an_unfinished_download_without_bytes_is_offered_not_partial(
    qtbot: QtBot, hub: FakeHub, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    partial_folder(models, NAME).mkdir(parents=True)
    (partial_folder(models, NAME) / ".lock").touch()
    page = ModelsPage(models, HubAccess(hub.endpoint))
    qtbot.addWidget(page)
    assert page.status_of(NAME) is ModelStatus.AVAILABLE
    cells = [
        [page.table.item(row, column) for column in range(3)]
        for row in range(page.table.rowCount())
    ]
    rows = [[item.text() if item else "" for item in row] for row in cells]
    assert [name for name, _, _ in rows].count(NAME) == 1
    texts = [f"{status} · {size}" for _, status, size in rows]
    assert "partial · 0 MB" not in texts
    page.select(NAME)
    assert page.download.isEnabled()
    assert not page.remove.isEnabled()


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen
def test_closing_settings_during_a_download_asks_first(
    qtbot: QtBot, hub: FakeHub, tmp_path: Path
) -> None:
    # Closing Settings stops a download; it once did so without a word.
    class Downloading(ModelsPage):
        downloading = True  # type: ignore[assignment]  # a download under way, held still

    page = Downloading(tmp_path / "models", HubAccess(hub.endpoint))
    dialog = SettingsDialog(Settings(), [], ["tiny.en"], models_page=page)
    qtbot.addWidget(dialog)
    dialog.show()
    closed: list[int] = []
    dialog.finished.connect(closed.append)

    def question() -> QMessageBox:
        boxes = [b for b in dialog.findChildren(QMessageBox) if b.isVisible()]
        assert len(boxes) == 1
        return boxes[0]

    def answer(label: str) -> None:
        box = question()
        assert box.text().startswith("A model is still downloading, and closing Settings stops")
        assert box.defaultButton().text() == "&Keep downloading"
        (button,) = [b for b in box.buttons() if b.text() == label]
        with qtbot.waitSignal(box.finished):
            button.click()

    dialog.reject()  # Esc, Cancel or the window's close button
    answer("&Keep downloading")
    assert dialog.isVisible()
    assert closed == []
    dialog.reject()
    answer("&Stop and close")
    assert closed == [QDialog.DialogCode.Rejected.value]
