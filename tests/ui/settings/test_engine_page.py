"""Settings → Engine manages the saved servers: Add…, Remove (asked first) and Test.

Driven as a user drives it: clicks and typed keys on the real page and its
Add… form, offscreen. Saving goes to the hermetic endpoints file and, for an
API key, to a real GNOME Keyring on a private D-Bus session
(tests/support/keyring_session.py). Test talks to a real faster-whisper-server
on 127.0.0.1 (tests/support/openai_server.py), and to a closed port for the
failure sentence.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.core.engine.remote.endpoint_book import Endpoint, EndpointBook
from app.core.engine.remote.endpoint_file import endpoints_path, load_endpoints, save_endpoints
from app.core.settings import Settings
from app.ui.settings.engine_page import ENGINE_PAGE, EnginePage
from app.ui.settings.settings_dialog import SettingsDialog
from tests.support.engine_page_driver import fill, make_page, open_add, press_ok
from tests.support.openai_server import OpenAIServer
from tests.support.screenshots import save_screenshot

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

HOME = Endpoint("home", "wyoming://127.0.0.1:10300", "wyoming")
SECRET = "sk-test-5f1e0c"  # a throwaway key for the private test keyring


def test_add_saves_a_server_and_selects_it_without_making_it_the_engine(qtbot: QtBot) -> None:
    page = make_page(qtbot, EndpointBook((HOME,)))
    dialog = open_add(qtbot, page)
    assert dialog.chosen_protocol() == "openai"
    fill(qtbot, dialog, name="gpu-box", url="wyoming://10.0.0.5:10300/", language="EN")
    assert dialog.chosen_protocol() == "wyoming"  # the scheme picks it
    assert not dialog.key.isEnabled()  # neither applies to Wyoming
    assert not dialog.ca_file.isEnabled()
    dialog.timeout.setValue(45)
    with qtbot.waitSignal(page.endpoints_changed, timeout=10_000) as saved:
        press_ok(qtbot, dialog)
    # Saved without a key: a dictation through it never asks the keyring (which may prompt).
    added = Endpoint(
        "gpu-box", "wyoming://10.0.0.5:10300", "wyoming", "", "en", 45.0, has_api_key=False
    )
    assert saved.args == [EndpointBook((HOME, added))]
    assert load_endpoints().book == EndpointBook((HOME, added))
    assert page.status.text() == (
        "Saved gpu-box: wyoming://10.0.0.5:10300. Test it, or pick it as the dictation "
        "engine above."
    )
    assert page.selected() == added  # one click from Test
    assert page.chosen() == ""  # never remote because a server was added
    assert page.choice.findData("gpu-box") >= 0


@pytest.mark.parametrize(
    ("fields", "says", "field"),
    [
        ({"name": "home", "url": "http://127.0.0.1:9/v1"}, "already a server called home", "name"),
        ({"name": "box", "url": "ftp://host/v1"}, "'ftp://host/v1' is not a server's URL", "url"),
        ({"name": "box", "url": "gpu-box:8000"}, "'gpu-box:8000' is not a server's URL", "url"),
        ({"name": "box", "url": "http://host:99999/v1"}, "99999", "url"),
        ({"name": "box", "url": ""}, "Give the server's URL, such as http://", "url"),
        ({"name": "", "url": "http://host/v1"}, "Give the server a name", "name"),
        ({"name": "local", "url": "http://host/v1"}, "not 'local'", "name"),
        ({"name": "box", "url": "http://h/v1", "language": "English"}, "language", "language"),
        (
            {"name": "box", "url": "http://h/v1", "ca_file": "/no/ca.pem"},
            "does not exist",
            "ca_file",
        ),
    ],
)
def test_a_bad_field_says_what_to_fix_and_keeps_the_form(
    qtbot: QtBot, fields: dict[str, str], says: str, field: str
) -> None:
    page = make_page(qtbot, EndpointBook((HOME,)))
    dialog = open_add(qtbot, page)
    fill(qtbot, dialog, **fields)
    with qtbot.assertNotEmitted(page.endpoints_changed, wait=100):
        press_ok(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error.isVisible()
    assert says in dialog.error.text()
    assert dialog.error.text().count(". ") == 0  # one sentence
    assert dialog.focusWidget() is getattr(dialog, field)
    assert load_endpoints().book == EndpointBook((HOME,))


def test_remove_asks_first_and_a_removed_engine_makes_dictation_local(qtbot: QtBot) -> None:
    box = Endpoint("box", "http://127.0.0.1:9/v1", "openai")
    page = make_page(qtbot, EndpointBook((HOME, box), active="box"))
    assert page.chosen() == "box"
    page.servers.setCurrentRow(1)
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    confirm = page.confirm
    assert confirm is not None
    assert "Remove box (http://127.0.0.1:9/v1) and its API key?" in confirm.text()
    assert "Dictation uses it now" in confirm.text()
    with qtbot.assertNotEmitted(page.endpoints_changed, wait=100):
        confirm.reject()  # Cancel: nothing happens
    assert load_endpoints().book.get("box") == box

    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    confirm = page.confirm
    assert confirm is not None
    yes = confirm.buttons()[0] if confirm.buttons()[0].text() == "&Remove" else confirm.buttons()[1]
    with qtbot.waitSignal(page.endpoints_changed, timeout=10_000) as removed:
        qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    assert removed.args == [EndpointBook((HOME,))]  # active: local again
    # The tests' keyring is keyring's "fail" backend: the removal says the key may remain.
    assert page.status.text().startswith("Removed box, but its API key may still be in the keyring")
    assert page.chosen() == ""
    assert [page.servers.item(i).text() for i in range(page.servers.count())] == [
        "home: wyoming://127.0.0.1:10300 (Wyoming)"
    ]


def test_remove_and_test_need_a_selected_server(qtbot: QtBot) -> None:
    page = make_page(qtbot, EndpointBook())
    assert not page.remove_button.isEnabled()
    assert not page.test_button.isEnabled()
    assert page.add_button.isEnabled()
    assert "No servers are saved yet" in page.status.text()


def _widgets_of(root: QWidget) -> list[QWidget]:
    return [
        w
        for w in root.findChildren(QWidget)
        if isinstance(w, (QLineEdit, QComboBox, QAbstractSpinBox, QCheckBox, QListWidget))
        and not isinstance(w.parent(), (QComboBox, QAbstractSpinBox))
    ]


def check_named_and_reachable(root: QWidget, count: int, taken: list[str]) -> None:
    inputs = _widgets_of(root)
    assert len(inputs) == count
    for widget in inputs:
        assert widget.accessibleName(), widget
        assert widget.accessibleDescription(), widget.accessibleName()
        assert widget.toolTip(), widget.accessibleName()
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.accessibleName()
    labels = [label for label in root.findChildren(QLabel) if "&" in label.text()]
    buddies = {label.buddy() for label in labels}
    unlabelled = [w for w in inputs if w not in buddies and not isinstance(w, QCheckBox)]
    assert unlabelled == []  # every field has a label whose Alt+letter reaches it
    texts = [label.text() for label in labels]
    texts += [box.text() for box in root.findChildren(QCheckBox)]
    texts += [
        button.text()
        for button in root.findChildren(QPushButton)
        # a style may give OK and Cancel no letter; when it does, they count
        if "&" in button.text() or not isinstance(button.parent(), QDialogButtonBox)
    ]
    letters = [re.search("&(.)", text).group(1).lower() for text in texts]  # type: ignore[union-attr]
    letters += taken
    assert len(set(letters)) == len(letters), texts


def test_every_input_is_named_explained_and_reachable_by_alt_letter(qtbot: QtBot) -> None:
    page = make_page(qtbot, EndpointBook((HOME,)))
    # The settings dialog's own buttons (&OK, &Cancel, Restore &Defaults) share the page's letters.
    check_named_and_reachable(page, 3, ["o", "c", "d"])
    # Name, URL, protocol, model, language, timeout, key, forget key, CA file (open: a child).
    check_named_and_reachable(open_add(qtbot, page), 9, [])


# With a real keyring


def test_the_api_key_goes_to_the_keyring_never_the_file_and_leaves_with_the_server(
    qtbot: QtBot, real_keyring: None
) -> None:
    import keyring

    page = make_page(qtbot, EndpointBook())
    dialog = open_add(qtbot, page)
    fill(qtbot, dialog, name="team", url="https://asr.example.org/v1", key=SECRET)
    assert dialog.key.echoMode() == QLineEdit.EchoMode.Password
    with qtbot.waitSignal(page.endpoints_changed, timeout=20_000):
        press_ok(qtbot, dialog)
    assert page.status.text().startswith(
        "Saved team: https://asr.example.org/v1 (API key in the system keyring)."
    )
    assert keyring.get_password("saytype", "team") == SECRET
    assert SECRET not in endpoints_path().read_text(encoding="utf-8")

    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert page.confirm is not None
    with qtbot.waitSignal(page.endpoints_changed, timeout=20_000):
        page.confirm.button(page.confirm.StandardButton.Yes).click()
    assert keyring.get_password("saytype", "team") is None


def test_without_a_keyring_a_key_is_refused_and_nothing_is_saved(
    qtbot: QtBot, tmp_path: Path
) -> None:
    # The tests' default keyring backend is keyring's "fail" one, as on a desktop without one.
    page = make_page(qtbot, EndpointBook())
    dialog = open_add(qtbot, page)
    fill(qtbot, dialog, name="team", url="https://asr.example.org/v1", key=SECRET)
    press_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: "keyring cannot be used" in page.status.text(), timeout=10_000)
    assert page.status.text().startswith("The system keyring cannot be used (")
    assert load_endpoints().book == EndpointBook()
    assert page.add_button.isEnabled()
    # The form comes back as it was typed, saying why, so nothing has to be typed again.
    qtbot.waitUntil(lambda: page.add_dialog is not None and page.add_dialog.isVisible())
    again = page.add_dialog
    assert again is not None
    assert again is not dialog
    assert (again.name.text(), again.url.text(), again.key.text()) == (
        "team",
        "https://asr.example.org/v1",
        SECRET,
    )
    assert again.error.isVisibleTo(again)
    assert "clear the API key to save the server without it" in again.error.text()
    # The dialog grew to hold the sentence: no field squeezed below its own height.
    for field in (again.name, again.url, again.protocol, again.timeout, again.key):
        assert field.height() >= field.minimumSizeHint().height(), field.accessibleName()
    assert again.error.height() >= again.error.heightForWidth(again.error.width())
    save_screenshot(again, "settings-engine-keyring-refused.png", tmp_path)
    again.key.clear()  # the user goes without the key
    press_ok(qtbot, again)
    qtbot.waitUntil(lambda: load_endpoints().book.get("team") is not None, timeout=10_000)


# Test, against a real server


def run_test(qtbot: QtBot, page: EnginePage) -> tuple[bool, str]:
    with qtbot.waitSignal(page.test_finished, timeout=120_000) as tested:
        qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
        assert not page.test_button.isEnabled()  # one test at a time
        assert page.status.text().startswith("Testing ")
    assert page.test_button.isEnabled()
    answered, sentence = tested.args
    assert page.status.text() == sentence
    return answered, sentence


@pytest.mark.model
def test_test_reaches_a_real_server_and_says_so_in_one_sentence(
    qtbot: QtBot, openai_server: OpenAIServer
) -> None:
    page = make_page(qtbot, EndpointBook((Endpoint("fws", openai_server.url, "openai"),)))
    mark = openai_server.log_mark()
    answered, sentence = run_test(qtbot, page)
    assert answered, sentence
    assert re.fullmatch(
        rf"fws \({re.escape(openai_server.url)}\) is reachable: model whisper-1 heard the "
        r"test sentence in \d+\.\d\d s\.",
        sentence,
    ), sentence
    assert "POST /v1/audio/transcriptions" in openai_server.log_since(mark)


@pytest.mark.model
def test_screenshot_of_the_engine_page_after_a_test(
    qtbot: QtBot, openai_server: OpenAIServer, tmp_path: Path
) -> None:
    box = Endpoint("gpu-box", openai_server.url, "openai", language="en")
    save_endpoints(EndpointBook((box, HOME), active="gpu-box"))
    page = EnginePage(load_endpoints().book)
    dialog = SettingsDialog(Settings(), [], ["tiny.en"], engine_page=page)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.resize(dialog.sizeHint())
    dialog.show_page(ENGINE_PAGE)
    qtbot.waitUntil(page.isVisible)
    answered, sentence = run_test(qtbot, page)  # the session's server has its model loaded
    assert answered, sentence
    assert "sent to gpu-box" in page.privacy.text()
    path = save_screenshot(dialog, "settings-engine.png", tmp_path)
    assert path.stat().st_size > 0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends


def test_a_wrong_url_fails_in_one_clear_sentence(qtbot: QtBot) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    page = make_page(qtbot, EndpointBook((Endpoint("nowhere", url, "openai"),)))
    answered, sentence = run_test(qtbot, page)
    assert not answered
    assert sentence == (
        f"nowhere is not usable: Cannot connect to {url}: connection refused; check that the "
        "server is running and that the host and port are right."
    )
