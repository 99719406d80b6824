"""Profiles: which one a window gets, what it changes, and the file that keeps them.

A profile changes only what it names; the rules are read top to bottom; the
Default profile applies when nothing matches. Saytype's own file never stops
the app (a damaged one is moved aside, nothing lost), and a file to import is
all or nothing, with one sentence that says what is wrong.
"""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

import pytest

from app.core.profiles.profile import (
    DEFAULT_PROFILE,
    Profile,
    ProfileError,
    apply_profile,
)
from app.core.profiles.profile_file import (
    book_to_data,
    load_profiles,
    profiles_path,
    read_profile_file,
    save_profiles,
)
from app.core.profiles.profile_rules import ProfileBook, WindowIdentity
from app.core.profiles.profile_suggestions import SUGGESTIONS
from app.core.settings import Settings
from app.core.text.replacements import DEFAULT_REPLACEMENTS
from app.core.text.shaper import ShapingOptions, TextShaper

XTERM = WindowIdentity("xterm", "XTerm", "user@host: ~")
EDITOR = WindowIdentity("code", "Code", "main.py - project - Visual Studio Code")

TERMINAL = Profile(
    "Terminal",
    window_class="term",
    overrides={"after_text": "enter", "style": "plain", "paste_keys": "ctrl+shift+v"},
)
CHAT = Profile("Chat", window_title="slack|element", overrides={"after_text": "enter"})


def test_the_first_matching_rule_wins_and_nothing_matching_gives_the_default() -> None:
    narrow = Profile("Root shell", window_class="^xterm$", window_title="root@")
    book = ProfileBook(profiles=(narrow, TERMINAL, CHAT))

    assert book.choose(XTERM).name == "Terminal"  # the title rule of the first does not match
    assert book.choose(WindowIdentity("xterm", "XTerm", "root@box: /")).name == "Root shell"
    assert book.choose(EDITOR).name == DEFAULT_PROFILE
    assert book.choose(None).name == DEFAULT_PROFILE  # no window known (Wayland today)
    assert book.choose(WindowIdentity("", "", "Element | Room")).name == "Chat"


def test_a_pattern_that_runs_away_on_a_title_gives_up_and_the_next_rule_applies() -> None:
    # Imported without a complaint (it is a valid pattern); on this title Python's re
    # searched for minutes holding the interpreter, and the whole app froze at the press.
    runaway = Profile("Docs", window_title=r"^(\w+\s?)+$", overrides={"style": "plain"})
    book = ProfileBook(profiles=(runaway, CHAT))
    title = "Quarterly report for the finance team draft version!"
    window = WindowIdentity("xterm", "XTerm", title)
    finished = threading.Event()
    chosen: list[str] = []

    def choose() -> None:
        chosen.append(book.choose(window).name)
        finished.set()

    threading.Thread(target=choose, daemon=True).start()
    assert finished.wait(timeout=10), "the match never gave up"
    assert chosen == [DEFAULT_PROFILE]  # not matched: the log says why
    assert book.choose(WindowIdentity("", "", "Element | Room")).name == "Chat"


def test_a_profile_changes_only_what_it_names() -> None:
    settings = Settings(delivery="type", trailing_space=True, numbers_as_digits=True)
    chosen = apply_profile(TERMINAL, settings)

    assert chosen.settings == settings  # none of its overrides are global settings
    assert chosen.after_keys == ("enter",)
    assert chosen.paste_keys == ("ctrl", "shift", "v")
    assert chosen.plain
    mail = apply_profile(Profile("Mail", "thunderbird", overrides={"delivery": "paste"}), settings)
    assert mail.settings == settings.replace(delivery="paste")
    assert (mail.after_keys, mail.paste_keys) == ((), ())
    assert not mail.plain
    assert not mail.space_after


