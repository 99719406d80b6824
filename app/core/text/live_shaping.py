"""Live shaping: one dictation's partial, commit and final events → text to show and to type.

``saytype listen`` prints a dictation and the window shows it (and types it
into the focused application when "type as I speak" is on). Both used to shape
the events each in their own way, and they drifted apart: the command line
kept Whisper's spacing in its partial lines, and only the window shaped the
final together with the words already typed. This class is the one place that
decides, so a user of either path gets the same words in the same form; the
command line and the window only render its :class:`LiveUpdate` s.

The rules, per event:

* a **partial** shows the committed words held back (a spoken command may be
  under way) and the newest guess, shaped as they would continue the settled text
  (as heard when that would change it: "scratch that" in the guess);
* a **commit** settles words: the settled text is shaped, and its edit is what
  to type now (:class:`~app.core.text.streaming.StreamingShaper`);
* the **final** is the utterance shaped whole, unless the commits' edits were
  typed into an application already: typed words are never taken back, so the
  final is then shaped together with them and its edit only finishes the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.text.shaper import TextShaper, with_space_after
from app.core.text.streaming import StreamingShaper, TextEdit


@dataclass(frozen=True)
class LiveUpdate:
    """What one event changes.

    Attributes:
        shown: the settled, shaped text (after the final: the dictation's text).
        pending: the words not settled yet, shaped as they would continue ``shown``:
            held-back committed words, then a partial's guess (empty after the final).
            ``shown + pending`` is the text so far: it begins with its own space, line
            break or mark (","), as the final will go on.
        edit: what to type into the focused application now; after a final that
            was not typed live, the whole text (with the trailing space, if set).
    """

    shown: str
    pending: str = ""
    edit: TextEdit = field(default_factory=TextEdit)


class LiveShaping:
    """Shapes one dictation's events as they arrive; make a new one per dictation.

    Args:
        shaper: the shaping rules (its ``trailing_space`` option ends the final's edit).
    """

    def __init__(self, shaper: TextShaper) -> None:
        self._shaper = shaper
        self._streaming = StreamingShaper(shaper)
        self._final: str | None = None
        self.words_heard = False  # whether the final heard any words, commands included
        self._guess = ""  # the newest pass's words after the settled ones

    @property
    def typed(self) -> str:
        """The settled, shaped text the commits handed out so far."""
        return self._streaming.typed

    @property
    def text(self) -> str:
        """The dictation's text: the final's once it arrived, else the settled text."""
        return self._final if self._final is not None else self._streaming.typed

    @property
    def heard(self) -> str:
        """Everything heard so far, as the window shows it: the settled text, then the rest."""
        return (self._streaming.typed + self._pending(self._guess)).strip()

    def partial(self, guess: str) -> LiveUpdate:
        """A new guess for the words after the committed ones (nothing to type).

        It is shaped as the final would shape it, so a word keeps its form when it
        settles ("one and three" stays words, "comma" is a comma already).
        """
        self._guess = guess
        return LiveUpdate(self._streaming.typed, self._pending(guess))

    def commit(self, words: str) -> LiveUpdate:
        """Newly committed ``words`` (Whisper's, with their leading space)."""
        edit = self._streaming.on_commit(words)
        self._guess = ""  # it was a guess at the words just settled
        return LiveUpdate(self._streaming.typed, self._pending(""), edit)

    def _pending(self, guess: str) -> str:
        """The held words and ``guess`` as they continue the settled text on screen."""
        typed = self._streaming.typed
        pending = self._streaming.preview(guess)
        if pending is None:  # shaping them would change typed words: shown as heard
            heard = " ".join(part for part in (self._streaming.held, guess.strip()) if part)
            pending = f" {heard}" if heard else ""
        return pending if typed else pending.lstrip()

    def final(self, utterance: str, *, typed_live: bool) -> LiveUpdate:
        """The whole ``utterance``.

        Args:
            utterance: the final's text, as heard.
            typed_live: the commits' edits reached an application (type as I
                speak); the final then keeps what they typed and its edit only
                finishes the text. Otherwise the final is shaped whole and its
                edit types all of it.
        """
        spaced = self._shaper.options.trailing_space
        self.words_heard = bool(utterance.strip())  # shaped to nothing: spoken commands only
        if typed_live:
            edit = self._streaming.on_final(utterance, trailing_space=spaced)
            text = self._streaming.text
        else:
            text = self._shaper.shape(utterance)
            edit = TextEdit(0, with_space_after(text) if spaced else text)
        self._final = text
        return LiveUpdate(text, "", edit)
