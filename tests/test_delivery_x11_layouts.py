"""Exact text on X11 whatever the keyboard layout: German and French keymaps on a real Xvfb.

US-only keycodes would swap y and z on a German layout and a and q on a French
one, and miss the characters those layouts reach with AltGr. The layout is set
with ``setxkbmap`` before the delivery process starts (the user's session) and
changed while it runs (a user who switches layouts): both must type exactly.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest

from tests.support.ci import fail_missing
from tests.support.delivery_host import DeliveryHost
from tests.support.target_window import Target
from tests.support.xserver import XServer, running_xvfb

pytestmark = pytest.mark.integration

# y/z and a/q trade places between the layouts; @, €, | and braces need AltGr on de/fr.
TEXT = "Quiz: yzYZ aqAQ wmWM äöü ß é è ç @ € | {x} [y] ~ 1234567890 !?;:,."


def _set_layout(xserver: XServer, layout: str) -> None:
    subprocess.run(["setxkbmap", layout], env=xserver.env(), check=True, timeout=10)


@pytest.fixture(scope="module")
def xserver() -> Iterator[XServer]:
    missing = [tool for tool in ("xdotool", "setxkbmap") if shutil.which(tool) is None]
    if missing:
        fail_missing(f"needs {', '.join(missing)} (apt install xdotool x11-xkb-utils)")
    with running_xvfb() as server:
        _set_layout(server, "de")  # the session's layout, before Saytype starts
        yield server


@pytest.fixture(scope="module")
def host(xserver: XServer) -> Iterator[DeliveryHost]:
    service = DeliveryHost(xserver)
    yield service
    service.close()


@pytest.mark.parametrize("layout", ["de", "fr"])
@pytest.mark.parametrize("method", ["type", "paste"])
def test_text_arrives_exactly_on_a_german_and_a_french_layout(
    xserver: XServer, host: DeliveryHost, target: Target, layout: str, method: str
) -> None:
    _set_layout(xserver, layout)  # "fr" switches while Saytype runs
    try:
        request_id = host.deliver(TEXT, method)
        event = host.next_event("delivered", "failed")
        assert event == {"event": "delivered", "id": request_id, "how": f"{method}d"}
        assert target.wait_for_text(TEXT) == TEXT
    finally:
        _set_layout(xserver, "de")


def test_paste_keys_follow_a_switch_to_a_layout_that_moves_v(
    xserver: XServer, host: DeliveryHost, target: Target
) -> None:
    # Switched to Dvorak while Saytype ran, Ctrl+V went out on the key that had been V:
    # Ctrl+K there, and a Tk editor deleted the user's line instead of pasting.
    first = host.deliver("Before. ", "paste")  # the keyboard is open under the old layout
    assert host.next_event("delivered", "failed") == {
        "event": "delivered",
        "id": first,
        "how": "pasted",
    }
    assert target.wait_for_text("Before. ") == "Before. "
    subprocess.run(
        ["setxkbmap", "us", "-variant", "dvorak"], env=xserver.env(), check=True, timeout=10
    )
    try:
        request_id = host.deliver(TEXT, "paste")
        event = host.next_event("delivered", "failed")
        assert event == {"event": "delivered", "id": request_id, "how": "pasted"}
        assert target.wait_for_text("Before. " + TEXT) == "Before. " + TEXT
    finally:
        _set_layout(xserver, "de")
