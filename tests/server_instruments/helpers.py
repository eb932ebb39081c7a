"""Helpers for the tests of the server's e-democracy instruments (docs/server-instruments.md): the
server with an SMTP relay, JSON calls with CSRF, residents."""

from __future__ import annotations

import email
import email.policy
import json
import mailbox
import socket
import subprocess
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.server.citysrv_helpers import PY, ROOT, Server, resident_session, run_server, staff_session

HERE = Path(__file__).resolve().parent

__all__ = ["PY", "ROOT", "Server", "resident_session", "staff_session"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Smtp:
    """A real SMTP server process (aiosmtpd) writing every message into a Maildir."""

    def __init__(self, tmp: Path):
        self.dir = tmp / "maildir"
        self.port = free_port()
        self.proc = subprocess.Popen([PY, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
                                      "-c", "aiosmtpd.handlers.Mailbox", str(self.dir)],
                                     stdout=subprocess.DEVNULL, stderr=open(tmp / "smtp.log", "w"))  # noqa: SIM115
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("aiosmtpd did not start")

    def messages(self, to: str | None = None) -> list[Message]:
        if not self.dir.exists():
            return []
        box = mailbox.Maildir(str(self.dir), factory=lambda f: email.message_from_binary_file(
            f, policy=email.policy.default), create=False)
        out = [m for m in box]
        return [m for m in out if to is None or to in str(m["To"])]

    def wait_for(self, to: str, count: int = 1, timeout: float = 10) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.messages(to)
            if len(got) >= count:
                return got
            time.sleep(0.1)
        raise AssertionError(f"{count} message(s) to {to} did not arrive; got {len(self.messages(to))}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def body(msg: Message) -> str:
    return str(msg.get_content())  # type: ignore[attr-defined]


def start_server(tmp: Path, extra_env: dict[str, str], workers: int = 2) -> Iterator[Server]:
    with run_server(tmp, ["--workers", str(workers)], {"CITY_SERVER_EDMS_INTERVAL": "0", **extra_env},
                    timeout=90) as srv:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:   # until a worker answers
            try:
                if requests.get(srv.url + "/api/petitions/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        yield srv


def manage(srv: Server, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``city-server manage ARGS`` against the server's database."""
    return subprocess.run([PY, "-m", "server_stub.cli", "manage", "--db", srv.db_url, "--data-dir",
                           str(srv.data_dir), *args], cwd=ROOT, env=srv.env, text=True, capture_output=True,
                          check=check, timeout=120)


def shell(srv: Server, code: str) -> str:
    """Run Python in the server's Django (test setup and checking what the database holds)."""
    out = manage(srv, "shell", "-c", code)
    return out.stdout


def db_json(srv: Server, expr: str) -> Any:
    """Evaluate a Django ORM expression in the server's database, returned as JSON."""
    code = "import json\nfrom django.apps import apps\n" \
           "M = lambda label: apps.get_model(label)\n" \
           f"print('@@' + json.dumps({expr}, default=str))"
    out = shell(srv, code)
    return json.loads(out.split("@@", 1)[1])


SEED_BIRTHDATE = "1980-01-01"


def seed_person(prefix: str, i: int) -> dict[str, str]:
    """The paper form of seeded resident ``i`` (the same person as their BankID session: same keys)."""
    return {"full_name": f"Тестовий {prefix}-{i}", "birthdate": SEED_BIRTHDATE, "registration": "м. Дніпро"}


def seed_residents(srv: Server, prefix: str, n: int) -> list[str]:
    """Create ``n`` verified residents of the city (identity: full name and date of birth, no RNOKPP; see
    ``seed_person``) with a signed-in session each; returns the session keys in the order of ``i``."""
    code = f"""
from datetime import date
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from server_stub.core import identity
from server_stub.core.models import Resident
U = get_user_model()
keys = []
users = U.objects.bulk_create([U(username=f"{prefix}-{{i}}") for i in range({n})])
users = list(U.objects.filter(username__startswith="{prefix}-").order_by("pk"))
def resident(u):
    who = identity.identity("Тестовий " + u.username, date.fromisoformat("{SEED_BIRTHDATE}"), None)
    return Resident(user=u, subject=u.username, family_name="Тестовий", given_name=u.username, middle_name="",
                    verified_at=timezone.now(), identity_key=who.identity_key, name_key=who.name_key,
                    locality="дніпро")
Resident.objects.bulk_create([resident(u) for u in users])
for u in users:
    s = SessionStore()
    s["_auth_user_id"] = str(u.pk)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = u.get_session_auth_hash()
    s.create()
    keys.append(s.session_key)
print("@@" + ",".join(keys))
"""
    return shell(srv, code).split("@@", 1)[1].strip().split(",")


CSRF = "p2testcsrftokenp2testcsrftoken12"  # 32 characters: a valid unmasked CSRF secret


def session_from_key(srv: Server, key: str) -> requests.Session:
    s = requests.Session()
    host = srv.url.split("//", 1)[1].split(":")[0]
    s.cookies.set("sessionid", key, domain=host)
    s.cookies.set("csrftoken", CSRF, domain=host)
    return s


def anon_session(srv: Server) -> requests.Session:
    """No sign-in, but a CSRF cookie, so the API answers about authentication rather than CSRF."""
    s = requests.Session()
    s.cookies.set("csrftoken", CSRF, domain=srv.url.split("//", 1)[1].split(":")[0])
    return s


class J:
    """JSON API calls on a session (CSRF header from the session's cookie)."""

    def __init__(self, srv: Server, session: requests.Session | None = None):
        self.srv = srv
        self.s = session or requests.Session()

    def _headers(self) -> dict[str, str]:
        token = self.s.cookies.get("csrftoken")
        return {"X-CSRFToken": token} if token else {}

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.s.get(self.srv.url + path, timeout=30, **kw)

    def post(self, path: str, data: Any = None, **kw: Any) -> requests.Response:
        return self.s.post(self.srv.url + path, data=json.dumps(data) if data is not None else None,
                           headers={"Content-Type": "application/json", **self._headers()}, timeout=30, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.s.delete(self.srv.url + path, headers=self._headers(), timeout=30, **kw)


@pytest.fixture(scope="session")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Smtp]:
    box = Smtp(tmp_path_factory.mktemp("smtp"))
    yield box
    box.stop()


@pytest.fixture(scope="session")
def srv(tmp_path_factory: pytest.TempPathFactory, smtp: Smtp) -> Iterator[Server]:
    yield from start_server(tmp_path_factory.mktemp("city2"), {"CITY_SERVER_SMTP_PORT": str(smtp.port)})
