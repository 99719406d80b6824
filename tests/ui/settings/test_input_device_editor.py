"""The microphone list in Settings shows sources by description and saves their stable values."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QWidget
from pytestqt.qtbot import QtBot

from app.core.audio.mic_devices import InputChoice
from app.core.settings import setting_fields
from app.ui.settings.setting_editors import SYSTEM_DEFAULT_DEVICE, make_editor, show_value, value_of

pytestmark = pytest.mark.gui

CHOICES: list[str] = [
    InputChoice(
        "pulse:alsa_input.usb-Logitech_USB_Headset-00.mono-fallback", "USB Headset Microphone"
    ),
    InputChoice("pulse:alsa_input.pci-0000_00_1f.3.analog-stereo", "Built-in Audio Analog Stereo"),
    "HDA Intel PCH: ALC257 Analog (hw:0,0)",
]


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    """The editors' parent, alive for the whole test (qtbot holds it only weakly)."""
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def microphone_editor(parent: QWidget) -> QComboBox:
    field = next(f for f in setting_fields() if f.name == "input_device")
    editor = make_editor(field, parent, CHOICES, [])
    assert isinstance(editor, QComboBox)
    return editor


def test_shows_descriptions_and_saves_the_source_name(parent: QWidget) -> None:
    editor = microphone_editor(parent)
    labels = [editor.itemText(i) for i in range(editor.count())]
    assert labels == [
        SYSTEM_DEFAULT_DEVICE,
        "USB Headset Microphone",
        "Built-in Audio Analog Stereo",
        "HDA Intel PCH: ALC257 Analog (hw:0,0)",
    ]
    show_value(editor, "input_device", str(CHOICES[0]))
    assert editor.currentText() == "USB Headset Microphone"
    assert value_of(editor) == "pulse:alsa_input.usb-Logitech_USB_Headset-00.mono-fallback"


@pytest.mark.parametrize("old", ["pulse", "default"])
def test_an_older_sound_server_value_shows_as_the_system_default(parent: QWidget, old: str) -> None:
    editor = microphone_editor(parent)
    show_value(editor, "input_device", old)
    assert editor.currentText() == SYSTEM_DEFAULT_DEVICE
    assert editor.count() == len(CHOICES) + 1
