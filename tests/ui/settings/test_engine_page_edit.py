"""Settings → Engine → Edit…: a saved server changed in place, its API key kept or moved.

A new user whose server moved to another port had to remove it (losing its key) and add it
again. Edit… fills the Add… form with the server; OK saves the changes, in its place in the
list, active if it was, its key in the keyring kept, moved with a new name, replaced or
forgotten. The keyring is a real GNOME Keyring on a private bus (tests/ui/settings/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.engine.remote.endpoint_book import Endpoint, EndpointBook
from app.core.engine.remote.endpoint_file import endpoints_path, load_endpoints, save_endpoints
from app.core.settings import Settings
from app.ui.settings.engine_page import ENGINE_PAGE, EnginePage
from app.ui.settings.settings_dialog import SettingsDialog
from tests.support.engine_page_driver import fill, make_page, open_add, open_edit, press_ok
from tests.support.screenshots import save_screenshot

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

HOME = Endpoint("home", "wyoming://127.0.0.1:10300", "wyoming", has_api_key=False)
BOX = Endpoint("gpu-box", "http://10.0.0.5:8000/v1", "openai", "small.en", has_api_key=False)
SECRET = "sk-test-5f1e0c"  # a throwaway key for the private test keyring
NEWER = "sk-test-9a2b7d"


def test_edit_changes_a_server_in_its_place_and_it_stays_the_engine(qtbot: QtBot) -> None:
    page = make_page(qtbot, EndpointBook((BOX, HOME), active="gpu-box"))
    page.servers.setCurrentRow(0)
    dialog = open_edit(qtbot, page)
    assert dialog.windowTitle() == "Edit gpu-box"
    assert (dialog.name.text(), dialog.url.text(), dialog.model.text()) == (
        "gpu-box",
        "http://10.0.0.5:8000/v1",
        "small.en",
    )
    assert not dialog.forget_key.isVisibleTo(dialog)  # no key saved: nothing to forget
    fill(qtbot, dialog, name="gpu", url="http://10.0.0.5:9000/v1")
    with qtbot.waitSignal(page.endpoints_changed, timeout=10_000) as saved:
        press_ok(qtbot, dialog)
    moved = Endpoint("gpu", "http://10.0.0.5:9000/v1", "openai", "small.en", has_api_key=False)
    assert saved.args == [EndpointBook((moved, HOME), active="gpu")]
    assert load_endpoints().book == EndpointBook((moved, HOME), active="gpu")
    assert page.status.text() == "Saved the changes to gpu."
    assert page.selected() == moved
    assert page.chosen() == "gpu"  # still the engine, under its new name


def test_edit_keeps_names_apart_and_says_what_to_fix(qtbot: QtBot) -> None:
    page = make_page(qtbot, EndpointBook((BOX, HOME)))
    page.servers.setCurrentRow(1)
    dialog = open_edit(qtbot, page)
    fill(qtbot, dialog, name="gpu-box")  # another server's name
    press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert "There is already a server called gpu-box" in dialog.error.text()
    fill(qtbot, dialog, name="home")  # its own name is fine
    with qtbot.waitSignal(page.endpoints_changed, timeout=10_000):
        press_ok(qtbot, dialog)
    assert load_endpoints().book == EndpointBook((BOX, HOME))


def test_enter_on_a_saved_server_opens_it_for_editing(qtbot: QtBot) -> None:
    page = make_page(qtbot, EndpointBook((BOX, HOME)))
    page.servers.setFocus()
    page.servers.setCurrentRow(1)
    qtbot.keyClick(page.servers, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.add_dialog is not None and page.add_dialog.isVisible())
    assert page.add_dialog is not None
    assert page.add_dialog.windowTitle() == "Edit home"


@pytest.mark.usefixtures("real_keyring")
def test_the_api_key_is_kept_moved_with_a_new_name_replaced_and_forgotten(
    qtbot: QtBot, tmp_path: Path
) -> None:
    page = make_page(qtbot, EndpointBook())
    dialog = open_add(qtbot, page)
    fill(qtbot, dialog, name="team", url="https://asr.example.org/v1", key=SECRET)
    with qtbot.waitSignal(page.endpoints_changed, timeout=20_000):
        press_ok(qtbot, dialog)

    def edit(**fields: str) -> Endpoint | None:
        form = open_edit(qtbot, page)
        assert form.key.text() == ""  # the key is never shown
        fill(qtbot, form, **fields)
        with qtbot.waitSignal(page.endpoints_changed, timeout=20_000):
            press_ok(qtbot, form)
        return page.selected()

    kept = edit(model="large-v3")  # the key field left empty: the key stays
    assert kept is not None
    assert kept.has_api_key
    assert kept.model == "large-v3"
    assert keyring.get_password("saytype", "team") == SECRET

    renamed = edit(name="team-2")
    assert renamed is not None
    assert renamed.has_api_key
    assert keyring.get_password("saytype", "team-2") == SECRET  # it went with the name
    assert keyring.get_password("saytype", "team") is None

    replaced = edit(key=NEWER)
    assert replaced is not None
    assert replaced.has_api_key
    assert keyring.get_password("saytype", "team-2") == NEWER
    assert NEWER not in endpoints_path().read_text(encoding="utf-8")

    form = open_edit(qtbot, page)
    assert form.forget_key.isVisibleTo(form)
    save_screenshot(form, "settings-engine-edit.png", tmp_path)
    form.forget_key.click()
    assert not form.key.isEnabled()
    with qtbot.waitSignal(page.endpoints_changed, timeout=20_000):
        press_ok(qtbot, form)
    forgotten = page.selected()
    assert forgotten is not None
    assert not forgotten.has_api_key
    assert keyring.get_password("saytype", "team-2") is None


def settings_with(qtbot: QtBot, page: EnginePage) -> SettingsDialog:
    """The Settings dialog around ``page``, shown and active, on the Engine page."""
    dialog = SettingsDialog(Settings(), [], ["tiny.en"], engine_page=page)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.show_page(ENGINE_PAGE)
    return dialog


def test_enter_in_settings_opens_the_server_and_saves_nothing(qtbot: QtBot) -> None:
    # In Settings, Enter went on to the dialog, which pressed the OK of the form that had
    # just opened: the server was saved unchanged, and no form was ever seen.
    save_endpoints(EndpointBook((BOX, HOME)))
    page = EnginePage(load_endpoints().book)
    dialog = settings_with(qtbot, page)
    saved = endpoints_path().stat().st_mtime_ns
    page.servers.setFocus()
    page.servers.setCurrentRow(0)
    with qtbot.assertNotEmitted(page.endpoints_changed, wait=200):
        qtbot.keyClick(page.servers, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: page.add_dialog is not None and page.add_dialog.isVisible())
    assert page.add_dialog is not None
    assert page.add_dialog.windowTitle() == "Edit gpu-box"
    assert dialog.isVisible()  # nor did Settings take it for its OK
    assert endpoints_path().stat().st_mtime_ns == saved


def test_the_forms_ok_and_cancel_answer_their_alt_letters(qtbot: QtBot) -> None:
    # Alt+O typed "o" into the name (then Enter saved "officeo"): the form's buttons had
    # no letters where the platform gives none.
    save_endpoints(EndpointBook((BOX,)))
    page = EnginePage(load_endpoints().book)
    settings_with(qtbot, page)
    page.servers.setCurrentRow(0)
    form = open_edit(qtbot, page)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    form.name.setFocus()
    with qtbot.waitSignal(form.rejected):
        qtbot.keyClick(form.name, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    assert load_endpoints().book == EndpointBook((BOX,))
    form = open_edit(qtbot, page)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    fill(qtbot, form, model="large-v3")
    with qtbot.waitSignal(page.endpoints_changed, timeout=10_000):
        qtbot.keyClick(form.model, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    saved = load_endpoints().book.get("gpu-box")
    assert saved is not None
    assert saved.model == "large-v3"
