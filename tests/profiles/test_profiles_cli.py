"""``saytype profiles …`` as a user runs it: real child processes, real files.

Someone shares a profiles file; ``import`` adds it (all or nothing), ``list``
and ``show`` tell what is there, ``export`` writes a file that imports back
the same. Every mistake is one sentence and exit status 1, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.core.profiles.profile_file import load_profiles, profiles_path

SHARED = {
    "format": 1,
    "default": {"settings": {"trailing_space": True}},
    "profiles": [
        {
            "name": "Terminal",
            "window_class": "xterm|kitty",
            "settings": {"after_text": "enter", "style": "plain", "paste_keys": "ctrl+shift+v"},
        },
        {"name": "Chat", "window_title": "slack", "settings": {"after_text": "enter"}},
    ],
}


def saytype(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        check=False,
    )


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_shared_file_is_imported_listed_shown_and_exported_back(tmp_path: Path) -> None:
    imported = saytype("profiles", "import", write(tmp_path / "shared.json", SHARED))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout == (
        f"Imported 3 profiles (Default, Terminal, Chat) into {profiles_path()}\n"
    )

    listing = saytype("profiles", "list")
    assert listing.returncode == 0, listing.stderr
    assert [line.split()[0] for line in listing.stdout.splitlines()] == [
        "Default",
        "Terminal",
        "Chat",
    ]
    assert "after_text=enter, style=plain, paste_keys=ctrl+shift+v" in listing.stdout
    as_json = saytype("profiles", "list", "--json")
    assert [json.loads(line) for line in as_json.stdout.splitlines()][1:] == SHARED["profiles"]

    shown = saytype("profiles", "show", "terminal")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == SHARED["profiles"][0]  # type: ignore[index]

    exported = saytype("profiles", "export", tmp_path / "mine.json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads((tmp_path / "mine.json").read_text(encoding="utf-8")) == SHARED


def test_importing_again_replaces_profiles_of_the_same_name(tmp_path: Path) -> None:
    saytype("profiles", "import", write(tmp_path / "shared.json", SHARED))
    newer_chat = {
        "name": "chat",
        "window_title": "element",
        "settings": {"after_text": "ctrl+enter"},
    }
    again = saytype("profiles", "import", write(tmp_path / "chat.json", {"profiles": [newer_chat]}))

    assert again.returncode == 0, again.stderr
    assert again.stdout == f"Imported 1 profile (chat) into {profiles_path()}\n"
    book = load_profiles().book
    assert [profile.name for profile in book.profiles] == ["Terminal", "chat"]
    assert book.profiles[1].overrides == {"after_text": "ctrl+enter"}
    assert book.default.overrides == {"trailing_space": True}  # the file had no Default


def test_a_file_with_a_default_that_changes_nothing_resets_the_default(tmp_path: Path) -> None:
    """An exported book always has a "default" entry: importing one made before the Default
    profile was changed is how a user puts it back."""
    plain = {"format": 1, "default": {"settings": {}}, "profiles": []}
    saytype("profiles", "import", write(tmp_path / "shared.json", SHARED))
    assert load_profiles().book.default.overrides == {"trailing_space": True}

    reset = saytype("profiles", "import", write(tmp_path / "plain.json", plain))

    assert reset.returncode == 0, reset.stderr
    assert reset.stdout == f"Imported 1 profile (Default) into {profiles_path()}\n"
    book = load_profiles().book
    assert book.default.overrides == {}
    assert [profile.name for profile in book.profiles] == ["Terminal", "Chat"]


def test_mistakes_get_one_sentence_and_change_nothing(tmp_path: Path) -> None:
    saytype("profiles", "import", write(tmp_path / "shared.json", SHARED))
    before = profiles_path().read_bytes()
    bad = dict(SHARED, profiles=[{"name": "Bad", "window_class": "x", "settings": {"style": "x"}}])
    cases = {
        ("import", write(tmp_path / "bad.json", bad)): (
            f"{tmp_path / 'bad.json'}: Profile 'Bad': style: 'x' is not one of normal, plain."
        ),
        ("import", tmp_path / "missing.json"): f"There is no file {tmp_path / 'missing.json'}.",
        ("show", "Editor"): (
            "there is no profile called 'Editor'; 'saytype profiles list' shows them."
        ),
    }
    for args, sentence in cases.items():
        result = saytype("profiles", *args)
        assert result.returncode == 1
        assert result.stderr == f"saytype profiles: error: {sentence}\n"
        assert result.stdout == ""
    assert profiles_path().read_bytes() == before


def test_a_damaged_own_file_is_named_and_kept(tmp_path: Path) -> None:
    profiles_path().parent.mkdir(parents=True, exist_ok=True)
    profiles_path().write_text("{not json", encoding="utf-8")

    listing = saytype("profiles", "list")

    assert listing.returncode == 0
    assert listing.stdout.split()[0] == "Default"
    assert listing.stderr == (
        f"saytype profiles: Your profiles file was damaged and was moved to {profiles_path()}.bak; "
        "only the Default profile applies until you import it again or add profiles.\n"
    )
    assert profiles_path().with_name("profiles.json.bak").read_text(encoding="utf-8") == "{not json"


def test_remove_deletes_one_profile_and_keeps_the_default(tmp_path: Path) -> None:
    # A user could add profiles from the terminal but remove them only in Settings.
    assert saytype("profiles", "import", write(tmp_path / "shared.json", SHARED)).returncode == 0
    removed = saytype("profiles", "remove", "terminal")  # any case
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout == f"Removed the profile 'Terminal' from {profiles_path()}\n"
    book = load_profiles().book
    assert [profile.name for profile in book.all()] == ["Default", "Chat"]
    assert book.default.overrides == {"trailing_space": True}  # the Default one untouched

    for name, reason in (
        ("Terminal", "there is no profile called 'Terminal'"),
        ("default", "the Default profile applies where no rule matches"),
    ):
        refused = saytype("profiles", "remove", name)
        assert refused.returncode == 1
        assert refused.stdout == ""
        assert refused.stderr.startswith(f"saytype profiles: error: {reason}")
        assert len(refused.stderr.splitlines()) == 1
    assert [profile.name for profile in load_profiles().book.all()] == ["Default", "Chat"]
