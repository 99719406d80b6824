#!/usr/bin/env bash
# Install Saytype for the current user on a Debian/Ubuntu machine.
#
# - installs the system packages Saytype needs only when they are missing:
#   python3-venv and python3-pip, PortAudio for the microphone, and the
#   libraries Qt's window loads at run time (EGL/GL and the xcb libraries of
#   Qt's X11 plugin, which no Qt wheel ships); apt waits up to 5 minutes for
#   another package manager (an unattended upgrade) to finish;
# - creates .venv in the repository root (if absent) and installs Saytype
#   into it with pip (non-editable);
# - adds Saytype to the applications menu ($XDG_DATA_HOME/applications, with
#   its icon) and links ~/.local/bin/saytype to .venv/bin/saytype, unless
#   another Saytype installation already owns them.
#
# Safe to run repeatedly. Source it to call the steps one by one.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
PYTHON="${PYTHON:-python3}"
APP_ID="io.saytype.Saytype"
SYSTEM_PACKAGES=(python3-venv python3-pip)
# What the microphone and the window load at run time: "soname package".
RUNTIME_LIBRARIES=(
    "libportaudio.so.2 libportaudio2"
    "libEGL.so.1 libegl1"
    "libGL.so.1 libgl1"
    "libfontconfig.so.1 libfontconfig1"
    "libglib-2.0.so.0 libglib2.0-0"
    "libdbus-1.so.3 libdbus-1-3"
    "libX11-xcb.so.1 libx11-xcb1"
    "libxkbcommon-x11.so.0 libxkbcommon-x11-0"
    "libxcb-cursor.so.0 libxcb-cursor0"
    "libxcb-icccm.so.4 libxcb-icccm4"
    "libxcb-keysyms.so.1 libxcb-keysyms1"
    "libxcb-image.so.0 libxcb-image0"
    "libxcb-render-util.so.0 libxcb-render-util0"
    "libxcb-xinerama.so.0 libxcb-xinerama0"
    "libxcb-xkb.so.1 libxcb-xkb1"
    "libxcb-shape.so.0 libxcb-shape0"
    "libxcb-randr.so.0 libxcb-randr0"
    "libxcb-xfixes.so.0 libxcb-xfixes0"
    "libxcb-sync.so.1 libxcb-sync1"
    "libxcb-shm.so.0 libxcb-shm0"
)
# Wait for the dpkg lock (apt >= 1.9) instead of failing while another apt runs.
APT_GET=(apt-get -o DPkg::Lock::Timeout=300)

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

# The sonames the dynamic loader knows, one a line (empty when ldconfig is absent).
known_libraries() {
    local ldconfig
    ldconfig="$(command -v ldconfig || echo /sbin/ldconfig)"
    "$ldconfig" -p 2>/dev/null | awk 'NR > 1 { print $1 }' || true
}

# The packages to install: venv support, and each library neither the loader
# nor dpkg knows (a soname check also works where a package was renamed).
missing_packages() {
    local known entry soname package
    venv_supported || printf '%s\n' "${SYSTEM_PACKAGES[@]}"
    known="$(known_libraries)"
    for entry in "${RUNTIME_LIBRARIES[@]}"; do
        read -r soname package <<<"$entry"
        grep -qxF "$soname" <<<"$known" || pkg_installed "$package" || printf '%s\n' "$package"
    done
}

install_system_packages() {
    local missing=()
    mapfile -t missing < <(missing_packages)
    [ "${#missing[@]}" -gt 0 ] || return 0
    command -v apt-get >/dev/null 2>&1 \
        || die "these system packages are missing and apt-get is unavailable; install them manually: ${missing[*]}"
    log "Installing system packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive "${APT_GET[@]}" update -qq
    as_root env DEBIAN_FRONTEND=noninteractive \
        "${APT_GET[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
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

# Where the menu entry and the command link go (XDG: a relative path is invalid).
data_home() {
    local folder="${XDG_DATA_HOME:-$HOME/.local/share}"
    case "$folder" in /*) printf '%s\n' "$folder" ;; *) printf '%s\n' "$HOME/.local/share" ;; esac
}

# ~/.local/bin/saytype -> .venv/bin/saytype, unless it is someone else's.
link_command() {
    local target="$1" link="$HOME/.local/bin/saytype"
    if [ -L "$link" ] && [ "$(readlink "$link")" = "$target" ]; then
        return 0
    elif [ -e "$link" ] && ! [ -L "$link" ]; then
        log "kept $link: this script did not make it (a pip --user install?)"
        return 0
    elif [ -L "$link" ] && [ -e "$link" ]; then
        log "kept $link: it starts $(readlink "$link"); remove it to use this install"
        return 0
    fi
    mkdir -p "$(dirname "$link")"
    ln -sfn "$target" "$link"
    log "Linked $link"
    case ":$PATH:" in
        *":$HOME/.local/bin:"*) ;;
        *) log "note: ~/.local/bin is not on your PATH; add it to run 'saytype' from a terminal" ;;
    esac
}

# The applications menu's entry, with absolute paths (the menu does not read
# the shell's PATH), and the icon it names.
install_menu_entry() {
    local saytype="$1" share entry existing
    share="$(data_home)"
    entry="$share/applications/$APP_ID.desktop"
    case "$saytype" in
        *[\"\`\$\\%\&\|]* | *$'\n'*)
            log "no menu entry: the path $saytype holds one of \" \` \$ \\ % & |, which a desktop entry cannot start"
            return 0
            ;;
    esac
    if [ -f "$entry" ] && ! grep -qxF "TryExec=$saytype" "$entry"; then
        existing="$(sed -n 's/^TryExec=//p' "$entry" | head -n 1)"
        if [ -n "$existing" ] && [ -x "$existing" ]; then
            log "kept the menu entry $entry: it starts $existing"
            return 0
        fi
    fi
    mkdir -p "$share/applications" "$share/icons/hicolor/scalable/apps"
    sed -e "s|^Exec=saytype|Exec=\"$saytype\"|" \
        -e "s|^TryExec=saytype\$|TryExec=$saytype|" \
        "$REPO_ROOT/packaging/linux/$APP_ID.desktop" >"$entry.new"
    mv "$entry.new" "$entry"
    cp "$REPO_ROOT/resources/icons/saytype.svg" "$share/icons/hicolor/scalable/apps/saytype.svg"
    touch "$share/icons/hicolor"  # a newer folder tells GTK and Qt to rescan the theme
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$share/applications" 2>/dev/null || true
    fi
    log "Added Saytype to the applications menu ($entry)"
}

install_launchers() {
    local saytype="$VENV/bin/saytype"
    [ -x "$saytype" ] || die "$saytype is missing; install Saytype into $VENV first"
    link_command "$saytype"
    install_menu_entry "$saytype"
}

main() {
    install_system_packages
    install_saytype
    install_launchers
    log "Done. Run: $VENV/bin/saytype --help"
    echo "(from the repository root: .venv/bin/saytype --help; the window: 'saytype' or the menu)"
}

# Allow sourcing this file to call the steps individually.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
