"""The last hop of a dictation: its saved final text to where it goes, then the profile's keys.

The controller owns the dictation and its state; this module only routes the
final text (typed or pasted into the focused app, put on the clipboard, or left
in the window), presses the profile's keys after it (Enter…) and matches the
delivery service's answers to the dictation's requests. What follows an answer
is the controller's, through the callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.core.audio.lost_sound import WORTH_SAYING_S
from app.core.output.delivery_messages import (
    MESSAGE_CANCELLED_REST,
    MESSAGE_CANCELLED_WAITING,
    PASTE_KEYS,
)
from app.core.output.text_delivery import WindowPin
from app.core.output.typing_stopped import text_left_to_paste
from app.core.profiles.profile import DEFAULT_PROFILE, DictationProfile
from app.core.settings import Settings
from app.core.text.streaming import TextEdit
from app.ui.dictation.dictation_run import DictationRun
from app.ui.dictation.live_typist import LiveTypist
from app.ui.dictation.owed_space import OwedSpace

MESSAGE_KEYS_NOT_AFTER_CUT_SHORT = (
    "The microphone stopped before the dictation ended, so the profile's keys after the text "
    "(Enter…) were not pressed: check the words, then press them yourself."
)
MESSAGE_KEYS_NOT_AFTER_LOST_SOUND = (
    "Sound was lost from the microphone during the dictation, so the profile's keys after the "
    "text (Enter…) were not pressed: check the words, then press them yourself."
)
MESSAGE_KEYS_NOT_IN_ANOTHER_WINDOW = (
    "The text went into another window than the one its profile was chosen for, so the "
    "profile's keys after the text (Enter…) were not pressed."
)
MESSAGE_COMMANDS_ONLY = (
    'Only spoken commands were heard, so nothing was typed. "Scratch that" takes back words '
    "of the same dictation; to take back an earlier one, use the app's own undo (Ctrl+Z)."
)
MESSAGE_KEPT_IN_WINDOW = (
    "Nothing was typed: Saytype's own window had the keyboard focus. The text is shown here "
    "and on the clipboard; switch to the app it is for (click it, or Alt+Tab) and paste it "
    f"with {PASTE_KEYS}."
)


class FinalDelivery:
    """Delivers the final text of the dictation under way and follows its requests.

    Args:
        delivery: the controller's DeliveryService (or a fake with ``deliver`` and
            ``copy_to_clipboard``).
        own_window_active: whether Saytype's own window has the focus (pasting there
            would lose the text).
        notice: ``(level, message)`` to tell the user.
        delivered: ``(run, how)``: the text and the profile's keys after it are in.
        finished: ``(where)``: nothing more to deliver; the text went ``where``.
        failed: ``(message)``: the text could not be delivered.
        under_way: the dictation under way, if any: the delivery service's answers
            (``delivered``, ``failed``) concern it.
    """

    def __init__(  # noqa: PLR0917 - each answer goes back to the controller
        self,
        delivery: Any,
        own_window_active: Callable[[], bool],
        notice: Callable[[str, str], None],
        delivered: Callable[[DictationRun, str], None],
        finished: Callable[[str], None],
        failed: Callable[[str], None],
        under_way: Callable[[], DictationRun | None] = lambda: None,
        text_out: Callable[[], None] = lambda: None,
    ) -> None:
        self._delivery = delivery
        self._own_window_active = own_window_active
        self._notice = notice
        self._delivered = delivered
        self._finished = finished
        self._failed = failed
        self._under_way = under_way
        self.space = OwedSpace(delivery)  # after a dictation cancelled while it typed
        delivery.delivered.connect(lambda rid, how: self.on_delivered(under_way(), rid, how))
        delivery.failed.connect(lambda rid, why: self.on_failed(under_way(), rid, why))
        # The final's keys went out: an Esc from now on is for the app (vim), not a cancel.
        delivery.sent.connect(
            lambda rid: text_out() if getattr(under_way(), "delivery_id", None) == rid else None
        )

    def types_as_spoken(self, current: DictationRun, settings: Settings) -> bool:
        """Whether ``current``'s settled words are typed as they come (its profile's choice)."""
        settings = current.profile.settings if current.profile is not None else settings
        typing = current.live is not None and current.live.used  # the rest follows (held)
        own = self._own_window_active()
        return settings.type_as_i_speak and current.output == "focused_app" and (typing or not own)

    def type_settled(self, current: DictationRun, edit: TextEdit, settings: Settings) -> None:
        """Type ``current``'s newly settled words (``edit``) when it types as spoken.

        The first words to go out are every word settled so far, not only the newest: a
        dictation begun with Saytype's window focused types nothing until the user clicks
        their app, and the words settled before the click go first.
        """
        live = current.live
        if live is None or not self.types_as_spoken(current, settings):
            return
        live.add(edit if live.used else TextEdit(0, current.shaping.typed))

    def live_typist(self, current: DictationRun, *, held: bool) -> LiveTypist:
        """Type-as-I-speak for ``current``: its end and its failure are this class's to tell.

        Made as each dictation begins.
        """
        self.space.next_dictation()
        return LiveTypist(
            self._delivery,
            held=held,
            before_first=self.space.pay,
            on_done=lambda: self.text_delivered(current, "typed"),
            on_stopped=lambda message: self.live_failed(current, message),
        )

    def withhold(self, current: DictationRun | None, state: str) -> bool:
        """Esc after the release: keep ``current``'s text from being typed, if none of it was
        asked to go out yet (it goes to the clipboard, and History marks it). False: cancel."""
        if (
            current is None
            or (current.live is not None and current.live.anything_typed)
            or current.delivery_id is not None  # asked to go out: a cancel copies what is not
            or state not in {"finishing", "delivering"}
        ):
            return False
        if current.output == "focused_app":  # else nothing would be typed anyway: it goes on
            current.output = "withheld"
            self._notice("info", "Esc: nothing is typed; the text is in history and copied.")
        return True

    def cancelled(self, current: DictationRun | None, dropped: list[int]) -> None:
        """``current`` was cancelled. A final whose request was ``dropped`` before it went out is
        on the clipboard, as one that waited for keys (the user found it only by History's
        mark); words typed as spoken up to here get no space after them."""
        self.space.owe(current)
        if current is not None and current.delivery_id in dropped and current.shaping.text:
            self._delivery.copy_to_clipboard(current.shaping.text)
            self._notice("info", MESSAGE_CANCELLED_WAITING)

    def live_failed(self, current: DictationRun, reason: str) -> None:
        """Typing stopped for good: what is left goes on the clipboard, and we say so."""
        typed = current.live.typed if current.live is not None else ""
        text, advice = text_left_to_paste(typed, current.shaping.text)
        self._delivery.copy_to_clipboard(text)
        message = f"{reason} {advice}"
        self._notice("warning", message)
        self._failed(message)

    def nothing_to_deliver(
        self, current: DictationRun, edit: TextEdit, typed_live: bool, silent: str | None = None
    ) -> None:
        """The final's text is empty: take back what was typed live, or say nothing was heard.

        "Scratch that" heard only in the final takes back every word typed as spoken: they
        are erased in their window, and no profile key (Enter) follows.
        """
        if typed_live and current.live is not None and edit.erase:
            self._notice("info", "Scratched: the words typed were taken back.")
            current.live.finish(edit, on_done=lambda: self._finished("none"))
            return
        # An info: it is about this dictation, and goes when the next one starts.
        heard = MESSAGE_COMMANDS_ONLY if current.shaping.words_heard and not typed_live else ""
        self._notice("info", heard or silent or "No speech was heard.")
        self._finished("none")

    def deliver(
        self,
        current: DictationRun,
        text: str,
        edit: TextEdit,
        settings: Settings,
        *,
        typed_live: bool,
    ) -> None:
        """Send the final ``text`` (``edit``, after what was typed live) where ``current`` goes."""
        output = current.output
        went_out = current.live is not None and typed_live and bool(current.live.typed)
        if output == "focused_app" and self._own_window_active() and not went_out:
            # Pasting into our own read-only view would lose it. Started from the window's
            # button, the window is where the user looks; by the hotkey, they meant an app
            # and Saytype only had the focus by chance (Settings' OK leaves it here).
            if current.source != "window":
                self._notice("info", MESSAGE_KEPT_IN_WINDOW)
            if current.source != "window" or (current.entry is None and not settings.pause_history):
                self._delivery.copy_to_clipboard(text)  # history could not keep it, either
            self._finished("window")
            return
        # With words already typed into another app, the rest goes the same way: refused
        # while Saytype has the focus, it lands on the clipboard with a notice that says so.
        if output == "focused_app":
            profile = current.profile or DictationProfile(DEFAULT_PROFILE, settings)
            if profile.space_after and not edit.text[-1:].isspace():
                edit = TextEdit(edit.erase, edit.text + " ")
            if current.live is not None and typed_live:
                # Continue as the words before it went out: typed, never retracted. What a
                # failure held back is tried once more now (the hotkey is up by now). Held
                # to talk, nothing went out yet: it is for the window the keys were held in.
                if current.held_to_talk and current.live.window.window_class is None:
                    _held_in(current.live.window, profile)
                current.live.finish(edit)
                return
            # Held to talk, the text is for the window the keys were held in (that terminal,
            # not another): a click elsewhere while it was decoded (or during a next hold)
            # must not take it. A tap's text goes where the user is when it is out (they may
            # tap, then click where it belongs). The keys after it go where it went.
            current.target = WindowPin()
            if current.held_to_talk:
                _held_in(current.target, profile)
            self.space.pay()
            current.delivery_id = self._delivery.deliver(
                edit.text,
                profile.settings.delivery,
                paste_keys=profile.paste_keys,
                only_into=current.target,
            )
            return
        if output in {"clipboard", "withheld"} or (
            current.entry is None and not settings.pause_history
        ):
            # Without a history entry the clipboard keeps the text safe (a paused history
            # is the user's wish, not a failure: nothing extra is copied then).
            self._delivery.copy_to_clipboard(text)
            self._finished("clipboard")
            return
        self._finished("window" if output == "window" else "typed")

    def sound_lost(self, lost_s: float, _gone: str = "") -> None:
        """``lost_s`` of sound never arrived: words of the dictation under way may be missing."""
        current = self._under_way()
        if current is not None and lost_s >= WORTH_SAYING_S:
            current.sound_lost = True

    def text_delivered(self, current: DictationRun, how: str) -> None:
        """The text is in: the profile's keys after it (Enter…) go next, then it is done."""
        keys = current.profile.after_keys if current.profile is not None else ()
        if keys and current.cut_short:  # "remove the temporary folder," must not run
            self._notice("warning", MESSAGE_KEYS_NOT_AFTER_CUT_SHORT)
            keys = ()
        if keys and current.sound_lost:  # a garbled command line must not run either
            self._notice("warning", MESSAGE_KEYS_NOT_AFTER_LOST_SOUND)
            keys = ()
        if keys and not _went_where_chosen(current):  # a tap followed the focus elsewhere
            self._notice("warning", MESSAGE_KEYS_NOT_IN_ANOTHER_WINDOW)
            keys = ()
        if not keys:
            self._delivered(current, how)
            return
        current.how = how
        # An Enter meant for a terminal must not send a chat message the focus moved to,
        # nor run a second terminal's command line: only into the window the words went to.
        chord = "+".join(keys)
        kind = current.profile.window_class if current.profile else ""
        window: str | WindowPin = kind
        if current.live is not None and current.live.typed:
            window = current.live.window
        elif current.target is not None:  # the profile's kind of window, and the words' one
            window = WindowPin()
            window.window_class, window.window_id = kind, current.target.window_id
        current.after_id = self._delivery.deliver(chord, "keys", only_into=window)

    def on_delivered(self, current: DictationRun | None, request_id: int, how: str) -> None:
        """The delivery service did ``request_id``; ``current`` is the dictation under way."""
        if self.space.answered(request_id):
            return
        if current is None or (current.live is not None and current.live.on_delivered(request_id)):
            return
        if current.delivery_id == request_id:
            self.text_delivered(current, how)
        elif current.after_id == request_id:
            self._delivered(current, current.how)

    def on_failed(self, current: DictationRun | None, request_id: int, message: str) -> None:
        """The delivery service could not do ``request_id``."""
        if self.space.answered(request_id):
            return  # the window the space was owed in has not the focus: nothing is owed there
        live = current.live if current is not None else None
        if live is not None and live.on_failed(request_id, message):
            return  # held back, not lost: it goes first when typing resumes
        if current is not None and current.after_id == request_id:
            self._notice(
                "warning", f"The text went in, but not the profile's keys after it: {message}"
            )
            self._delivered(current, current.how)
            return
        if message == MESSAGE_CANCELLED_REST:
            return  # a piece typed as spoken: cancel() said which words stay
        self._notice("info" if message == MESSAGE_CANCELLED_WAITING else "warning", message)
        if current is not None and current.delivery_id == request_id:
            self._failed(message)


def _held_in(pin: WindowPin, profile: DictationProfile) -> None:
    """Keep ``pin`` to the window the hotkey was held in (its kind, where it cannot be told)."""
    pin.first_into = profile.window_class
    pin.window_id = profile.window_id or None


def _went_where_chosen(current: DictationRun) -> bool:
    """Whether the text went into the window its profile was chosen for (at the press).

    A tap's text follows the focus; the profile's Enter is for the window it was chosen
    by (a chat title, one terminal), not for another of the same class the user moved to.
    True where the session cannot tell windows apart.
    """
    chosen = current.profile.window_id if current.profile is not None else ""
    live = current.live if current.live is not None and current.live.typed else None
    pin = live.window if live is not None else current.target
    went = pin.window_id if pin is not None else None
    return not chosen or not went or went == chosen
