"""Drain benchmark: queued appeals -> the EDMS drop folder on the same disk, compared with `cp`.

    .venv/bin/python benchmarks/drain.py              # 10,000 appeals, then the 100,000 memory run
    .venv/bin/python benchmarks/drain.py --quick      # 1,000 appeals (CI smoke), memory run at 10,000
    .venv/bin/python benchmarks/drain.py --n 10000 --big 0 --dir /var/tmp/bench

What it does, in one run:

1. Queues N appeals through the kiosk's own path (``Store.commit_appeal``; 3 pages each; PDF
   60-150 KB, metadata ~2-3 KB). Set-up only: spool fsyncs are skipped and one ``sync`` follows,
   so that the timed phases start from a clean page cache state.
2. ``cp`` of exactly the same files (every PDF and metadata record) into a fresh folder on the
   same file system; timed (and ``cp`` + ``sync`` as a second reference).
3. ``sync-agent drain`` as a real process on that queue into a drop folder on the same file
   system: fsync (one syncfs per group of 50, drop.sync=batch), atomic rename, folder fsync, the
   outbox commits (synchronous=FULL). Timed; its peak RSS read with wait4().
4. The memory run: a backlog of ``--big`` appeals (rows cloned in SQL from the first ones, small
   PDFs: only memory is measured here) drained the same way; peak RSS again.

Prints appeals/s, the ratio to `cp`, and the peak RSS of both drains.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk_app.core import spool as spool_mod  # noqa: E402
from kiosk_app.core.numbering import AppealNumber  # noqa: E402
from kiosk_app.core.store import Store  # noqa: E402
from sync_agent.migrations import ALL  # noqa: E402
from tests.support.appeals import AppealMaker  # noqa: E402

TERMINAL = 17


def queue(store_dir: Path, n: int, pdf_size: tuple[int, int]) -> Store:
    real_fsync = spool_mod.os.fsync
    spool_mod.os.fsync = lambda fd: None            # set-up only; the agent under test is untouched
    try:
        store = Store(store_dir, terminal=TERMINAL, migrations=ALL)
        store.conn.execute("PRAGMA synchronous=OFF")
        maker = AppealMaker(store, pdf_size=pdf_size, sms=False)
        t0 = time.monotonic()
        for i in range(n):
            maker.make(sheets=3)
            if (i + 1) % 1000 == 0:
                print(f"  queued {i + 1}/{n} ({time.monotonic() - t0:.0f} s)", file=sys.stderr)
    finally:
        spool_mod.os.fsync = real_fsync
    os.sync()
    return store


def clone_backlog(store: Store, total: int) -> None:
    """Grow the outbox to ``total`` rows by cloning existing appeals in SQL (same files)."""
    c = store.conn
    have = c.execute("SELECT COUNT(*) FROM appeals").fetchone()[0]
    seq = int(c.execute("SELECT value FROM meta WHERE key='next_seq'").fetchone()[0])
    template = c.execute("SELECT kind, applicant_json, metadata_file, pdf_file, sheets, pages, received_at, deadline "
                         "FROM appeals LIMIT 1").fetchone()
    c.execute("BEGIN")
    for _ in range(total - have):
        num = AppealNumber(TERMINAL, seq).compact
        seq += 1
        c.execute("INSERT INTO numbers (compact, terminal, seq, state, issued_at) VALUES (?, ?, ?, 'used', ?)",
                  (num, TERMINAL, seq - 1, template[6]))
        c.execute("INSERT INTO appeals (document_id, number, kind, state, applicant_json, metadata_file, pdf_file, sheets, "
                  "pages, received_at, deadline) VALUES (?, ?, ?, 'committed', ?, ?, ?, ?, ?, ?, ?)", (num, num, *template))
        c.execute("INSERT INTO outbox (document_id, state, created_at) VALUES (?, 'pending', ?)", (num, template[6]))
    c.execute("UPDATE meta SET value=? WHERE key='next_seq'", (str(seq),))
    c.execute("COMMIT")


def spool_files(store: Store) -> list[str]:
    rows = store.conn.execute("SELECT fp.path, fm.path FROM appeals a JOIN files fp ON fp.id=a.pdf_file "
                              "JOIN files fm ON fm.id=a.metadata_file").fetchall()
    return [str(store.spool.path_of(p)) for row in rows for p in row]


def time_cp(files: list[str], dest: Path) -> tuple[float, float, int]:
    dest.mkdir()
    size = sum(os.path.getsize(f) for f in files)
    os.sync()
    t0 = time.monotonic()
    for i in range(0, len(files), 2000):                # `cp` itself, in argument-list-sized chunks
        subprocess.run(["cp", "-t", str(dest), *files[i:i + 2000]], check=True)
    t_cp = time.monotonic() - t0
    os.sync()
    return t_cp, time.monotonic() - t0, size


def drain(store_dir: Path, drop: Path) -> tuple[float, int, dict[str, object]]:
    drop.mkdir()
    (drop / ".edms-drop").touch()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SYNC_AGENT_CONFIG": str(store_dir / "none.toml"),
           "SYNC_AGENT_STORE_DIR": str(store_dir), "SYNC_AGENT_TERMINAL_CODE": str(TERMINAL),
           "SYNC_AGENT_DROP_DIR": str(drop), "SYNC_AGENT_SMS_ENABLED": "false", "SYNC_AGENT_LOG_LEVEL": "WARNING"}
    t0 = time.monotonic()
    p = subprocess.Popen([sys.executable, "-m", "sync_agent.cli", "drain"], env=env, cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.monotonic() - t0
    out = p.stdout.read().decode() if p.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"drain failed: {out}")
    return elapsed, usage.ru_maxrss, json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000, help="appeals in the timed drain")
    ap.add_argument("--big", type=int, default=100_000, help="backlog of the memory run (0: skip)")
    ap.add_argument("--quick", action="store_true", help="1,000 appeals, memory run at 10,000")
    ap.add_argument("--dir", default=None, help="work folder (default: a temporary folder under /var/tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    if args.quick:
        args.n, args.big = 1_000, 10_000
    work = Path(args.dir or tempfile.mkdtemp(prefix="drain-bench-", dir="/var/tmp"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"queueing {args.n} appeals in {work} ...", file=sys.stderr)
        store = queue(work / "store", args.n, (60_000, 150_000))
        files = spool_files(store)
        store.close()
        t_cp, t_cp_sync, size = time_cp(files, work / "cp")
        t_drain, rss_kb, out = drain(work / "store", work / "drop")
        assert out["delivered"] == args.n, out
        rate = args.n / t_drain
        cp_rate = args.n / t_cp
        result: dict[str, object] = {
            "appeals": args.n, "bytes": size, "drain_s": round(t_drain, 2), "appeals_per_s": round(rate, 1),
            "cp_s": round(t_cp, 2), "cp_appeals_per_s": round(cp_rate, 1), "ratio_to_cp": round(rate / cp_rate, 3),
            "cp_plus_sync_s": round(t_cp_sync, 2), "ratio_to_cp_plus_sync": round(t_cp_sync / t_drain, 3),
            f"peak_rss_mb_at_{args.n}": round(rss_kb / 1024, 1),
        }
        shutil.rmtree(work / "cp", ignore_errors=True)
        shutil.rmtree(work / "drop", ignore_errors=True)
        if args.big:
            print(f"memory run: a backlog of {args.big} ...", file=sys.stderr)
            big = queue(work / "big", min(200, args.big), (2_000, 4_000))
            clone_backlog(big, args.big)
            big.close()
            t_big, rss_big, out_big = drain(work / "big", work / "drop-big")
            assert out_big["delivered"] == args.big, out_big
            result.update({f"peak_rss_mb_at_{args.big}": round(rss_big / 1024, 1), "big_drain_s": round(t_big, 1),
                           "big_appeals_per_s": round(args.big / t_big, 1)})
        print(json.dumps(result, indent=2))
        print(f"\n{args.n} appeals: {rate:.0f} appeals/s = {rate / cp_rate:.2f} x cp "
              f"({cp_rate:.0f}/s without fsync; {t_cp_sync / t_drain:.2f} x cp+sync); peak RSS "
              f"{rss_kb / 1024:.0f} MB" + (f", at {args.big}: {rss_big / 1024:.0f} MB" if args.big else ""))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
