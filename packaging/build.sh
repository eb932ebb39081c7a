#!/usr/bin/env bash
# Builds the Debian packages of the appliance into dist/ and prints their paths, one a line (no
# root needed: dpkg-deb --root-owner-group makes every file root's):
#
#   appeal-terminal      the kiosk app, the sync agent, kioskctl; systemd units, udev rules,
#                        the cage kiosk session, example configuration
#   appeal-terminal-sim  the simulated hardware (hardware-sim), optional, for test benches
#   appeal-city-server   the city server (Django under uvicorn) and its unit
#
#   bash packaging/build.sh                 # -> dist/*.deb
#   DIST_DIR=/tmp/out bash packaging/build.sh
#
# How: each program gets its own virtualenv, built here at package-build time in a staging tree
# at the path it will have on the target (/usr/lib/appeal-terminal/venv,
# /usr/lib/appeal-city-server/venv), on Debian's python3.11, from wheels of the pinned
# dependencies (packaging/debian/requirements-*.txt, versions fixed by
# packaging/dev/constraints.txt). The wheels are built once into a cache (dist/.cache/wheels,
# keyed by the requirement files) so that later builds are offline and quick. Scripts and
# pyvenv.cfg get the installed path instead of the staging one. Byte code is
# compiled in postinst and removed in prerm, as Debian's own Python packages do.
#
# Settings (environment): DIST_DIR (default dist/), APPEAL_BUILD_CACHE (default $DIST_DIR/.cache),
# DEB_COMPRESS and DEB_COMPRESS_LEVEL (dpkg-deb -Z and -z: xz or gzip; default xz 6; lintian in
# Debian 12 refuses zstd members), DEB_REVISION (default 1).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
say() { printf '==> [%4ss] %s\n' "$SECONDS" "$*" >&2; }

py=/usr/bin/python3.11
[ -x "$py" ] || { echo "build.sh: $py is needed (Debian 12: apt-get install python3 python3-venv)" >&2; exit 1; }
for tool in dpkg-deb dpkg-architecture; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool is needed (apt-get install dpkg-dev)" >&2; exit 1; }
done

dist="${DIST_DIR:-$root/dist}"
cache="${APPEAL_BUILD_CACHE:-$dist/.cache}"
compress="${DEB_COMPRESS:-xz}"
level="${DEB_COMPRESS_LEVEL:-6}"
upstream="$("$py" -c 'import tomllib,sys; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')"
version="$upstream-${DEB_REVISION:-1}"
arch="$(dpkg-architecture -qDEB_HOST_ARCH)"
deb="$here/debian"
constraints="$root/packaging/dev/constraints.txt"
mkdir -p "$dist" "$cache"
work="$(mktemp -d "${TMPDIR:-/tmp}/appeal-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
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
say "Building the project wheel appeal-terminal $upstream"
# from a clean copy of the sources (git's tracked and not-ignored files), so that nothing stale
# in build/ or a local file outside the sources ends up in the package
mkdir -p "$work/src"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$root" ls-files -z --cached --others --exclude-standard \
        | (cd "$root" && xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh) \
        | tar -C "$root" --null -T - -cf - | tar -C "$work/src" -xf -
else
    tar -C "$root" --exclude=./.venv --exclude=./dist --exclude=./build --exclude=./var -cf - . | tar -C "$work/src" -xf -
fi
"$pip" wheel -q --no-deps --no-build-isolation --wheel-dir "$work/project" "$work/src"
project_wheel="$(ls "$work"/project/appeal_terminal-*.whl)"

# 2. Helpers -----------------------------------------------------------------------------------
# make_venv STAGE PREFIX REQUIREMENTS: a virtualenv at STAGE/PREFIX/venv that works at /PREFIX/venv
make_venv() {
    local stage="$1" prefix="$2" reqs="$3" venv="$1$2/venv"
    mkdir -p "$(dirname "$venv")"
    "$py" -m venv --without-pip "$venv"
    "$pip" --python "$venv/bin/python" install -q --no-compile --no-index --find-links "$wheels" \
        -c "$constraints" -r "$reqs"
    "$pip" --python "$venv/bin/python" install -q --no-compile --no-index --no-deps "$project_wheel"
    say "  virtualenv $prefix/venv installed"
    # the scripts and pyvenv.cfg name the staging path: give them the installed one
    grep -rlI --null -F "$stage" "$venv/bin" "$venv/pyvenv.cfg" | xargs -0 -r sed -i "s#$stage##g"
    rm -f "$venv"/bin/activate* "$venv"/bin/Activate.ps1
    find "$venv" -name __pycache__ -type d -prune -exec rm -rf {} +
    find "$venv" -name direct_url.json -delete
}

