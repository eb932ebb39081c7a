#!/usr/bin/env bash
# Builds (or updates) the city's signed APT repository of the appliance's packages with reprepro:
#
#   bash packaging/repo.sh REPO_DIR KEY DEB...
#   bash packaging/repo.sh /srv/appeal-repo updates@rada.example.ua dist/*.deb
#
# REPO_DIR is served as it is by any web server (dists/, pool/); terminals reach it through the
# source that appeal-terminal installs (/etc/apt/sources.list.d/appeal-terminal.sources, built in
# when the package is built with APPEAL_REPO_URL and APPEAL_REPO_KEY: docs/technicians.md).
# KEY is the GnuPG key (id, fingerprint or e-mail, in $GNUPGHOME) that signs the Release file
# (InRelease and Release.gpg); its public part is written to
# REPO_DIR/appeal-terminal-archive-keyring.gpg. The repository holds one version of each package
# (the newest published); keep each release's .deb files to roll one terminal back
# (docs/technicians.md). Suite "bookworm", component "main", Origin and Label "appeal-terminal"
# (what unattended-upgrades matches).
# Needs (Debian 12): reprepro gnupg (packaging/dev/debian-packages.txt).
set -euo pipefail
if [ "$#" -lt 3 ]; then
    sed -n '2,16p' "$0" >&2
    exit 2
fi
repo="$1"; key="$2"; shift 2
command -v reprepro >/dev/null || { echo "repo.sh: reprepro is needed (apt-get install reprepro)" >&2; exit 1; }
# reprepro's SignWith takes one word: the key's fingerprint
fpr="$(gpg --batch --with-colons --list-secret-keys "$key" 2>/dev/null | awk -F: '/^fpr:/ {print $10; exit}')"
[ -n "$fpr" ] || { echo "repo.sh: no secret key $key in ${GNUPGHOME:-~/.gnupg}" >&2; exit 1; }
mkdir -p "$repo/conf"
cat > "$repo/conf/distributions" <<CONF
Origin: appeal-terminal
Label: appeal-terminal
Suite: bookworm
Codename: bookworm
Architectures: $(dpkg --print-architecture)
Components: main
Description: appeal terminal packages of the city
SignWith: $fpr
CONF
cat > "$repo/conf/options" <<CONF
basedir $repo
CONF
for deb in "$@"; do
    reprepro -b "$repo" --silent includedeb bookworm "$deb"
done
reprepro -b "$repo" --silent export bookworm
gpg --batch --yes --export "$fpr" > "$repo/appeal-terminal-archive-keyring.gpg"
reprepro -b "$repo" list bookworm
