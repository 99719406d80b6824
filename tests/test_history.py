"""The history store keeps every dictation, survives crashes, and recovers from damage.

History is written before text is typed, so these tests hold it to that promise
with a real process killed by SIGKILL right after ``add``, real damaged files
and a real "database or disk is full" error from SQLite.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.output.history import (
    HistoryEntry,
    HistoryError,
    HistoryStore,
    audio_dir,
    history_path,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_location_is_the_data_folder(hermetic_user_dirs: Path) -> None:
    expected = hermetic_user_dirs / ".local/share/saytype/history.sqlite3"
    assert history_path() == expected
    with HistoryStore() as opened:
        assert opened.path == expected
        assert opened.notice is None
    assert expected.exists()


def test_add_returns_the_saved_entry(store: HistoryStore) -> None:
    entry = store.add("Hello there.", 2.5, "tiny.en")
    assert isinstance(entry, HistoryEntry)
    assert entry.text == "Hello there."
    assert entry.duration_s == 2.5
    assert entry.model == "tiny.en"
    assert entry.audio_path is None
    assert entry.delivered_to is None
    assert store.get(entry.id) == entry
    assert store.count() == 1


def test_newest_first_and_latest(store: HistoryStore) -> None:
    first = store.add("first", 1, "tiny.en")
    second = store.add("second", 1, "tiny.en")
    third = store.add("third", 1, "base.en")
    assert [e.text for e in store.search()] == ["third", "second", "first"]
    assert store.latest() == third
    assert second.created_at >= first.created_at
    assert [e.text for e in store.search(limit=2)] == ["third", "second"]


def test_empty_history(store: HistoryStore) -> None:
    assert store.latest() is None
    assert store.search() == []
    assert store.count() == 0
    assert store.get(1) is None
    assert store.delete(1) is None


def test_search_is_a_case_insensitive_substring_match(store: HistoryStore) -> None:
    store.add("Remind me to water the plants", 1, "tiny.en")
    store.add("Buy milk", 1, "tiny.en")
    store.add("WATERMELON for dessert", 1, "tiny.en")
    assert [e.text for e in store.search("water")] == [
        "WATERMELON for dessert",
        "Remind me to water the plants",
    ]
    assert [e.text for e in store.search("MILK")] == ["Buy milk"]
    assert store.search("coffee") == []


def test_search_sets_the_punctuation_between_words_aside(store: HistoryStore) -> None:
    # A new user searched "dinner see" and "maria thank" and found nothing: the full
    # stop, the paragraph break and the comma were the app's own.
    store.add("Dear Maria, thank you for dinner.\n\nSee you soon.", 1, "tiny.en")
    store.add("Dinner, see above", 1, "tiny.en")
    for query in ("maria thank", "dinner see you", "DINNER SEE", "dinner se", "Maria, thank"):
        assert "Dear Maria, thank you for dinner.\n\nSee you soon." in [
            e.text for e in store.search(query)
        ], query
    assert len(store.search("thank maria")) == 1  # in any order (see the test below)
    assert store.count("dinner see") == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("%", ["100% sure"]),
        ("_", ["snake_case name"]),
        ("0%", ["100% sure"]),
        ("e_c", ["snake_case name"]),
        ("\\", ["back\\slash"]),
        ("[a]", ["brackets [a]"]),
    ],
)
def test_wildcards_match_literally(store: HistoryStore, query: str, expected: list[str]) -> None:
    for text in ("100% sure", "snake_case name", "back\\slash", "brackets [a]", "plain words"):
        store.add(text, 1, "tiny.en")
    assert [e.text for e in store.search(query)] == expected


def test_search_finds_every_word_in_any_order(store: HistoryStore) -> None:
    # "milk eggs" found nothing for "…milk and eggs…", nor "noon friday" for "Friday at noon".
    shopping = store.add("Please remind me to buy milk and eggs on the way home.", 1, "m")
    meeting = store.add("The quarterly report is due next Friday at noon.", 1, "m")
    assert store.search("milk eggs") == [shopping]
    assert store.search("noon friday") == [meeting]
    assert store.search("milk friday") == []  # every word, not any
    assert store.search("uarter eport") == []  # words match at their start only
    assert store.search("re due") == [meeting]


def test_unicode_text_round_trips_and_searches(store: HistoryStore) -> None:
    texts = ["Crème brûlée à Noël", "你好世界", "Party 🎉 time", "ÉCOLE normale", "Straße"]
    for text in texts:
        store.add(text, 1, "small")
    assert [e.text for e in store.search()] == texts[::-1]
    assert [e.text for e in store.search("école")] == ["ÉCOLE normale"]
    assert [e.text for e in store.search("BRÛLÉE")] == ["Crème brûlée à Noël"]
    assert [e.text for e in store.search("世界")] == ["你好世界"]
    assert [e.text for e in store.search("🎉")] == ["Party 🎉 time"]
    assert [e.text for e in store.search("STRASSE")] == ["Straße"]


def test_mark_delivered(store: HistoryStore) -> None:
    entry = store.add("text", 1, "tiny.en")
    store.mark_delivered(entry.id, "xterm")
    saved = store.get(entry.id)
    assert saved is not None
    assert saved.delivered_to == "xterm"


def test_delete_removes_the_entry_and_its_audio(store: HistoryStore, tmp_path: Path) -> None:
    audio = tmp_path / "take.wav"
    audio.write_bytes(b"RIFF")
    kept = store.add("keep me", 1, "tiny.en")
    doomed = store.add("delete me", 1, "tiny.en", audio_path=str(audio))
    assert store.delete(doomed.id) == doomed
    assert not audio.exists()
    assert store.get(doomed.id) is None
    assert store.search() == [kept]
    assert store.delete(doomed.id) is None
    # A deleted id is never handed out again.
    assert store.add("new", 1, "tiny.en").id > doomed.id


def test_delete_removes_what_a_retry_saved_beside_the_audio(
    store: HistoryStore, tmp_path: Path
) -> None:
    # History → Retry transcribes the kept recording in the Files tab, which saves the
    # text beside it: deleting the dictation left that text on disk.
    folder = tmp_path / "audio"
    folder.mkdir()
    audio = folder / "dictation-20261206-022456-5.wav"
    audio.write_bytes(b"RIFF")
    made = ["dictation-20261206-022456-5.txt", "dictation-20261206-022456-5-2.srt"]
    made += ["dictation-20261206-022456-5.partial.json"]
    made += ["dictation-20261206-022456-5.partial-2.txt"]  # as unused_path names a second
    others = ["dictation-20261206-022456-50.txt", "dictation-20261206-022456-5.wav.bak"]
    for name in made + others:
        (folder / name).write_text("words", encoding="utf-8")
    entry = store.add("delete me", 1, "tiny.en", audio_path=str(audio))
    store.delete(entry.id)
    assert sorted(path.name for path in folder.iterdir()) == sorted(others)


def test_delete_tolerates_audio_already_gone(store: HistoryStore, tmp_path: Path) -> None:
    entry = store.add("text", 1, "tiny.en", audio_path=str(tmp_path / "missing.wav"))
    assert store.delete(entry.id) == entry


def test_entries_persist_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with HistoryStore(path) as first:
        entry = first.add("persisted", 3.25, "tiny.en")
    with HistoryStore(path) as second:
        assert second.get(entry.id) == entry
        assert second.notice is None


def test_files_and_folders_are_private(hermetic_user_dirs: Path) -> None:
    with HistoryStore() as opened:
        opened.add("secret", 1, "tiny.en")
        assert mode_of(opened.path) == 0o600
        assert mode_of(opened.path.parent) == 0o700
        wal = opened.path.with_name(opened.path.name + "-wal")
        assert wal.exists()
        assert mode_of(wal) == 0o600
    folder = audio_dir()
    assert folder == hermetic_user_dirs / ".local/share/saytype/audio"
    assert mode_of(folder) == 0o700


def test_uses_wal_journal_and_schema_version(store: HistoryStore) -> None:
    probe = sqlite3.connect(store.path)
    try:
        assert probe.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert probe.execute("PRAGMA user_version").fetchone() == (2,)
    finally:
        probe.close()


def test_committed_entry_survives_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    child = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from app.core.output.history import HistoryStore\n"
        "store = HistoryStore(Path(sys.argv[1]))\n"
        "store.add('said just before the crash', 4.0, 'tiny.en')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", child, str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    with HistoryStore(path) as reopened:
        assert reopened.notice is None
        latest = reopened.latest()
        assert latest is not None
        assert latest.text == "said just before the crash"


def damage_random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def damage_truncate(path: Path) -> None:
    with HistoryStore(path) as healthy:
        for number in range(400):
            healthy.add(f"entry number {number} " * 10, 1, "tiny.en")
    with sqlite3.connect(path) as checkpoint:
        checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def damage_foreign_database(path: Path) -> None:
    foreign = sqlite3.connect(path)
    foreign.execute("CREATE TABLE recipes (name TEXT)")
    foreign.commit()
    foreign.close()


@pytest.mark.parametrize("damage", [damage_random_bytes, damage_truncate, damage_foreign_database])
def test_damaged_file_is_moved_aside(tmp_path: Path, damage: object) -> None:
    path = tmp_path / "history.sqlite3"
    damage(path)  # type: ignore[operator]
    damaged_bytes = path.read_bytes()

    with HistoryStore(path) as recovered:
        assert recovered.notice is not None
        moved = [
            p
            for p in tmp_path.iterdir()
            if p.name.startswith("history.sqlite3.corrupt-") and not p.name.endswith("-wal")
        ]
        assert len(moved) == 1
        assert moved[0].name[len("history.sqlite3.corrupt-") :].replace("-", "").isdigit()
        assert str(moved[0]) in recovered.notice
        assert moved[0].read_bytes() == damaged_bytes
        salvaged = recovered.count()  # what the damaged file still held (test_history_salvage)
        assert (salvaged > 0) == (damage is damage_truncate)
        recovered.add("a fresh start", 1, "tiny.en")
        assert recovered.latest() is not None

    with HistoryStore(path) as again:
        assert again.notice is None
        assert again.count() == salvaged + 1


def test_disk_full_raises_history_error(store: HistoryStore) -> None:
    store.add("fits", 1, "tiny.en")
    # A real SQLITE_FULL: cap the file at its current size, as a full disk would.
    (pages,) = store._connection.execute("PRAGMA page_count").fetchone()
    store._connection.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(HistoryError, match="disk is full") as raised:
        store.add("does not fit " * 5000, 1, "tiny.en")
    assert str(store.path) in str(raised.value)
    assert [e.text for e in store.search()] == ["fits"]


def test_closed_store_raises_history_error(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3")
    store.close()
    with pytest.raises(HistoryError, match="Could not save"):
        store.add("too late", 1, "tiny.en")
    with pytest.raises(HistoryError, match="Could not read"):
        store.search()


def test_unopenable_location_raises_history_error(tmp_path: Path) -> None:
    (tmp_path / "history.sqlite3").mkdir()
    with pytest.raises(HistoryError, match="Could not open"):
        HistoryStore(tmp_path / "history.sqlite3")


def test_writes_queued_on_the_lane_keep_their_order_and_survive_close(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    gate = threading.Event()
    store.writes.submit(gate.wait, 10)  # the disk is slow: everything queues behind this
    added = [store.writes.submit(store.add, f"text {n}", 1.0, "tiny.en") for n in range(5)]
    first = added[0]
    store.writes.submit(lambda: store.mark_delivered(first.result().id, "pasted"))
    gate.set()
    store.close()  # quitting now: the queued writes still land
    with HistoryStore(tmp_path / "h.sqlite3") as reopened:
        entries = reopened.search()
        assert [e.text for e in reversed(entries)] == [f"text {n}" for n in range(5)]
        assert reopened.get(first.result().id).delivered_to == "pasted"  # type: ignore[union-attr]


def test_a_read_sees_the_writes_queued_before_it(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        gate = threading.Event()
        store.writes.submit(gate.wait, 10)
        store.writes.submit(store.add, "queued", 1.0, "tiny.en")
        threading.Timer(0.05, gate.set).start()  # the disk answers while the read waits
        assert [e.text for e in store.search()] == ["queued"]


def test_a_history_from_before_profiles_is_kept_and_gains_the_profile_column(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    with old:
        old.execute(
            "CREATE TABLE dictations (id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " created_at REAL NOT NULL, text TEXT NOT NULL, duration_s REAL NOT NULL,"
            " model TEXT NOT NULL, audio_path TEXT, delivered_to TEXT)"
        )
        old.execute(
            "INSERT INTO dictations (created_at, text, duration_s, model) VALUES (1, 'old', 2, 'm')"
        )
        old.execute("PRAGMA user_version = 1")
    old.close()

    with HistoryStore(path) as store:
        assert store.notice is None
        (kept,) = store.search()
        assert (kept.text, kept.profile) == ("old", None)
        added = store.add("new", 1.0, "tiny.en", profile="Terminal")
        assert store.get(added.id) == added
        assert added.profile == "Terminal"
    probe = sqlite3.connect(path)
    try:
        assert probe.execute("PRAGMA user_version").fetchone() == (2,)
    finally:
        probe.close()
