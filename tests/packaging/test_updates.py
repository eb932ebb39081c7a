"""Must-show 2 of the fleet issue: signed updates through the city's APT repository.

``packaging/repo.sh`` builds the signed repository (reprepro; the GnuPG key made by the conftest
for the purpose) with version N of appeal-terminal, built by ``packaging/build.sh`` for this
repository (its URL and key baked in). The repository is served on loopback; apt installs N into
a throwaway root (apt ``-o Dir=ROOT``, dpkg ``--root``; the package database of this system is
copied in, so apt finds the Debian dependencies installed, as on a terminal) from a source that
names the key, so apt checks the signature. Then N+1 is published; an upgrade with the source the
package installed takes it. A tampered repository (a Packages file changed after signing, and a
repository signed by another key) is refused.

N+1 is N repacked with the next Debian revision (``dpkg-deb -R``, Version and changelog bumped,
``dpkg-deb -b``): a second build would double the slowest test's time, and what is under test
here is the repository, its signature and apt, not the build.
"""

from __future__ import annotations

import gzip
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.packaging.pkgbuild import ROOT, Build, RepoKey, free_port, need, stop_gpg_agent

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def publish(repo: Path, key: RepoKey, *debs: Path) -> str:
    out = subprocess.run(["bash", str(ROOT / "packaging" / "repo.sh"), str(repo), key.uid, *map(str, debs)],
                         env={**os.environ, "GNUPGHOME": str(key.gnupg)}, text=True, capture_output=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def next_revision(deb: Path, out: Path) -> Path:
    """The same package with the Debian revision + 1 (the changelog says so too)."""
    work = out / "repack"
    subprocess.run(["dpkg-deb", "-R", str(deb), str(work)], check=True, timeout=300)
    control = (work / "DEBIAN" / "control").read_text()
    version = next(line.split(": ", 1)[1] for line in control.splitlines() if line.startswith("Version: "))
    upstream, revision = version.rsplit("-", 1)
    new = f"{upstream}-{int(revision) + 1}"
    (work / "DEBIAN" / "control").write_text(control.replace(f"Version: {version}", f"Version: {new}"))
    changelog = work / "usr/share/doc/appeal-terminal/changelog.Debian.gz"
    old = gzip.decompress(changelog.read_bytes()).decode()
    changelog.write_bytes(gzip.compress((old.split("\n", 1)[0].replace(version, new) + "\n\n  * Next revision.\n\n"
                                         + old.split("\n\n", 1)[1]).encode(), mtime=0))
    target = out / f"appeal-terminal_{new}_amd64.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "-b", str(work), str(target)],
                   check=True, capture_output=True, timeout=600)
    shutil.rmtree(work)
    return target


class AptRoot:
    def __init__(self, root: Path) -> None:
        self.root = root
        for d in ("etc/apt/sources.list.d", "etc/apt/apt.conf.d", "etc/apt/preferences.d", "etc/apt/trusted.gpg.d",
                  "var/lib/apt/lists/partial", "var/cache/apt/archives/partial", "var/lib/dpkg/info",
                  "var/lib/dpkg/updates", "var/log/apt", "usr/bin"):
            (root / d).mkdir(parents=True, exist_ok=True)
        # this system's package database: apt sees the Debian dependencies as installed (their
        # files are not in the root; dpkg warns and carries on)
        shutil.copy("/var/lib/dpkg/status", root / "var/lib/dpkg/status")
        (root / "var/lib/dpkg/available").write_text("")
        (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
        (root / "etc/group").write_text("root:x:0:\nlp:x:7:\ndialout:x:20:\nvideo:x:44:\ninput:x:101:\n"
                                        "render:x:102:\nscanner:x:103:\n")
        for name in ("shadow", "gshadow"):
            (root / "etc" / name).write_text("")
        (root / "usr/bin/python3.11").symlink_to("/usr/bin/python3.11")

    def apt(self, *args: str) -> subprocess.CompletedProcess[str]:
        r = str(self.root)
        cmd = ["apt-get", "-q", "-y", "--no-install-recommends", "-o", f"Dir={r}",
               "-o", f"Dir::State::status={r}/var/lib/dpkg/status",
               "-o", f"Dir::Etc::trusted={r}/etc/apt/trusted.gpg", "-o", f"Dir::Etc::trustedparts={r}/etc/apt/trusted.gpg.d",
               "-o", f"DPkg::Options::=--root={r}", "-o", "DPkg::Options::=--force-script-chrootless",
               "-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root", *args]
        return subprocess.run(cmd, text=True, capture_output=True, timeout=600, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})

    def version(self, pkg: str) -> str:
        out = subprocess.run(["dpkg-query", f"--root={self.root}", "-W", "-f", "${Version} ${db:Status-Abbrev}", pkg],
                             text=True, capture_output=True)
        return out.stdout.strip()

    def source(self, name: str, url: str, keyring: Path) -> None:
        (self.root / "etc/apt/sources.list.d" / f"{name}.sources").write_text(
            f"Types: deb\nURIs: {url}\nSuites: bookworm\nComponents: main\nSigned-By: {keyring}\n")


