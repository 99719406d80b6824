"""The key release during a pass, and cutting fluent speech with no long pause.

Audio here is coded speech (:mod:`tests.fakes.coded_speech`) that the fake
decoder reads back exactly.
"""

from __future__ import annotations

import threading

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.audio.ring_buffer import RingBuffer
from app.core.audio.speech_detector import SpeechDetector
from app.core.engine.cancellation import CancellationToken
from app.core.engine.dictation_event import DictationEvent
from app.core.engine.live_dictation import Release, run_dictation
from app.core.engine.streaming_transcriber import StreamingOptions, StreamingTranscriber
from tests.fakes.coded_speech import (
    VOCABULARY,
    CodeDecoder,
    LoudnessVad,
    feed,
    said,
    speech,
    transcriber_for,
)


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
    transcriber.push(speech(6, gap_s=0.3)[: -int(0.3 * SAMPLE_RATE)])  # 300 ms pauses to cut in
    assert not moot_during_pass(transcriber, np.full(int(0.3 * SAMPLE_RATE), 0.5, np.float32))


def test_a_long_buffer_with_no_pause_to_cut_in_does_not_wait_for_the_pass() -> None:
    options = StreamingOptions(keep_context_s=2.0)
    transcriber = StreamingTranscriber(CodeDecoder(), SpeechDetector(model=LoudnessVad()), options)
    transcriber.push(speech(6)[: -int(0.16 * SAMPLE_RATE)])  # 160 ms gaps only
    # More than half a second said after the pass's audio: the final must hear it anyway.
    assert moot_during_pass(transcriber, np.full(int(0.6 * SAMPLE_RATE), 0.5, np.float32))


def test_the_pass_that_hears_all_but_the_last_words_is_kept_for_the_final() -> None:
    # No finished pass heard this buffer: abandoning the running one, whose decode cannot be
    # stopped, would leave the final a greedy decode of its own before beam search.
    decoder = CodeDecoder()
    options = StreamingOptions(keep_context_s=2.0)
    transcriber = StreamingTranscriber(decoder, SpeechDetector(model=LoudnessVad()), options)
    transcriber.push(speech(6)[: -int(0.46 * SAMPLE_RATE)])  # released mid-way into a word
    assert not moot_during_pass(transcriber, speech(6)[-int(0.46 * SAMPLE_RATE) :])
    calls = decoder.calls
    assert transcriber.finish().text == said(6)
    assert decoder.calls == calls + 1  # beam search alone, checked against the kept pass


def test_fluent_speech_without_long_pauses_is_still_cut_and_stays_exact() -> None:
    decoder = CodeDecoder()
    transcriber = transcriber_for(decoder)
    audio = speech(60)  # 27.6 s of words with 160 ms gaps: never a 250 ms pause
    events = feed(transcriber, audio)
    options = transcriber.options
    assert decoder.longest_s <= options.word_gap_cut_s + 1.0
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
    # The abandoned pass, the final's decode, and its careful hearing with beam search.
    assert decoder.calls == 3