def test_keys_after_the_text_take_the_place_of_the_trailing_space() -> None:
    settings = Settings(trailing_space=True)
    assert not apply_profile(TERMINAL, settings).shaping_options().trailing_space  # Enter
    assert apply_profile(Profile("Mail", "thunderbird"), settings).shaping_options().trailing_space
    assert not apply_profile(Profile("Mail", "x"), Settings(trailing_space=False)).space_after


def test_words_extend_the_global_ones_unless_the_profile_keeps_its_own() -> None:
    settings = Settings(vocabulary=("Saytype",))
    added = {"vocabulary": ("kubectl",), "replacements": (("say type", "saytype-cli"),)}
    extended = apply_profile(Profile("Shell", "term", overrides=added), settings).settings
    assert extended.vocabulary == ("Saytype", "kubectl")
    assert extended.replacements == (*DEFAULT_REPLACEMENTS, ("say type", "saytype-cli"))
    own = apply_profile(Profile("Shell", "term", overrides={**added, "words": "own"}), settings)
    assert own.settings.vocabulary == ("kubectl",)
    assert own.settings.replacements == (("say type", "saytype-cli"),)


@pytest.mark.parametrize(
    ("profile", "sentence"),
    [
        (lambda: Profile("", "x"), "needs a name"),
        (lambda: Profile("A\x1b[31mRED\n\tX", "x"), "one line of at most 80 printable"),
        (lambda: Profile("x" * 5_000_000, "x"), "one line of at most 80 printable"),
        (lambda: Profile("Nowhere"), "needs a window class or title pattern"),
        (lambda: Profile(DEFAULT_PROFILE, "xterm"), "takes no window rule"),
        (lambda: Profile("Bad", "([a-"), "is not valid"),
        (lambda: Profile("Bad", "x", overrides={"after_text": "tab"}), "'tab' is not one of"),
        (lambda: Profile("Bad", "x", overrides={"hotkey": "f9"}), "a profile cannot change"),
        (lambda: Profile("Bad", "x", overrides={"language": "English"}), "not a language Whisper"),
        (lambda: Profile("Bad", "x", overrides={"language": "xx"}), "not a language Whisper"),
        (lambda: Profile("Bad", "x", overrides={"after_txt": "x"}), "did you mean after_text?"),
        (
            lambda: Profile("Bad", "x", overrides={"trailing_space": "yes"}),
            "expected true or false, got text",
        ),
    ],
)
def test_an_invalid_profile_is_refused_with_a_sentence(profile: object, sentence: str) -> None:
    with pytest.raises(ProfileError, match=sentence):
        profile()  # type: ignore[operator]


def test_names_are_unique_whatever_their_case() -> None:
    with pytest.raises(ProfileError, match="Two profiles are called 'chat'"):
        ProfileBook(profiles=(CHAT, Profile("chat", "x")))


def test_profiles_are_saved_and_read_back_unchanged(tmp_path: Path) -> None:
    book = ProfileBook(
        Profile(DEFAULT_PROFILE, overrides={"trailing_space": True}),
        (
            TERMINAL,
            CHAT,
            Profile("Editor", "code", overrides={"replacements": (("dash", "-"),)}),
        ),
    )
    save_profiles(book)

    assert load_profiles().book == book
    assert load_profiles().notice is None
    written = json.loads(profiles_path().read_text(encoding="utf-8"))
    assert written["format"] == 1
    assert written["profiles"][0] == {
        "name": "Terminal",
        "window_class": "term",
        "settings": {"after_text": "enter", "style": "plain", "paste_keys": "ctrl+shift+v"},
    }


def test_no_file_means_only_the_default_profile() -> None:
    loaded = load_profiles()
    assert loaded.book == ProfileBook()
    assert loaded.notice is None


