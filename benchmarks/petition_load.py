"""Load benchmark: N distinct verified residents sign one e-petition as fast as they can, on loopback,
against the real server process; beside raw SQLite insert speed in the same run as the ceiling.

    .venv/bin/python benchmarks/petition_load.py                        # 2,000 signers, SQLite, 2 workers
    .venv/bin/python benchmarks/petition_load.py --workers 4 --concurrency 128
    .venv/bin/python benchmarks/petition_load.py --db postgresql://appeals:appeals@127.0.0.1:5432/bench

Residents are created directly in the database with a signed-in session each (the BankID round trip
is not what is measured); every signature then goes through the public API
``POST /api/petitions/{id}/signature`` with the session cookie and CSRF header, as a browser does.
Prints signatures/s, latency p50/p99, errors, and the count in the database (none lost, none doubled).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
CSRF = "benchcsrftokenbenchcsrftoken1234"  # 32 characters: a valid unmasked CSRF secret

SEED = """
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from server_stub.core.models import Resident
from server_stub.petitions.models import Petition
from server_stub.petitions import services
U = get_user_model()
n = {n}
U.objects.bulk_create([U(username=f"bench-{{i}}") for i in range(n + 1)], batch_size=500)
users = list(U.objects.filter(username__startswith="bench-").order_by("pk"))
from datetime import date
from server_stub.core import identity
def resident(u):  # residents of the city, identified by name and date of birth (core/identity.py)
    who = identity.identity("Навантажувальний " + u.username, date(1980, 1, 1), None)
    return Resident(user=u, subject=u.username, family_name="Навантажувальний", given_name=u.username,
                    verified_at=timezone.now(), identity_key=who.identity_key, name_key=who.name_key,
                    locality="дніпро")
Resident.objects.bulk_create([resident(u) for u in users], batch_size=500)
residents = {{r.user_id: r for r in Resident.objects.filter(user__in=users)}}
p = Petition.objects.create(title="Навантажувальна петиція", text="Перевірка швидкості підписання.",
                            author=residents[users[0].pk])
services.publish(p, None)
from django.contrib.sessions.models import Session
from django.contrib.sessions.backends.db import SessionStore as S
rows = []
for u in users[1:]:
    s = S()
    s["_auth_user_id"] = str(u.pk)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = u.get_session_auth_hash()
    s._session_key = s._get_new_session_key()
    rows.append(Session(session_key=s.session_key, session_data=s.encode(s._get_session(no_load=True)),
                        expire_date=s.get_expiry_date()))
Session.objects.bulk_create(rows, batch_size=500)
print("@@" + str(p.pk) + "|" + ",".join(r.session_key for r in rows))
"""


def manage(env: dict[str, str], db: str, data: Path, *args: str) -> str:
    return subprocess.run([PY, "-m", "server_stub.cli", "manage", "--db", db, "--data-dir", str(data), *args],
                          cwd=ROOT, env=env, text=True, capture_output=True, check=True, timeout=600).stdout


def sqlite_ceiling(n: int, tmp: Path) -> float:
    """Rows/s of one INSERT per transaction into a table with the same unique constraint (WAL, NORMAL)."""
    db = sqlite3.connect(tmp / "ceiling.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE sig (id INTEGER PRIMARY KEY, petition INT, person_key TEXT, name TEXT, signed_at TEXT,"
               " UNIQUE (petition, person_key))")
    t = time.perf_counter()
    for i in range(n):
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO sig (petition, person_key, name, signed_at) VALUES (1, ?, ?, ?)",
                   (f"{i:064x}", f"Підписант {i}", "2026-11-28T12:00:00+00:00"))
        db.execute("COMMIT")
    rate = n / (time.perf_counter() - t)
    db.close()
    return rate


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--signers", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--db", help="postgresql://… (default: a fresh SQLite file)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="petition-load-"))
    db = args.db or f"sqlite:///{tmp / 'city.sqlite3'}"
    env = {**os.environ, "CITY_SERVER_LOG_LEVEL": "WARNING", "CITY_SERVER_EDMS_INTERVAL": "0",
           "CITY_SERVER_SMTP_PORT": "9"}  # no mail is sent: signers choose no notifications
    proc = subprocess.Popen([PY, "-m", "server_stub.cli", "run", "--port", "0", "--no-demo", "--workers",
                             str(args.workers), "--db", db, "--data-dir", str(tmp / "data")], cwd=ROOT, env=env,
                            text=True, stdout=subprocess.PIPE, stderr=open(tmp / "server.log", "w"))  # noqa: SIM115
    try:
        assert proc.stdout is not None
        url = ""
        while not url:
            line = proc.stdout.readline()
            if not line:
                raise SystemExit("server did not start: " + (tmp / "server.log").read_text()[-2000:])
            if line.startswith("city-server listening on "):
                url = line.split()[-1].rstrip("/")
        print(f"seeding {args.signers} verified residents with sessions …", flush=True)
        pid_s, keys_s = manage(env, db, tmp / "data", "shell", "-c", SEED.format(n=args.signers)
                               ).split("@@", 1)[1].strip().split("|")
        pid, keys = int(pid_s), keys_s.split(",")
        while True:
            try:
                if requests.get(f"{url}/api/petitions/{pid}", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        local = threading.local()
        host = url.split("//", 1)[1].split(":")[0]

        def sign(key: str) -> tuple[float, int]:
            s = getattr(local, "s", None)
            if s is None:
                s = local.s = requests.Session()
            s.cookies.clear()
            s.cookies.set("sessionid", key, domain=host)
            s.cookies.set("csrftoken", CSRF, domain=host)
            t = time.perf_counter()
            try:
                code = s.post(f"{url}/api/petitions/{pid}/signature", data="{}", timeout=60,
                              headers={"Content-Type": "application/json", "X-CSRFToken": CSRF}).status_code
            except requests.RequestException:
                code = 0
            return time.perf_counter() - t, code

        print(f"signing: {len(keys)} residents, {args.concurrency} at a time, {args.workers} server worker(s)",
              flush=True)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(sign, keys))
        wall = time.perf_counter() - t0
        lat = sorted(r[0] for r in results)
        ok = sum(1 for r in results if r[1] == 201)
        errors = len(results) - ok
        stored = int(manage(env, db, tmp / "data", "shell", "-c",
                            f"from server_stub.petitions.models import Signature\n"
                            f"print(Signature.objects.filter(petition_id={pid}).count())").split()[-1])
        distinct = int(manage(env, db, tmp / "data", "shell", "-c",
                              f"from server_stub.petitions.models import Signature\n"
                              f"print(Signature.objects.filter(petition_id={pid}).values('person_key')"
                              f".distinct().count())").split()[-1])
        ceiling = sqlite_ceiling(args.signers, tmp)
        rate = ok / wall
        print(f"server:   {rate:8.1f} signatures/s  p50 {statistics.median(lat) * 1000:6.1f} ms  "
              f"p99 {lat[int(len(lat) * 0.99) - 1] * 1000:6.1f} ms  errors {errors}  ({wall:.1f} s)")
        print(f"database: {stored} signatures stored, {distinct} distinct persons "
              f"(lost {len(keys) - stored}, doubled {stored - distinct})")
        print(f"ceiling:  {ceiling:8.1f} raw SQLite inserts/s (one row per transaction, WAL, synchronous=NORMAL)")
        print(f"ratio:    server reaches {100 * rate / ceiling:.1f} % of the raw insert ceiling")
        return 0 if errors == 0 and stored == len(keys) == distinct else 1
    finally:
        proc.terminate()
        proc.wait(15)


if __name__ == "__main__":
    sys.exit(main())
