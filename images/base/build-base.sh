#!/bin/sh
# Build a minimal Debian root filesystem tarball with debootstrap, from the
# mirror the host's apt already uses (no container registry needed).
#
#   images/base/build-base.sh OUT.tar        # then: docker import OUT.tar dflab/debian-base:bookworm
#
# Environment: SUITE (default bookworm), MIRROR (default: read from the host's
# /etc/apt sources), ARCH (default: the host's dpkg architecture).
# dflab calls this from `dflab images build` / `make images`; it needs root.
set -eu

OUT=${1:?usage: build-base.sh OUT.tar}
SUITE=${SUITE:-bookworm}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        exec sudo -E SUITE="$SUITE" MIRROR="${MIRROR:-}" "$0" "$@"
    fi
    echo "build-base.sh: debootstrap needs root (fix: run as root or install sudo)" >&2
    exit 1
fi

if ! command -v debootstrap >/dev/null 2>&1; then
    echo "build-base.sh: installing debootstrap with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends debootstrap >&2 \
        || { apt-get update >&2 && apt-get install -y --no-install-recommends debootstrap >&2; }
fi

if [ -z "${MIRROR:-}" ]; then
    eval "$(PYTHONPATH="$ROOT" python3 -m runner.backends.aptsources --suite "$SUITE" --shell)"
fi
ARCH=${ARCH:-$(dpkg --print-architecture)}
INCLUDE=""
case "$MIRROR" in https:*) INCLUDE="--include=ca-certificates" ;; esac

WORK=$(mktemp -d /var/tmp/dflab-base.XXXXXX)
trap 'rm -rf "$WORK"' EXIT INT TERM
RFS="$WORK/rootfs"
echo "build-base.sh: debootstrap $SUITE ($ARCH, minbase) from $MIRROR" >&2
# shellcheck disable=SC2086
debootstrap --variant=minbase --arch="$ARCH" $INCLUDE "$SUITE" "$RFS" "$MIRROR" >&2

# The image's apt uses the same Debian sources as the host (and its security suite).
rm -f "$RFS/etc/apt/sources.list"
PYTHONPATH="$ROOT" python3 -m runner.backends.aptsources --suite "$SUITE" --sources \
    > "$RFS/etc/apt/sources.list.d/debian.sources" 2>/dev/null \
    || printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$MIRROR" "$SUITE" > "$RFS/etc/apt/sources.list.d/debian.sources"
# Snapshot mirrors serve Release files past their Valid-Until date: keep the
# host's decision on that (and nothing else from the host's apt config).
apt-config dump 2>/dev/null | grep -E '^Acquire::Check-(Valid-Until|Date) ' \
    > "$RFS/etc/apt/apt.conf.d/50dflab-host" || true

# Keep images lean, as the official slim images do.
cat > "$RFS/etc/dpkg/dpkg.cfg.d/90dflab-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
CFG
cat > "$RFS/etc/apt/apt.conf.d/90dflab-slim" <<'CFG'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
Acquire::CompressionTypes::Order:: "gz";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
CFG
rm -rf "$RFS"/var/lib/apt/lists/* "$RFS"/var/cache/apt/* "$RFS"/var/log/* \
    "$RFS"/usr/share/doc/* "$RFS"/usr/share/man/* "$RFS"/usr/share/info/* \
    "$RFS"/tmp/* "$RFS"/var/tmp/*
find "$RFS/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
: > "$RFS/etc/machine-id"
: > "$RFS/etc/resolv.conf"
echo dflab > "$RFS/etc/hostname"

mkdir -p "$(dirname "$OUT")"
tar --numeric-owner --xattrs -C "$RFS" -cf "$OUT" .
echo "build-base.sh: wrote $OUT ($(du -h "$OUT" | cut -f1))" >&2
