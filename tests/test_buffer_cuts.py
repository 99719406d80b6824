"""Cutting committed audio from the live buffer never loses or repeats a word.

Cross-attention gives word end times that run late by a tenth of a second or
more, so a committed word may seem to end after the cut that removed it. The
words heard after the cut must still all be kept.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.speech_detector import SpeechDetector
from app.core.engine.streaming_options import StreamingOptions
from app.core.engine.streaming_transcriber import StreamingTranscriber
from app.core.engine.window_decoder import Word
from tests.fakes.coded_speech import VOCABULARY, CodeDecoder, LoudnessVad, feed, speech


class LateEndsDecoder(CodeDecoder):
    """Reports every word as ending ``late_s`` after its audio does, as alignment does."""

    def __init__(self, late_s: float) -> None:
        super().__init__()
        self.late_s = late_s

    def heard(self, words: list[Word], duration_s: float) -> list[Word]:
        return [Word(w.start, min(duration_s, w.end + self.late_s), w.text) for w in words]


def dictate(decoder: CodeDecoder, words: int, gap_s: float) -> tuple[list[str], str, int]:
    """Committed words, the final text, and how many cuts the buffer had."""
    transcriber = StreamingTranscriber(decoder, SpeechDetector(model=LoudnessVad()))
    cuts = 0
    original_cut = transcriber._cut_to

    def counting_cut(sample: int, heard: list[Word] | None = None) -> None:
        nonlocal cuts
        cuts += 1
        original_cut(sample, heard)

    transcriber._cut_to = counting_cut  # type: ignore[method-assign]
    events = feed(transcriber, speech(words, gap_s=gap_s))
    committed = "".join(e.text for e in events if e.kind == "commit").split()
    return committed, transcriber.finish().text, cuts


def test_a_word_whose_end_seems_past_the_cut_does_not_swallow_the_next_word() -> None:
    # 300 ms pauses: each cut lands 150 ms into one, so a word reported 200 ms
    # late seems to end after the cut.
    committed, final, cuts = dictate(LateEndsDecoder(late_s=0.2), words=40, gap_s=0.3)
    assert cuts >= 2
    assert committed == VOCABULARY[: len(committed)]
    assert final.split() == VOCABULARY[:40]


def test_a_pause_that_a_late_word_end_reaches_into_is_still_cut_in() -> None:
    # 300 ms pauses and word ends 250 ms late: the search for a pause starts
    # 100 ms into it. Counted from there, no pause is long enough until the
    # buffer is long enough for 100 ms gaps (8 s).
    decoder = LateEndsDecoder(late_s=0.25)
    committed, final, cuts = dictate(decoder, words=40, gap_s=0.3)
    assert cuts >= 3
    assert decoder.longest_s < 7.0
    assert committed == VOCABULARY[: len(committed)]
    assert final.split() == VOCABULARY[:40]


def test_exact_word_times_give_the_same_text() -> None:
    committed, final, cuts = dictate(CodeDecoder(), words=40, gap_s=0.3)
    assert cuts >= 2
    assert committed == VOCABULARY[: len(committed)]
    assert final.split() == VOCABULARY[:40]


def test_the_prompt_after_a_cut_is_the_committed_text_before_it() -> None:
    prompts: list[str] = []

    class PromptRecorder(LateEndsDecoder):
        def decode(self, audio, prompt="", beam_size=None, cancel=None, *, aligned=True):  # type: ignore[no-untyped-def]
            prompts.append(prompt)
            return super().decode(audio, prompt, beam_size, cancel)

    committed, _final, _cuts = dictate(PromptRecorder(late_s=0.2), words=40, gap_s=0.3)
    last = prompts[-1].split()
    assert last  # the buffer was cut, so the prompt holds the words before it
    assert last == VOCABULARY[: len(last)]
    assert len(last) <= len(committed)


class HastyDecoder(CodeDecoder):
    """Misses word ``missed`` while the word after it is still near the end of the audio.

    Like tiny.en's "nothing going on" for "nothing going else going on": two
    passes over a buffer that ends mid-phrase agree on a phrase that was not
    said, and the word is committed missing; passes with more audio hear it.
    """

    def __init__(self, missed: int, near_end_s: float = 1.5) -> None:
        super().__init__()
        self.missed = VOCABULARY[missed]
        self.next = VOCABULARY[missed + 1]
        self.near_end_s = near_end_s

    def heard(self, words: list[Word], duration_s: float) -> list[Word]:
        texts = [w.text.strip() for w in words]
        if self.next in texts and words[texts.index(self.next)].end > duration_s - self.near_end_s:
            return [w for w in words if w.text.strip() != self.missed]
        return words


def test_a_word_committed_missing_is_in_the_final_once_a_later_pass_heard_it() -> None:
    committed, final, cuts = dictate(HastyDecoder(missed=12), words=40, gap_s=0.3)
    assert cuts >= 2
    assert "w12" not in committed  # the commits could not take it back
    assert final.split() == VOCABULARY[:40]


class PhantomDecoder(CodeDecoder):
    """Invents words in a pause while the audio ends in it, as tiny.en does in silence.

    They are committed (two passes agree on them), then no pass hears them again.
    """

    def __init__(self, pause_after: int, phantoms: int = 6) -> None:
        super().__init__()
        self.pause_after = VOCABULARY[pause_after]
        self.phantoms = [f" {VOCABULARY[50 + i]}" for i in range(phantoms)]

    def heard(self, words: list[Word], duration_s: float) -> list[Word]:
        if not words or words[-1].text.strip() != self.pause_after:
            return words
        if duration_s - words[-1].end < 1.0:
            return words
        start = words[-1].end + 0.3  # well inside the pause
        invented = [
            Word(start + 0.1 * i, start + 0.1 * i + 0.08, text)
            for i, text in enumerate(self.phantoms)
        ]
        return [*words, *invented]


def test_words_invented_in_a_pause_leave_the_final_without_repeating_the_words_after() -> None:
    decoder = PhantomDecoder(pause_after=7)
    # Cuts from 4 s: the buffer reaches it after the pause, while no fresh word is left.
    options = StreamingOptions(keep_context_s=4.0, word_gap_cut_s=6.0)
    transcriber = StreamingTranscriber(decoder, SpeechDetector(model=LoudnessVad()), options)
    audio = np.concatenate(
        [
            speech(8, gap_s=0.3),
            np.zeros(int(1.6 * SAMPLE_RATE), np.float32),
            speech(12, gap_s=0.3, first=8),
        ]
    )
    events = feed(transcriber, audio)
    committed = "".join(e.text for e in events if e.kind == "commit").split()
    assert "w50" in committed  # the scenario: invented words were committed
    assert transcriber.finish().text.split() == VOCABULARY[:20]


class UnsureBeforePauseDecoder(CodeDecoder):
    """Hears the word before a pause three ways in turn until it hears 0.6 s past the pause.

    The passes then agree on that word and the words after the pause at once,
    as tiny.en does with "process, the" in read speech.
    """

    def __init__(self, word: int, sure_from_s: float) -> None:
        super().__init__()
        self.word = word
        self.sure_from_s = sure_from_s

    def heard(self, words: list[Word], duration_s: float) -> list[Word]:
        if duration_s >= self.sure_from_s or len(words) <= self.word:
            return words
        unsure = words[self.word]
        guess = Word(unsure.start, unsure.end, unsure.text + "abc"[self.calls % 3])
        return [*words[: self.word], guess, *words[self.word + 1 :]]


def test_fluent_speech_is_cut_in_a_pause_that_one_pass_commits_across() -> None:
    # 0.23 s per word with 30 ms gaps: no gap to cut in but the one 0.4 s pause.
    before, after = 34, 26
    pause_end = before * 0.23 + 0.4
    audio = np.concatenate(
        [
            speech(before, word_s=0.2, gap_s=0.03),
            np.zeros(int(0.4 * SAMPLE_RATE), np.float32),
            speech(after, word_s=0.2, gap_s=0.03, first=before),
        ]
    )
    decoder = UnsureBeforePauseDecoder(before - 1, sure_from_s=pause_end + 0.6)
    transcriber = StreamingTranscriber(decoder, SpeechDetector(model=LoudnessVad()))

    events = feed(transcriber, audio)
    final = transcriber.finish().text

    # Without the cut the buffer grows to the whole 14 s and the final decodes all of it.
    assert decoder.longest_s < 10.0
    committed = "".join(e.text for e in events if e.kind == "commit").split()
    assert committed == VOCABULARY[: len(committed)]
    assert final.split() == VOCABULARY[: before + after]


class NumberAfterCutDecoder(CodeDecoder):
    """Hears the last word wrong when its audio is short, as tiny.en hears "1455" as "14-55"."""

    def decode(self, audio, prompt="", beam_size=None, cancel=None, *, aligned=True):  # type: ignore[no-untyped-def]
        hypothesis = super().decode(audio, prompt, beam_size, cancel, aligned=aligned)
        if len(audio) / SAMPLE_RATE >= 6.0 or not hypothesis.words:
            return hypothesis
        *rest, last = hypothesis.words
        wrong = Word(last.start, last.end, last.text + "-ish")
        return replace(hypothesis, words=(*rest, wrong))


def test_the_final_hears_the_newest_ten_seconds_back_across_cuts() -> None:
    decoder = NumberAfterCutDecoder()
    _committed, final, cuts = dictate(decoder, words=24, gap_s=0.3)
    assert cuts >= 1  # the buffer alone is short: heard alone, its last word comes back wrong
    assert final.split() == VOCABULARY[:24]


class StretchingDecoder(CodeDecoder):
    """While ``w07`` is the last word heard, reports ``w06`` over both words' sound and
    ``w07`` squeezed in at the end of the audio, as greedy passes heard "the" over "the
    manual" and "manual." at 16.18-16.18 s in a helper's hands-free dictation."""

    def heard(self, words: list[Word], duration_s: float) -> list[Word]:
        if len(words) < 2 or words[-1].text != " w07":
            return words
        before, last = words[-2], words[-1]
        stretched = Word(before.start, last.end, before.text)
        return [*words[:-2], stretched, Word(duration_s, duration_s, last.text)]


def test_no_cut_after_a_word_stretched_over_the_next_ones_sound() -> None:
    # A pause after w07, 6 s in (a buffer long enough to cut): a cut after the stretched
    # w06 took w07's sound away before any pass heard it in its place. Words of 0.7 s:
    # "w06" counts as nine letters (digits are said in words), so 1.15 s of speech at most.
    pause = np.zeros(int(0.8 * SAMPLE_RATE), np.float32)
    audio = np.concatenate([speech(8, word_s=0.7), pause, speech(20, word_s=0.7, first=8)])
    transcriber = StreamingTranscriber(StretchingDecoder(), SpeechDetector(model=LoudnessVad()))
    events = feed(transcriber, audio)
    committed = "".join(e.text for e in events if e.kind == "commit").split()
    assert committed == VOCABULARY[: len(committed)]
    assert len(committed) > 8
    assert transcriber.finish().text.split() == VOCABULARY[:28]
