"""One hearing of the live buffer: decode, clean up, reject noise; and a careful second hearing.

A live pass and the final both hear audio through :class:`Hearing`: the
decoder's words are moved to absolute time, words squeezed into the silent
padding and decoder loops are cut, and hypotheses that look like noise are
rejected. The careful final hears the newest hearing's audio again with beam
search (the decoder kept its encoding, so only the beam search costs).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Protocol

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.engine.cancellation import Checkpoint
from app.core.engine.heard_words import (
    MIN_WORD_S,
    join_words,
    without_squeezed_copy,
    without_squeezed_tail,
)
from app.core.engine.local_agreement import (
    extra_words_echo,
    repetition_loop_start,
    says_a_phrase_twice,
    word_key,
)
from app.core.engine.reheard_words import spoken_parts
from app.core.engine.streaming_options import StreamingOptions
from app.core.engine.window_decoder import Hypothesis, Word, compression_ratio
from app.core.text.formatting import FILLERS

log = logging.getLogger(__name__)

# Beam search in a window shorter than Whisper's 30 s may loop or say a sentence
# twice over the silent padding (decision 0001); greedy search over the same audio
# says how many words there are, so a careful final that strays further is not taken.
CAREFUL_WORD_SLACK = 2
PROMPT_WORDS = 120  # comfortably inside Whisper's 223-token prompt limit
_BLOCK_SLACK_DIVISOR = 5  # a block's beam hearing may differ by a fifth of its words


class Decoder(Protocol):
    """Decodes up to :data:`~app.core.engine.window_decoder.MAX_AUDIO_S` of audio."""

    def decode(
        self,
        audio: AudioArray,
        prompt: str = "",
        beam_size: int | None = None,
        cancel: Checkpoint | None = None,
        *,
        aligned: bool = True,
    ) -> Hypothesis: ...


@dataclass(frozen=True)
class Heard:
    """One hearing of the buffer: what it heard, and what it was given to hear it."""

    cut_words: int  # cut words before its buffer
    audio_end: int  # absolute sample where its audio ends
    words: list[Word]  # every word it heard, in absolute time
    audio: AudioArray  # the audio it decoded (the buffer is never changed in place)
    prompt: str
    offset_s: float  # where its audio begins
    # Whether ``words`` are greedy search's over exactly this audio and prompt (a pass);
    # not so for a final widened back across cuts or a block, whose words came from passes.
    own_words: bool = True

    def same_words(self, other: Heard) -> bool:
        """Whether ``other`` heard the same words after the same cut (a pause going on)."""
        return self.cut_words == other.cut_words and join_words(self.words) == join_words(
            other.words
        )

    def same_stretch(self, other: Heard) -> bool:
        """Whether ``other`` was given the same audio and prompt to hear."""
        return (
            self.offset_s == other.offset_s
            and self.prompt == other.prompt
            and len(self.audio) == len(other.audio)
        )


# Whether the voice detector is sure of speech between two absolute samples.
ClearSpeech = Callable[[int, int], bool]
_GreedyKey = tuple[float, str, bool]  # offset, prompt, aligned


class Hearing:
    """Decodes audio for one utterance and counts the decodes.

    Args:
        decoder: the window decoder.
        options: the live loop's tuning.
        clear_speech: the voice detector's answer for a stretch of audio; where it
            is sure of speech, the model's doubt alone drops no words (None: it does).
    """

    def __init__(
        self, decoder: Decoder, options: StreamingOptions, clear_speech: ClearSpeech | None = None
    ) -> None:
        self._decoder = decoder
        self._options = options
        self._clear_speech = clear_speech
        self.decodes = 0
        # The newest greedy hearing: a refused careful final falls back on greedy search
        # over the audio its guard just heard greedily, and greedy search gives the same
        # words again, so that stretch is not decoded twice (0040).
        self._newest_greedy: tuple[_GreedyKey, AudioArray, list[Word], Hypothesis | None] | None
        self._newest_greedy = None

    def hear(
        self,
        audio: AudioArray,
        prompt: str,
        offset_s: float,
        beam: int,
        cancel: Checkpoint | None,
        *,
        aligned: bool = True,
    ) -> tuple[list[Word], Hypothesis | None]:
        """Decode ``audio``; its words in absolute time, loops cut (none if rejected)."""
        key = (offset_s, prompt, aligned)
        kept = self._newest_greedy
        if beam == 1 and kept is not None and kept[0] == key and np.array_equal(kept[1], audio):
            return list(kept[2]), kept[3]
        words, hypothesis = self._decoded(audio, prompt, offset_s, beam, cancel, aligned=aligned)
        if beam == 1:
            self._newest_greedy = (key, audio, list(words), hypothesis)
        return words, hypothesis

    def _decoded(
        self,
        audio: AudioArray,
        prompt: str,
        offset_s: float,
        beam: int,
        cancel: Checkpoint | None,
        *,
        aligned: bool,
    ) -> tuple[list[Word], Hypothesis | None]:
        hypothesis = self._decoder.decode(audio, prompt, beam, cancel, aligned=aligned)
        self.decodes += 1
        words = without_squeezed_copy(
            without_squeezed_tail(
                [Word(w.start + offset_s, w.end + offset_s, w.text) for w in hypothesis.words]
            )
        )
        loop = repetition_loop_start(words)
        if loop is not None:
            log.debug("cut a repetition loop of %d words", len(words) - loop)  # never the words
            words = words[:loop]
        start = round(offset_s * SAMPLE_RATE)
        voiced = self._clear_speech is not None and self._clear_speech(start, start + len(audio))
        if self._looks_hallucinated(hypothesis, join_words(words), voiced):
            log.info(
                "dropped a hypothesis that looks hallucinated (no_speech_prob %.2f, %d characters)",
                hypothesis.no_speech_prob,
                len(hypothesis.text),
            )
            return [], None
        return words, hypothesis

    def carefully(
        self,
        heard: Heard,
        cancel: Checkpoint | None,
        *,
        before_s: float | None = None,
        missed_words: bool = False,
    ) -> list[Word] | None:
        """``heard``'s audio heard again with beam search (None: keep what it heard).

        Beam search mends word forms that greedy passes miss ("whisper" for
        "whispered", "their" for "there"; decision 0014), but in a short window
        it may loop, so a result whose length strays from the greedy hearing is
        not taken. With ``before_s`` (a buffer cut), only the words before it are
        kept (:func:`_words_before_cut`): the audio after it is context, aligned to
        tell them apart. With ``missed_words``, ``heard.words`` are a pass's that did
        not hear the newest half second: beam search must hear as many words or up
        to the slack more, or greedy search over the same audio decides (0040).
        """
        beam = self._options.final_beam_size
        if beam <= 1 or not heard.words:
            return None
        aligned = before_s is not None
        words, hypothesis = self.hear(
            heard.audio, heard.prompt, heard.offset_s, beam, cancel, aligned=aligned
        )
        if before_s is not None:
            words = _words_before_cut(words, before_s)
        if hypothesis is None or not words:
            return None
        if self.says_only_special_words(heard.words) and not self.says_only_special_words(words):
            return words  # the greedy words were the prompt said back: their count means nothing
        if _beam_said_twice(words, heard.words):
            log.info("kept the greedy final: beam search said a phrase twice")
            return None
        # Counted in spoken parts: "1-2-3-4-5" is five words said, as "one, two, … five" is.
        counts = (_said(words), _said(heard.words))
        slack = CAREFUL_WORD_SLACK
        if before_s is not None:
            # A block fills its window, leaving beam search little padding to loop over,
            # while greedy search drops several words of spontaneous speech in one go.
            slack = max(slack, len(heard.words) // _BLOCK_SLACK_DIVISOR)
        if missed_words:
            fits = counts[1] <= counts[0] <= counts[1] + slack
        else:
            fits = abs(counts[0] - counts[1]) <= slack
        if (
            not fits
            and not _greedy_said_twice(words, heard.words)
            and not self._greedy_here_agrees(words, heard, slack, before_s, cancel)
        ):
            log.info("kept the greedy final: beam search heard %d words, not %d", *counts)
            return None
        if self._lost_words(words, heard.words, slack):
            log.info("kept the greedy final: beam search left out words said")
            return None
        return words

    def _lost_words(self, beam: list[Word], greedy: list[Word], slack: int) -> bool:
        """Whether beam search left out words greedy search heard over clear speech.

        Whisper may end a window before its last words ("...what do you think" for
        "...what do you think question mark", 0058; a block that ended at
        "description" before "of the harbor period"), within the guard's slack, or
        skip a sentence of it ("I would" for a block of fourteen words, where greedy
        search over the same window skipped it too). Words greedy search heard after
        beam's last one, or more than the slack in one place, where the voice detector
        is sure of speech, are not words invented in a pause: the greedy hearing stays.
        """
        if self._clear_speech is None or not beam or len(beam) >= len(greedy):
            return False
        said, heard = ([word_key(w.text) for w in words] for words in (beam, greedy))
        matcher = SequenceMatcher(None, said, heard, autojunk=False)
        for tag, first, last, greedy_first, greedy_last in matcher.get_opcodes():
            # A word the alignment gave no time has no audio behind it (0065): not lost.
            timed = [w for w in greedy[greedy_first:greedy_last] if w.end - w.start >= MIN_WORD_S]
            missing = _said(timed) - _said(beam[first:last])
            at_end = tag == "insert" and first == len(beam)
            if tag in {"insert", "replace"} and missing > 0 and (at_end or missing > slack):
                lost = greedy[greedy_first:greedy_last]
                start, end = (round(t * SAMPLE_RATE) for t in (lost[0].start, lost[-1].end))
                if end > start and self._clear_speech(start, end):
                    return True
        return False

    def says_only_special_words(self, words: list[Word]) -> bool:
        """Whether ``words`` are the special words (two or more), in their order, and nothing
        else: the prompt said back. Over a buffer that began with silence, greedy search
        heard "Siobhan, kubectl" for "See you soon new line…", and two passes agreeing
        committed it."""
        special = [word_key(part) for part in getattr(self._decoder, "hotwords", "").split()]
        return len(special) > 1 and [word_key(word.text) for word in words] == special

    def _greedy_here_agrees(
        self,
        beam: list[Word],
        heard: Heard,
        slack: int,
        before_s: float | None,
        cancel: Checkpoint | None,
    ) -> bool:
        """Whether greedy search over this very audio hears about as many words as beam.

        The guard's count comes from the passes, which may have heard other audio: a
        final widened back across cuts, a block, or speech a pass never reached (soft
        words the voice detector missed) or heard alone with words invented after it.
        Greedy search over the same window and prompt is then the fair count (0033).
        """
        if heard.own_words:
            return False  # it would hear the passes' words again
        greedy, _ = self.hear(
            heard.audio, heard.prompt, heard.offset_s, 1, cancel, aligned=before_s is not None
        )
        if before_s is not None:
            greedy = _words_before_cut(greedy, before_s)
        log.info("greedy search over the same audio heard %d words", len(greedy))
        return abs(_said(beam) - _said(greedy)) <= slack or _greedy_said_twice(beam, greedy)

    def _looks_hallucinated(self, hypothesis: Hypothesis, kept_text: str, voiced: bool) -> bool:
        """Noise heard as speech, or a loop that is still most of what was kept.

        Whisper's own rule also asks for a low avg_logprob, but on silence tiny.en
        says "you" at -0.6 with no_speech_prob 0.99: the probability alone decides,
        unless the voice detector is sure of speech. A short word after a pause of
        room noise ("six" a second after the key went down) leaves most of the
        window silent, and the model then doubts the whole window: two detectors
        must agree before words are dropped, as on the file path.
        """
        options = self._options
        loop = compression_ratio(kept_text) > options.max_compression_ratio
        return loop or (hypothesis.no_speech_prob > options.no_speech_prob and not voiced)


def _said(words: list[Word]) -> int:
    """How many words were said: a token that joins several ("1-2-3-4") counts each."""
    return sum(len(spoken_parts(word.text)) for word in words)


def _greedy_said_twice(beam: list[Word], greedy: list[Word]) -> bool:
    """Whether the greedy hearing has more words because it said a phrase twice.

    Then the beam hearing's fewer words are the mended ones, not words lost: the
    guard above is for beam search that loops or splits words, and taking the
    greedy words here typed a sentence twice (a new user saw 4 in 101 dictations).
    A longer phrase counts even with invented words between (decision 0039).
    """
    if len(greedy) <= len(beam):
        return False
    twice = says_a_phrase_twice(greedy) and not says_a_phrase_twice(beam)
    return twice or extra_words_echo(beam, greedy, slack=CAREFUL_WORD_SLACK)


def _beam_said_twice(beam: list[Word], greedy: list[Word]) -> bool:
    """Whether beam search said a word twice in a row, or has more words because it said
    a phrase of two or more twice, where greedy search did not.

    In a short window beam search may hear the word after a short one twice ("Like,
    like the white one" for "Mike likes the white one", where greedy search heard
    "Mike like"); a speaker who says "very, very" is heard saying it by greedy search too.

    After a long silence at the start of its window, beam search said "Get status.
    Get status." where the passes heard "Get status." once; two more words are within
    the guard's slack, and the doubled text was typed. A speaker who repeats a phrase
    is heard repeating it by greedy search too. Hesitations ("uh, um, uh, um") are
    left out: people do repeat those, and beam search hears them better.
    """
    said, heard = (
        [w for w in words if word_key(w.text) not in FILLERS] for words in (beam, greedy)
    )
    if _word_twice(said) and not _word_twice(heard):
        return True  # "Like, like the white one" where greedy search heard "Mike like"
    if len(beam) <= len(greedy):
        return False
    return says_a_phrase_twice(said, min_size=2) and not says_a_phrase_twice(heard, min_size=2)


def _word_twice(words: list[Word]) -> bool:
    """Whether a word comes twice in a row ("like, like")."""
    keys = [word_key(word.text) for word in words]
    return any(first == second for first, second in itertools.pairwise(keys))


def _words_before_cut(careful: list[Word], cut_s: float) -> list[Word]:
    """The careful words of a stretch that ends at a cut: centred before it, and a straddler.

    The alignment may stretch the last word before a pause far past the cut ("lunch."
    14.3-16.9 s for a cut at 15.0 s; "century." 29.9-31.1 s for one at 30.1 s, which
    the passes had merged into "19th"): a word that starts before the cut is kept, or it
    is lost from both sides. Where it was only timed early and the next stretch hears it
    too, the join drops the second one (:meth:`CarefulBlocks.joined`).
    """
    kept = [w for w in careful if (w.start + w.end) / 2 < cut_s]
    if len(kept) < len(careful) and careful[len(kept)].start < cut_s:
        kept.append(careful[len(kept)])
    return kept
