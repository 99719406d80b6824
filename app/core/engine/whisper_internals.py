"""Every use of faster-whisper's internals, in one place.

Saytype goes below faster-whisper's public API (``WhisperModel.transcribe``,
``BatchedInferencePipeline``) where the product needs it: live passes encode a
window sized to the audio instead of a padded 30 s one (:mod:`window_decoder`),
an idle unload empties the model object in place (:mod:`model_host`), and the
live VAD scores 32 ms windows incrementally with faster-whisper's Silero model.
None of the names used for that is a stable API, so they are all here, each
behind a small function, and nowhere else in ``app``.

Tested with faster-whisper 1.2.1 (CTranslate2 4.8), the only release whose
Silero VAD (v6, since 1.2.1) takes the 1-D input :mod:`speech_detector` gives
it; 1.1.x and 1.2.0 take 2-D batches. ``pyproject.toml`` pins
``faster-whisper>=1.2.1,<1.3`` accordingly. Before widening the pin, check each
function below against the new release (the model tests exercise all of them).

faster_whisper is imported inside the functions: importing it costs about a
second, and the GUI should appear before the model loads.
"""

from __future__ import annotations

from typing import Any


def mel_features(model: Any, audio: Any) -> Any:
    """Log-mel features of ``audio`` (16 kHz mono float32), as the model's encoder wants.

    Args:
        model: a loaded ``faster_whisper.WhisperModel``.
        audio: the samples, already padded to the window to encode.
    """
    return model.feature_extractor(audio)


def encode(model: Any, features: Any) -> Any:
    """Run the encoder on ``features`` of any length up to 30 s (a CTranslate2 StorageView)."""
    return model.encode(features)


def generate(model: Any, encoded: Any, prompts: list[list[int]], **options: Any) -> Any:
    """Decode from the encoder output with CTranslate2's ``Whisper.generate``.

    Args:
        model: a loaded ``faster_whisper.WhisperModel``.
        encoded: what :func:`encode` returned.
        prompts: one token list per batch item (previous text, then the SOT sequence).
        **options: CTranslate2 ``generate`` options (beam_size, max_length, …).

    Returns:
        One ``WhisperGenerationResult`` per prompt.
    """
    return model.model.generate(encoded, prompts, **options)


def tokenizer_and_suppressed(model: Any, language: str) -> tuple[Any, list[int]]:
    """The model's transcribe tokenizer for ``language`` and the tokens to suppress.

    The suppressed tokens are faster-whisper's defaults (``suppress_tokens=[-1]``):
    non-speech symbols, plus ``<|nocaptions|>`` since 1.2.1.
    """
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    tokenizer = Tokenizer(
        model.hf_tokenizer,
        model.model.is_multilingual,
        task="transcribe",
        language=language,
    )
    return tokenizer, list(get_suppressed_tokens(tokenizer, [-1]))


def find_alignment(
    model: Any, tokenizer: Any, text_ids: list[int], encoded: Any, frames: int
) -> list[dict[str, Any]]:
    """Word timings from cross-attention alignment (faster-whisper's ``find_alignment``).

    Returns:
        One dict per word with ``word``, ``start`` and ``end`` (seconds).
    """
    aligned: list[dict[str, Any]] = model.find_alignment(tokenizer, [text_ids], encoded, frames)[0]
    return aligned


def language_codes() -> tuple[str, ...]:
    """Every language code Whisper knows (``faster_whisper.tokenizer._LANGUAGE_CODES``)."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    return tuple(_LANGUAGE_CODES)


def hub_repositories() -> dict[str, str]:
    """faster-whisper's model name → hub repository table (``faster_whisper.utils._MODELS``).

    :mod:`model_catalog` keeps its own copy, so listing models never imports
    faster_whisper; a test keeps the two equal.
    """
    from faster_whisper.utils import _MODELS

    return dict(_MODELS)


def silero_vad_model() -> Any:
    """faster-whisper's Silero VAD session, shared and cached by faster-whisper.

    Called with a 1-D float32 array (a multiple of 512 samples) it returns one
    speech probability per 512 samples.
    """
    from faster_whisper.vad import get_vad_model

    return get_vad_model()


def release_silero_vad_model() -> None:
    """Forget faster-whisper's cached Silero session, so that it can be freed."""
    from faster_whisper.vad import get_vad_model

    get_vad_model.cache_clear()


def empty_in_place(model: object) -> bool:
    """Drop everything the model object holds, keeping the object; False if it can't.

    A ``WhisperModel`` keeps its whole state (CTranslate2 model, tokenizer,
    feature extractor) in its instance dict, so clearing it frees the model
    while the object that decoders hold stays valid for :func:`replace_in_place`.
    """
    try:
        vars(model).clear()
    except TypeError:  # no __dict__
        return False
    return True


def replace_in_place(old: object, new: object) -> None:
    """Move ``new``'s state into ``old``, so every holder of ``old`` switches at once."""
    vars(old).clear()
    vars(old).update(vars(new))
