"""The careful final: the audio the greedy hearing decoded, heard again with beam search."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.engine.cancellation import Checkpoint
from app.core.engine.heard_words import join_words
from app.core.engine.hearing import Heard, Hearing
from app.core.engine.streaming_options import StreamingOptions
from app.core.engine.streaming_transcriber import StreamingTranscriber
from app.core.engine.transcript import Segment
from app.core.engine.window_decoder import Hypothesis, Word

GREEDY = [Word(0.2, 0.6, " Stop"), Word(0.6, 1.0, " right"), Word(1.0, 1.5, " their!")]
BEAM = [Word(0.2, 0.6, " Stop"), Word(0.6, 1.0, " right"), Word(1.0, 1.5, " there!")]
LOOPED = BEAM + [Word(w.start + 1.5, w.end + 1.5, w.text) for w in BEAM]


class BeamAwareDecoder:
    """Hears ``greedy`` with beam size 1 and ``beam`` with any wider beam."""

    def __init__(
        self, beam: list[Word], *, beam_no_speech: float = 0.0, greedy: list[Word] = GREEDY
    ) -> None:
        self.beam = beam
        self.greedy = greedy
        self.beam_no_speech = beam_no_speech
        self.beams: list[int] = []

    def decode(
        self,
        audio: AudioArray,
        prompt: str = "",
        beam_size: int | None = None,
        cancel: Checkpoint | None = None,
        *,
        aligned: bool = True,
    ) -> Hypothesis:
        beam = beam_size or 1
        self.beams.append(beam)
        duration = len(audio) / SAMPLE_RATE
        words = self.greedy if beam == 1 else self.beam
        heard = [w for w in words if w.start < duration]
        return Hypothesis(
            segments=(Segment(0.0, duration, "".join(w.text for w in heard).strip()),),
            no_speech_prob=0.0 if beam == 1 else self.beam_no_speech,
            avg_logprob=-0.2,
            compression_ratio=1.0,
            words=tuple(heard),
        )


def dictate(decoder: BeamAwareDecoder, options: StreamingOptions | None = None) -> str:
    transcriber = StreamingTranscriber(decoder, options=options)
    block = np.full(2400, 0.1, dtype=np.float32)
    for _ in range(int(3.5 * SAMPLE_RATE) // len(block)):
        transcriber.push(block)
        if transcriber.pass_due():
            transcriber.run_pass()
    return transcriber.finish().text


def test_the_final_takes_the_word_forms_beam_search_hears() -> None:
    decoder = BeamAwareDecoder(BEAM)
    assert dictate(decoder) == "Stop right there!"
    assert decoder.beams[-1] == StreamingOptions().final_beam_size > 1
    assert set(decoder.beams[:-1]) == {1}  # passes stay greedy


def test_a_beam_that_says_the_sentence_twice_is_not_taken() -> None:
    assert dictate(BeamAwareDecoder(LOOPED)) == "Stop right their!"


def test_a_beam_that_says_a_short_phrase_twice_within_the_slack_is_not_taken() -> None:
    # After 2.6 s of silence before the words, beam search heard "Get status. Get status."
    # where the passes heard it once: two words more are within the guard's slack, and
    # the doubled text reached the app. A person's own repeat is heard by greedy search.
    once = timed(" Get", " status.")
    assert dictate(BeamAwareDecoder(once + timed(" Get", " status.", start=0.9), greedy=once)) == (
        "Get status."
    )
    spoken = timed(" I", " think,", " I", " think", " so.")
    assert dictate(BeamAwareDecoder(spoken, greedy=spoken)) == "I think, I think so."


def test_a_beam_that_says_a_word_twice_where_greedy_search_heard_two_is_not_taken() -> None:
    # speechocean762 000050003, "Mike likes the white one": beam search heard "Like, like
    # the white one" in the right-sized window, greedy search "Mike like the white one".
    greedy = timed(" Mike", " like", " the", " white", " one.")
    beam = timed(" Like,", " like,", " the", " white", " one")
    assert dictate(BeamAwareDecoder(beam, greedy=greedy)) == "Mike like the white one."
    said = timed(" No,", " no,", " not", " that", " one.")  # a person's repeat: both hear it
    assert dictate(BeamAwareDecoder(said, greedy=timed(" No", " no", " not", " that", " one"))) == (
        "No, no, not that one."
    )


def test_a_greedy_hearing_that_says_a_phrase_twice_gives_way_to_fewer_beam_words() -> None:
    # The word-count guard once kept "I like oranges. I like oranges." over beam search's
    # single sentence: fewer beam words there are the mended ones.
    once = timed(" I", " like", " oranges.")
    twice = once + timed(" I", " like", " oranges.", start=1.2)
    assert dictate(BeamAwareDecoder(once, greedy=twice)) == "I like oranges."
    spoken = timed(" I", " think,", " I", " think", " it", " works", " now.")
    shorter = timed(" I", " think", " it.")  # beam search dropped words; a person's repeat
    assert dictate(BeamAwareDecoder(shorter, greedy=spoken)) == "I think, I think it works now."


def timed(*texts: str, start: float = 0.2, step: float = 0.3) -> list[Word]:
    return [Word(start + step * i, start + step * (i + 1), text) for i, text in enumerate(texts)]


def test_a_greedy_hearing_that_echoes_a_phrase_gives_way_to_the_beam_hearing() -> None:
    # Over the noise after the words a greedy pass heard the sentence again with invented
    # words between ("…in the exhibition. The next one is called the Crafts represented in
    # the exhibition.": 12 errors in one noisy dictation), and the guard kept it over beam
    # search's sentence alone (decision 0039).
    alone = timed(" The", " crafts", " represented", " in", " the", " exhibition.", step=0.2)
    echoed = [
        *alone,
        *timed(" The", " next", " one", " is", " called", start=1.4, step=0.1),
        *timed(" the", " Crafts", " represented", " in", " the", " exhibition.", start=1.9),
    ]
    assert (
        dictate(BeamAwareDecoder(alone, greedy=echoed))
        == "The crafts represented in the exhibition."
    )
    # Beam search that drops words of a sentence said once is still not taken, nor one
    # that drops the words after a phrase said again.
    dropped = timed(" The", " crafts", " exhibition.", step=0.2)
    assert (
        dictate(BeamAwareDecoder(dropped, greedy=alone))
        == "The crafts represented in the exhibition."
    )
    said = "I want you to open it. Then I want you to save."
    spoken = timed(*(f" {word}" for word in said.split()), step=0.2)
    assert dictate(BeamAwareDecoder(spoken[:6], greedy=spoken)) == said


def test_a_beam_hearing_rejected_as_noise_leaves_the_greedy_final() -> None:
    assert dictate(BeamAwareDecoder(BEAM, beam_no_speech=0.9)) == "Stop right their!"


def test_final_beam_1_keeps_the_greedy_hearing() -> None:
    decoder = BeamAwareDecoder(BEAM)
    greedy_only = replace(StreamingOptions(), final_beam_size=1)
    assert dictate(decoder, greedy_only) == "Stop right their!"
    assert set(decoder.beams) == {1}


SENTENCE = "Anything is possible in football and we can beat Celtic again."
SAID = timed(*(f" {word}" for word in SENTENCE.split()))
PASSES = [*SAID[:8], *timed(" the", " field", " to", " kick", " it", " off.", start=2.6)]


def heard_from_passes(words: list[Word], *, own_words: bool) -> Heard:
    audio = np.full(int(4.0 * SAMPLE_RATE), 0.1, dtype=np.float32)
    return Heard(0, len(audio), words, audio, "", 0.0, own_words=own_words)


def test_a_widened_final_is_counted_against_greedy_search_over_its_own_audio() -> None:
    # Through a headset band the passes heard "beat the field to kick it…" (14 words) and
    # the final widened over them heard "beat Celtic again." (11): the guard, trusting the
    # passes' count, kept the invented words. Greedy search over the final's own audio
    # hears 11 words too, so the beam hearing is taken.
    decoder = BeamAwareDecoder(SAID, greedy=SAID)
    hearing = Hearing(decoder, StreamingOptions())
    careful = hearing.carefully(heard_from_passes(PASSES, own_words=False), None)
    assert careful is not None
    assert join_words(careful) == SENTENCE
    assert decoder.beams == [StreamingOptions().final_beam_size, 1]


def test_a_beam_hearing_greedy_search_disagrees_with_over_the_same_audio_is_not_taken() -> None:
    # Beam search splitting "2648" into four digits: greedy search over the same audio
    # hears one word, as the passes did, so the guard still keeps the greedy final.
    digits = timed(" 2,", " 6,", " 4,", " 8.")
    decoder = BeamAwareDecoder(digits, greedy=timed(" 2648."))
    hearing = Hearing(decoder, StreamingOptions())
    assert hearing.carefully(heard_from_passes(timed(" 2648."), own_words=False), None) is None
    # A pass's own words are greedy search's over that audio already: not decoded again.
    decoder.beams.clear()
    assert hearing.carefully(heard_from_passes(timed(" 2648."), own_words=True), None) is None
    assert decoder.beams == [StreamingOptions().final_beam_size]


def released_after_a_missed_block(
    decoder: BeamAwareDecoder, heard_s: float = 3.5, missed_blocks: int = 1
) -> tuple[str, list[int]]:
    """Dictate with passes up to ``heard_s``, push blocks no pass hears, release.

    Returns the final and the beam sizes of the decodes made after the release.
    """
    transcriber = StreamingTranscriber(decoder)
    block = np.full(2400, 0.1, dtype=np.float32)  # 0.15 s
    while transcriber.audio_seconds < heard_s or transcriber.pass_due():
        transcriber.push(block)
        if transcriber.pass_due():
            transcriber.run_pass()
    for _ in range(missed_blocks):  # the release comes before the next pass runs
        transcriber.push(block)
    passes = len(decoder.beams)
    return transcriber.finish().text, decoder.beams[passes:]


def test_a_release_after_words_the_newest_pass_missed_is_heard_with_beam_search_alone() -> None:
    # A greedy hearing of the whole buffer before the beam search doubled the final's cost
    # after a release that came without a pause (0.98 s against 0.64 s for a 9.7 s
    # recording at 1x): the newest pass's words count the words for the guard instead.
    text, beams = released_after_a_missed_block(BeamAwareDecoder(BEAM))
    assert text == "Stop right there!"
    assert beams == [StreamingOptions().final_beam_size]


def test_a_refused_beam_hearing_at_the_release_is_not_decoded_again() -> None:
    # Beam search said the sentence twice: greedy search over the same audio is asked
    # (the passes' count is not its own), refuses it, and the greedy words stay; the
    # same stretch is heard neither with beam search nor greedily a second time.
    text, beams = released_after_a_missed_block(BeamAwareDecoder(LOOPED))
    assert text == "Stop right their!"
    assert beams == [StreamingOptions().final_beam_size, 1]


def test_a_beam_hearing_that_stops_where_the_newest_pass_did_is_not_taken() -> None:
    # The pass missed the last three words; beam search heard as many words as it did,
    # not more (Whisper may end a window early, 0036). Half a second holds two words at
    # most, within the guard's slack; more audio than that is heard greedily first, and
    # the greedy hearing of the three words stays.
    sentence = [
        *timed(" The", " crafts", " represented"),
        *timed(" in", " the", " exhibition.", start=3.35, step=0.1),
    ]
    decoder = BeamAwareDecoder(sentence[:3], greedy=sentence)
    text, _ = released_after_a_missed_block(decoder, heard_s=3.3, missed_blocks=4)
    assert text == "The crafts represented in the exhibition."


def test_an_echoing_greedy_hearing_at_the_release_gives_way_to_the_beam_hearing() -> None:
    # As decision 0039, where the newest pass missed the echo's last words: greedy search
    # over the same audio echoes the sentence, so beam search's fewer words are taken.
    alone = timed(" The", " crafts", " represented", " in", " the", " exhibition.", step=0.2)
    echoed = [
        *alone,
        *timed(" The", " next", " one", " is", " called", start=1.4, step=0.1),
        *timed(" the", " Crafts", " represented", " in", " the", " exhibition.", start=1.9),
    ]
    decoder = BeamAwareDecoder(alone, greedy=echoed)
    text, beams = released_after_a_missed_block(decoder, heard_s=3.0, missed_blocks=3)
    assert text == "The crafts represented in the exhibition."
    assert beams[0] == StreamingOptions().final_beam_size  # beam search went first


def test_a_beam_hearing_that_writes_a_count_as_digits_is_not_counted_as_words_lost() -> None:
    # Greedy search heard "One, two, three, four, five, six, seven." and beam search
    # "1-2-3-4-5-6-7." (right, and as the file path writes it): counted as tokens, beam
    # "lost" six words and the final kept the greedy hearing; a helper's count of ten
    # came out missing words that way.
    said = ["One,", "two,", "three,", "four,", "five,", "six,", "seven."]
    greedy = [Word(0.1 + 0.4 * i, 0.45 + 0.4 * i, f" {word}") for i, word in enumerate(said)]
    beam = [Word(0.1, 2.85, " 1-2-3-4-5-6-7.")]
    assert dictate(BeamAwareDecoder(beam, greedy=greedy)) == "1-2-3-4-5-6-7."


def test_greedy_hearings_that_say_the_special_words_back_commit_nothing_and_give_way() -> None:
    # With special words "Siobhan, kubectl", greedy search over a buffer that began with
    # silence said the prompt back; two passes agreed, "Siobhan, kubectl" was committed
    # (typed as spoken), and the guard kept it as the final over beam search's words.
    echo = [Word(0.0, 1.5, " Siobhan,"), Word(1.5, 3.4, " kubectl")]
    decoder = BeamAwareDecoder(BEAM, greedy=echo)
    decoder.hotwords = "Siobhan, kubectl"  # type: ignore[attr-defined]
    transcriber = StreamingTranscriber(decoder)
    block = np.full(2400, 0.1, dtype=np.float32)
    events = []
    for _ in range(int(3.5 * SAMPLE_RATE) // len(block)):
        transcriber.push(block)
        if transcriber.pass_due():
            events += transcriber.run_pass()
    assert [event for event in events if event.kind == "commit"] == []
    assert transcriber.finish().text == "Stop right there!"
