"""best_heard: which words stand for audio cut from the live buffer in the final text."""

from __future__ import annotations

from app.core.engine.settled_words import SettledWords, best_heard
from app.core.engine.window_decoder import Word


def words(text: str, start: float = 0.0, step: float = 0.5) -> list[Word]:
    """One word per ``step`` seconds, each lasting 0.4 s."""
    return [
        Word(start + i * step, start + i * step + 0.4, f" {word}")
        for i, word in enumerate(text.split())
    ]


def text(heard: list[Word]) -> str:
    return "".join(w.text for w in heard).strip()


def always(_word: Word) -> bool:
    return True


def never(_word: Word) -> bool:
    return False


def test_a_word_the_commits_missed_comes_from_the_pass() -> None:
    committed = words("nothing going on")
    heard = words("nothing going else going on")
    assert text(best_heard(committed, heard, cut_s=3.0, spoken=always)) == (
        "nothing going else going on"
    )


def test_committed_words_a_pass_stopped_before_stay_when_spoken() -> None:
    committed = words("the Chinese took impressions from wood")
    heard = words("the Chinese")
    assert text(best_heard(committed, heard, cut_s=3.5, spoken=always)) == text(committed)


def test_committed_words_in_silence_that_no_pass_hears_again_are_dropped() -> None:
    committed = words("dictate this thank you")
    heard = words("dictate this")
    assert text(best_heard(committed, heard, cut_s=2.5, spoken=never)) == "dictate this"


def test_the_pass_wins_where_it_heard_a_word_differently() -> None:
    committed = words("the wood cutters of")
    heard = words("the woodcutters of")
    assert text(best_heard(committed, heard, cut_s=2.5, spoken=always)) == "the woodcutters of"


def test_words_of_the_pass_centred_past_the_cut_are_left_out() -> None:
    committed = words("one two")
    heard = [*words("one two"), *words("three four", start=1.6)]
    assert text(best_heard(committed, heard, cut_s=1.3, spoken=never)) == "one two"


def test_cuts_accumulate_and_the_prompt_is_their_newest_words() -> None:
    settled = SettledWords()
    settled.commit(words("one two three"))
    settled.mark_cut(1.5, words("one two three"), always)
    settled.commit(words("four five", start=1.5))
    assert text(settled.in_buffer) == "four five"
    settled.mark_cut(2.5, None, always)
    assert text(settled.heard_cut) == "one two three four five"
    assert settled.prompt(2) == "four five"
    assert settled.in_buffer == []


def test_a_committed_word_the_pass_heard_around_and_not_again_is_dropped() -> None:
    committed = words("and so my I fellow Americans")
    heard = words("and so my fellow Americans")
    assert text(best_heard(committed, heard, cut_s=3.0, spoken=always)) == (
        "and so my fellow Americans"
    )


def test_a_phrase_the_pass_skipped_keeps_its_committed_words_when_spoken() -> None:
    # Whisper skips repeated wording now and then; the commits had heard it.
    committed = words("ask what you can do for your country the horizon")
    heard = words("country the horizon", start=3.5)
    assert text(best_heard(committed, heard, cut_s=5.0, spoken=always)) == text(committed)


def test_a_phrase_the_pass_heard_as_one_word_keeps_the_committed_words_too() -> None:
    # Seen live: the pass heard the whole stretch as "country." (its next words lay
    # past the cut), where the commits had "ask what you can do for".
    committed = words("ask what you can do for")
    heard = words("country.", start=2.8)
    assert text(best_heard(committed, heard, cut_s=3.5, spoken=always)) == (
        "ask what you can do for country."
    )


def test_a_run_of_one_repeated_word_the_pass_heard_fewer_times_follows_the_pass() -> None:
    # A decoder loop can get committed; the pass that hears fewer copies is right.
    committed = words("more words words words words words words then")
    heard = words("more words words words then")
    assert text(best_heard(committed, heard, cut_s=4.5, spoken=always)) == (
        "more words words words then"
    )


def test_a_skipped_phrase_in_silence_was_invented_and_is_dropped() -> None:
    committed = words("dog thank you for watching the horizon")
    heard = words("dog the horizon")
    assert text(best_heard(committed, heard, cut_s=3.5, spoken=never)) == "dog the horizon"


def test_words_a_pass_joins_into_one_number_are_committed_once_and_cut_once() -> None:
    # "One, two, three four" committed; the next pass heard "1-2-3-4-5-6-7-8-9-10. The quick
    # brown fox". Counted whole, the four committed words skipped "The quick brown", and
    # "five … ten. The quick brown" never reached the app typing as the user spoke.
    settled = SettledWords()
    settled.commit(words("One, two, three four"))
    heard = [Word(0.0, 4.9, " 1-2-3-4-5-6-7-8-9-10."), *words("The quick brown fox", start=5.0)]
    split = settled.split(heard)
    assert text(split.fresh) == "5-6-7-8-9-10. The quick brown fox"
    settled.commit(split.fresh[:4])  # the pass after agrees on these
    assert settled.text.strip() == "One, two, three four 5-6-7-8-9-10. The quick brown"
    # The cut: the pass's one token stands for the committed words it joined, once.
    cut = best_heard(settled.committed, split.heard_through(4), cut_s=6.5, spoken=always)
    assert text(cut) == "1-2-3-4-5-6-7-8-9-10. The quick brown"


def test_a_pass_that_says_the_last_committed_words_again_after_them_commits_them_once() -> None:
    # Type as I speak typed "Was that strange? Was that strange question her mother…":
    # the pass heard the committed words, then said them again over "question mark".
    settled = SettledWords()
    settled.commit(words("next door. Was that strange"))
    pass_words = words("next door. Was that strange? Was that strange question her mother")
    fresh = settled.split(pass_words)
    assert text(fresh.fresh) == "question her mother"
    assert text(fresh.heard_through(1)) == "next door. Was that strange? question"


def test_after_a_cut_a_pass_that_begins_with_its_prompt_commits_none_of_it() -> None:
    settled = SettledWords()
    settled.commit(words("and it asked her to come back"))
    settled.mark_cut(3.5, None, always)  # nothing committed is left in the buffer
    fresh = settled.split(words("asked her to come back for the summer", start=3.5))
    assert text(fresh.fresh) == "for the summer"


def test_a_phrase_said_twice_on_purpose_of_two_words_is_kept() -> None:
    settled = SettledWords()
    settled.commit(words("I think"))
    assert text(settled.split(words("I think I think so")).fresh) == "I think so"


def test_a_phrase_the_pass_heard_as_one_of_its_words_is_said_once() -> None:
    # Seen live (a hoarse speaker, MFA "cold" recording): the pass heard "a different
    # word." where the commits had "a different bunch of different words.", and Silero
    # heard no speech under "bunch of"; the final said "a different different words. word."
    committed = words("also saying a different bunch of different words. I think", step=0.3)
    heard = [*words("also saying a different", step=0.3)]
    heard += [Word(1.2, 2.4, " word."), *words("I think", start=2.4, step=0.3)]
    hoarse = {" bunch", " of"}

    def spoken(word: Word) -> bool:
        return word.text not in hoarse

    assert text(best_heard(committed, heard, cut_s=3.5, spoken=spoken)) == text(committed)
