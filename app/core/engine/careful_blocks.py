"""Closed stretches of a long dictation heard again carefully while the speaker goes on.

Live passes hear with greedy search in short windows, and the words they cut
from the buffer stay as those passes heard them. Once at least ``block_s`` of
audio lies between the last block and a newer buffer cut, that stretch (a
block: it begins and ends in pauses, where the buffer was cut) is heard again
with beam search, as one window, with the careful words before it as the
prompt: what transcribing the recording does with its windows. Blocks are
heard in the live loop's idle time, so at the release only the newest
stretch is left to hear (decision 0016).
"""

from __future__ import annotations

import logging

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.engine.cancellation import Checkpoint
from app.core.engine.heard_words import join_words, same_word
from app.core.engine.hearing import PROMPT_WORDS, Heard, Hearing
from app.core.engine.recent_audio import SpanStart
from app.core.engine.window_decoder import MAX_AUDIO_S, Word

log = logging.getLogger(__name__)

# Words just before a cut need what follows them (decision 0014): a block is heard
# with this much of the audio after it, about a phrase, and keeps only its own words.
RIGHT_CONTEXT_S = 2.0
# A block and its context must fit one encoder window.
_MAX_BLOCK_S = MAX_AUDIO_S - RIGHT_CONTEXT_S - 1.0


class CarefulBlocks:
    """The careful words of the closed blocks, and the audio since the last one."""

    def __init__(self, hearing: Hearing, block_s: float) -> None:
        self._hearing = hearing
        self._block = int(block_s * SAMPLE_RATE)
        self.words: list[Word] = []  # the closed blocks' words, in absolute time
        self.end = 0  # absolute sample where the closed blocks end
        self.cut_words = 0  # the buffer's cut words that the closed blocks stand for
        self._chunks: list[AudioArray] = []  # audio from ``end`` on
        self._total = 0
        self._cuts: list[SpanStart] = []  # buffer cuts after ``end``
        self._closed: list[tuple[int, int]] = []  # (end sample, words so far) of each block
        self._straddling: list[Word] = []  # blocks' last words centred past their cuts

    def push(self, samples: AudioArray) -> None:
        """Append audio (kept from the last block's end on)."""
        self._chunks.append(samples)
        self._total += len(samples)

    def cut(self, sample: int, words_before: int) -> None:
        """The live buffer was cut at ``sample``, with ``words_before`` cut words before it."""
        if self._block > 0:
            self._cuts.append(SpanStart(sample, words_before))

    def due(self) -> bool:
        """Whether a block can be closed: a cut at least ``block_s`` after the last block."""
        return self._next_block() is not None

    def close(self, heard_cut: list[Word], cancel: Checkpoint | None) -> None:
        """Hear the next block carefully (its greedy ``heard_cut`` words stand in on failure)."""
        block = self._next_block()
        if block is None:
            return
        context_end = block.sample + int(RIGHT_CONTEXT_S * SAMPLE_RATE)
        audio = self._audio()[: context_end - self.end]
        greedy = heard_cut[self.cut_words : block.words_before]
        if block.sample - self.end > _MAX_BLOCK_S * SAMPLE_RATE:
            careful = None  # no cut near enough to close a block in one window: stay greedy
        else:
            prompt = join_words(self.words[-PROMPT_WORDS:])
            offset = self.end / SAMPLE_RATE
            heard = Heard(
                self.cut_words, context_end, greedy, audio, prompt, offset, own_words=False
            )
            careful = self._hearing.carefully(heard, cancel, before_s=block.sample / SAMPLE_RATE)
        self.words = self.joined(self.words, careful if careful is not None else greedy)
        self._closed.append((block.sample, len(self.words)))
        last = self.words[-1] if self.words else None
        cut_s = block.sample / SAMPLE_RATE
        if last is not None and last.end - cut_s > cut_s - last.start:
            self._straddling.append(last)
        self._chunks = [self._audio()[block.sample - self.end :]]
        self.end, self.cut_words = block.sample, block.words_before
        self._cuts = [cut for cut in self._cuts if cut.sample > self.end]

    def before(self, heard_cut: list[Word], cut_words: int, start_s: float) -> list[Word]:
        """The words before a hearing that starts at ``start_s``, after ``cut_words`` cut words.

        Careful where a block heard them; a hearing that starts inside the blocks
        (the final reaches back ``final_reach_s``) hears their last words again.
        """
        if cut_words < self.cut_words:
            # Blocks that end by then are taken whole: each decided where its last word
            # belongs (an alignment may stretch it past the cut: Hearing.carefully).
            start = round(start_s * SAMPLE_RATE)
            whole = max((count for end, count in self._closed if end <= start), default=0)
            rest = [word for word in self.words[whole:] if (word.start + word.end) / 2 < start_s]
            return [*self.words[:whole], *rest]
        return self.joined(self.words, heard_cut[self.cut_words : cut_words])

    def joined(self, before: list[Word], after: list[Word]) -> list[Word]:
        """``before`` then ``after``, the last block's straddling word said once.

        A block keeps a word that starts before its cut but is centred past it
        (Hearing.carefully); when it was only timed early, the words after the cut
        begin with it again ("slightly lower lower in intensity").
        """
        straddles = bool(before) and any(before[-1] is word for word in self._straddling)
        if straddles and after and same_word(after[0], before[-1]):
            return [*before, *after[1:]]
        return [*before, *after]

    def _next_block(self) -> SpanStart | None:
        """The newest cut within one window of ``end`` with its context heard; else the oldest."""
        if self._block <= 0:
            return None
        context = int(RIGHT_CONTEXT_S * SAMPLE_RATE)
        ready = [
            cut
            for cut in self._cuts
            if cut.sample - self.end >= self._block and self._total - cut.sample >= context
        ]
        if not ready:
            return None
        fitting = [cut for cut in ready if cut.sample - self.end <= _MAX_BLOCK_S * SAMPLE_RATE]
        return fitting[-1] if fitting else ready[0]

    def _audio(self) -> AudioArray:
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0] if self._chunks else np.zeros(0, np.float32)