# prune_venv VENV SCRIPTS...: drop what only developers use, keep what runs. Not shipped:
# console scripts of the dependencies (only the project's own commands and python stay), type
# stubs, C headers and Cython sources, the dependencies' own test suites, pip (a virtualenv that
# dpkg owns is never changed by pip), and from PySide6 the Qt developer tools (Designer, Linguist,
# qml tooling, rcc/uic) and the Python bindings of Qt modules the kiosk does not import (the Qt
# libraries themselves stay, for the plugins and QML modules that load them).
prune_venv() {
    local venv="$1"; shift
    local site="$venv/lib/python3.11/site-packages" keep f
    for f in "$venv"/bin/*; do
        keep=no
        case "$(basename "$f")" in python|python3|python3.11) keep=yes ;; esac
        for s in "$@"; do [ "$(basename "$f")" = "$s" ] && keep=yes; done
        [ "$keep" = yes ] || rm -f "$f"
    done
    find "$site" \( -name '*.pyi' -o -name '*.pxd' -o -name '*.pyx' -o -name '*.h' \) -type f -delete
    find "$site" -mindepth 2 -type d -name tests -prune -exec rm -rf {} +
    find "$site" \( -name .gitignore -o -name .gitkeep -o -name .gitattributes \) -type f -delete
    rm -rf "$site/tests" "$site"/pip "$site"/pip-*.dist-info "$venv/include"
    if [ -d "$site/PySide6" ]; then
        local qt="$site/PySide6"
        rm -rf "$qt"/{assistant,balsam,balsamui,designer,linguist,lrelease,lupdate,qmlformat,qmllint,qmlls,qsb,svgtoqml} \
               "$qt"/{doc,glue,include,scripts,typesystems} "$qt/Qt/libexec" "$qt/Qt/metatypes" \
               "$qt/Qt/plugins/designer"
        for f in "$qt"/Qt*.abi3.so; do
            case "$(basename "$f" .abi3.so)" in
                QtCore|QtGui|QtWidgets|QtTextToSpeech|QtNetwork|QtDBus|QtOpenGL|QtOpenGLWidgets|QtPrintSupport|QtSvg|QtSvgWidgets|QtQml|QtQuick|QtQuickWidgets|QtConcurrent|QtXml) ;;
                *) rm -f "$f" ;;
            esac
        done
    fi
}

# common_files STAGE PACKAGE: copyright, changelog, lintian overrides, md5sums, control
doc_files() {
    local stage="$1" pkg="$2"
    install -d "$stage/usr/share/doc/$pkg" "$stage/usr/share/lintian/overrides"
    install -m 0644 "$deb/copyright" "$stage/usr/share/doc/$pkg/copyright"
    sed -e "s/@PACKAGE@/$pkg/g" -e "s/@VERSION@/$version/g" \
        -e "s/@DATE@/$(date -u -R -d "@$SOURCE_DATE_EPOCH")/g" "$deb/changelog.in" \
        | gzip -9n > "$stage/usr/share/doc/$pkg/changelog.Debian.gz"
    chmod 0644 "$stage/usr/share/doc/$pkg/changelog.Debian.gz"
    if [ -f "$deb/$pkg/lintian-overrides" ]; then
        install -m 0644 "$deb/$pkg/lintian-overrides" "$stage/usr/share/lintian/overrides/$pkg"
    fi
}

finish_package() {
    local stage="$1" pkg="$2"
    install -d -m 0755 "$stage/DEBIAN"
    for script in preinst postinst prerm postrm; do
        [ -f "$deb/$pkg/$script" ] && install -m 0755 "$deb/$pkg/$script" "$stage/DEBIAN/$script"
    done
    [ -f "$deb/$pkg/conffiles" ] && install -m 0644 "$deb/$pkg/conffiles" "$stage/DEBIAN/conffiles"
    # directories 0755, files 0644 unless executable
    find "$stage" -path "$stage/DEBIAN" -prune -o -type d -exec chmod 0755 {} +
    find "$stage" -path "$stage/DEBIAN" -prune -o -type f \( -perm -u+x -exec chmod 0755 {} + \
        -o -exec chmod 0644 {} + \)
    # shared objects are loaded, not run (the wheels ship some of them 0755)
    find "$stage" -path "$stage/DEBIAN" -prune -o -type f \( -name '*.so' -o -name '*.so.*' \) -exec chmod 0644 {} +
    say "  $pkg: permissions set"
    (cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z \
        | xargs -0 md5sum > DEBIAN/md5sums)
    chmod 0644 "$stage/DEBIAN/md5sums"
    local size
    size="$(du -k -s --apparent-size --exclude=DEBIAN "$stage" | cut -f1)"
    sed -e "s/@VERSION@/$version/g" -e "s/@ARCH@/$arch/g" -e "s/@SIZE@/$size/g" \
        "$deb/$pkg/control.in" > "$stage/DEBIAN/control"
    say "  $pkg: md5sums done"
    find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    local out="$dist/${pkg}_${version}_${arch}.deb"
    [ "$(sed -n 's/^Architecture: //p' "$stage/DEBIAN/control")" = all ] && out="$dist/${pkg}_${version}_all.deb"
    dpkg-deb --root-owner-group -Z"$compress" -z"$level" --build "$stage" "$out" >/dev/null
    say "Built $out"
    echo "$out"
}

# 3. appeal-terminal ---------------------------------------------------------------------------
say "Staging appeal-terminal"
t="$work/appeal-terminal"
make_venv "$t" /usr/lib/appeal-terminal "$deb/requirements-terminal.txt"
site="$t/usr/lib/appeal-terminal/venv/lib/python3.11/site-packages"
rm -rf "$site/server_stub"
prune_venv "$t/usr/lib/appeal-terminal/venv" kiosk kioskctl sync-agent hardware-sim
# the simulator goes to its own package
s="$work/appeal-terminal-sim"
install -d "$s/usr/lib/appeal-terminal/venv/lib/python3.11/site-packages" "$s/usr/lib/appeal-terminal/venv/bin"
mv "$site/hardware_sim" "$s/usr/lib/appeal-terminal/venv/lib/python3.11/site-packages/"
mv "$t/usr/lib/appeal-terminal/venv/bin/hardware-sim" "$s/usr/lib/appeal-terminal/venv/bin/"
install -d "$t/usr/bin"
for cmd in kiosk kioskctl sync-agent; do ln -s "../lib/appeal-terminal/venv/bin/$cmd" "$t/usr/bin/$cmd"; done
install -D -m 0644 packaging/systemd/appeal-kiosk.service "$t/lib/systemd/system/appeal-kiosk.service"
install -D -m 0644 packaging/systemd/appeal-sync-agent.service "$t/lib/systemd/system/appeal-sync-agent.service"
install -D -m 0644 packaging/udev/60-appeal-terminal.rules "$t/lib/udev/rules.d/60-appeal-terminal.rules"
install -D -m 0755 packaging/kiosk-session/appeal-kiosk-session "$t/usr/lib/appeal-terminal/appeal-kiosk-session"
install -D -m 0644 packaging/kiosk-session/logind.conf "$t/usr/lib/systemd/logind.conf.d/appeal-terminal.conf"
install -D -m 0644 packaging/kiosk-session/pam "$t/etc/pam.d/appeal-kiosk"
install -D -m 0644 packaging/config/kiosk.toml "$t/etc/appeal-terminal/kiosk.toml"
install -D -m 0644 packaging/config/sync-agent.toml "$t/etc/appeal-terminal/sync-agent.toml"
install -D -m 0644 packaging/config/provision.toml "$t/usr/share/doc/appeal-terminal/examples/provision.toml"
for f in technicians.md configuration.md sync-agent.md terminal-api.md edms-drop-folder.md; do
    [ -f "docs/$f" ] && install -D -m 0644 "docs/$f" "$t/usr/share/doc/appeal-terminal/$f"
done
doc_files "$t" appeal-terminal
finish_package "$t" appeal-terminal

say "Staging appeal-terminal-sim"
install -d "$s/usr/bin"
ln -s ../lib/appeal-terminal/venv/bin/hardware-sim "$s/usr/bin/hardware-sim"
[ -f docs/testers.md ] && install -D -m 0644 docs/testers.md "$s/usr/share/doc/appeal-terminal-sim/testers.md"
doc_files "$s" appeal-terminal-sim
finish_package "$s" appeal-terminal-sim

# 4. appeal-city-server ------------------------------------------------------------------------
say "Staging appeal-city-server"
c="$work/appeal-city-server"
make_venv "$c" /usr/lib/appeal-city-server "$deb/requirements-server.txt"
site="$c/usr/lib/appeal-city-server/venv/lib/python3.11/site-packages"
rm -rf "$site/kiosk_app" "$site/devices" "$site/sync_agent" "$site/hardware_sim"
prune_venv "$c/usr/lib/appeal-city-server/venv" city-server
find "$site/server_stub" -name .ruff_cache -type d -prune -exec rm -rf {} +
install -d "$c/usr/bin"
ln -s ../lib/appeal-city-server/venv/bin/city-server "$c/usr/bin/city-server"
install -D -m 0644 packaging/systemd/appeal-city-server.service "$c/lib/systemd/system/appeal-city-server.service"
install -D -m 0644 packaging/config/city-server.env "$c/etc/appeal-city-server/city-server.env"
install -D -m 0644 docs/schemas/appeal-metadata.schema.json \
    "$c/usr/share/appeal-city-server/schemas/appeal-metadata.schema.json"
for f in server.md terminal-api.md edms-drop-folder.md; do
    [ -f "docs/$f" ] && install -D -m 0644 "docs/$f" "$c/usr/share/doc/appeal-city-server/$f"
done
doc_files "$c" appeal-city-server
finish_package "$c" appeal-city-server
