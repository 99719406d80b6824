"""The key release during a pass, and cutting fluent speech with no long pause.

Audio here is a code the fake decoder reads back: each word is a stretch of
constant amplitude (its index in VOCABULARY), gaps are silence, and the VAD
calls loud windows speech. So buffer cuts, offsets and prompts all act on
audio the way they do with the real model, while the "model" stays exact.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.audio.ring_buffer import RingBuffer
from app.core.audio.speech_detector import WINDOW_SAMPLES, SpeechDetector
from app.core.engine.cancellation import CancellationToken, Checkpoint
from app.core.engine.live_dictation import Release, run_dictation
from app.core.engine.streaming_transcriber import (
    DictationEvent,
    StreamingOptions,
    StreamingTranscriber,
)
from app.core.engine.transcript import Segment
from app.core.engine.window_decoder import Hypothesis, Word

VOCABULARY = [f"w{index:02d}" for index in range(60)]
_BASE, _STEP = 0.2, 0.01


class LoudnessVad:
    """A window is speech when its samples are loud: a stand-in for Silero."""

    def __call__(self, audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        windows = audio.reshape(-1, WINDOW_SAMPLES)
        return (np.abs(windows).mean(axis=1) > 0.1).astype(np.float32)


def speech(words: int, word_s: float = 0.3, gap_s: float = 0.16) -> AudioArray:
    """``words`` coded words, each followed by a gap (no pause reaches 250 ms)."""
    parts = []
    for index in range(words):
        parts.append(np.full(int(word_s * SAMPLE_RATE), _BASE + _STEP * index, np.float32))
        parts.append(np.zeros(int(gap_s * SAMPLE_RATE), np.float32))
    return np.concatenate(parts)


class CodeDecoder:
    """Reads the coded words back, stopping at ``checkpoint`` as the real decoder does."""

    def __init__(self) -> None:
        self.calls = 0
        self.longest_s = 0.0
        self.on_decode: list[Callable[[], None]] = []  # run mid-pass, before the checkpoint

    def decode(
        self,
        audio: AudioArray,
        prompt: str = "",
        beam_size: int | None = None,
        cancel: Checkpoint | None = None,
    ) -> Hypothesis:
        self.calls += 1
        self.longest_s = max(self.longest_s, len(audio) / SAMPLE_RATE)
        for hook in self.on_decode:
            hook()
        if cancel is not None:
            cancel.raise_if_cancelled()  # between "encode" and "decode"
        words = _read_words(audio)
        text = "".join(w.text for w in words).strip()
        return Hypothesis(
            segments=(Segment(0.0, len(audio) / SAMPLE_RATE, text),),
            no_speech_prob=0.0,
            avg_logprob=-0.1,
            compression_ratio=1.0,
            words=tuple(words),
        )


def _read_words(audio: AudioArray) -> list[Word]:
    loud = np.abs(audio) > 0.1
    edges = np.flatnonzero(np.diff(np.concatenate([[False], loud, [False]]).astype(np.int8)))
    words = []
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        index = round((float(audio[start]) - _BASE) / _STEP)
        words.append(Word(start / SAMPLE_RATE, end / SAMPLE_RATE, " " + VOCABULARY[index]))
    return words


def transcriber_for(decoder: CodeDecoder) -> StreamingTranscriber:
    return StreamingTranscriber(decoder, SpeechDetector(model=LoudnessVad()))


def said(words: int) -> str:
    return " ".join(VOCABULARY[:words])


def feed(transcriber: StreamingTranscriber, audio: AudioArray) -> list[DictationEvent]:
    events: list[DictationEvent] = []
    for start in range(0, len(audio), 1600):
        transcriber.push(audio[start : start + 1600])
        if transcriber.pass_due():
            events += transcriber.run_pass()
    return events


def test_a_pass_that_gives_way_emits_nothing_and_the_final_hears_every_word() -> None:
    decoder = CodeDecoder()
    transcriber = transcriber_for(decoder)
    feed(transcriber, speech(4))
    passes = transcriber.passes
    transcriber.push(speech(6)[-int(0.6 * SAMPLE_RATE) :])
    assert transcriber.run_pass(superseded=lambda: True) == []
    assert transcriber.passes == passes  # abandoned before it counted
    assert transcriber.finish().text.split()[:4] == said(4).split()


def moot_during_pass(transcriber: StreamingTranscriber, spoken_meanwhile: AudioArray) -> bool:
    """Run a pass; while it runs, push ``spoken_meanwhile`` and ask whether the pass is moot."""
    answers: list[bool] = []

    def superseded() -> bool:
        if not answers:
            transcriber.push(spoken_meanwhile)
        answers.append(transcriber.running_pass_is_moot())
        return False

    transcriber.run_pass(superseded)
    return answers[0]


def test_the_running_pass_is_needed_when_it_will_be_the_final() -> None:
    transcriber = transcriber_for(CodeDecoder())
    feed(transcriber, speech(5)[: -int(0.16 * SAMPLE_RATE)])  # stops mid-word: no pass heard it all
    assert not moot_during_pass(transcriber, np.zeros(int(0.3 * SAMPLE_RATE), np.float32))
    assert transcriber.finish().text == said(5)


def test_the_running_pass_is_moot_when_words_follow_its_audio() -> None:
    transcriber = transcriber_for(CodeDecoder())
    feed(transcriber, speech(5)[: -int(0.16 * SAMPLE_RATE)])
    assert moot_during_pass(transcriber, np.full(int(0.3 * SAMPLE_RATE), 0.5, np.float32))


def test_the_running_pass_is_moot_when_the_pass_before_heard_every_word() -> None:
    transcriber = transcriber_for(CodeDecoder())
    feed(transcriber, np.concatenate([speech(5), np.zeros(int(0.5 * SAMPLE_RATE), np.float32)]))
    assert moot_during_pass(transcriber, np.zeros(int(0.3 * SAMPLE_RATE), np.float32))
    assert transcriber.finish().text == said(5)


def test_a_long_buffer_lets_the_running_pass_finish_so_it_can_cut() -> None:
    options = StreamingOptions(keep_context_s=2.0)  # every buffer here counts as long
    transcriber = StreamingTranscriber(CodeDecoder(), SpeechDetector(model=LoudnessVad()), options)
    transcriber.push(speech(6)[: -int(0.16 * SAMPLE_RATE)])
    assert not moot_during_pass(transcriber, np.full(int(0.3 * SAMPLE_RATE), 0.5, np.float32))


def test_fluent_speech_without_long_pauses_is_still_cut_and_stays_exact() -> None:
    decoder = CodeDecoder()
    transcriber = transcriber_for(decoder)
    audio = speech(60)  # 27.6 s of words with 160 ms gaps: never a 250 ms pause
    events = feed(transcriber, audio)
    options = transcriber.options
    assert decoder.longest_s <= options.keep_context_s + 4.0 + 1.0
    committed = "".join(event.text for event in events if event.kind == "commit").split()
    assert committed == VOCABULARY[: len(committed)]
    assert len(committed) >= 50
    assert transcriber.finish().text == said(60)


def test_released_during_a_pass_the_loop_skips_to_the_final() -> None:
    decoder = CodeDecoder()
    transcriber = transcriber_for(decoder)
    audio = speech(8)
    ring = RingBuffer(capacity_seconds=10.0)
    release = Release()
    new_audio = threading.Event()
    emitted: list[DictationEvent] = []
    first_half = len(audio) // 2
    ring.write(audio[:first_half])

    def speak_rest_and_release() -> None:
        # The user goes on talking and lets go while the pass runs.
        if release.released:
            return
        ring.write(audio[first_half:])
        release.release(ring.position)

    decoder.on_decode.append(speak_rest_and_release)
    final = run_dictation(
        ring, 0, transcriber, release, CancellationToken(), emitted.append, new_audio
    )
    assert final is not None
    assert final.text == said(8)
    # The interrupted pass emitted nothing; the final is the only event.
    assert [event.kind for event in emitted] == ["final"]
    assert decoder.calls == 2  # the abandoned pass, then the final decode
