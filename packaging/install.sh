#!/usr/bin/env bash
# Install Saytype for the current user on a Debian/Ubuntu machine.
#
# - installs the few system packages needed (python3-venv, python3-pip,
#   libportaudio2) only when they are missing;
# - creates .venv in the repository root (if absent) and installs Saytype
#   into it with pip (non-editable).
#
# Safe to run repeatedly.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
PYTHON="${PYTHON:-python3}"
SYSTEM_PACKAGES=(python3-venv python3-pip libportaudio2)

export PIP_DISABLE_PIP_VERSION_CHECK=1

log() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, via sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root privileges to run '$*' but sudo is not installed"
    fi
}

pkg_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

venv_supported() {
    "$PYTHON" -m venv --help >/dev/null 2>&1 && "$PYTHON" -c 'import ensurepip' >/dev/null 2>&1
}

portaudio_present() {
    pkg_installed libportaudio2 || ldconfig -p 2>/dev/null | grep -q 'libportaudio\.so\.2'
}

install_system_packages() {
    if venv_supported && portaudio_present; then
        return 0
    fi
    command -v apt-get >/dev/null 2>&1 \
        || die "python venv support or PortAudio is missing and apt-get is unavailable; install them manually: ${SYSTEM_PACKAGES[*]}"
    log "Installing system packages: ${SYSTEM_PACKAGES[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${SYSTEM_PACKAGES[@]}" >/dev/null
    venv_supported || die "'$PYTHON -m venv' still does not work after installing python3-venv"
}

install_saytype() {
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found"
    if [ ! -x "$VENV/bin/python" ]; then
        log "Creating virtual environment in $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    log "Installing Saytype into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    (cd "$REPO_ROOT" && "$VENV/bin/python" -m pip install -q .)
}

main() {
    install_system_packages
    install_saytype
    log "Done. Run: $VENV/bin/saytype --help"
    echo "(from the repository root: .venv/bin/saytype --help)"
}

main "$@"
