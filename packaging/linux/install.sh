#!/usr/bin/env bash
# Install the standalone Saytype bundle for the current user, or remove it.
#
#   install.sh [--bundle DIR] [--prefix DIR]    install (or upgrade)
#   install.sh --uninstall [--prefix DIR]       remove everything install.sh added
#
# The bundle (DIR, default: the folder holding this script when it is the
# bundle, else dist/saytype of the repository) is copied to PREFIX/lib/saytype
# and linked as PREFIX/bin/saytype; PREFIX defaults to ~/.local. The desktop
# entry, AppStream metainfo and icons go to $XDG_DATA_HOME (~/.local/share):
# applications/, metainfo/ and icons/hicolor/. Every file placed outside
# PREFIX/lib/saytype is listed in a manifest there, so --uninstall removes
# exactly those, plus the start-at-login entry if it starts this copy.
# Settings, history and downloaded models are kept; the uninstaller says where.
# No root needed; nothing outside PREFIX, the data folder and the autostart
# entry is touched.
set -euo pipefail

APP_ID="io.saytype.Saytype"
MANIFEST_NAME=".saytype-install-manifest"

log() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

script_dir="$(cd "$(dirname "$0")" && pwd)"
bundle=""
prefix="$HOME/.local"
prefix_given=0
uninstall=0
while [ "$#" -gt 0 ]; do
    case "$1" in
        --uninstall) uninstall=1 ;;
        --bundle) [ "$#" -ge 2 ] || die "--bundle needs a folder"; bundle="$2"; shift ;;
        --prefix) [ "$#" -ge 2 ] || die "--prefix needs a folder"; prefix="$2"; prefix_given=1; shift ;;
        -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
        *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done

case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
lib_dir="$prefix/lib/saytype"
bin_link="$prefix/bin/saytype"
if [ "$prefix_given" -eq 1 ]; then
    data_home="$prefix/share"
