#!/usr/bin/env bash
# Sets up a development machine (Debian 12, as root) and then runs the demo or the tests.
#   bash packaging/dev/bootstrap.sh demo   # install, then run the appliance on simulated hardware
#   bash packaging/dev/bootstrap.sh test   # install, then run the whole test suite
#   bash packaging/dev/bootstrap.sh setup  # install only
# Idempotent: a second run installs nothing new and says so.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

mode="${1:-setup}"
shift || true
case "$mode" in setup|demo|test) ;; *) echo "usage: $0 setup|demo|test [args]" >&2; exit 2 ;; esac

# 1. Debian packages
mapfile -t wanted < <(sed -e 's/#.*//' -e '/^\s*$/d' "$here/debian-packages.txt")
missing=()
for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    say "Installing ${#missing[@]} Debian packages: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then echo "Debian packages are missing; run this as root." >&2; exit 1; fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    say "Debian packages: all ${#wanted[@]} present"
fi

# 2. The virtual environment at .venv, on Debian's Python 3.11
py=/usr/bin/python3
if [ ! -x .venv/bin/python ]; then
    say "Creating the virtual environment .venv"
    "$py" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml packaging/dev/constraints.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
    say "Installing the project and its pinned dependencies into .venv"
    .venv/bin/pip install -q --disable-pip-version-check -c packaging/dev/constraints.txt -e ".[dev]"
    rm -f .venv/.installed-*
    touch "$stamp"
else
    say "Python dependencies: up to date"
fi
export PATH="$root/.venv/bin:$PATH"

case "$mode" in
setup) say "Setup done" ;;
demo)
    say "Starting the demo on simulated hardware (Ctrl-C stops it)"
    exec .venv/bin/python packaging/dev/demo.py "$@"
    ;;
test)
    say "Starting PostgreSQL for the server tests"
    bash "$here/postgres.sh"
    say "Lint: ruff"
    .venv/bin/ruff check .
    say "Tests: pytest (the city server on SQLite)"
    export QT_QPA_PLATFORM=offscreen
    .venv/bin/python -m pytest -p no:cacheprovider --durations=15 "$@"
    if [ "$#" -eq 0 ]; then
        say "Tests: the city server's suites again, on PostgreSQL"
        # test_scaleout.py is on PostgreSQL in both runs (its own database, whatever CITY_SERVER_TEST_DB
        # says): the first run has run it already, word for word
        CITY_SERVER_TEST_DB=postgres .venv/bin/python -m pytest -p no:cacheprovider tests/server tests/server_instruments \
            --ignore=tests/server/test_scaleout.py
    fi
    ;;
esac
