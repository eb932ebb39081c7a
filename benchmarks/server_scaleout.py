"""The server load benchmark (server_load.py's mix: 50 terminals + 200 residents) scaled out:
SQLite with one server process, PostgreSQL with one (the baseline) and PostgreSQL with two
``city-server run`` processes on the same database and data folder, all measured in this run.

With two processes the load is balanced by the client: one wrk per server, each with half of the
connections, started together (what a round-robin load balancer does, without its own cost on this
machine). Requests/s add up; the latency columns are the worse of the two servers.

    .venv/bin/python benchmarks/server_scaleout.py                  # 15 s per configuration
    .venv/bin/python benchmarks/server_scaleout.py --seconds 8 --pg postgresql://appeals:appeals@127.0.0.1:5432/

PostgreSQL: a fresh database per configuration on ``--pg`` (default ``CITY_SERVER_TEST_PG_URL`` or
the local one of packaging/dev/postgres.sh), dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server_load import PY, RESIDENTS, TERMINALS, mixed_load_script, start, stop_all, wrk

PG_DEFAULT = os.environ.get("CITY_SERVER_TEST_PG_URL", "postgresql://appeals:appeals@127.0.0.1:5432/")


@contextmanager
def database(kind: str, tmp: Path, pg_base: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'city.sqlite3'}"
        return
    import psycopg

    name = f"city_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(pg_base + "postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_base + name
    finally:
        with psycopg.connect(pg_base + "postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(kind: str, processes: int, workers: int, seconds: int, tmp: Path, pg_base: str) -> dict[str, float]:
    tmp.mkdir(parents=True)
    with database(kind, tmp, pg_base) as db:
        env = {**os.environ, "CITY_SERVER_FAST_PASSWORDS": "1", "CITY_SERVER_LOG_LEVEL": "WARNING",
               "CITY_SERVER_DATA_DIR": str(tmp / "data"), "CITY_SERVER_DATABASE_URL": db, "PYTHONUNBUFFERED": "1"}
        procs, urls = [], []
        try:
            for i in range(processes):  # the first migrates and loads the demo; the others share it
                cmd = [PY, "-m", "server_stub.cli", "run", "--port", "0", "--workers", str(workers), "--db", db,
                       "--data-dir", str(tmp / "data"), *(["--no-demo"] if i else [])]
                proc, url = start(cmd, env, r"listening on (http://[\d.:]+)/", tmp / f"server{i}.log")
                procs.append(proc)
                urls.append(url)
            script = mixed_load_script(tmp, env)
            for url in urls:
                wrk(url, script, 2, 20)  # warm caches and connections
            results: list[dict[str, float]] = [{} for _ in urls]

            def one(i: int) -> None:
                results[i] = wrk(urls[i], script, seconds, (TERMINALS + RESIDENTS) // len(urls))
            threads = [threading.Thread(target=one, args=(i,)) for i in range(len(urls))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            stop_all(procs)
    return {"rps": sum(r["rps"] for r in results), "p50": max(r["p50"] for r in results),
            "p99": max(r["p99"] for r in results), "errors": sum(r["errors"] for r in results),
            "requests": sum(r["requests"] for r in results)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn workers in each server process")
    ap.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL base URL (a database is created on it per run)")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    tmp = Path(tempfile.mkdtemp(prefix="city-scaleout-"))
    rows = []
    try:
        for label, kind, processes in (("SQLite, 1 process", "sqlite", 1),
                                       ("PostgreSQL, 1 process", "postgres", 1),
                                       ("PostgreSQL, 2 processes", "postgres", 2)):
            rows.append((label, measure(kind, processes, args.workers, args.seconds,
                                        tmp / f"{kind}-{processes}", args.pg)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"machine: {os.cpu_count()} cores; {TERMINALS + RESIDENTS} connections ({TERMINALS} terminals, "
          f"{RESIDENTS} residents); {args.seconds} s each; uvicorn workers per process={args.workers}")
    print(f"{'configuration':<27}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'errors':>9}{'requests':>10}")
    for label, r in rows:
        print(f"{label:<27}{r['rps']:>12.0f}{r['p50']:>10.1f}{r['p99']:>10.1f}{r['errors']:>9.0f}{r['requests']:>10.0f}")
    base = rows[1][1]["rps"]
    print(f"PostgreSQL, 2 processes: {rows[2][1]['rps'] / base:.2f}x the 1-process PostgreSQL baseline; "
          f"SQLite, 1 process: {rows[0][1]['rps'] / base:.2f}x")
    return 0 if all(r["errors"] == 0 for _, r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
