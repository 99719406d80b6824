#!/usr/bin/env bash
# Build the standalone bundle and check that it works on its own.
#
#   packaging/smoke-test.sh [--no-build]
#
# The bundle runs from an empty temporary folder with a bare environment
# (env -i: PATH=/usr/bin:/bin, an empty PYTHONPATH, HOME and XDG_RUNTIME_DIR
# in the temporary folder), so nothing from the repository or a virtual
# environment can leak in. Checks:
#   1. `saytype --version` prints the version of app/_version.py;
#   2. `saytype transcribe` of resources/samples/welcome.mp3 (bundled model,
#      PyAV decoding) against the sentence it was made from, by WER;
#   3. `saytype listen --input` of the same file (live pipeline, Silero VAD);
#   4. the GUI starts offscreen, answers `saytype status`, quits on
#      `saytype quit` and exits with status 0;
#   5. the same on a private Xvfb display (when installed), where the global
#      hotkey must start listening;
#   6. the bundle's install.sh into the temporary HOME: `saytype --version`
#      from ~/.local/bin, the GUI started by the installed desktop entry's
#      Exec (as a menu would), then --uninstall removes all of it.
# WER is computed by the test virtual environment (.venv, made by .ci/test),
# never by the bundle. Prints the build time, bundle size and total time.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TEST_PYTHON="${TEST_PYTHON:-$REPO_ROOT/.venv/bin/python}"
BUNDLE="$REPO_ROOT/dist/saytype"
SAMPLE="$REPO_ROOT/resources/samples/welcome.mp3"
MAX_WER="0.2"             # tiny.en hears the sample word for word; 3 errors in 16 words pass
GUI_START_DEADLINE_S=90   # a cold start on a loaded 2-core CI machine
GUI_EXIT_DEADLINE_S=30

started=$(date +%s)
failures=0
log() { printf '==> %s\n' "$*"; }
pass() { printf 'PASS: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

build=1
for arg in "$@"; do
    case "$arg" in
        --no-build) build=0 ;;
        -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
        *) die "unknown option '$arg' (try --help)" ;;
    esac
done

[ -x "$TEST_PYTHON" ] || die "no test Python at $TEST_PYTHON; run .ci/test first (or set TEST_PYTHON)"

build_s="skipped"
if [ "$build" -eq 1 ]; then
    build_started=$(date +%s)
    bash "$REPO_ROOT/packaging/build.sh"
    build_s="$(($(date +%s) - build_started))s"
fi
[ -x "$BUNDLE/saytype" ] || die "no bundle at $BUNDLE; run packaging/build.sh"

sandbox="$(mktemp -d -t saytype-smoke.XXXXXX)"
gui_pid=""
xvfb_pid=""
cleanup() {
    local pid
    for pid in "$gui_pid" "$xvfb_pid"; do
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$sandbox"
}
trap cleanup EXIT
mkdir -p "$sandbox/home" "$sandbox/work" "$sandbox/runtime"
chmod 0700 "$sandbox/runtime"

# The bundle, run from the empty work folder with nothing inherited.
bundle() {
    (cd "$sandbox/work" && env -i \
        HOME="$sandbox/home" \
        PATH=/usr/bin:/bin \
        PYTHONPATH= \
        LANG=C.UTF-8 \
        XDG_RUNTIME_DIR="$sandbox/runtime" \
        QT_QPA_PLATFORM=offscreen \
        "$BUNDLE/saytype" "$@")
}

# What welcome.mp3 says, as resources/samples/README.md records it.
reference="$("$TEST_PYTHON" - "$REPO_ROOT/resources/samples/README.md" <<'EOF'
import re, sys
from pathlib import Path
match = re.search(r'from the text\s+"([^"]+)"', Path(sys.argv[1]).read_text())
print(" ".join(match.group(1).split()) if match else "")
EOF
)"
[ -n "$reference" ] || die "no reference sentence found in resources/samples/README.md"