@pytest.fixture(scope="module")
def repo(build: Build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    need("reprepro", "gpg", "apt-get")
    folder = tmp_path_factory.mktemp("repo")
    listing = publish(folder / "repo", build.key, build.debs["appeal-terminal"])
    assert "appeal-terminal 0.1.0-1" in listing
    server = serve(folder / "repo", build.key.port)
    yield folder / "repo"
    server.shutdown()


def test_install_from_the_signed_repository_then_an_upgrade_takes_the_next_version(
        build: Build, repo: Path, tmp_path: Path) -> None:
    # the repository is signed by the key, and apt checks it against the key given in the source
    assert (repo / "dists/bookworm/InRelease").read_text().startswith("-----BEGIN PGP SIGNED MESSAGE-----")
    assert (repo / "appeal-terminal-archive-keyring.gpg").read_bytes() == build.key.keyring.read_bytes()
    root = AptRoot(tmp_path / "root")
    root.source("bootstrap", build.key.url, repo / "appeal-terminal-archive-keyring.gpg")
    update = root.apt("update")
    assert update.returncode == 0 and "bookworm InRelease" in update.stdout, update.stdout + update.stderr
    inst = root.apt("install", "appeal-terminal")
    assert inst.returncode == 0, inst.stdout[-3000:] + inst.stderr[-3000:]
    assert root.version("appeal-terminal") == "0.1.0-1 ii"

    # the package's own source and key, and the unattended-upgrades settings it installed
    own = (root.root / "etc/apt/sources.list.d/appeal-terminal.sources").read_text()
    assert f"URIs: {build.key.url}\n" in own and "Signed-By: /usr/share/keyrings/appeal-terminal-archive-keyring.gpg" in own
    shipped_key = root.root / "usr/share/keyrings/appeal-terminal-archive-keyring.gpg"
    assert shipped_key.read_bytes() == build.key.keyring.read_bytes()
    assert '"origin=appeal-terminal,label=appeal-terminal";' in (root.root / "etc/apt/apt.conf.d/52appeal-terminal").read_text()
    assert "OnCalendar=*-*-* 03:00" in (
        root.root / "lib/systemd/system/apt-daily-upgrade.timer.d/appeal-terminal.conf").read_text()
    # from now on only the package's source (its Signed-By names the root's copy of the key: apt
    # runs outside the root here)
    (root.root / "etc/apt/sources.list.d/bootstrap.sources").unlink()
    (root.root / "etc/apt/sources.list.d/appeal-terminal.sources").write_text(
        own.replace("/usr/share/keyrings/", f"{root.root}/usr/share/keyrings/"))

    # N+1 published; an upgrade run takes it
    n1 = next_revision(build.debs["appeal-terminal"], tmp_path)
    assert "appeal-terminal 0.1.0-2" in publish(repo, build.key, n1)
    assert root.apt("update").returncode == 0
    up = root.apt("upgrade")
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
    assert "Unpacking appeal-terminal (0.1.0-2) over (0.1.0-1)" in up.stdout
    assert root.version("appeal-terminal") == "0.1.0-2 ii"

    # a tampered repository: the Packages index changed after signing (the terminal fetches the
    # lists afresh, as a terminal does whose lists are older than the change)
    index = repo / "dists/bookworm/main/binary-amd64"
    saved = {name: (index / name).read_bytes() for name in ("Packages", "Packages.gz")}
    tampered = saved["Packages"].replace(b"Priority: optional", b"Priority: required")
    assert tampered != saved["Packages"]
    (index / "Packages").write_bytes(tampered)
    (index / "Packages.gz").write_bytes(gzip.compress(tampered))
    for f in (root.root / "var/lib/apt/lists").glob("127.0.0.1*"):
        f.unlink()
    bad = root.apt("update")
    text = bad.stdout + bad.stderr        # apt checks the index against the signed Release: size, then hashes
    assert bad.returncode != 0 and ("Hash Sum mismatch" in text or "File has unexpected size" in text), text
    for name, data in saved.items():
        (index / name).write_bytes(data)

    # and a repository signed by another key than the one the terminal trusts
    other_home = tmp_path / "other-gnupg"
    other_home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(other_home)}
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Someone else <x@example.org>",
                    "ed25519", "sign", "never"], env=env, check=True, capture_output=True, timeout=120)
    forged = tmp_path / "forged"
    publish(forged, RepoKey(other_home, tmp_path / "unused", "Someone else <x@example.org>", 0), n1)
    port = free_port()
    server = serve(forged, port)
    try:
        root.source("appeal-terminal", f"http://127.0.0.1:{port}/", shipped_key)
        refused = root.apt("update")
        text = refused.stdout + refused.stderr
        assert refused.returncode != 0 or "NO_PUBKEY" in text, text
        assert "NO_PUBKEY" in text or "not signed" in text or "The following signatures couldn't be verified" in text, text
    finally:
        server.shutdown()
        stop_gpg_agent(other_home)
