"""Live transcription of a growing utterance: partial, commit and final text.

Each pass re-decodes only the uncommitted audio with a right-sized encoder
window (:mod:`window_decoder`), so a pass stays short however long the user
talks. Words carry times from cross-attention alignment; LocalAgreement
commits the words the newest pass shares with one of the two before it, and
the committed words a pass hears again are matched by text. Once the buffer
holds enough context, audio up to the last committed word is cut (in a pause,
or between two words of fluent speech once the buffer grows longer) and the
cut words, as best heard (:mod:`settled_words`), become the prompt; a long
pause the buffer begins with is cut too (:mod:`cut_points`). At release,
:meth:`finish` hears the newest ``final_reach_s`` of audio again with beam
search, back across cuts (:mod:`careful_final`); a pass still running then
gives way unless the final needs it (:meth:`running_pass_is_moot`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from app.core.audio.file_decoder import SAMPLE_RATE, AudioArray
from app.core.audio.speech_detector import SpeechDetector
from app.core.engine.cancellation import CancellationToken, Checkpoint, PassCheckpoint, Superseded
from app.core.engine.careful_blocks import CarefulBlocks
from app.core.engine.careful_final import CarefulFinal, Span
from app.core.engine.cut_points import CutPoints
from app.core.engine.dictation_event import DictationEvent
from app.core.engine.heard_words import join_words, settled_count
from app.core.engine.hearing import PROMPT_WORDS, Decoder, Heard, Hearing
from app.core.engine.local_agreement import LocalAgreement, title_cased
from app.core.engine.recent_audio import RecentAudio
from app.core.engine.settled_words import FreshWords, SettledWords
from app.core.engine.streaming_options import StreamingOptions
from app.core.engine.window_decoder import MAX_AUDIO_S, Hypothesis, Word

log = logging.getLogger(__name__)

_FINAL_SLACK_SAMPLES = SAMPLE_RATE // 2  # audio the final may hear past its newest pass


class StreamingTranscriber:
    """Turns pushed audio into dictation events; one instance per utterance."""

    def __init__(
        self,
        decoder: Decoder,
        detector: SpeechDetector | None = None,
        options: StreamingOptions | None = None,
        cancel: CancellationToken | None = None,
    ) -> None:
        clear_speech = None if detector is None else detector.has_clear_speech
        self._hearing = Hearing(decoder, options or StreamingOptions(), clear_speech)
        self._cancel = cancel  # a pass stops between its stages once this is set
        self._detector = detector
        self.options = options or StreamingOptions()
        self._agreement: LocalAgreement[Word] = LocalAgreement()
        self._chunks: list[AudioArray] = []
        self._recent = RecentAudio(self.options.final_reach_s)
        self._buffer_start = 0  # absolute sample index where the buffer begins
        self._total = 0  # samples pushed so far
        self._last_pass_end = 0
        self._settled = SettledWords()
        self._cuts = CutPoints(detector, self._settled, self.options)
        self._blocks = CarefulBlocks(self._hearing, self.options.careful_block_s)
        self._final = CarefulFinal(self._hearing, self._recent, self._settled, self._blocks, cancel)
        self._last_heard: Heard | None = None  # the newest decode that was not rejected
        self._prepared: tuple[Heard, DictationEvent] | None = None  # a final made in a pause

    @property
    def passes(self) -> int:
        """Decodes run so far (passes and the final's)."""
        return self._hearing.decodes

    @property
    def audio_seconds(self) -> float:
        """Seconds of audio pushed so far."""
        return self._total / SAMPLE_RATE

    @property
    def decoded_until_s(self) -> float:
        """Audio time up to which the newest pass has listened (falls behind when overloaded)."""
        return self._last_pass_end / SAMPLE_RATE

    @property
    def committed(self) -> list[Word]:
        """The committed words, in absolute time (seconds since the first sample)."""
        return self._settled.committed

    @property
    def committed_text(self) -> str:
        """Everything committed so far."""
        return self._settled.text

    def push(self, samples: AudioArray) -> None:
        """Append captured audio (16 kHz mono float32)."""
        if len(samples) == 0:
            return
        self._chunks.append(samples)
        self._recent.push(samples)
        self._blocks.push(samples)
        self._total += len(samples)
        if self._detector is not None:
            self._detector.push(samples)

    def pass_due(self) -> bool:
        """Whether enough new audio arrived for another pass."""
        return self._total - self._last_pass_end >= self.options.step_s * SAMPLE_RATE

    def run_pass(self, superseded: Callable[[], bool] | None = None) -> list[DictationEvent]:
        """Re-decode the uncommitted audio; return commit and/or partial events.

        ``superseded`` is asked between the decode's stages; once it says yes the
        pass is abandoned (no events). It may :meth:`push` audio while asking:
        the pass only ever uses the audio it started with.
        """
        self._last_pass_end = self._total
        if not self._buffer_has_speech():
            return []
        try:
            heard = self._decode_fresh_words(PassCheckpoint(self._cancel, superseded))
        except Superseded:
            log.debug("abandoned a pass at the key release")
            return []
        if heard is None or self._hearing.says_only_special_words(heard.words):
            return []  # nothing heard, or only the prompt said back: nothing to commit
        fresh = heard.fresh
        events: list[DictationEvent] = []
        newly = self._agreement.update(fresh)
        horizon = self._last_pass_end / SAMPLE_RATE - self.options.holdback_s
        before_pause = self._cuts.words_before_pause(
            newly, self._buffer_start, self._buffer_seconds()
        )
        settled = min(len(newly), settled_count(fresh, horizon), before_pause)
        if title_cased(heard.words):  # its capitals are a heading's: the next pass decides
            settled = 0
        if settled < len(newly):
            self._agreement.unupdate(newly[settled:])
            newly = newly[:settled]
        if not newly and self._buffer_seconds() > self.options.max_buffer_s:
            newly = self._force_commit(fresh)
        if newly:
            self._settled.commit(newly)
            events.append(DictationEvent("commit", "".join(w.text for w in newly)))
        events.append(DictationEvent("partial", join_words(fresh[len(newly) :])))
        self._cut_committed_audio(fresh[len(newly) :], heard.heard_through(len(newly)))
        return events

    def finish(self) -> DictationEvent:
        """Hear the buffer once more and return the ``final`` event for the utterance.

        The buffer still holds the most recent stretch of speech (at least
        ``keep_context_s`` of it once the utterance is that long), so this last
        decode hears its words with full context: they replace both the partial
        and the committed words inside the buffer. Words already cut from the
        buffer are taken as the pass before each cut heard them. When nothing was
        said after the newest pass, that pass is this decode's greedy hearing.
        """
        while self._buffer_seconds() > MAX_AUDIO_S:
            self._catch_up()
        heard = self._reusable_last_pass()
        prepared = self._prepared
        if heard is not None and prepared is not None and prepared[0] is heard:
            return prepared[1]
        refused = None
        if heard is None:
            newest = self._newest_pass_over_the_buffer()
            if newest is not None:
                careful, refused = self._final.before_greedy(newest, self._span())
                if careful is not None:
                    return DictationEvent("final", join_words(careful))
            in_buffer = self._settled.in_buffer
            heard_now = None
            if self._buffer_has_speech():
                # The final needs text, not word times: skipping the alignment saves ~15 ms.
                words, _ = self._decode_words(aligned=False)
                heard_now = self._last_heard if (words or not in_buffer) else None
            if heard_now is None:
                cut = self._settled.heard_cut
                before = self._blocks.before(cut, len(cut), self._buffer_start / SAMPLE_RATE)
                return DictationEvent("final", join_words(self._blocks.joined(before, in_buffer)))
            heard = heard_now
        return self._careful_final(heard, refused)

    def _newest_pass_over_the_buffer(self) -> Heard | None:
        """The buffer now, with the words of a pass that heard all but its last half second."""
        last, start = self._last_heard, self._buffer_start
        if (
            last is None
            or not last.words
            or last.cut_words != self._settled.heard_cut_count
            or round(last.offset_s * SAMPLE_RATE) != start
            or self._total - last.audio_end > _FINAL_SLACK_SAMPLES
            or not self._buffer_has_speech()
            or self._cuts.after_long_pause(start, self._total) is not None
        ):
            return None
        audio = self._buffer()[: int(MAX_AUDIO_S * SAMPLE_RATE)]
        prompt = self._settled.prompt(PROMPT_WORDS)
        end = start + len(audio)
        return Heard(last.cut_words, end, last.words, audio, prompt, last.offset_s, own_words=False)

    def work_while_idle(self) -> bool:
        """While the key is held: hear a closed block, or the newest pass, carefully.

        A block of a long dictation (:mod:`careful_blocks`) is heard as soon as
        it closes. Nothing said since the newest pass, and silence for ``holdback_s``, mean
        it may be the last: its careful final is made now, in the pause, and
        :meth:`finish` takes it if nothing is said before the release. Returns
        whether it decoded (the live loop calls this only when no pass is due).
        A pass in the same pause that heard the same words keeps the prepared
        final instead of decoding again.
        """
        if self._blocks.due():
            self._blocks.close(self._settled.heard_cut, self._cancel)
            self._prepared = None  # it took the greedy words of the block
            return True
        heard = self._reusable_last_pass()
        prepared = self._prepared
        if heard is None or (prepared is not None and prepared[0] is heard):
            return False
        if not self._pausing():
            return False
        if prepared is not None and prepared[0].same_words(heard):
            self._prepared = (heard, prepared[1])
            return False
        self._prepared = (heard, self._careful_final(heard))
        return True

    def _pausing(self) -> bool:
        """A pause that may be the last before the release, worth a careful final now.

        Silent for ``holdback_s``; or for ``step_s`` after a hearing that ends a
        sentence (Whisper's own full stop, question or exclamation mark). The gaps
        between fluent words are shorter, and the pauses at commas end no sentence:
        preparing in each of them would run a careful decode after nearly every
        pass, and a release would wait for one that speech had made stale (0019).
        """
        detector = self._detector
        if detector is None:
            return False
        now = self._total
        if not detector.has_speech(now - int(self.options.holdback_s * SAMPLE_RATE), now):
            return True
        last = self._last_heard
        ends = last is not None and bool(last.words) and last.words[-1].text[-1:] in ".?!"
        return ends and not detector.has_speech(now - int(self.options.step_s * SAMPLE_RATE), now)

    def _careful_final(self, heard: Heard, refused: Heard | None = None) -> DictationEvent:
        """The final: ``heard``'s audio, widened back across cuts, heard again with beam search."""
        return DictationEvent("final", join_words(self._final.words(heard, self._span(), refused)))

    def _span(self) -> Span:
        return Span(self._buffer_start, self._total)

    def running_pass_is_moot(self) -> bool:
        """Once the key is up: whether the pass now running cannot give the final.

        Either the pass before it heard every word (and is the final), or words
        were pushed after its audio that the final must hear anyway, the final has
        a pass that heard all but them, and this one cannot cut committed audio
        for the final: its buffer is too short, or has no pause to cut in.
        """
        if self._reusable_last_pass() is not None:
            return True
        if self._running_pass_hears_enough():
            return False
        short = self._last_pass_end - self._buffer_start < self.options.keep_context_s * SAMPLE_RATE
        if self._detector is None:
            return short and self._total > self._last_pass_end
        if not self._detector.has_speech(self._last_pass_end, self._total):
            return False  # nothing said since: this pass is the final
        pause = self._cuts.pause_after_committed(
            self._last_pass_end, self._buffer_start, self._buffer_seconds()
        )
        return short or pause is None

    def _running_pass_hears_enough(self) -> bool:
        """Whether the final needs the running pass: no finished one heard all but the slack.

        CTranslate2 cannot stop a decode: abandoning it saves only the alignment, and
        the final would decode the buffer greedily first (0.3 s for 10 s, 0067).
        """
        if self._total - self._last_pass_end > _FINAL_SLACK_SAMPLES:
            return False
        last = self._last_heard
        return last is None or self._total - last.audio_end > _FINAL_SLACK_SAMPLES

    def _reusable_last_pass(self) -> Heard | None:
        """The newest pass, when nothing was said after its audio: it heard every word.

        Users pause before releasing the key, so the pass that was running at
        release usually heard every word already; decoding again would only add
        latency.
        """
        last = self._last_heard
        if last is None or self._detector is None:
            return None
        return None if self._detector.has_speech(last.audio_end, self._total) else last

    def _catch_up(self) -> None:
        """Passes fell behind (a slow machine): commit and cut all but the newest audio."""
        heard = self._decode_fresh_words()
        horizon = self._buffer_start / SAMPLE_RATE + MAX_AUDIO_S - 1.0
        forced = [] if heard is None else heard.fresh[: settled_count(heard.fresh, horizon)]
        self._agreement.reset()
        self._settled.commit(forced)
        if heard is not None and forced:
            self._cut_to(int(self._settled.end * SAMPLE_RATE), heard.heard_through(len(forced)))
        else:
            self._cut_to(self._buffer_start + int((MAX_AUDIO_S - 5.0) * SAMPLE_RATE))

    # -- internals -----------------------------------------------------------------------

    def _buffer(self) -> AudioArray:
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0] if self._chunks else np.zeros(0, dtype=np.float32)

    def _buffer_seconds(self) -> float:
        return (self._total - self._buffer_start) / SAMPLE_RATE

    def _buffer_has_speech(self) -> bool:
        if self._total <= self._buffer_start:
            return False
        if self._detector is None:
            return True
        return self._detector.has_speech(self._buffer_start)

    def _decode_words(
        self,
        beam_size: int | None = None,
        checkpoint: Checkpoint | None = None,
        *,
        aligned: bool = True,
    ) -> tuple[list[Word], Hypothesis | None]:
        """Decode the buffer; return all its words in absolute time (none if rejected)."""
        pause_end = self._cuts.after_long_pause(self._buffer_start, self._total)
        if pause_end is not None and not self._settled.in_buffer:  # no committed word in it
            self._cut_to(pause_end)
        audio = self._buffer()[: int(MAX_AUDIO_S * SAMPLE_RATE)]
        prompt = self._settled.prompt(PROMPT_WORDS)
        offset = self._buffer_start / SAMPLE_RATE
        beam = beam_size or self.options.pass_beam_size
        cancel = checkpoint if checkpoint is not None else self._cancel
        words, hypothesis = self._hearing.hear(audio, prompt, offset, beam, cancel, aligned=aligned)
        if hypothesis is None:
            self._last_heard = None
            return [], None
        end = self._buffer_start + len(audio)
        cut_words = self._settled.heard_cut_count
        self._last_heard = Heard(cut_words, end, words, audio, prompt, offset)
        return words, hypothesis

    def _decode_fresh_words(self, checkpoint: Checkpoint | None = None) -> FreshWords | None:
        """Decode the buffer; split its words at the committed ones (None if rejected)."""
        words, hypothesis = self._decode_words(checkpoint=checkpoint)
        return None if hypothesis is None else self._settled.split(words)

    def _force_commit(self, fresh: list[Word]) -> list[Word]:
        """Commit the words older than the newest second, so the buffer can shrink."""
        horizon = self._last_pass_end / SAMPLE_RATE - 1.0
        forced = fresh[: settled_count(fresh, horizon)]
        self._agreement.reset()
        return forced

    def _cut_committed_audio(self, pending: list[Word], heard: list[Word]) -> None:
        """Once context suffices, cut the buffer in the pause after the last committed word.

        The pause (found by the VAD) must begin before the first uncommitted
        word, so the cut splits no word and leaves only uncommitted words in
        the buffer; the committed ones (as ``heard`` by this pass) move into the prompt.
        """
        if self._buffer_seconds() < self.options.keep_context_s or not self.committed:
            return
        next_start = int(pending[0].start * SAMPLE_RATE) if pending else self._last_pass_end
        pause = self._cuts.pause_after_committed(
            next_start, self._buffer_start, self._buffer_seconds()
        )
        cut = None if pause is None else min(pause, next_start)
        if cut is None and self._buffer_seconds() > self.options.max_buffer_s:
            cut = int(self._settled.end * SAMPLE_RATE)
        if cut is not None:
            self._cut_to(cut, heard)

    def _cut_to(self, absolute_sample: int, heard: list[Word] | None = None) -> None:
        """Cut the buffer after the last committed word (``heard``: see ``mark_cut``)."""
        cut = min(self._total, absolute_sample) - self._buffer_start
        if cut <= 0:
            return
        self._chunks = [self._buffer()[cut:]]
        self._buffer_start += cut
        self._settled.mark_cut(self._buffer_start / SAMPLE_RATE, heard, self._cuts.spoken)
        self._recent.cut(self._buffer_start, self._settled.heard_cut_count)
        self._blocks.cut(self._buffer_start, self._settled.heard_cut_count)
        if self._detector is not None:  # careful hearings still judge audio before the buffer
            kept = min(self._buffer_start, self._blocks.end, self._recent.kept_from)
            self._detector.forget_before(kept)