# WER of a hypothesis (argument 1) against the reference, by the test venv
# (the developer benchmarks' scorer, bench/saytype_bench/accuracy.py).
wer_of() {
    (cd "$REPO_ROOT" && PYTHONPATH="$REPO_ROOT/bench" "$TEST_PYTHON" -c '
import sys
from saytype_bench.accuracy import word_error_rate
print(f"{word_error_rate([sys.argv[1]], [sys.argv[2]]):.3f}")
' "$reference" "$1")
}

within() { "$TEST_PYTHON" -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)' "$@"; }

log "1. version"
expected_version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$REPO_ROOT/app/_version.py")"
version_output="$(bundle --version 2>&1)" || true
if [ "$version_output" = "saytype $expected_version" ]; then
    pass "saytype --version: $version_output"
else
    fail "saytype --version printed '$version_output', expected 'saytype $expected_version'"
fi

log "2. transcribe"
transcribe_text=""
if bundle transcribe "$SAMPLE" --format json >"$sandbox/transcribe.json" 2>"$sandbox/transcribe.err"; then
    transcribe_text="$("$TEST_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["text"])' \
        "$sandbox/transcribe.json")"
    transcribe_wer="$(wer_of "$transcribe_text")"
    if within "$transcribe_wer" "$MAX_WER"; then
        pass "transcribe WER $transcribe_wer: $transcribe_text"
    else
        fail "transcribe WER $transcribe_wer > $MAX_WER: '$transcribe_text'"
    fi
else
    fail "saytype transcribe failed: $(tail -5 "$sandbox/transcribe.err")"
    transcribe_wer="n/a"
fi

log "3. listen (live pipeline with the Silero VAD)"
if bundle listen --input "$SAMPLE" --speed 4 --push-to-talk --jsonl \
    >"$sandbox/listen.jsonl" 2>"$sandbox/listen.err"; then
    listen_text="$("$TEST_PYTHON" -c '
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print(next((line["text"] for line in reversed(lines) if line["type"] == "final"), ""))
' "$sandbox/listen.jsonl")"
    listen_wer="$(wer_of "$listen_text")"
    if within "$listen_wer" "$MAX_WER"; then
        pass "listen WER $listen_wer: $listen_text"
    else
        fail "listen WER $listen_wer > $MAX_WER: '$listen_text'"
    fi
else
    fail "saytype listen failed: $(tail -5 "$sandbox/listen.err")"
    listen_wer="n/a"
fi

gui_command=("$BUNDLE/saytype")  # what check_gui starts; step 6 points it at the installed copy
gui_wait_for=""  # a log line check_gui waits for before it quits the GUI

# Start the GUI (extra env assignments as arguments), wait until it answers
# `saytype status`, quit it, and check it exits with 0. Log in $sandbox/gui.log.
check_gui() {
    local label="$1" started state="" quit_sent status=0
    shift
    (cd "$sandbox/work" && env -i HOME="$sandbox/home" PATH=/usr/bin:/bin PYTHONPATH= \
        LANG=C.UTF-8 XDG_RUNTIME_DIR="$sandbox/runtime" "$@" "${gui_command[@]}" --verbose) \
        >"$sandbox/gui.log" 2>&1 &
    gui_pid=$!
    started=$(date +%s)
    while [ $(($(date +%s) - started)) -lt "$GUI_START_DEADLINE_S" ]; do
        if state="$(bundle status 2>/dev/null)"; then
            break
        fi
        state=""
        kill -0 "$gui_pid" 2>/dev/null || break  # it died: no point waiting
        sleep 0.5
    done
    if [ -z "$state" ]; then
        fail "$label: no answer to 'saytype status' within ${GUI_START_DEADLINE_S}s: $(tail -5 "$sandbox/gui.log")"
    else
        pass "$label: answers 'saytype status' after $(($(date +%s) - started))s: $(printf '%s' "$state" | head -1)"
        # A part that starts on its own thread (the X11 hotkey's grab) may log a moment
        # after the control socket answers: wait for its line before quitting.
        while [ -n "$gui_wait_for" ] && ! grep -q "$gui_wait_for" "$sandbox/gui.log" \
            && [ $(($(date +%s) - started)) -lt "$GUI_START_DEADLINE_S" ]; do
            sleep 0.2
        done
        bundle quit || fail "$label: 'saytype quit' was refused"
        quit_sent=$(date +%s)
        while kill -0 "$gui_pid" 2>/dev/null && [ $(($(date +%s) - quit_sent)) -lt "$GUI_EXIT_DEADLINE_S" ]; do
            sleep 0.2
        done
    fi
    if kill -0 "$gui_pid" 2>/dev/null; then
        fail "$label: still running ${GUI_EXIT_DEADLINE_S}s after 'saytype quit'"
        kill "$gui_pid" 2>/dev/null || true
    fi
    wait "$gui_pid" || status=$?
    gui_pid=""
    if [ "$status" -eq 0 ]; then
        pass "$label: exited with status 0"
    else
        fail "$label: exited with status $status: $(tail -5 "$sandbox/gui.log")"
    fi
    if grep -q "Traceback" "$sandbox/gui.log"; then
        fail "$label: printed a traceback: $(grep -A5 Traceback "$sandbox/gui.log" | head -20)"
    fi
}

