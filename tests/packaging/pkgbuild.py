"""The packages built once per session for test_packages.py and test_updates.py: ``bash
packaging/build.sh`` for a city whose signed repository (a GnuPG key made here for the purpose)
will be served on a loopback port reserved now, then installed into a throwaway root."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("appeal-terminal", "appeal-terminal-sim", "appeal-city-server")
GROUPS = "root:x:0:\nlp:x:7:\ndialout:x:20:\nvideo:x:44:\ninput:x:101:\nrender:x:102:\nscanner:x:103:\n"
REPO_KEY = "Appeal terminal test repository <repo@appeal.example.org>"


@dataclass
class RepoKey:
    gnupg: Path
    keyring: Path            # the public key, binary (what apt's Signed-By takes)
    uid: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


@dataclass
class Build:
    debs: dict[str, Path]
    lintian: list[subprocess.Popen[str]]
    tmp: Path
    key: RepoKey


@dataclass
class Installed:
    root: Path
    build: Build


def need(*tools: str) -> None:
    for tool in tools:
        require_tool(tool, "see packaging/dev/debian-packages.txt")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def repo_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RepoKey]:
    need("gpg")
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", REPO_KEY, "ed25519", "sign", "never"],
                   env=env, check=True, capture_output=True, timeout=120)
    keyring = home / "appeal-terminal-archive-keyring.gpg"
    keyring.write_bytes(subprocess.run(["gpg", "--batch", "--export", REPO_KEY], env=env, check=True,
                                       capture_output=True).stdout)
    yield RepoKey(home, keyring, REPO_KEY, free_port())
    stop_gpg_agent(home)


def stop_gpg_agent(home: Path) -> None:
    """gpg starts an agent for each GNUPGHOME; the tests stop the ones they caused."""
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], capture_output=True, timeout=30)


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory, repo_key: RepoKey) -> Iterator[Build]:
    need("dpkg-deb", "dpkg", "dpkg-buildpackage", "dh", "dh_virtualenv", "lintian", "systemd-analyze",
         "systemd-sysusers")
    tmp = tmp_path_factory.mktemp("packages")
    env = {**os.environ, "DIST_DIR": str(tmp / "dist"), "APPEAL_BUILD_CACHE": str(ROOT / "dist" / ".cache"),
           "DEB_COMPRESS": "gzip", "DEB_COMPRESS_LEVEL": "1",
           "APPEAL_REPO_URL": repo_key.url, "APPEAL_REPO_KEYRING": str(repo_key.keyring)}
    out = subprocess.run(["bash", str(ROOT / "packaging" / "build.sh")], env=env, cwd=tmp, text=True,
                         capture_output=True, timeout=1800)
    assert out.returncode == 0, out.stderr[-4000:]
    built = [Path(line) for line in out.stdout.split()]
    debs = {p.name.split("_")[0]: p for p in built}
    assert sorted(debs) == sorted(PACKAGES)
    assert all(p.parent == tmp / "dist" and p.stat().st_size > 0 for p in built)
    # lintian takes the longest: it runs while the other tests use the packages, the big terminal
    # package in one process, the two others in a second
    lint = [subprocess.Popen(["lintian", "--tag-display-limit", "0", *map(str, group)], text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp)
            for group in ([debs["appeal-terminal"]], [debs["appeal-terminal-sim"], debs["appeal-city-server"]])]
    try:
        yield Build(debs, lint, tmp, repo_key)
    finally:
        for proc in lint:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def throwaway_root(root: Path) -> Path:
    """An empty root for ``dpkg --root``: users and groups of a Debian base system, an empty
    package database, and python3.11 (a dependency) where the virtualenvs' python links to."""
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (root / "etc" / "group").write_text(GROUPS)
    for name in ("shadow", "gshadow"):
        (root / "etc" / name).write_text("")
    admin = root / "var" / "lib" / "dpkg"
    (admin / "info").mkdir(parents=True)
    (admin / "updates").mkdir()
    (admin / "status").write_text("")
    (admin / "available").write_text("")
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / "python3.11").symlink_to("/usr/bin/python3.11")
    return root


@pytest.fixture(scope="session")
def installed(build: Build) -> Installed:
    root = throwaway_root(build.tmp / "root")
    # the run-time Debian packages are not in this empty root: --force-depends
    out = subprocess.run(["dpkg", f"--root={root}", "--force-script-chrootless", "--force-depends", "-i",
                          *(str(build.debs[p]) for p in PACKAGES)], text=True, capture_output=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return Installed(root, build)