def test_a_damaged_file_is_moved_aside_with_one_sentence_and_nothing_lost() -> None:
    path = profiles_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"profiles": [{"name": "Terminal", ', encoding="utf-8")

    loaded = load_profiles()

    assert loaded.book == ProfileBook()
    assert loaded.notice == (
        f"Your profiles file was damaged and was moved to {path}.bak; "
        "only the Default profile applies until you import it again or add profiles."
    )
    assert path.with_name("profiles.json.bak").read_text(encoding="utf-8").startswith('{"profiles"')
    assert not path.exists()


def test_a_wrong_setting_is_named_and_its_profile_still_applies() -> None:
    # A misspelt or wrong setting left the whole profile out; the next save of the list
    # from Settings then deleted it for good.
    data = book_to_data(ProfileBook(profiles=(TERMINAL,)))
    settings = {"after_text": 1, "delivry": "type", "style": "Plain"}
    data["profiles"].append({"name": "Chat", "window_title": "slack", "settings": settings})
    path = profiles_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")

    loaded = load_profiles()

    chat = Profile("Chat", window_title="slack", overrides={"style": "plain"})
    assert loaded.book == ProfileBook(profiles=(TERMINAL, chat))
    assert loaded.notice == (
        f"In {path}: "
        "Profile 'Chat': after_text: 1 is not one of nothing, space, enter, ctrl+enter, "
        "shift+enter; it is ignored. "
        "Profile 'Chat': delivry: a profile cannot change this (did you mean delivery?); "
        "it is ignored."
    )


def test_an_invalid_profile_is_left_out_named_and_kept_in_a_copy_of_the_file() -> None:
    data = book_to_data(ProfileBook(profiles=(TERMINAL,)))
    data["profiles"].append({"name": "Chat", "window_title": "slack(", "settings": {}})
    path = profiles_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    as_written = path.read_bytes()

    loaded = load_profiles()

    assert loaded.book == ProfileBook(profiles=(TERMINAL,))
    copy = path.with_name("profiles.json.bak")
    assert loaded.notice == (
        f"Some profiles in {path} were not valid and are not used: Profile 'Chat': the title "
        "pattern 'slack(' is not valid (missing ), unterminated subpattern at position 5). "
        f"The file as it was is kept as {copy}."
    )
    save_profiles(loaded.book)  # what Settings does with the profiles it shows
    assert copy.read_bytes() == as_written  # the left-out profile is still there
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    path.write_bytes(as_written)
    assert load_profiles().notice == loaded.notice  # one copy, not one per start
    assert not path.with_name("profiles.json.bak.2").exists()


def test_a_key_saytype_does_not_know_is_named_and_the_profile_still_applies() -> None:
    # "setings" once left a profile changing nothing, without a word; then refusing the
    # profile made the next save of the list delete it ("comment" keys are common).
    data = book_to_data(ProfileBook(profiles=(TERMINAL,)))
    data["profiles"].append({"name": "Chat", "window_title": "slack", "setings": {}})
    data["profiles"][0]["comment"] = "my shells"
    data["default"] = {"settings": {"trailing_space": True}, "window_class": "x"}
    path = profiles_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")

    loaded = load_profiles()

    assert [profile.name for profile in loaded.book.profiles] == ["Terminal", "Chat"]
    assert loaded.book.profiles[0] == TERMINAL
    assert loaded.book.default.overrides == {"trailing_space": True}
    assert loaded.notice == (
        f"In {path}: "
        "The Default profile applies everywhere, so its window rule is ignored. "
        "Profile 'Terminal': 'comment' is not a key Saytype knows (it knows name, "
        "window_class, window_title, settings); it is ignored. "
        "Profile 'Chat': 'setings' is not a key Saytype knows (did you mean settings?); "
        "it is ignored."
    )
    shared = path.with_name("shared.json")
    shared.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProfileError, match="applies everywhere, so it takes none"):
        read_profile_file(shared)  # an import is all or nothing
    del data["default"]
    shared.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"'comment' is not a key Saytype knows \(it knows"):
        read_profile_file(shared)