log "4. GUI offscreen: start, status, quit"
check_gui "GUI (offscreen)" QT_QPA_PLATFORM=offscreen

log "5. GUI on X11 (Xvfb): the xcb platform plugin and the global hotkey (pynput, python-xlib)"
if command -v Xvfb >/dev/null 2>&1; then
    # -displayfd: Xvfb picks a free display and writes its number when ready.
    Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$sandbox/display" \
        >"$sandbox/xvfb.log" 2>&1 &
    xvfb_pid=$!
    xvfb_started=$(date +%s)
    until [ -s "$sandbox/display" ] || [ $(($(date +%s) - xvfb_started)) -ge 20 ]; do
        kill -0 "$xvfb_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -s "$sandbox/display" ]; then
        gui_wait_for="global hotkey .* listening"
        check_gui "GUI (X11)" DISPLAY=":$(head -1 "$sandbox/display")"
        gui_wait_for=""
        if grep -q "global hotkey .* listening" "$sandbox/gui.log"; then
            pass "GUI (X11): the global hotkey is listening"
        else
            fail "GUI (X11): no global hotkey: $(grep -i hotkey "$sandbox/gui.log" | head -3)"
        fi
    else
        fail "Xvfb did not start within 20s: $(tail -3 "$sandbox/xvfb.log")"
    fi
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
    xvfb_pid=""
else
    log "skipped: Xvfb is not installed (.ci/test installs it)"
fi

log "6. installed with install.sh: the terminal command and the desktop menu's entry"
installed_bin="$sandbox/home/.local/bin/saytype"
installed_lib="$sandbox/home/.local/lib/saytype"
desktop_entry="$sandbox/home/.local/share/applications/io.saytype.Saytype.desktop"
if env -i HOME="$sandbox/home" PATH=/usr/bin:/bin bash "$BUNDLE/install.sh" \
    >"$sandbox/install.log" 2>&1; then
    installed_version="$(cd "$sandbox/work" && env -i HOME="$sandbox/home" \
        PATH="$sandbox/home/.local/bin:/usr/bin:/bin" saytype --version 2>&1)" || true
    if [ "$installed_version" = "saytype $expected_version" ]; then
        pass "installed: 'saytype --version' from ~/.local/bin on PATH: $installed_version"
    else
        fail "installed: 'saytype --version' printed '$installed_version'"
    fi
    # What a desktop menu runs: the entry's Exec, without its field codes (%F etc).
    mapfile -t gui_command < <("$TEST_PYTHON" - "$desktop_entry" <<'EOF'
import configparser, shlex, sys
entry = configparser.ConfigParser(interpolation=None)
entry.read(sys.argv[1], encoding="utf-8")
for word in shlex.split(entry["Desktop Entry"]["Exec"]):
    if not (len(word) == 2 and word.startswith("%")):
        print(word)
EOF
)
    if [ "${#gui_command[@]}" -gt 0 ] && [ -x "${gui_command[0]}" ]; then
        check_gui "GUI from the desktop entry (${gui_command[*]})" QT_QPA_PLATFORM=offscreen
    else
        fail "installed: the desktop entry's Exec is not runnable: ${gui_command[*]:-none}"
    fi
    if env -i HOME="$sandbox/home" PATH=/usr/bin:/bin bash "$installed_lib/install.sh" \
        --uninstall >>"$sandbox/install.log" 2>&1 \
        && [ ! -e "$installed_bin" ] && [ ! -e "$desktop_entry" ] && [ ! -e "$installed_lib" ]; then
        pass "uninstalled: the command, the program and the desktop entry are gone"
    else
        fail "uninstall failed or left files: $(tail -3 "$sandbox/install.log")"
    fi
else
    fail "install.sh failed: $(tail -5 "$sandbox/install.log")"
fi

printf '\n'
log "build time: $build_s"
log "bundle size: $(du -sh "$BUNDLE" | cut -f1)"
log "WER: transcribe $transcribe_wer, listen $listen_wer (limit $MAX_WER)"
log "smoke test total: $(($(date +%s) - started))s"
if [ "$failures" -gt 0 ]; then
    log "$failures check(s) failed"
    exit 1
fi
log "all checks passed"
