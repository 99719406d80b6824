#!/usr/bin/env bash
# Build the standalone Saytype bundle: dist/saytype/ (Linux, one folder).
#
#   packaging/build.sh [--fresh]
#
# - creates a clean virtual environment in build/bundle-venv (reused while
#   pyproject.toml and the Python version are unchanged; --fresh recreates it)
#   holding Saytype (`pip install .`, no test tools) and PyInstaller;
# - runs packaging/pyinstaller/saytype.spec;
# - adds the desktop integration to the bundle: share/applications,
#   share/metainfo and share/icons/hicolor (PNGs rendered from
#   resources/icons/saytype.svg with Qt), and install.sh at its top.
#
# Prints the build time and the bundle's size. Install the result with
# dist/saytype/install.sh (see packaging/README.md).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="$REPO_ROOT/build/bundle-venv"
WORK="$REPO_ROOT/build/pyinstaller"
DIST="$REPO_ROOT/dist"
BUNDLE="$DIST/saytype"
APP_ID="io.saytype.Saytype"

export PIP_DISABLE_PIP_VERSION_CHECK=1

log() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

fresh=0
for arg in "$@"; do
    case "$arg" in
        --fresh) fresh=1 ;;
        -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
        *) die "unknown option '$arg' (try --help)" ;;
    esac
done

[ "$(uname -s)" = "Linux" ] || die "this script builds the Linux bundle; see packaging/README.md for Windows and macOS"
command -v "$PYTHON" >/dev/null || die "$PYTHON not found; set PYTHON=/path/to/python3.10+"

started=$(date +%s)

# The venv is reused only while what it was built from is unchanged.
stamp="$(cat "$REPO_ROOT/pyproject.toml" && "$PYTHON" -c 'import sys; print(sys.version)')"
stamp="$(printf '%s' "$stamp" | sha256sum | cut -d' ' -f1)"
if [ "$fresh" -eq 1 ] || [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.saytype-stamp" 2>/dev/null)" != "$stamp" ]; then
    log "creating a clean virtual environment in ${VENV#"$REPO_ROOT"/}"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q pyinstaller
    printf '%s\n' "$stamp" >"$VENV/.saytype-stamp"
fi

log "installing Saytype into the build environment"
# Non-editable and forced, so the bundle holds the working tree as it is now.
(cd "$REPO_ROOT" && "$VENV/bin/python" -m pip install -q --force-reinstall --no-deps .)
(cd "$REPO_ROOT" && "$VENV/bin/python" -m pip install -q .)

log "running PyInstaller"
rm -rf "$BUNDLE"
# Run outside the repository so that `app` is imported from the venv, not the tree.
(cd "$REPO_ROOT/build" && "$VENV/bin/pyinstaller" --noconfirm --log-level WARN \
    --distpath "$DIST" --workpath "$WORK" \
    "$REPO_ROOT/packaging/pyinstaller/saytype.spec")
[ -x "$BUNDLE/saytype" ] || die "PyInstaller finished but $BUNDLE/saytype is missing"

log "adding the desktop integration"
mkdir -p "$BUNDLE/share/applications" "$BUNDLE/share/metainfo"
cp "$REPO_ROOT/packaging/linux/$APP_ID.desktop" "$BUNDLE/share/applications/"
cp "$REPO_ROOT/packaging/linux/$APP_ID.metainfo.xml" "$BUNDLE/share/metainfo/"
QT_QPA_PLATFORM=offscreen "$VENV/bin/python" "$REPO_ROOT/packaging/render_icons.py" \
    "$REPO_ROOT/resources/icons/saytype.svg" --hicolor "$BUNDLE/share/icons/hicolor"
install -m 0755 "$REPO_ROOT/packaging/linux/install.sh" "$BUNDLE/install.sh"

elapsed=$(($(date +%s) - started))
log "built $BUNDLE in ${elapsed}s"
log "bundle size: $(du -sh "$BUNDLE" | cut -f1)"