def test_a_file_to_import_is_all_or_nothing(tmp_path: Path) -> None:
    shared = tmp_path / "shared.json"
    shared.write_text(
        json.dumps({"format": 1, "profiles": [profile_data(CHAT), {"name": "Bad"}]}),
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as refused:
        read_profile_file(shared)
    assert str(refused.value) == (
        f"{shared}: Profile 'Bad' needs a window class or title pattern to match."
    )
    shared.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"shared.json is not valid JSON \("):
        read_profile_file(shared)
    with pytest.raises(ProfileError, match=r"There is no file .*missing.json\."):
        read_profile_file(tmp_path / "missing.json")


def test_importing_replaces_profiles_of_the_same_name_in_place_and_adds_new_ones() -> None:
    mine = ProfileBook(profiles=(TERMINAL, CHAT))
    louder_chat = Profile("chat", window_title="discord", overrides={"after_text": "ctrl+enter"})
    mail = Profile("Mail", "thunderbird", overrides={"capitalize_first": True})

    merged = mine.merged(ProfileBook(profiles=(mail, louder_chat)))

    assert merged.profiles == (TERMINAL, louder_chat, mail)
    assert merged.default == mine.default


def profile_data(profile: Profile) -> dict[str, object]:
    return book_to_data(ProfileBook(profiles=(profile,)))["profiles"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("heard", "plain"),
    [
        (" List the files.", "list the files"),
        (" Git status. Then I check NASA's logs.", "git status. then I check NASA's logs"),
        (" Wait for it...", "wait for it..."),
        (" Is it done?", "is it done?"),
    ],
)
def test_the_plain_style_has_no_automatic_capitals_and_no_final_full_stop(
    heard: str, plain: str
) -> None:
    chosen = apply_profile(TERMINAL, Settings())
    assert TextShaper(chosen.shaping_options()).shape(heard) == plain
    assert TextShaper(ShapingOptions.from_settings(Settings())).shape(heard) != plain


def test_profiles_are_added_edited_moved_and_removed_by_name() -> None:
    book = ProfileBook(profiles=(TERMINAL, CHAT))
    renamed = Profile("Shell", "term", overrides={"after_text": "nothing"})

    assert book.with_profile(renamed, replacing="terminal").profiles == (renamed, CHAT)
    assert book.with_profile(renamed).profiles == (TERMINAL, CHAT, renamed)
    assert book.moved("Chat", -1).profiles == (CHAT, TERMINAL)
    assert book.moved("Chat", 5).profiles == (TERMINAL, CHAT)
    assert book.without("TERMINAL").profiles == (CHAT,)
    louder = Profile(DEFAULT_PROFILE, overrides={"after_text": "enter"})
    assert book.with_profile(louder).default == louder
    with pytest.raises(ProfileError, match="Two profiles are called 'chat'"):
        book.with_profile(Profile("Chat", "x"), replacing="Terminal")


def test_the_suggestions_match_the_apps_they_are_for() -> None:
    book = ProfileBook(profiles=SUGGESTIONS)
    for window in (
        XTERM,
        WindowIdentity("gnome-terminal-server", "Gnome-terminal", "~"),
        WindowIdentity("org.wezfurlong.wezterm", "org.wezfurlong.wezterm", "zsh"),
        WindowIdentity("kitty", "kitty", "vim"),
        WindowIdentity("st-256color", "st-256color", "x"),
    ):
        assert book.choose(window).name == "Terminals", window
    assert book.choose(WindowIdentity("slack", "Slack", "general")).name == "Chat apps"
    assert book.choose(EDITOR).name == DEFAULT_PROFILE
    assert book.choose(WindowIdentity("firstwindow", "Firstwindow", "st")).name == DEFAULT_PROFILE


def test_a_value_of_the_wrong_kind_is_named_as_json_names_it(tmp_path: Path) -> None:
    shared = tmp_path / "shared.json"
    chat = {"name": "Chat", "window_title": "slack", "settings": {"snippets": {"hi": "Hello"}}}
    shared.write_text(json.dumps({"profiles": [chat]}), encoding="utf-8")
    with pytest.raises(ProfileError) as refused:
        read_profile_file(shared)
    assert str(refused.value) == (
        f"{shared}: Profile 'Chat': snippets: expected a list, got an object."
    )
