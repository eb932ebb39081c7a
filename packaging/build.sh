#!/usr/bin/env bash
# Builds the Debian packages of the appliance into dist/ and prints their paths, one a line:
#
#   appeal-terminal      the kiosk app, the sync agent, kioskctl; systemd units, udev rules,
#                        the cage kiosk session, example configuration, APT updates settings
#   appeal-terminal-sim  the simulated hardware (hardware-sim), optional, for test benches
#   appeal-city-server   the city server (Django under uvicorn) and its unit
#
#   bash packaging/build.sh                 # -> dist/*.deb
#   DIST_DIR=/tmp/out DEB_REVISION=2 bash packaging/build.sh
#
# How: the Debian way. packaging/debian/ is the debian/ folder of the source package: debhelper
# (dh, compat 13) with dh-virtualenv builds each program's virtualenv at the path it has on the
# target (/usr/lib/appeal-terminal/venv, /usr/lib/appeal-city-server/venv) on Debian's
# python3.11; dh_installsystemd, dh_installudev, dh_installsysusers and dh_installtmpfiles write
# the maintainer-script snippets; dh_shlibdeps finds the Debian libraries the wheels load. This
# script only prepares what dpkg-buildpackage needs and runs it (no root: Rules-Requires-Root: no):
#   1. the wheels of the pinned dependencies, built once into a cache (dist/.cache/wheels, keyed
#      by the requirement files and packaging/dev/constraints.txt), so that builds are offline;
#   2. a clean copy of the sources (git's tracked and not-ignored files) with packaging/debian as
#      its debian/, a changelog entry of the version (pyproject.toml's, with DEB_REVISION), and one
#      lock per virtualenv (every distribution, name==version, resolved by pip from the
#      requirement files and the constraints);
#   3. dpkg-buildpackage -b.
#
# Settings (environment): DIST_DIR (default dist/), APPEAL_BUILD_CACHE (default $DIST_DIR/.cache),
# DEB_COMPRESS and DEB_COMPRESS_LEVEL (dpkg-deb -Z and -z: xz or gzip; default xz 6; lintian in
# Debian 12 refuses zstd members), DEB_REVISION (default 1); for a city's fleet, APPEAL_REPO_URL
# (its signed APT repository, made by packaging/repo.sh) and APPEAL_REPO_KEYRING (the repository
# key's public part, the file repo.sh writes): appeal-terminal then installs the APT source
# /etc/apt/sources.list.d/appeal-terminal.sources and the key, and unattended-upgrades takes the
# updates from there.
# Needs (Debian 12): dpkg-dev debhelper dh-virtualenv python3-venv (packaging/dev/debian-packages.txt).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
say() { printf '==> [%4ss] %s\n' "$SECONDS" "$*" >&2; }

py=/usr/bin/python3.11
[ -x "$py" ] || { echo "build.sh: $py is needed (Debian 12: apt-get install python3 python3-venv)" >&2; exit 1; }
for tool in dpkg-buildpackage dh dh_virtualenv; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool is needed (apt-get install dpkg-dev debhelper dh-virtualenv)" >&2; exit 1; }
done

dist="${DIST_DIR:-$root/dist}"
cache="${APPEAL_BUILD_CACHE:-$dist/.cache}"
upstream="$("$py" -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')"
version="$upstream-${DEB_REVISION:-1}"
deb="$here/debian"
constraints="$root/packaging/dev/constraints.txt"
mkdir -p "$dist" "$cache"
dist="$(cd "$dist" && pwd)"
cache="$(cd "$cache" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/appeal-build.XXXXXX")"
trap '[ -n "${KEEP_BUILD:-}" ] || rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1

# 1. A build environment with pip, and the wheelhouse of pinned dependencies ---------------------
buildenv="$cache/buildenv"
if [ ! -x "$buildenv/bin/pip" ]; then
    say "Creating the build environment $buildenv"
    "$py" -m venv "$buildenv"
    "$buildenv/bin/pip" install -q "setuptools>=68" wheel
fi
pip="$buildenv/bin/pip"
wheels="$cache/wheels"
key="$(cat "$deb/requirements-terminal.txt" "$deb/requirements-server.txt" "$constraints" | sha256sum | cut -c1-16)"
if [ ! -f "$wheels/.complete-$key" ]; then
    say "Building the wheelhouse of pinned dependencies (once; cached in $wheels)"
    mkdir -p "$wheels"
    "$pip" wheel -q --wheel-dir "$wheels" -c "$constraints" \
        -r "$deb/requirements-terminal.txt" -r "$deb/requirements-server.txt"
    rm -f "$wheels"/.complete-*
    touch "$wheels/.complete-$key"
fi

# 2. The source tree for dpkg-buildpackage -------------------------------------------------------
say "Exporting the sources of appeal-terminal $version"
src="$work/appeal-terminal-$upstream"
mkdir -p "$src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$root" ls-files -z --cached --others --exclude-standard \
        | (cd "$root" && xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh) \
        | tar -C "$root" --null -T - -cf - | tar -C "$src" -xf -
else
    tar -C "$root" --exclude=./.venv --exclude=./dist --exclude=./build --exclude=./var -cf - . | tar -C "$src" -xf -
fi
rm -rf "$src/debian"
cp -a "$src/packaging/debian" "$src/debian"
sed -e "s/@VERSION@/$version/g" -e "s/@DATE@/$(date -u -R -d "@$SOURCE_DATE_EPOCH")/g" \
    "$deb/changelog.in" > "$src/debian/changelog"
# one lock per virtualenv: what pip resolves from the requirement file under the constraints
lock() {
    "$pip" install -q --dry-run --ignore-installed --no-index --find-links "$wheels" -c "$constraints" \
        -r "$1" --report "$work/report.json"
    "$py" -c 'import json, sys
for i in sorted(json.load(open(sys.argv[1]))["install"], key=lambda i: i["metadata"]["name"].lower()):
    print(i["metadata"]["name"] + "==" + i["metadata"]["version"])' \
        "$work/report.json" > "$2"
}
lock "$deb/requirements-terminal.txt" "$src/debian/lock-terminal.txt"
lock "$deb/requirements-server.txt" "$src/debian/lock-server.txt"

# 3. dpkg-buildpackage ---------------------------------------------------------------------------
if [ -n "${APPEAL_REPO_URL:-}" ]; then
    [ -f "${APPEAL_REPO_KEYRING:-}" ] || { echo "build.sh: APPEAL_REPO_URL needs APPEAL_REPO_KEYRING (a key file)" >&2; exit 1; }
    APPEAL_REPO_KEYRING="$(cd "$(dirname "$APPEAL_REPO_KEYRING")" && pwd)/$(basename "$APPEAL_REPO_KEYRING")"
    export APPEAL_REPO_URL APPEAL_REPO_KEYRING
fi
say "dpkg-buildpackage (debhelper, dh-virtualenv)"
export APPEAL_WHEELHOUSE="$wheels"
export DH_COMPRESS="${DEB_COMPRESS:-xz}" DH_COMPRESS_LEVEL="${DEB_COMPRESS_LEVEL:-6}"
(cd "$src" && dpkg-buildpackage -b -uc -us --no-pre-clean \
    --buildinfo-option=-O"$work/unused.buildinfo" >"$work/build.log" 2>&1) || {
    tail -60 "$work/build.log" >&2; echo "build.sh: dpkg-buildpackage failed" >&2; exit 1; }
grep -h '^prune-qt:' "$work/build.log" >&2 || true
for f in "$work"/*.deb; do
    mv "$f" "$dist/"
    say "Built $dist/$(basename "$f")"
    echo "$dist/$(basename "$f")"
done
