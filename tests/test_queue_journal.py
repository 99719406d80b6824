"""The file queue's journal: what waits is written down, taken back once, and damage is kept."""

from __future__ import annotations

from pathlib import Path

from app.core.output.queue_journal import QueueJournal


def test_the_waiting_files_come_back_once(tmp_path: Path) -> None:
    journal = QueueJournal(tmp_path / "data" / "file-queue.json")
    assert journal.take() == []
    waiting = [tmp_path / "interview.mp3", tmp_path / "réunion du lundi.wav"]
    journal.save(waiting)
    assert journal.take() == waiting
    assert journal.take() == []  # taken: the next start offers nothing again


def test_an_empty_queue_leaves_no_file(tmp_path: Path) -> None:
    journal = QueueJournal(tmp_path / "file-queue.json")
    journal.save([tmp_path / "a.wav"])
    journal.save([])
    assert not journal.path.exists()


def test_a_damaged_journal_is_set_aside_not_lost(tmp_path: Path) -> None:
    journal = QueueJournal(tmp_path / "file-queue.json")
    journal.path.write_bytes(b'["/home/me/a.wav", \xff')
    assert journal.take() == []
    assert journal.path.with_name("file-queue.json.bak").read_bytes().startswith(b'["/home/me')


def test_a_folder_that_cannot_be_made_is_logged_and_the_queue_goes_on(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    journal = QueueJournal(blocker / "file-queue.json")
    journal.save([tmp_path / "a.wav"])  # never raises: the queue must not stop for it
    assert blocker.read_text(encoding="utf-8").startswith("a file")
