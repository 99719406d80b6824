"""A profile's language and words hold for its utterance only, then the pipeline's come back.

The live pipeline keeps one decoder for every utterance (the model is loaded
once); a per-app profile sets its language and vocabulary on it for one
transcriber, and the next dictation without them gets the global ones again.
"""

from __future__ import annotations

from app.core.engine.live_pipeline import LivePipeline


class LoadedModel:
    """Stands in for the model host: the decoder only keeps what ``get`` returns here."""

    def get(self) -> object:
        return object()


def decoder_of(pipeline: LivePipeline) -> tuple[str, str]:
    decoder = pipeline._decoder
    assert decoder is not None
    return decoder.language, decoder.hotwords


def test_a_profiles_language_and_words_last_one_utterance() -> None:
    pipeline = LivePipeline(LoadedModel(), language="en", vocabulary=("Saytype",))  # type: ignore[arg-type]

    pipeline.new_transcriber(language="fr", vocabulary=("Siobhan", "Aoife"))
    assert decoder_of(pipeline) == ("fr", "Siobhan, Aoife")
    pipeline.new_transcriber()
    assert decoder_of(pipeline) == ("en", "Saytype")
    pipeline.new_transcriber(vocabulary=())  # a profile with its own, empty, list
    assert decoder_of(pipeline) == ("en", "")
    pipeline.set_vocabulary(("Niamh",))  # Settings → Text changed meanwhile
    pipeline.new_transcriber()
    assert decoder_of(pipeline) == ("en", "Niamh")
    pipeline.set_language("de")  # Settings → Language changed meanwhile
    pipeline.new_transcriber()
    assert decoder_of(pipeline) == ("de", "Niamh")
    pipeline.new_transcriber(language="fr")  # a profile's still wins
    assert decoder_of(pipeline) == ("fr", "Niamh")
