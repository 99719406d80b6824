"""Closed stretches of a long dictation heard again with beam search while the speaker goes on."""

from __future__ import annotations

from app.core.audio.speech_detector import SpeechDetector
from app.core.engine.streaming_options import StreamingOptions
from app.core.engine.streaming_transcriber import StreamingTranscriber
from app.core.engine.window_decoder import Word
from tests.fakes.coded_speech import VOCABULARY, CodeDecoder, LoudnessVad, said, speech

WORDS = 40  # 24 s of coded speech: blocks close long before the final's 10 s reach
MISHEARD = 2  # greedy search gets this word wrong; beam search gets it right


class GreedyMishearsDecoder(CodeDecoder):
    """Greedy search (beam 1) hears one early word wrong, and drops the two after it."""

    def __init__(self) -> None:
        super().__init__()
        self.beam = 1
        self.careful_while_held = 0
        self.released = False

    def decode(self, audio, prompt="", beam_size=None, cancel=None, *, aligned=True):  # type: ignore[no-untyped-def]
        self.beam = beam_size or 1
        if self.beam > 1 and not self.released:
            self.careful_while_held += 1
        return super().decode(audio, prompt, beam_size, cancel, aligned=aligned)

    def heard(self, words: list[Word], duration_s: float) -> list[Word]:
        if self.beam > 1:
            return words
        wrong = " " + VOCABULARY[MISHEARD] + "x"
        dropped = {" " + VOCABULARY[MISHEARD + 1], " " + VOCABULARY[MISHEARD + 2]}
        return [
            Word(w.start, w.end, wrong) if w.text == " " + VOCABULARY[MISHEARD] else w
            for w in words
            if w.text not in dropped
        ]


def dictate(decoder: CodeDecoder, options: StreamingOptions) -> str:
    """Push the audio as the live loop does: a pass every step, idle work after it."""
    transcriber = StreamingTranscriber(decoder, SpeechDetector(model=LoudnessVad()), options)
    audio = speech(WORDS, gap_s=0.3)  # every gap a pause the buffer can be cut in
    for start in range(0, len(audio), 2400):
        transcriber.push(audio[start : start + 2400])
        if transcriber.pass_due():
            transcriber.run_pass()
            transcriber.work_while_idle()
    decoder.released = True
    return transcriber.finish().text


def test_words_greedy_search_lost_long_before_the_release_are_mended_by_a_block() -> None:
    decoder = GreedyMishearsDecoder()
    assert dictate(decoder, StreamingOptions()) == said(WORDS)
    assert decoder.careful_while_held >= 1  # heard while the speaker went on


def test_without_blocks_the_greedy_words_stay() -> None:
    final = dictate(GreedyMishearsDecoder(), StreamingOptions(careful_block_s=0))
    assert VOCABULARY[MISHEARD] + "x" in final.split()
    assert len(final.split()) == WORDS - 2


def test_every_word_is_in_the_final_once_across_block_edges() -> None:
    decoder = GreedyMishearsDecoder()
    final = dictate(decoder, StreamingOptions(careful_block_s=4.0))  # many short blocks
    assert final.split() == said(WORDS).split()
    assert decoder.careful_while_held >= 3


class StretchesTheLastWordDecoder(CodeDecoder):
    """Beam search's alignment stretches each word's end over the pause after it.

    Whisper's does this to the last word before a pause ("lunch." 14.3-16.9 s for a cut
    at 15.0 s): the word's middle then lies past the cut.
    """

    def heard(self, words: list[Word], duration_s: float) -> list[Word]:
        if self.beam_size > 1:
            return [Word(w.start, w.end + 1.2, w.text) for w in words]
        return words

    def decode(self, audio, prompt="", beam_size=None, cancel=None, *, aligned=True):  # type: ignore[no-untyped-def]
        self.beam_size = beam_size or 1
        return super().decode(audio, prompt, beam_size, cancel, aligned=aligned)


def test_a_word_whose_alignment_runs_past_a_block_cut_stays_in_the_final() -> None:
    # A new user's 160 s dictation lost the last word of a sentence at every block cut.
    final = dictate(StretchesTheLastWordDecoder(), StreamingOptions(careful_block_s=4.0))
    assert final.split() == said(WORDS).split()


class TimesWordsEarlyDecoder(StretchesTheLastWordDecoder):
    """Beam search's alignment puts every word a little early, across a cut's gap."""

    def heard(self, words: list[Word], duration_s: float) -> list[Word]:
        if self.beam_size > 1:
            return [Word(w.start - 0.25, w.end, w.text) for w in words]
        return words


def test_a_word_timed_early_across_a_block_cut_is_not_said_twice() -> None:
    # A block keeps a word that starts before its cut; where beam search only timed it early,
    # the next stretch hears it too: "slightly lower lower in intensity" before the join.
    final = dictate(TimesWordsEarlyDecoder(), StreamingOptions(careful_block_s=4.0))
    assert final.split() == said(WORDS).split()
