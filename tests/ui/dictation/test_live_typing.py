"""The type-as-I-speak queue: order, exactly once, nothing while the hotkey is held."""

from __future__ import annotations

from app.core.output.live_typing import LiveEdit, LiveRequest, LiveTypingQueue


def _drain(queue: LiveTypingQueue) -> list[LiveRequest]:
    """Deliver every request the queue hands out, as a working keyboard would."""
    sent = []
    while (request := queue.next_request()) is not None:
        sent.append(request)
        queue.delivered()
    return sent


def test_edits_go_out_in_order_one_request_at_a_time() -> None:
    queue = LiveTypingQueue()
    queue.add(0, "Printing,")
    first = queue.next_request()
    queue.add(0, " in the only")
    assert first == LiveRequest("type", "Printing,")
    assert queue.next_request() is None  # one in flight
    queue.delivered()
    assert _drain(queue) == [LiveRequest("type", " in the only")]
    assert queue.sent_text == "Printing, in the only"
    assert queue.idle


def test_nothing_goes_out_while_held_and_everything_after_release() -> None:
    queue = LiveTypingQueue(held=True)
    for words in ("Printing,", " in the only", " sense with"):
        queue.add(0, words)
        assert queue.next_request() is None
    queue.set_held(False)
    assert _drain(queue) == [LiveRequest("type", "Printing, in the only sense with")]


def test_a_failed_request_comes_first_again_after_resume_and_is_sent_once() -> None:
    queue = LiveTypingQueue()
    queue.add(0, "one")
    assert queue.next_request() == LiveRequest("type", "one")
    queue.failed()
    queue.add(0, " two")
    assert queue.paused
    assert queue.next_request() is None  # paused: " two" may not overtake "one"
    queue.resume()
    assert _drain(queue) == [LiveRequest("type", "one two")]
    assert queue.sent_text == "one two"


def test_a_request_stopped_part_way_sends_only_its_rest_again() -> None:
    # Keys pressed part way paused the typing, then the user cancelled or clicked away:
    # "one t" is in the app, and a retry that typed "one two" again would double it.
    queue = LiveTypingQueue()
    queue.add(0, "one two")
    queue.next_request()
    queue.failed(len("one t"))
    assert queue.sent_text == "one t"
    queue.add(0, " three")
    queue.resume()
    assert _drain(queue) == [LiveRequest("type", "wo three")]
    assert queue.sent_text == "one two three"


def test_an_erase_stopped_part_way_erases_only_the_rest_again() -> None:
    queue = LiveTypingQueue()
    queue.add(0, "abcd")
    _drain(queue)
    queue.add(3, "")
    assert queue.next_request() == LiveRequest("erase", "\b" * 3)
    queue.failed(1)
    assert queue.sent_text == "abc"
    queue.resume()
    assert _drain(queue) == [LiveRequest("erase", "\b" * 2)]
    assert queue.sent_text == "a"


def test_scratch_that_trims_unsent_text_before_erasing_typed_text() -> None:
    queue = LiveTypingQueue()
    queue.add(0, "Hello")
    assert _drain(queue) == [LiveRequest("type", "Hello")]
    queue.set_held(True)
    queue.add(0, " wrong words")
    queue.add(len(" wrong words") + len("Hello"), "Hi")
    queue.set_held(False)
    assert _drain(queue) == [LiveRequest("erase", "\b" * 5), LiveRequest("type", "Hi")]
    assert queue.sent_text == "Hi"


def test_a_failed_erase_is_retried_before_the_text_after_it() -> None:
    queue = LiveTypingQueue()
    queue.add(0, "abc")
    _drain(queue)
    queue.add(2, "xy")
    assert queue.next_request() == LiveRequest("erase", "\b\b")
    queue.failed()
    queue.resume()
    assert _drain(queue) == [LiveRequest("erase", "\b\b"), LiveRequest("type", "xy")]
    assert queue.sent_text == "axy"


def test_edits_compose() -> None:
    assert LiveEdit(1, "abc").then(LiveEdit(2, "d")) == LiveEdit(1, "ad")
    assert LiveEdit(1, "ab").then(LiveEdit(4, "d")) == LiveEdit(3, "d")
    assert not LiveEdit()


def test_a_finishing_dictation_keeps_its_words_for_the_final() -> None:
    queue = LiveTypingQueue(held=True)
    queue.add(0, "Stop right their")
    queue.await_final()
    queue.set_held(False)  # the release that finishes the dictation
    assert queue.next_request() is None
    assert not queue.anything_out
    queue.withdraw()  # nothing went out: the final's text takes their place
    queue.add(0, "Stop right there.")
    queue.await_final(False)
    assert _drain(queue) == [LiveRequest("type", "Stop right there.")]
    assert queue.anything_out


def test_words_that_went_out_are_counted_even_before_they_arrive() -> None:
    queue = LiveTypingQueue()
    queue.add(0, "Printing,")
    assert queue.next_request() == LiveRequest("type", "Printing,")
    assert queue.anything_out  # in flight: the final may no longer replace it


def test_a_line_break_and_what_follows_wait_for_the_final() -> None:
    # Into a terminal, "list the files new line … scratch that show the disk usage" ran
    # "List the files" as it was said: the Enter went out live, the erase came too late.
    queue = LiveTypingQueue()
    queue.add(0, "List the files")
    queue.add(0, "\nshow the")
    assert _drain(queue) == [LiveRequest("type", "List the files")]
    queue.add(len("\nshow the") + len("List the files"), "Show the disk usage.")  # scratch that
    assert _drain(queue) == [
        LiveRequest("erase", "\b" * len("List the files")),
        LiveRequest("type", "Show the disk usage."),
    ]
    queue.add(0, "\nSo")
    assert _drain(queue) == []
    queue.add(0, " done.", last=True)  # the final's edit: the line may go now
    assert _drain(queue) == [LiveRequest("type", "\nSo done.")]
    assert queue.sent_text == "Show the disk usage.\nSo done."


def test_a_failed_dictation_lets_the_lines_that_waited_out() -> None:
    queue = LiveTypingQueue()
    queue.add(0, "Dear Sam,\nthe build")
    assert _drain(queue) == [LiveRequest("type", "Dear Sam,")]
    queue.let_lines_out()
    assert _drain(queue) == [LiveRequest("type", "\nthe build")]
