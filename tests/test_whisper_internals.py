"""The one module that reaches into faster-whisper's internals: what it promises."""

from __future__ import annotations

from app.core.engine import whisper_internals


class _Plain:
    def __init__(self, **state: object) -> None:
        self.__dict__.update(state)


class _Slotted:
    __slots__ = ("state",)


def test_language_codes_are_whispers() -> None:
    codes = whisper_internals.language_codes()
    assert {"en", "de", "fr", "ja", "yue"} <= set(codes)
    assert "english" not in codes


def test_emptying_keeps_the_object_and_replacing_moves_the_state_in() -> None:
    model = _Plain(model="ct2", hf_tokenizer="tok")
    holder = [model]

    assert whisper_internals.empty_in_place(model)
    assert vars(model) == {}
    whisper_internals.replace_in_place(model, _Plain(model="fresh"))

    assert holder[0] is model
    assert vars(model) == {"model": "fresh"}


def test_an_object_without_an_instance_dict_cannot_be_emptied() -> None:
    assert not whisper_internals.empty_in_place(_Slotted())
