"""The live final: the newest audio heard again with beam search, back across buffer cuts.

Words just before a buffer cut were heard without what followed them, and the
newest stretch alone is short; hearing the newest ``final_reach_s`` of audio
as one window with beam search mends both (decision 0014). Beam search in a
short window may stray, so :meth:`Hearing.carefully` may refuse its words;
then the greedy hearing stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.engine.cancellation import Checkpoint
from app.core.engine.careful_blocks import CarefulBlocks
from app.core.engine.heard_words import join_words
from app.core.engine.hearing import PROMPT_WORDS, Heard, Hearing
from app.core.engine.recent_audio import RecentAudio
from app.core.engine.settled_words import SettledWords
from app.core.engine.window_decoder import Word


@dataclass(frozen=True)
class Span:
    """The live buffer: absolute samples where it starts and ends."""

    start: int
    end: int


class CarefulFinal:
    """Makes the final's words from a hearing of the buffer; one per utterance."""

    def __init__(
        self,
        hearing: Hearing,
        recent: RecentAudio,
        settled: SettledWords,
        blocks: CarefulBlocks,
        cancel: Checkpoint | None,
    ) -> None:
        self._hearing = hearing
        self._recent = recent
        self._settled = settled
        self._blocks = blocks
        self._cancel = cancel

    def words(self, heard: Heard, buffer: Span, refused: Heard | None = None) -> list[Word]:
        """Every word of the utterance: ``heard`` widened, or itself, heard with beam search.

        ``buffer`` is the live buffer now. ``refused`` is a stretch whose careful
        hearing was just refused: it is not decoded again. The greedy words stay
        where beam search is refused.
        """
        for target in (self.widened(heard, buffer), heard):
            if target is None or (refused is not None and target.same_stretch(refused)):
                continue
            careful = self._hearing.carefully(target, self._cancel)
            if careful is not None:
                return self._after_cuts(target, careful)
        return self._after_cuts(heard, heard.words)

    def before_greedy(self, newest: Heard, buffer: Span) -> tuple[list[Word] | None, Heard]:
        """The final's words with beam search alone, when the newest pass missed the last words.

        ``newest`` is the buffer as it is now, with the newest pass's words: beam
        search must hear as many or a few more (:meth:`Hearing.carefully` with
        ``missed_words``), or greedy search over the same audio decides. A fresh
        greedy hearing before the beam search doubled the decodes after a release
        that came without a pause. Returns the words (None: refused) and the
        stretch heard.
        """
        target = self.widened(newest, buffer) or newest
        careful = self._hearing.carefully(target, self._cancel, missed_words=True)
        return (None if careful is None else self._after_cuts(target, careful)), target

    def widened(self, heard: Heard, buffer: Span) -> Heard | None:
        """``heard`` stretched back over cuts to hear the newest ``final_reach_s`` of audio.

        The words live heard there are its greedy hearing.
        """
        start = self._recent.earliest_start(buffer.start)
        if start is None or start.words_before > heard.cut_words:
            return None
        cut = self._settled.heard_cut
        live = [*cut[start.words_before : heard.cut_words], *heard.words]
        audio = self._recent.audio_from(start.sample)
        offset = start.sample / SAMPLE_RATE
        before = self._blocks.before(cut, start.words_before, offset)
        prompt = join_words(before[-PROMPT_WORDS:])
        return Heard(start.words_before, buffer.end, live, audio, prompt, offset, own_words=False)

    def _after_cuts(self, heard: Heard, words: list[Word]) -> list[Word]:
        """``words`` after every word heard before ``heard``'s stretch."""
        before = self._blocks.before(self._settled.heard_cut, heard.cut_words, heard.offset_s)
        return self._blocks.joined(before, words)
