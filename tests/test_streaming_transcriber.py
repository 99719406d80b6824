"""StreamingTranscriber with a scripted decoder: commits, holdback, guards and the final."""

from __future__ import annotations

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.audio.speech_detector import SpeechDetector
from app.core.engine.cancellation import CancellationToken
from app.core.engine.heard_words import without_squeezed_copy
from app.core.engine.streaming_options import StreamingOptions
from app.core.engine.streaming_transcriber import StreamingTranscriber
from app.core.engine.transcript import Segment
from app.core.engine.window_decoder import Hypothesis, Word

SENTENCE = [
    Word(0.2, 0.6, " Please"),
    Word(0.6, 1.0, " call"),
    Word(1.0, 1.3, " me"),
    Word(1.4, 2.0, " tomorrow"),
    Word(2.1, 2.6, " morning."),
]


class ScriptedDecoder:
    """'Hears' every scripted word that has fully arrived, plus optional noise words."""

    def __init__(
        self, words: list[Word], tail: list[Word] | None = None, no_speech: float = 0.0
    ) -> None:
        self.words = words
        self.tail = tail or []
        self.no_speech = no_speech
        self.calls = 0

    def decode(
        self,
        audio: AudioArray,
        prompt: str = "",
        beam_size: int | None = None,
        cancel: CancellationToken | None = None,
        *,
        aligned: bool = True,
    ) -> Hypothesis:
        self.calls += 1
        duration = len(audio) / SAMPLE_RATE
        heard = self.heard(duration)
        text = "".join(w.text for w in heard).strip()
        return Hypothesis(
            segments=(Segment(0.0, duration, text),),
            no_speech_prob=self.no_speech,
            avg_logprob=-0.2,
            compression_ratio=1.0,
            words=tuple(heard),
        )

    def heard(self, duration: float) -> list[Word]:
        """The words a decode of the first ``duration`` seconds hears."""
        return [w for w in self.words if w.end <= duration] + self.tail


