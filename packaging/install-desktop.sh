#!/usr/bin/env sh
# Add Inspiration to the application menu of the current user (freedesktop desktops: GNOME, KDE, Xfce, ...).
# Usage: packaging/install-desktop.sh [--uninstall]      (the same as: inspiration install-desktop [--uninstall])
set -eu
command -v inspiration >/dev/null 2>&1 || { echo "install Inspiration first (see README.md)" >&2; exit 1; }
exec inspiration install-desktop "$@"
