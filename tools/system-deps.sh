#!/bin/sh
# Install the Debian packages listed in tools/system-packages.txt whose command is
# missing. Quiet when everything is there; needs root (or sudo) otherwise.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
missing=""
while read -r cmd pkg; do
    case "$cmd" in ''|'#'*) continue ;; esac
    command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
done < "$HERE/system-packages.txt"
[ -z "$missing" ] && exit 0
echo "system-deps: installing$missing from Debian's packages" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "system-deps: need root to install$missing (fix: sudo apt-get install$missing)" >&2
        exit 1
    }
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$SUDO apt-get install -y --no-install-recommends $missing >/dev/null \
    || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends $missing >/dev/null; }