def feed(transcriber: StreamingTranscriber, seconds: float) -> list[tuple[str, str]]:
    events = []
    block = np.full(512, 0.1, dtype=np.float32)
    for _ in range(int(seconds * SAMPLE_RATE) // 512):
        transcriber.push(block)
        if transcriber.pass_due():
            events += [(event.kind, event.text) for event in transcriber.run_pass()]
    return events


def test_commits_grow_as_a_prefix_and_the_final_has_every_word() -> None:
    transcriber = StreamingTranscriber(ScriptedDecoder(SENTENCE))
    events = feed(transcriber, 3.5)
    commits = "".join(text for kind, text in events if kind == "commit")
    assert commits.split() == [w.text.strip() for w in SENTENCE][: len(commits.split())]
    assert len(commits.split()) >= 3
    assert any(kind == "partial" for kind, _ in events)
    assert transcriber.finish().text == "Please call me tomorrow morning."


def test_words_in_the_newest_half_second_are_not_committed() -> None:
    transcriber = StreamingTranscriber(ScriptedDecoder(SENTENCE))
    feed(transcriber, 2.1)
    # "tomorrow" ends at 2.0 s, inside the 0.5 s holdback at 2.1 s of audio.
    assert [w.text.strip() for w in transcriber.committed] == ["Please", "call", "me"][
        : len(transcriber.committed)
    ]
    assert all(w.end <= 2.1 - 0.5 for w in transcriber.committed)


def test_words_squeezed_to_no_duration_are_never_committed() -> None:
    loop = [Word(2.7, 2.7, " Please"), Word(2.7, 2.7, " call"), Word(2.7, 2.7, " me")]
    transcriber = StreamingTranscriber(ScriptedDecoder(SENTENCE, tail=loop))
    feed(transcriber, 4.0)
    assert [w.text.strip() for w in transcriber.committed] == [w.text.strip() for w in SENTENCE][
        : len(transcriber.committed)
    ]
    assert transcriber.finish().text == "Please call me tomorrow morning."


def test_noise_heard_as_speech_yields_nothing() -> None:
    transcriber = StreamingTranscriber(ScriptedDecoder(SENTENCE, no_speech=0.95))
    events = feed(transcriber, 3.0)
    assert all(text == "" for kind, text in events if kind == "partial")
    assert not [event for event in events if event[0] == "commit"]
    assert transcriber.finish().text == ""


QUICK_ME = [*SENTENCE[:2], Word(1.0, 1.01, " me"), *SENTENCE[3:]]  # alignment squeezed "me"


def test_a_squeezed_word_between_real_ones_is_committed_in_its_place() -> None:
    transcriber = StreamingTranscriber(ScriptedDecoder(QUICK_ME))
    events = feed(transcriber, 3.5)
    commits = "".join(text for kind, text in events if kind == "commit").split()
    assert commits[:4] == ["Please", "call", "me", "tomorrow"]


class WaveringDecoder(ScriptedDecoder):
    """Never hears the first word the same way in three passes running: nothing agrees."""

    def decode(
        self,
        audio: AudioArray,
        prompt: str = "",
        beam_size: int | None = None,
        cancel: CancellationToken | None = None,
        *,
        aligned: bool = True,
    ) -> Hypothesis:
        first = [" Please", " Pleased", " Plead"][self.calls % 3]
        self.words = [Word(self.words[0].start, self.words[0].end, first), *self.words[1:]]
        return super().decode(audio, prompt, beam_size, cancel)


def test_a_forced_commit_keeps_a_squeezed_word_between_real_ones() -> None:
    options = StreamingOptions(max_buffer_s=2.5, keep_context_s=30.0)
    transcriber = StreamingTranscriber(WaveringDecoder(QUICK_ME), options=options)
    feed(transcriber, 3.5)
    committed = [w.text.strip() for w in transcriber.committed]
    assert committed[1:3] == ["call", "me"]  # forced past the wavering first word


class LevelVad:
    """A stand-in for Silero whose probability is the window's mean level (0.1 → 0.1)."""

    def __call__(self, audio: AudioArray) -> AudioArray:
        windows = audio.reshape(-1, 512)
        return np.minimum(np.abs(windows).mean(axis=1), 1.0).astype(np.float32)


SIX = [Word(1.05, 1.4, " Six.")]


def dictate_one_word(level: float) -> str:
    """A key press, 1 s of room noise, one word at ``level``, 1 s more; the final."""
    decoder = ScriptedDecoder(SIX, no_speech=0.65)  # most of the window is silence
    transcriber = StreamingTranscriber(decoder, SpeechDetector(model=LevelVad()))
    audio = np.full(int(3.4 * SAMPLE_RATE), 0.01, dtype=np.float32)
    audio[int(1.05 * SAMPLE_RATE) : int(1.4 * SAMPLE_RATE)] = level
    for start in range(0, len(audio), 2400):
        transcriber.push(audio[start : start + 2400])
        if transcriber.pass_due():
            transcriber.run_pass()
        transcriber.work_while_idle()
    return transcriber.finish().text


def test_a_short_word_after_room_noise_is_kept_when_the_voice_detector_is_sure() -> None:
    # A real "six" a second after the key went down came back empty: with most of the
    # window silent, tiny.en doubted the whole window (no-speech 0.63-0.67) and every pass
    # that heard the word was dropped.
    assert dictate_one_word(level=0.95) == "Six."


def test_a_word_the_voice_detector_doubts_too_is_dropped() -> None:
    # A breath or a knock that only passes the detector's lower presence bar (0.3): the
    # model's doubt alone decides, as before.
    assert dictate_one_word(level=0.4) == ""


class HeadingFirstDecoder(ScriptedDecoder):
    """Hears the first words as a heading ("The Quick Brown Fox") until more audio came,
    as greedy search does over the first seconds of an utterance."""

    def __init__(self, words: list[Word], sentence_after_s: float) -> None:
        super().__init__(words)
        self.sentence_after_s = sentence_after_s

    def heard(self, duration: float) -> list[Word]:
        words = super().heard(duration)
        if duration >= self.sentence_after_s:
            return words
        return [Word(w.start, w.end, w.text.title()) for w in words]


FOX = [
    Word(0.1, 0.3, " The"),
    Word(0.3, 0.6, " quick"),
    Word(0.6, 0.9, " brown"),
    Word(0.9, 1.2, " fox"),
    Word(1.3, 1.6, " jumps"),
    Word(1.6, 1.8, " over"),
    Word(1.8, 1.9, " the"),
    Word(2.0, 2.3, " lazy"),
    Word(2.3, 2.7, " dog."),
]


def test_a_heading_heard_over_the_first_second_is_not_committed() -> None:
    """Type as I speak typed "The Quick Brown fox…": two passes agreed on the words (case
    aside) while both heard a heading, and the commit took its capitals."""
    transcriber = StreamingTranscriber(HeadingFirstDecoder(FOX, sentence_after_s=2.0))
    events = feed(transcriber, 3.5)
    commits = "".join(text for kind, text in events if kind == "commit")
    assert commits.strip().startswith("The quick brown fox jumps")
    assert transcriber.finish().text == "The quick brown fox jumps over the lazy dog."


def test_a_name_that_begins_the_utterance_is_committed() -> None:
    """Two capitals in a row are most often a name, heard so by every pass."""
    named = [Word(0.1, 0.4, " John"), Word(0.4, 0.8, " Smith"), *SENTENCE[1:]]
    transcriber = StreamingTranscriber(ScriptedDecoder(named))
    events = feed(transcriber, 2.4)
    commits = "".join(text for kind, text in events if kind == "commit")
    assert commits.strip().startswith("John Smith call")


# One "new paragraph" said, with a second copy Whisper made up: the alignment gave its "New"
# no time (a 1x run typed a blank line more, 3 of 6 busy-machine replays of a 61 s take).
SAID_ONCE_HEARD_TWICE = [
    Word(0.2, 0.6, " Years."),
    Word(1.2, 1.5, " New"),
    Word(1.5, 1.9, " paragraph."),
    Word(1.9, 1.9, " New"),
    Word(1.9, 2.4, " paragraph."),
    Word(2.6, 3.0, " Why"),
]


def test_a_phrase_copy_with_a_squeezed_word_is_said_once() -> None:
    kept = without_squeezed_copy(SAID_ONCE_HEARD_TWICE)
    assert [w.text for w in kept] == [" Years.", " New", " paragraph.", " Why"]
    assert kept[1:3] == SAID_ONCE_HEARD_TWICE[1:3]  # the copy with its own times
    tripled = [*SAID_ONCE_HEARD_TWICE[:3], *SAID_ONCE_HEARD_TWICE[3:5] * 2]
    assert [w.text for w in without_squeezed_copy(tripled)] == [" Years.", " New", " paragraph."]
    # Said twice by a person, each word takes its time: both copies stay.
    twice = [Word(0.0, 0.3, " new"), Word(0.3, 0.6, " line"), Word(0.7, 1.0, " new")]
    twice.append(Word(1.0, 1.3, " line"))
    assert without_squeezed_copy(twice) == twice
    one_word = [Word(0.0, 0.3, " that"), Word(0.3, 0.3, " that")]  # "that that": a word alone
    assert without_squeezed_copy(one_word) == one_word


def test_a_made_up_copy_of_a_phrase_is_never_committed() -> None:
    transcriber = StreamingTranscriber(ScriptedDecoder(SAID_ONCE_HEARD_TWICE))
    events = feed(transcriber, 4.0)
    commits = "".join(text for kind, text in events if kind == "commit")
    assert commits.lower().count("paragraph") <= 1
    assert transcriber.finish().text == "Years. New paragraph. Why"
