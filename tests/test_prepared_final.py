"""The careful final made in a pause while the key is still held, taken at the release."""

from __future__ import annotations

import threading

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE
from app.core.audio.ring_buffer import RingBuffer
from app.core.engine.cancellation import CancellationToken
from app.core.engine.dictation_event import DictationEvent
from app.core.engine.live_dictation import Release, run_dictation
from app.core.engine.window_decoder import Word
from tests.fakes.coded_speech import CodeDecoder, feed, said, speech, transcriber_for


class BeamCountingDecoder(CodeDecoder):
    """Counts the careful (beam search) decodes apart from the passes."""

    def __init__(self) -> None:
        super().__init__()
        self.careful = 0

    def decode(self, audio, prompt="", beam_size=None, cancel=None, *, aligned=True):  # type: ignore[no-untyped-def]
        if (beam_size or 1) > 1:
            self.careful += 1
        return super().decode(audio, prompt, beam_size, cancel, aligned=aligned)


class PunctuatingDecoder(BeamCountingDecoder):
    """Hears ``mark`` after the word ``after``, as Whisper punctuates what it hears."""

    def __init__(self, after: str, mark: str) -> None:
        super().__init__()
        self.after, self.mark = after, mark

    def heard(self, words: list[Word], duration_s: float) -> list[Word]:
        return [
            Word(w.start, w.end, w.text + self.mark) if w.text.strip() == self.after else w
            for w in words
        ]


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), np.float32)


def test_a_final_made_in_the_pause_is_the_final_at_the_release() -> None:
    decoder = BeamCountingDecoder()
    transcriber = transcriber_for(decoder)
    feed(transcriber, np.concatenate([speech(5), silence(0.6)]))
    assert transcriber.work_while_idle()
    assert decoder.careful == 1
    assert not transcriber.work_while_idle()  # nothing new since
    calls = decoder.calls
    assert transcriber.finish().text == said(5)
    assert decoder.calls == calls  # the release decoded nothing


def test_more_passes_in_the_same_pause_keep_the_prepared_final() -> None:
    decoder = BeamCountingDecoder()
    transcriber = transcriber_for(decoder)
    feed(transcriber, np.concatenate([speech(5), silence(0.6)]))
    assert transcriber.work_while_idle()
    feed(transcriber, silence(0.9))  # the pause goes on: passes hear the same words
    assert not transcriber.work_while_idle()
    assert decoder.careful == 1
    assert transcriber.finish().text == said(5)
    assert decoder.careful == 1


def test_words_after_the_pause_make_a_new_final() -> None:
    decoder = BeamCountingDecoder()
    transcriber = transcriber_for(decoder)
    feed(transcriber, np.concatenate([speech(5), silence(0.6)]))
    assert transcriber.work_while_idle()
    transcriber.push(speech(7)[-int(0.9 * SAMPLE_RATE) :])  # more words, no pass yet
    assert not transcriber.work_while_idle()  # words after the newest pass: no pause
    assert transcriber.finish().text.split()[:5] == said(5).split()
    assert decoder.careful == 2


def test_a_gap_between_words_is_not_a_pause_to_prepare_in() -> None:
    decoder = BeamCountingDecoder()
    transcriber = transcriber_for(decoder)
    feed(transcriber, speech(4))  # ends in a 0.16 s gap between words
    transcriber.push(silence(0.1))
    assert not transcriber.work_while_idle()  # 0.26 s of quiet: speech may go on
    transcriber.push(silence(0.3))
    assert transcriber.work_while_idle()  # quiet for longer than the holdback
    assert decoder.careful == 1


def test_a_short_pause_after_a_sentence_is_enough_to_prepare_in() -> None:
    decoder = PunctuatingDecoder(after="w03", mark=".")
    transcriber = transcriber_for(decoder)
    feed(transcriber, speech(4))  # the newest pass heard "... w03."
    transcriber.push(silence(0.2))  # 0.36 s of quiet: past step_s, short of the holdback
    assert transcriber.work_while_idle()
    assert decoder.careful == 1
    assert transcriber.finish().text == said(4) + "."


def test_a_short_pause_at_a_comma_is_not() -> None:
    decoder = PunctuatingDecoder(after="w03", mark=",")
    transcriber = transcriber_for(decoder)
    feed(transcriber, speech(4))
    transcriber.push(silence(0.2))
    assert not transcriber.work_while_idle()  # the sentence goes on after a comma
    transcriber.push(silence(0.3))
    assert transcriber.work_while_idle()  # unless the holdback's quiet says otherwise
    assert decoder.careful == 1


def test_while_speech_goes_on_nothing_is_prepared() -> None:
    decoder = BeamCountingDecoder()
    transcriber = transcriber_for(decoder)
    audio = speech(8)
    feed(transcriber, audio[: len(audio) // 2])
    transcriber.push(audio[len(audio) // 2 : len(audio) // 2 + int(0.3 * SAMPLE_RATE)])
    assert not transcriber.work_while_idle()
    assert decoder.careful == 0


def test_the_live_loop_prepares_the_final_in_a_pause_before_the_release() -> None:
    decoder = BeamCountingDecoder()
    transcriber = transcriber_for(decoder)
    ring = RingBuffer(capacity_seconds=10.0)
    release = Release()
    new_audio = threading.Event()
    emitted: list[DictationEvent] = []
    ring.write(np.concatenate([speech(5), silence(0.6)]))

    careful_before_release: list[int] = []

    def release_once_prepared() -> None:
        # The user lets go in the pause, once the careful decode ran (or after many passes).
        if (decoder.careful or decoder.calls > 40) and not release.released:
            careful_before_release.append(decoder.careful)
            release.release(ring.position)
            new_audio.set()

    decoder.on_decode.append(release_once_prepared)
    final = run_dictation(
        ring, 0, transcriber, release, CancellationToken(), emitted.append, new_audio
    )
    assert final is not None
    assert final.text == said(5)
    assert careful_before_release == [1]  # made in the pause, before the release
    assert decoder.careful == 1  # and taken at the release
