"""Load benchmark of the city server on loopback, beside a minimal ASGI app as the ceiling.

50 simulated terminals (heartbeats with their own credentials + feed pulls) and 200 residents
browsing pages and open APIs, as 250 concurrent wrk connections, bounded in time. The same wrk
run against a 10-line ASGI app under the same uvicorn shows what this machine can do at most.

    .venv/bin/python benchmarks/server_load.py                 # SQLite, 15 s per run
    .venv/bin/python benchmarks/server_load.py --seconds 10 --workers 2 --db postgresql://...

Prints requests/s, latency p50/p99, errors for both, and the ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
TERMINALS, RESIDENTS = 50, 200


async def ceiling_app(scope, receive, send):  # type: ignore[no-untyped-def]
    """The minimal ASGI endpoint: the ceiling for any app under this uvicorn on this machine."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"ok": true}'})


LUA = r"""
local tokens = {%(tokens)s}
local pages = {"/", "/contact/", "/opendata/", "/map/", "/opendata/appeals-statistics/",
               "/open311/v2/requests.json", "/open311/v2/services.xml", "/api/map/layers/sport.geojson",
               "/api/3/action/package_search?q=%%D0%%BC%%D0%%B0%%D0%%BF%%D0%%B0&rows=5"}
local counter = 0
local tid = 0
local threads = {}
function setup(thread) tid = tid + 1; thread:set("tid", tid); table.insert(threads, thread) end
function request()
  counter = counter + 1
  if math.random(%(total)d) <= %(terminals)d then
    local t = tokens[math.random(#tokens)]
    local h = {["Authorization"] = "Bearer " .. t, ["Content-Type"] = "application/json"}
    if math.random(2) == 1 then
      local us = tid * 100000000 + counter
      local sent = string.format("2026-01-01T00:%%02d:%%02d.%%06dZ", math.floor(us / 60000000) %% 60,
                                 math.floor(us / 1000000) %% 60, us %% 1000000)
      local body = '{"sent_at":"' .. sent .. '","app_version":"0.1.0","queue_depth":' .. (counter %% 7) ..
        ',"devices":[{"device":"scanner","state":"ready","detail":"","consumables":{},"last_error":null}],' ..
        '"consumables":{"receipt_paper":80}}'
      return wrk.format("POST", "/api/terminal/v1/heartbeat", h, body)
    end
    return wrk.format("GET", "/api/terminal/v1/feed?cursor=0&limit=50", h)
  end
  return wrk.format("GET", pages[math.random(#pages)])
end
"""


def start(cmd: list[str], env: dict[str, str], pattern: str, log: Path | None) -> tuple[subprocess.Popen[str], str]:
    err = open(log, "w") if log else subprocess.STDOUT  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=err)
    assert proc.stdout is not None
    end = time.monotonic() + 90
    while time.monotonic() < end:
        line = proc.stdout.readline()
        m = re.search(pattern, line)
        if m:
            return proc, m.group(1)
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit(f"could not start {cmd[:4]}: see {log or 'its output'}")


def mixed_load_script(tmp: Path, env: dict[str, str]) -> Path:
    """Credentials for the simulated terminals (issued in the server's database) and the wrk script."""
    issue = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','server_stub.settings'); "
             "django.setup(); from server_stub.terminals.services import issue_credential; "
             f"print(' '.join(issue_credential(f'{{c:03d}}') for c in range(100, {100 + TERMINALS})))")
    tokens = subprocess.run([PY, "-c", issue], cwd=ROOT, env=env, capture_output=True, text=True,
                            check=True).stdout.split()
    script = tmp / "mix.lua"
    script.write_text(LUA % {"tokens": ",".join(f'"{t}"' for t in tokens), "total": TERMINALS + RESIDENTS,
                             "terminals": TERMINALS})
    return script


def stop_all(procs: list[subprocess.Popen[str]]) -> None:
    for p in procs:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()


def wrk(url: str, script: Path, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
                          "--latency", "-s", str(script), url], capture_output=True, text=True,
                         timeout=seconds + 60).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    sock = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50%"),
            "p99": ms("99%"), "errors": non2xx + sock, "requests": total, "raw": out}  # type: ignore[dict-item]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--db", default="", help="database URL (default: SQLite in a temp dir)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    tmp = Path(tempfile.mkdtemp(prefix="city-load-"))
    db = args.db or f"sqlite:///{tmp / 'city.sqlite3'}"
    env = {**os.environ, "CITY_SERVER_FAST_PASSWORDS": "1", "CITY_SERVER_LOG_LEVEL": "WARNING",
           "CITY_SERVER_DATA_DIR": str(tmp / "data"), "CITY_SERVER_DATABASE_URL": db, "PYTHONUNBUFFERED": "1"}
    procs = []
    try:
        server, url = start([PY, "-m", "server_stub.cli", "run", "--port", "0", "--workers", str(args.workers),
                             "--db", db, "--data-dir", str(tmp / "data")], env,
                            r"listening on (http://[\d.:]+)/", tmp / "server.log")
        procs.append(server)
        script = mixed_load_script(tmp, env)
        ceiling, curl = start([PY, "-m", "uvicorn", "--app-dir", str(Path(__file__).parent), "server_load:ceiling_app",
                               "--port", "0", "--log-level", "info", "--no-access-log", "--workers", str(args.workers)],
                              env, r"Uvicorn running on (http://[\d.:]+)", None)
        procs.append(ceiling)
        conns = TERMINALS + RESIDENTS
        wrk(url, script, 2, 20)  # warm caches and connections
        app = wrk(url, script, args.seconds, conns)
        top = wrk(curl, script, max(5, args.seconds // 2), conns)
    finally:
        stop_all(procs)
    print(f"machine: {os.cpu_count()} cores; {conns} connections ({TERMINALS} terminals, {RESIDENTS} residents); "
          f"db={'sqlite' if db.startswith('sqlite') else 'postgresql'}; uvicorn workers={args.workers}")
    print(f"{'target':<26}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'errors':>9}{'requests':>10}")
    for name, r in (("city server (mixed load)", app), ("minimal ASGI (ceiling)", top)):
        print(f"{name:<26}{r['rps']:>12.0f}{r['p50']:>10.1f}{r['p99']:>10.1f}{r['errors']:>9.0f}{r['requests']:>10.0f}")
    print(f"city server reaches {app['rps'] / top['rps']:.1%} of the ceiling's requests/s")
    if args.verbose:
        print(app["raw"], top["raw"])
    return 0 if app["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
