"""Pasting through the Wayland clipboard, and giving the user's clipboard back whole.

One paste: read every format of the current clipboard (``wl-paste
--list-types``, then each type), own the clipboard with the text
(:class:`~app.core.output.wayland_selection.SelectionOwner`, which returns
only once the compositor has made it the selection), send the paste keys, wait
until the target has fetched the text (or the restore delay passes), then own
it again with every saved format. Runs on the delivery thread, without Qt: in a
Wayland session Qt's clipboard works only while Saytype's own window has the
focus, which is exactly when Saytype does not paste.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable, Mapping

from app.core.output.text_delivery import InjectionError, PasteNotTaken
from app.core.output.wayland_selection import SelectionError, SelectionOwner

log = logging.getLogger(__name__)

INSTALL_HINT = "sudo apt install wl-clipboard"
_READ_TIMEOUT_S = 5.0
# Listing the formats is instant where anything is copied; KWin 5.27 never answers it while
# nothing is, so an empty clipboard would hold every paste for the whole read timeout.
_LIST_TIMEOUT_S = 1.0
# After the target's first fetch, how long before the old clipboard comes back
# (a target may fetch more than one format for one paste).
_FETCH_MARGIN_S = 0.1
# The formats a text is offered in: what GTK, Qt, foot and XWayland ask for.
TEXT_FORMATS = ("text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "STRING", "TEXT")

Runner = Callable[..., "subprocess.CompletedProcess[bytes]"]


class WaylandClipboard:
    """Saves, sets and restores the Wayland clipboard. Used from one thread."""

    def __init__(self, environ: Mapping[str, str], runner: Runner = subprocess.run) -> None:
        """Args: environ: the session's environment (``WAYLAND_DISPLAY``, ``XDG_RUNTIME_DIR``)."""
        self._environ = dict(environ)
        self._runner = runner
        self._owner: SelectionOwner | None = None  # kept: its thread serves the clipboard

    def snapshot(self) -> dict[str, bytes]:
        """Every format on the clipboard now, with its bytes (empty: nothing copied)."""
        listed = self._wl_paste("--list-types", timeout_s=_LIST_TIMEOUT_S)
        if listed is None:
            return {}
        formats: dict[str, bytes] = {}
        for mime in listed.decode("utf-8", "replace").splitlines():
            data = self._wl_paste("--no-newline", "--type", mime) if mime else None
            if data is not None:
                formats[mime] = data
        return formats

    def own(self, formats: Mapping[str, bytes]) -> SelectionOwner:
        """Make ``formats`` the clipboard (none: clear it); held until another app copies."""
        previous, self._owner = self._owner, None
        try:
            self._owner = SelectionOwner(formats, self._environ)
        except SelectionError as exc:
            raise InjectionError(str(exc)) from exc
        finally:
            if previous is not None:
                previous.close()
        return self._owner

    def paste(self, text: str, send_paste_keys: Callable[[], None], restore_delay_s: float) -> None:
        """Paste ``text`` into the focused app, then restore the clipboard.

        When the paste keys cannot be sent, the text stays on the clipboard
        and the error propagates; so it does when no application fetched it within
        ``restore_delay_s`` (:class:`PasteNotTaken`).
        """
        saved = self.snapshot()
        owner = self.own(dict.fromkeys(TEXT_FORMATS, text.encode("utf-8")))
        owner.arm()
        send_paste_keys()
        fetched = owner.wait_for_fetch(restore_delay_s)
        if not fetched:  # the keys reached nothing that takes text: the text stays for the user
            log.info("no application fetched the pasted text")
            raise PasteNotTaken("no application took the pasted text")
        owner.wait_for_replacement(_FETCH_MARGIN_S)  # let it fetch its other formats
        if owner.replaced:  # the user (or the target) copied something meanwhile: keep it
            log.info("the clipboard changed during the paste; not restoring the old one")
        else:
            self.own(saved)

    def close(self) -> None:
        """Stop serving the clipboard this object owns (it then empties)."""
        if self._owner is not None:
            self._owner.close()
            self._owner = None

    def _wl_paste(self, *args: str, timeout_s: float = _READ_TIMEOUT_S) -> bytes | None:
        try:
            result = self._runner(
                ["wl-paste", *args],
                env=self._environ,
                capture_output=True,
                timeout=timeout_s,
                check=False,
            )
        except FileNotFoundError as exc:
            raise InjectionError(f"pasting on Wayland needs wl-paste ({INSTALL_HINT})") from exc
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("could not read the clipboard (%s); it will not be restored", exc)
            return None
        if result.returncode != 0:  # "No selection" / "Nothing is copied", or a dead owner
            return None
        return result.stdout