else
    data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
    case "$data_home" in /*) ;; *) data_home="$HOME/.local/share" ;; esac  # XDG: relative is invalid
fi
config_home="${XDG_CONFIG_HOME:-$HOME/.config}"
case "$config_home" in /*) ;; *) config_home="$HOME/.config" ;; esac
manifest="$lib_dir/$MANIFEST_NAME"
hicolor="$data_home/icons/hicolor"

# Refresh the desktop's caches when their tools exist; a missing tool only
# means the menu notices the change at the next login.
refresh_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$data_home/applications" 2>/dev/null || true
    fi
    if [ -d "$hicolor" ]; then
        touch "$hicolor"  # a newer folder tells GTK and Qt to rescan the theme
        # Only refresh a cache that already exists: a new cache in a user's
        # hicolor folder would hide icons that other apps add there later.
        if [ -f "$hicolor/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
            gtk-update-icon-cache -q -t -f "$hicolor" 2>/dev/null || true
        fi
    fi
}

# Remove the now-empty folders a removed icon leaves, up to hicolor itself.
prune_icon_dirs() {
    local dir="$1"
    while [ "$dir" != "$hicolor" ] && [ "${dir#"$hicolor"/}" != "$dir" ]; do
        rmdir "$dir" 2>/dev/null || break
        dir="$(dirname "$dir")"
    done
}

# The start-at-login entry is removed only when it starts this installation.
remove_autostart_entry() {
    local entry="$config_home/autostart/saytype.desktop"
    [ -f "$entry" ] || return 0
    if grep -q -e "^Exec=.*$lib_dir/" -e "^Exec=.*$bin_link" "$entry"; then
        rm -f "$entry"
        log "removed the start-at-login entry $entry"
    else
        log "kept $entry: it starts another Saytype installation"
    fi
}

do_uninstall() {
    if [ ! -f "$manifest" ]; then
        [ -e "$lib_dir" ] && die "$lib_dir was not installed by this script (no $MANIFEST_NAME); remove it by hand"
        log "Saytype is not installed under $prefix"
        remove_autostart_entry
        return 0
    fi
    # A running copy would keep the socket and tray icon of a removed program.
    "$lib_dir/saytype" quit >/dev/null 2>&1 || true
    local path
    while IFS= read -r path; do
        [ -n "$path" ] || continue
        if [ "$path" = "$bin_link" ]; then
            # Only our own link: a later pip install may have put a script there.
            if [ -L "$bin_link" ] && [ "$(readlink "$bin_link")" = "$lib_dir/saytype" ]; then
                rm -f "$bin_link"
            fi
        elif [ -f "$path" ] || [ -L "$path" ]; then
            rm -f "$path"
            case "$path" in "$hicolor"/*) prune_icon_dirs "$(dirname "$path")" ;; esac
        fi
    done <"$manifest"
    rm -rf "$lib_dir"
    remove_autostart_entry
    refresh_caches
    log "Saytype removed from $prefix"
    log "your settings, history and models are kept in $config_home/saytype and $data_home/saytype"
}

find_bundle() {
    if [ -n "$bundle" ]; then
        printf '%s\n' "$bundle"
    elif [ -x "$script_dir/saytype" ] && [ -d "$script_dir/share/applications" ]; then
        printf '%s\n' "$script_dir"  # this script is the copy inside the bundle
    else
        printf '%s\n' "$(cd "$script_dir/../.." && pwd)/dist/saytype"
    fi
}

listed() {
    local wanted="$1" item
    shift
    for item in "$@"; do
        [ "$item" = "$wanted" ] && return 0
    done
    return 1
}

do_install() {
    local source
    source="$(cd "$(find_bundle)" 2>/dev/null && pwd)" \
        || die "no bundle at $(find_bundle); build it first with packaging/build.sh"
    [ -x "$source/saytype" ] || die "$source is not a Saytype bundle (no saytype executable); build it with packaging/build.sh"
    local desktop_source="$source/share/applications/$APP_ID.desktop"
    local metainfo_source="$source/share/metainfo/$APP_ID.metainfo.xml"
    [ -f "$desktop_source" ] || die "$source lacks share/applications/$APP_ID.desktop; rebuild it with packaging/build.sh"
    [ -f "$metainfo_source" ] || die "$source lacks share/metainfo/$APP_ID.metainfo.xml; rebuild it with packaging/build.sh"
    [ "$source" != "$lib_dir" ] || die "$source is already the installed copy"
    # These would need escaping in the desktop entry's Exec key and in sed.
    case "$lib_dir" in
        *[\"\`\$\\%\&\|]* | *$'\n'*) die "cannot install under $lib_dir: its path holds one of \" \` \$ \\ % & |; pass another --prefix" ;;
    esac
    if [ -e "$lib_dir" ] && [ ! -f "$manifest" ]; then
        die "$lib_dir exists but was not installed by this script; move it away first"
    fi
    if [ -e "$bin_link" ] && ! [ -L "$bin_link" ]; then
        die "$bin_link already exists (a pip install?); remove it, or pass --prefix to install elsewhere"
    fi

    log "copying the bundle to $lib_dir"
    mkdir -p "$prefix/lib" "$prefix/bin"
    local staging="$prefix/lib/.saytype.new.$$"
    rm -rf "$staging"
    trap 'rm -rf "$staging"' EXIT
    cp -a "$source/." "$staging/"
    rm -f "$staging/$MANIFEST_NAME"
    # Swap in one rename, so an upgrade never leaves half a program behind.
    if [ -e "$lib_dir" ]; then
        # Files of the previous version that this one no longer has.
        local old_manifest="$prefix/lib/.saytype.old-manifest.$$"
        cp "$manifest" "$old_manifest"
        rm -rf "$lib_dir"
    fi
    mv "$staging" "$lib_dir"
    trap - EXIT

    local installed=()
    ln -sfn "$lib_dir/saytype" "$bin_link"
    installed+=("$bin_link")

    mkdir -p "$data_home/applications" "$data_home/metainfo"
    local desktop_target="$data_home/applications/$APP_ID.desktop"
    # Absolute paths: the menu must not depend on ~/.local/bin being on PATH.
    sed -e "s|^Exec=saytype|Exec=\"$lib_dir/saytype\"|" \
        -e "s|^TryExec=saytype\$|TryExec=$lib_dir/saytype|" \
        "$desktop_source" >"$desktop_target"
    installed+=("$desktop_target")
    cp "$metainfo_source" "$data_home/metainfo/$APP_ID.metainfo.xml"
    installed+=("$data_home/metainfo/$APP_ID.metainfo.xml")

    local icon relative
    if [ -d "$source/share/icons/hicolor" ]; then
        while IFS= read -r icon; do
            relative="${icon#"$source/share/icons/hicolor/"}"
            mkdir -p "$(dirname "$hicolor/$relative")"
            cp "$icon" "$hicolor/$relative"
            installed+=("$hicolor/$relative")
        done < <(find "$source/share/icons/hicolor" -type f | sort)
    fi

    # Files the previous version installed and this one does not: removed.
    if [ -n "${old_manifest:-}" ]; then
        local path
        while IFS= read -r path; do
            listed "$path" "${installed[@]}" && continue
            if [ -f "$path" ] && [ "$path" != "$bin_link" ]; then
                rm -f "$path"
            fi
        done <"$old_manifest"
        rm -f "$old_manifest"
    fi

    printf '%s\n' "${installed[@]}" >"$manifest"
    refresh_caches
    log "Saytype installed: run 'saytype' or pick it from the applications menu"
    case ":$PATH:" in
        *":$prefix/bin:"*) ;;
        *) log "note: $prefix/bin is not on your PATH; add it to run 'saytype' from a terminal" ;;
    esac
}

if [ "$uninstall" -eq 1 ]; then
    do_uninstall
else
    do_install
fi
