"""Tuning of the live loop, with the measurements behind each default."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StreamingOptions:
    """Tuning of the live loop.

    Attributes:
        step_s: new audio needed before another pass.
        holdback_s: words ending this close to the newest audio may still be cut
            off mid-word, so they are never committed by a pass.
        keep_context_s: buffer length below which no audio is cut. Shorter buffers make
            shorter passes and a shorter final (6 s against 8 s on the live benchmark:
            commit lag p95 1.07 s against 1.4-1.6 s, release to final p95 0.30 s
            against up to 0.72 s). At 4 s, short dictations were cut too: "report
            comma" after the cut came back as "report.com a" in the desktop test.
        word_gap_cut_s: buffer length beyond which, with no pause of 250 ms to cut
            in, a 100 ms gap between two words will do.
        max_buffer_s: buffer length beyond which old words are committed by force.
        max_compression_ratio: above it a hypothesis is mostly a loop, not speech
            (Whisper's 2.4 is meant for 30 s windows; a short buffer of real speech
            with "words, words, words" in it passes 2.4). Shorter loops are cut
            from the hypothesis instead (:func:`repetition_loop_start`).
        no_speech_prob: above it a hypothesis is noise, not speech.
        final_beam_size: beam of the careful final, which hears the newest pass's
            encoded audio again after the release (1: the greedy hearing is the final).
            Beam 5 against greedy: WER 8.4 % against 8.9 % on the speech corpus,
            1.50 % against 1.95 % on dictation sentences (decision 0014).
        final_reach_s: the careful final hears this much of the newest audio, back
            across buffer cuts: 10 s, the encoder window's floor, costs the encoder
            no more than a shorter stretch; on the speech corpus WER 7.1 % against
            8.4 % hearing only the buffer, the same as reaching back 14 s (0014).
        careful_window_s: the careful final and blocks are decoded in an encoder window of
            at least this many seconds (0: the passes' window, the audio plus 3 s, 10 s at
            least). 20 s heard real speech better (replay: 21 errors against 26) and hibari
            sentences worse (2.0 % against 1.5 %), and cost release → final p50 0.10 →
            0.27 s on real speech, as its encoding cannot be the newest pass's (decision
            0028); kept for measuring (``--careful-window``).
        careful_block_s: once this much audio lies between buffer cuts, it is heard
            again with beam search while the speaker goes on (0 turns it off): the
            encoder window's floor, like ``final_reach_s`` (decision 0016).
    """

    step_s: float = 0.3
    pass_beam_size: int = 1
    final_beam_size: int = 5
    final_reach_s: float = 10.0
    careful_block_s: float = 10.0
    careful_window_s: float = 0.0
    holdback_s: float = 0.5
    keep_context_s: float = 6.0
    word_gap_cut_s: float = 8.0
    max_buffer_s: float = 20.0
    max_compression_ratio: float = 3.0
    no_speech_prob: float = 0.6
