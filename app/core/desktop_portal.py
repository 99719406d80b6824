"""Talking to the XDG desktop portal (``org.freedesktop.portal.Desktop``) on the session bus.

What the portal routes share: the hotkey (``hotkeys/portal_shortcuts``,
GlobalShortcuts) and typing (``output/portal_keyboard``, RemoteDesktop). A
portal method that may ask the user answers through a ``Request`` object's
``Response`` signal, whose path the caller can know before the call (its
``handle_token``); :func:`portal_request` subscribes first, then calls, then
waits, so no answer is missed.

jeepney (pure Python, blocking) is the D-Bus client: callers run it off the
GUI thread, or with a short timeout.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)

PORTAL_NAME = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
CALL_TIMEOUT_S = 10.0

Body = Callable[[dict[str, tuple[str, str]]], tuple[Any, ...]]


class PortalError(RuntimeError):
    """The portal cannot do what was asked (no portal, refused, cancelled, no answer)."""


def session_bus_address(environ: Mapping[str, str]) -> str | None:
    """The session bus of ``environ``, or None when it names none."""
    return environ.get("DBUS_SESSION_BUS_ADDRESS") or None


def portal_property(
    environ: Mapping[str, str], interface: str, name: str, timeout_s: float = 3.0
) -> Any:
    """One property of a portal interface, or None when there is no bus, portal or answer."""
    address = session_bus_address(environ)
    if address is None:
        return None
    from jeepney import DBusAddress, MessageType, Properties
    from jeepney.io.blocking import open_dbus_connection

    portal = DBusAddress(PORTAL_PATH, bus_name=PORTAL_NAME, interface=interface)
    try:
        with open_dbus_connection(bus=address) as bus:
            reply = bus.send_and_get_reply(Properties(portal).get(name), timeout=timeout_s)
    except Exception as exc:  # no bus, or a portal that does not answer in time
        log.info("no %s portal: %s", interface.rsplit(".", 1)[-1], exc)
        return None
    if reply.header.message_type is MessageType.error or not reply.body:
        return None
    return reply.body[0][1]  # the variant's value


def portal_request(
    bus: Any, interface: str, method: str, signature: str, body: Body, *, timeout_s: float
) -> dict[str, Any]:
    """Call a portal method that answers through a Request's ``Response``; its results.

    Args:
        bus: An open jeepney blocking connection to the session bus.
        interface: The portal interface (``org.freedesktop.portal.RemoteDesktop``).
        method: The method's name.
        signature: Its D-Bus signature.
        body: Makes the arguments from the ``handle_token`` option to put in them.
        timeout_s: How long to wait for the answer (the user may be asked).

    Raises:
        PortalError: The portal refused, the user cancelled, or no answer came.
    """
    from jeepney import DBusAddress, MatchRule, new_method_call
    from jeepney.bus_messages import message_bus
    from jeepney.wrappers import unwrap_msg

    token = f"saytype_{method.lower()}_{time.monotonic_ns()}"
    sender = bus.unique_name.lstrip(":").replace(".", "_")
    rule = MatchRule(
        type="signal",
        interface="org.freedesktop.portal.Request",
        member="Response",
        path=f"{PORTAL_PATH}/request/{sender}/{token}",
    )
    unwrap_msg(bus.send_and_get_reply(message_bus.AddMatch(rule), timeout=CALL_TIMEOUT_S))
    portal = DBusAddress(PORTAL_PATH, bus_name=PORTAL_NAME, interface=interface)
    with bus.filter(rule) as responses:
        call = new_method_call(portal, method, signature, body({"handle_token": ("s", token)}))
        unwrap_msg(bus.send_and_get_reply(call, timeout=CALL_TIMEOUT_S))
        try:
            response = bus.recv_until_filtered(responses, timeout=timeout_s)
        except TimeoutError as exc:
            raise PortalError(f"the portal did not answer {method}") from exc
    code, results = response.body
    if code != 0:
        raise PortalError(f"the portal refused {method} ({'cancelled' if code == 1 else code})")
    return dict(results)
