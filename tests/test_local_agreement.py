"""LocalAgreement (two of the last three passes) and committed-word alignment."""

from __future__ import annotations

from app.core.engine.local_agreement import (
    LocalAgreement,
    agreed_prefix_length,
    extra_words_echo,
    repetition_loop_start,
    word_key,
)
from app.core.engine.reheard_words import split_reheard
from app.core.engine.window_decoder import Word


def words(text: str) -> list[Word]:
    return [Word(float(i), float(i) + 0.5, " " + token) for i, token in enumerate(text.split())]


def texts(items: list[Word]) -> list[str]:
    return [item.text.strip() for item in items]


def test_first_hypothesis_commits_nothing() -> None:
    assert LocalAgreement[Word]().update(words("hello there")) == []


def test_commits_the_prefix_two_passes_agree_on() -> None:
    policy = LocalAgreement[Word]()
    policy.update(words("the quick brown"))
    assert texts(policy.update(words("the quick brown fox jumps"))) == ["the", "quick", "brown"]
    # Only the words after the commit are compared from now on.
    assert texts(policy.update(words("fox jumped over"))) == ["fox"]
    assert texts(policy.update(words("jumped over the lazy dog"))) == ["jumped", "over"]


def test_disagreement_commits_nothing_and_waits() -> None:
    policy = LocalAgreement[Word]()
    policy.update(words("I scream"))
    assert policy.update(words("ice cream")) == []
    assert texts(policy.update(words("ice cream please"))) == ["ice", "cream"]


def test_punctuation_and_case_do_not_block_agreement() -> None:
    policy = LocalAgreement[Word]()
    policy.update(words("Process, done"))
    assert texts(policy.update(words("process. Done! Next"))) == ["process.", "Done!"]


def test_unupdate_puts_words_back_for_the_next_comparison() -> None:
    policy = LocalAgreement[Word]()
    policy.update(words("one two three"))
    agreed = policy.update(words("one two three four"))
    policy.unupdate(agreed[1:])  # the caller committed only "one"
    assert texts(policy.update(words("two three four five"))) == ["two", "three", "four"]


def test_a_word_that_flips_back_is_committed_with_the_pass_before_last() -> None:
    policy = LocalAgreement[Word]()
    policy.update(words("we use Saytype daily"))
    assert texts(policy.update(words("we use say type daily"))) == ["we", "use"]
    # The newest pass disagrees with the previous one but agrees with the one before.
    assert texts(policy.update(words("Saytype daily now"))) == ["Saytype", "daily"]
    assert texts(policy.update(words("now and then"))) == ["now"]


def test_a_single_disagreeing_pass_never_commits_its_own_words() -> None:
    policy = LocalAgreement[Word]()
    policy.update(words("red green"))
    assert policy.update(words("blue green")) == []
    assert policy.update(words("yellow green")) == []  # three different: no two agree


def test_unupdate_keeps_the_pass_before_last_aligned() -> None:
    policy = LocalAgreement[Word]()
    policy.update(words("a b c"))
    agreed = policy.update(words("a x c"))
    assert texts(agreed) == ["a"]
    policy.unupdate(agreed)  # the caller committed nothing
    assert texts(policy.update(words("a b c d"))) == ["a", "b", "c"]


def test_reset_forgets_the_previous_hypothesis() -> None:
    policy = LocalAgreement[Word]()
    policy.update(words("one two"))
    policy.update(words("three four"))
    policy.reset()
    assert policy.update(words("one two")) == []
    assert policy.update(words("three four")) == []


def test_word_key_and_prefix() -> None:
    assert word_key("Don't!") == "don't"
    assert agreed_prefix_length(words("a b c"), words("a B. x")) == 2
    assert agreed_prefix_length([], words("a")) == 0


def skip_committed(committed: list[Word], hypothesis: list[Word]) -> int:
    skip, rest = split_reheard(committed, hypothesis)
    assert rest == ""
    return skip


def test_skip_committed_aligns_reheard_words() -> None:
    hypothesis = words("and so my fellow americans")
    assert skip_committed(words("And so my"), hypothesis) == 3
    assert skip_committed([], hypothesis) == 0


def test_skip_committed_maps_a_changed_word_one_to_one() -> None:
    # "my" came back as "am": still one word to skip after the last match.
    assert skip_committed(words("and so my"), words("and so am fellow")) == 3


def test_skip_committed_with_nothing_in_common_skips_as_many_words() -> None:
    assert skip_committed(words("one two"), words("alpha beta gamma")) == 2


def test_words_reheard_as_one_token_are_split_where_the_committed_ones_end() -> None:
    # "One, two, three four" committed, then a pass heard "1-2-3-4-5-6-7-8-9-10. The quick
    # brown fox": counted as whole words, the four skipped "The quick brown" too, and
    # "five … ten. The quick brown" were never typed.
    heard = words("1-2-3-4-5-6-7-8-9-10. The quick brown fox")
    assert split_reheard(words("One, two, three four"), heard) == (1, "5-6-7-8-9-10.")
    assert split_reheard(words("One, two"), words("one-two-three and")) == (1, "three")
    assert split_reheard(words("well known"), words("well-known fact")) == (1, "")
    assert split_reheard(words("a well-known"), words("a well known fact")) == (3, "")


def test_a_decoder_loop_is_found_at_its_second_copy() -> None:
    heard = words("that should be all this is high this is high this is high this is")
    assert repetition_loop_start(heard) == 7  # keeps "that should be all this is high"


def test_people_repeating_a_word_is_not_a_loop() -> None:
    assert repetition_loop_start(words("here are more words words words words and done")) is None
    assert repetition_loop_start(words("no no no no no no no no")) == 1


def test_a_whole_sentence_said_twice_is_a_loop_but_short_repeats_are_speech() -> None:
    doubled = words(
        "Thanks for the report, see you on Monday. Thanks for the report, see you on Monday."
    )
    assert repetition_loop_start(doubled) == 8
    # A person repeating a short phrase once is not cut.
    assert repetition_loop_start(words("go left go left and then right")) is None
    assert repetition_loop_start(words("I said no I said no to that")) is None


def test_extra_greedy_words_ending_in_a_copy_of_earlier_words_are_an_echo() -> None:
    greedy = words(
        "the crafts represented in the exhibition the next one is called "
        "the crafts represented in the exhibition"
    )
    assert extra_words_echo(words("the crafts represented in the exhibition"), greedy)
    # beam heard one word differently too: the echo still accounts for the extra words
    assert extra_words_echo(words("represents represented in the exhibition"), greedy)


def test_extra_greedy_words_that_go_on_after_the_copy_are_speech() -> None:
    greedy = words("i want you to open it then i want you to save")
    assert not extra_words_echo(words("i want you to open it"), greedy)
    said_once = words("please check the server logs before noon today")
    assert not extra_words_echo(words("please check the server"), said_once)
    # a copy shorter than the words invented before it is not an echo
    long_between = words("check the logs now we will see what else we can do check the logs now")
    assert not extra_words_echo(words("check the logs now"), long_between)
