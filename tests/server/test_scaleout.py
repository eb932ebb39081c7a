"""Scaling out (docs/server.md "Scaling out"): two ``city-server run`` processes on one PostgreSQL
database, one drop folder and one data folder import each appeal once and run each background job
in one process at a time; when that process stops, the other takes the jobs over. Two bare import
passes started together (no lock between them) still register each appeal once (the claim row).

Always on PostgreSQL, whatever CITY_SERVER_TEST_DB says: advisory locks are what is under test.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.citysrv_drop import deliver, number
from tests.server.citysrv_helpers import PG_BASE, PY, ROOT, _make_db, run_server, staff_session
from tests.support.processes import stop
from tests.support.tools import missing

JOBS_ENV = {"CITY_SERVER_EDMS_INTERVAL": "0.2", "CITY_SERVER_EDMS_GRACE": "30", "CITY_SERVER_JOBS_INTERVAL": "0.5",
            "CITY_SERVER_OPENDATA_INTERVAL": "1", "CITY_SERVER_LOG_LEVEL": "INFO"}
APPEALS = 30
ALL_JOBS = {"edms-import", "opendata", "petitions", "reminders"}


@pytest.fixture()
def pg_db(tmp_path: Path) -> Iterator[str]:
    import psycopg

    try:
        psycopg.connect(PG_BASE + "postgres", connect_timeout=5).close()
    except psycopg.OperationalError as err:
        missing(f"needs PostgreSQL at {PG_BASE} (bash packaging/dev/postgres.sh): {err}")
    url, drop = _make_db(tmp_path, "postgres")
    try:
        yield url
    finally:
        drop()


def _query(url: str, sql: str) -> list[tuple[object, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def _wait_for(what: str, check: object, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _imported_once(url: str, drop: Path, numbers: list[str]) -> None:
    """Each appeal: one registration, one registered import record, one registered acknowledgement;
    distinct registration indexes, and no index drawn for a registration that did not happen."""
    per_number = Counter(n for (n,) in _query(url, "SELECT number FROM edms_registration"))
    assert sorted(per_number) == sorted(numbers) and set(per_number.values()) == {1}, per_number
    records = dict(_query(url, "SELECT document_id, status FROM edms_importrecord"))
    assert records == {n: "registered" for n in numbers}
    indexes = [i for (i,) in _query(url, "SELECT registration_index FROM edms_registration WHERE registration_index "
                                         "LIKE 'Б-%'")]
    assert len(set(indexes)) == len(indexes)
    assert _query(url, "SELECT sum(value) FROM edms_indexcounter WHERE letter = 'Б'") == [(len(indexes),)]
    for n in numbers:
        assert json.loads((drop / f"{n}.ack.json").read_text())["status"] == "registered", n
    assert not (drop / "rejected").exists()


def test_two_servers_import_once_and_run_each_job_in_one_process(tmp_path: Path, pg_db: str) -> None:
    drop, data = tmp_path / "drop", tmp_path / "data"
    for folder in (drop, tmp_path / "a", tmp_path / "b"):
        folder.mkdir()
    args = ["--drop-folder", str(drop)]
    with (run_server(tmp_path / "a", args, JOBS_ENV, db_url=pg_db, data_dir=data, timeout=120) as a,
          run_server(tmp_path / "b", [*args, "--no-demo"], JOBS_ENV, db_url=pg_db, data_dir=data) as b):
        assert a.proc and b.proc and a.proc.pid != b.proc.pid
        numbers = [number("017", 500 + i) for i in range(APPEALS)]
        for n in numbers:  # while both servers watch the folder
            deliver(drop, n)
            time.sleep(0.02)
        _wait_for("every acknowledgement", lambda: all((drop / f"{n}.ack.json").exists() for n in numbers))
        _wait_for("two passes of every job", lambda: {j for (j,) in _query(  # by whichever process runs it
            pg_db, "SELECT job FROM jobs_run GROUP BY job HAVING count(*) >= 2")} >= ALL_JOBS)
        _imported_once(pg_db, drop, numbers)
        runs = _query(pg_db, "SELECT job, pid, started_at, finished_at, ok FROM jobs_run ORDER BY started_at")
        by_job: dict[str, list[tuple[object, ...]]] = {}
        for row in runs:
            by_job.setdefault(str(row[0]), []).append(row)
        assert set(by_job) >= ALL_JOBS
        assert len(by_job["opendata"]) >= 2, "the lock taken at start keeps working in the job's thread"
        for job, rows in by_job.items():
            assert len({r[1] for r in rows}) == 1, f"{job} ran in two processes: {Counter(r[1] for r in rows)}"
            assert all(r[4] for r in rows[:-1]), f"{job}: a pass failed"
            for earlier, later in itertools.pairwise(rows):
                assert earlier[3] is not None and earlier[3] <= later[2], f"{job}: two passes overlapped"
        runner = {r[1] for r in by_job["edms-import"]}.pop()
        assert runner in (a.proc.pid, b.proc.pid)
        # a staff session signed in on one server is valid on the other (sessions in the database)
        s = staff_session(a, "technician")
        fleet = s.get(b.url + "/fleet/", timeout=20, allow_redirects=False)
        assert fleet.status_code == 200 and "Парк терміналів" in fleet.text
        # the process running the jobs stops: the other takes them over and imports what comes next
        survivor = b if runner == a.proc.pid else a
        stop(a.proc if runner == a.proc.pid else b.proc)
        later = number("017", 600)
        deliver(drop, later)
        _wait_for("the survivor's acknowledgement", lambda: (drop / f"{later}.ack.json").exists())
        _imported_once(pg_db, drop, [*numbers, later])
        assert survivor.proc is not None
        pid = survivor.proc.pid
        _wait_for("the survivor taking the jobs over", lambda: {r[0] for r in _query(
            pg_db, f"SELECT job FROM jobs_run WHERE pid = {pid}")} >= {"edms-import", "petitions", "reminders"})


def test_two_bare_import_passes_register_each_appeal_once(tmp_path: Path, pg_db: str) -> None:
    """Without the job lock between them (import_once called directly by two processes at once), the
    claim row still lets one of them register each pair; the other finds it registered."""
    drop, data = tmp_path / "drop", tmp_path / "data"
    drop.mkdir()
    env = {"CITY_SERVER_DATABASE_URL": pg_db, "CITY_SERVER_DATA_DIR": str(data), "CITY_SERVER_LOG_LEVEL": "WARNING"}
    subprocess.run([PY, "-m", "server_stub.cli", "manage", "migrate", "-v0"], cwd=ROOT, check=True, timeout=120,
                   env={**os.environ, **env})
    numbers = [number("017", 700 + i) for i in range(APPEALS)]
    for n in numbers:
        deliver(drop, n)
    script = ("import os, sys, time, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'server_stub.settings'; "
              "django.setup(); from pathlib import Path; "
              "from server_stub.standins.edms.importer import import_once; "
              "start = float(sys.argv[1]); time.sleep(max(0, start - time.time())); "
              "print(sum(r.status == 'registered' for r in import_once(Path(sys.argv[2]))))")
    start = time.time() + 3  # both processes set up first, then go together
    procs = [subprocess.Popen([PY, "-c", script, str(start), str(drop)], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, **env}) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    _imported_once(pg_db, drop, numbers)
