"""Helpers for the city server tests (imported by conftest and the tests)."""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.processes import read_until, stop

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
BACKEND = os.environ.get("CITY_SERVER_TEST_DB", "sqlite")
PG_BASE = os.environ.get("CITY_SERVER_TEST_PG_URL", "postgresql://appeals:appeals@127.0.0.1:5432/")


@dataclass
class Server:
    url: str
    data_dir: Path
    drop: Path
    db_url: str
    env: dict[str, str]
    proc: subprocess.Popen[str] | None = None
    tokens: dict[str, str] = field(default_factory=dict)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``city-server`` against the same database and data dir."""
        return subprocess.run([PY, "-m", "server_stub.cli", *args, "--db", self.db_url,
                               "--data-dir", str(self.data_dir)], cwd=ROOT, env=self.env, text=True,
                              capture_output=True, check=check, timeout=60)

    def shell(self, code: str) -> str:
        """Run Python in this server's Django (``city-server manage shell -c``); what it printed after ``@@``."""
        done = subprocess.run([PY, "-m", "server_stub.cli", "manage", "--db", self.db_url, "--data-dir",
                               str(self.data_dir), "shell", "-c", code], cwd=ROOT, env=self.env, text=True,
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.split("@@", 1)[1].strip()

    def token(self, code: str) -> str:
        if code not in self.tokens:
            out = self.cli("issue-terminal-credential", code).stdout.strip().splitlines()
            self.tokens[code] = out[-1]
        return self.tokens[code]


_TEMPLATES: dict[str, str] = {}


def _template(backend: str) -> str:
    """A database every migration has run on, made once per test session and backend by
    ``city-server manage migrate`` (the migrations run for real, here); each test server's database
    starts as a copy of it, and its own start-up migrate finds nothing left to do. Removed at exit.
    Returns the SQLite file's path, or the PostgreSQL database's name."""
    if backend in _TEMPLATES:
        return _TEMPLATES[backend]
    folder = Path(tempfile.mkdtemp(prefix="city-db-template-"))
    atexit.register(shutil.rmtree, folder, True)
    if backend == "sqlite":
        template = str(folder / "template.sqlite3")
        url = f"sqlite:///{template}"
    else:
        import psycopg

        name = f"city_template_{os.getpid()}_{secrets.token_hex(3)}"
        with psycopg.connect(PG_BASE + "postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        atexit.register(_drop_pg, name)
        template, url = name, PG_BASE + name
    out = subprocess.run([PY, "-m", "server_stub.cli", "manage", "--db", url, "--data-dir", str(folder / "data"),
                          "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=dict(os.environ), text=True,
                         capture_output=True, timeout=300)
    if out.returncode:
        raise RuntimeError(f"the migrations failed on an empty {backend} database:\n{out.stderr[-4000:]}")
    _TEMPLATES[backend] = template
    return template


def _drop_pg(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_BASE + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _make_db(tmp: Path, backend: str = BACKEND) -> tuple[str, Any]:
    """A fresh database for one test server (or several sharing it), migrated (a copy of the
    session's template), and the function that drops it."""
    template = _template(backend)
    if backend == "sqlite":
        path = tmp / "city.sqlite3"
        if not path.exists():          # a server started again in the same folder keeps its database
            tmp.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(template)) as src, contextlib.closing(sqlite3.connect(path)) as dst:
                src.backup(dst)
        return f"sqlite:///{path}", None
    import psycopg

    name = f"city_test_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_BASE + "postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

    return PG_BASE + name, lambda: _drop_pg(name)


@contextlib.contextmanager
def run_server(tmp: Path, args: Sequence[str] = (), env: Mapping[str, str] | None = None,
               timeout: float = 60, db_url: str | None = None, data_dir: Path | None = None) -> Iterator[Server]:
    """``city-server run`` as a real process on an ephemeral port, with its own database (SQLite, or
    PostgreSQL under CITY_SERVER_TEST_DB=postgres) and data folder under ``tmp``; stopped on exit.
    With ``db_url`` it serves that database instead (left in place: whoever made it drops it), with
    ``data_dir`` that data folder (several servers of one city share both)."""
    db_url, drop = (db_url, None) if db_url else _make_db(tmp)
    env = {**os.environ, "CITY_SERVER_FAST_PASSWORDS": "1", "CITY_SERVER_LOG_LEVEL": "WARNING",
           "PYTHONUNBUFFERED": "1", **(env or {})}
    srv = Server("", data_dir or tmp / "data", tmp / "drop", db_url, env)
    log = tmp / "server.log"
    with open(log, "w") as err:
        proc = subprocess.Popen([PY, "-m", "server_stub.cli", "run", "--port", "0", "--db", db_url, "--data-dir",
                                 str(srv.data_dir), *args], cwd=ROOT, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=err)
    srv.proc = proc
    try:
        srv.url = read_until(proc, r"listening on (http://\S+?)/?$", timeout, log).group(1)
        yield srv
    finally:
        stop(proc)
        if drop:
            drop()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("city-server")
    (tmp / "drop").mkdir()
    with run_server(tmp, ["--drop-folder", str(tmp / "drop")],
                    {"CITY_SERVER_EDMS_INTERVAL": "0.3", "CITY_SERVER_EDMS_GRACE": "3",
                     "CITY_SERVER_UNIMPORTED_ALERT_MIN": "0"}) as srv:
        yield srv


class Api:
    """A requests session bound to the server, with the terminal's bearer token."""

    def __init__(self, base: str, token: str | None = None):
        self.base = base
        self.s = requests.Session()
        if token:
            self.s.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.s.get(self.base + path, timeout=20, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.s.post(self.base + path, timeout=20, **kw)


@pytest.fixture(scope="session")
def api17(server: Server) -> Api:
    return Api(server.url + "/api/terminal/v1", server.token("017"))


@pytest.fixture(scope="session")
def api18(server: Server) -> Api:
    return Api(server.url + "/api/terminal/v1", server.token("018"))


def staff_session(server: Server, user: str = "official") -> requests.Session:
    s = requests.Session()
    s.get(server.url + "/accounts/login/", timeout=20)
    r = s.post(server.url + "/accounts/login/", data={"username": user, "password": user, "next": "/",
                                                      "csrfmiddlewaretoken": s.cookies["csrftoken"]},
               headers={"Referer": server.url + "/accounts/login/"}, timeout=20, allow_redirects=False)
    assert r.status_code == 302, r.text[:500]
    return s


def resident_session(server: Server, resident: str = "test-0002") -> requests.Session:
    """Sign a test resident in through the real OAuth 2.0 redirect flow of the BankID stand-in."""
    s = requests.Session()
    r = s.get(server.url + "/auth/bankid/?next=/map/", timeout=20, allow_redirects=False)
    done = bankid_round_trip(server, s, r, resident)
    assert done.headers["Location"] == "/map/", done.text[:300]
    return s


def bankid_round_trip(server: Server, s: requests.Session, start: requests.Response,
                      resident: str = "test-0002") -> requests.Response:
    """From the server's redirect to the BankID stand-in (``start``), choose the test resident,
    allow, and come back: returns the server's callback answer (a redirect to where it was going)."""
    import re

    assert start.status_code == 302 and "/bankid/authorize?" in start.headers["Location"], start.text[:300]
    location = start.headers["Location"]
    form = s.get(server.url + location if location.startswith("/") else location, timeout=20)
    assert form.status_code == 200
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.text))
    choices = dict((m[1], m[0]) for m in re.findall(r'id="resident-(\d+)" value="\d+"[^>]*>\s*<label[^>]*>([^<]+)<',
                                                     form.text))
    assert choices
    surname = {"test-0001": "Шевченко", "test-0002": "Бондаренко", "test-0003": "Коваль",
               "test-0004": "Мельник"}[resident]
    chosen = next(v for k, v in choices.items() if k.startswith(surname))
    data = {**hidden, "resident": chosen, "allow": ""}
    back = s.post(form.url, data=data, headers={"Referer": form.url}, timeout=20, allow_redirects=False)
    assert back.status_code == 302 and "code=" in back.headers["Location"], back.text[:300]
    done = s.get(back.headers["Location"], timeout=20, allow_redirects=False)
    assert done.status_code == 302, done.text[:300]
    return done
