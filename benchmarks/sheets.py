"""Benchmark of the intake's sheet pipeline (kiosk_app.core.imaging).

    .venv/bin/python benchmarks/sheets.py            # full: 60 sheets throughput, 300 label sheets
    .venv/bin/python benchmarks/sheets.py --quick    # CI smoke: 16 and 40 sheets, ~25 s on an idle machine

Prints three tables:

1. Throughput on two cores (a process pool of 2) of the full pipeline (label read-back, cleanup,
   compression, and the appeal PDF as PDF/A-2b, 4 sheets an appeal) beside a BASELINE measured in
   the same run on the same pages: the minimum work, a fixed threshold and the G4 encoding alone.
   Target: at least 15 sheets/s. Reported as wall-clock sheets/s AND as CPU ms per sheet (with
   the rate that implies on two idle cores), because on a shared machine the wall figure says
   more about the other processes than about this code. Also per-stage times.
2. PDF bytes per text page (G4) beside a PDF of the same scans as greyscale JPEG q75.
3. Label read-back on degraded sheets (skew up to 5°, noise, blur, low contrast, half-turns,
   dark borders): zxing-cpp and pyzbar on the same sheets; success rate, misreads, decode CPU time.
   Target: 100 % for the chosen reader (zxing-cpp).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _sheetgen as sg  # noqa: E402
import cv2  # noqa: E402
import img2pdf  # noqa: E402

from kiosk_app.core.imaging import (  # noqa: E402
    TEXT_PAGE_BUDGET,
    build_pdf,
    clean_sheet,
    encode_bitonal,
    encode_grey,
    encode_page,
    process_sheet,
    read_labels,
    read_labels_pyzbar,
)

SHEETS_PER_APPEAL = 4
_SHEETS: list[sg.TestSheet] = []          # filled before the pool forks; workers inherit it


def _init_worker() -> None:
    cv2.setNumThreads(1)                  # one process per core; no thread oversubscription


# -- work units (run in the pool) -------------------------------------------------------------
def _pipeline_appeal(indices: list[int]) -> dict[str, Any]:
    c0 = time.process_time()
    t0 = time.perf_counter()
    pages, out = [], []
    for i in indices:
        s = _SHEETS[i]
        number = s.payload.split("-")[0]
        p = process_sheet(s.image, expected_number=number)
        out.append({"label_ok": p.label_ok, "skew_err": abs(p.cleaned.skew_deg - s.degradation.skew_deg),
                    "upright": p.cleaned.rotated_180 == s.degradation.upside_down, "bytes": p.encoded.size if p.encoded else 0,
                    "kind": p.encoded.kind if p.encoded else "blank", **p.timings_ms})
        if p.encoded:
            pages.append(p.encoded)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        info = build_pdf(pages, Path(tmp) / "a.pdf", title="Звернення", number=_SHEETS[indices[0]].payload[:10])
    t2 = time.perf_counter()
    return {"sheets": out, "pdf_ms": (t2 - t1) * 1e3, "pdfa": info.pdfa, "wall_ms": (t2 - t0) * 1e3,
            "page_bytes": info.page_bytes, "cpu_ms": (time.process_time() - c0) * 1e3}


def _stage_cpu(indices: list[int]) -> dict[str, float]:
    """CPU ms per stage (process time, independent of other load), stage by stage."""
    cpu: dict[str, float] = {"labels": 0.0, "cleanup": 0.0, "encode": 0.0, "pdf": 0.0}
    pages = []
    for i in indices:
        img = _SHEETS[i].image
        c0 = time.process_time()
        reads = read_labels(img)
        c1 = time.process_time()
        cleaned = clean_sheet(img, reads)
        c2 = time.process_time()
        pages.append(encode_page(cleaned))
        c3 = time.process_time()
        cpu["labels"] += c1 - c0
        cpu["cleanup"] += c2 - c1
        cpu["encode"] += c3 - c2
    c0 = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        build_pdf(pages, Path(tmp) / "a.pdf", title="Звернення", number=_SHEETS[indices[0]].payload[:10])
    cpu["pdf"] = time.process_time() - c0
    return {k: v * 1e3 / len(indices) for k, v in cpu.items()}


def _baseline_sheet(i: int) -> tuple[int, float]:
    c0 = time.process_time()
    img = _SHEETS[i].image
    bw = cv2.threshold(img, 128, 255, cv2.THRESH_BINARY)[1]
    size = encode_bitonal(bw).size
    return size, (time.process_time() - c0) * 1e3


def _jpeg_pdf_bytes(indices: list[int]) -> tuple[int, int]:
    pages = [encode_grey(_SHEETS[i].image, quality=75).data for i in indices]
    return len(img2pdf.convert(pages)), len(pages)


def _label_trial(args: tuple[int, int]) -> dict[str, Any]:
    seed, i = args
    sheet = sg.sheet_set(1, seed=seed * 100000 + i)[0]
    res: dict[str, Any] = {"payload": sheet.payload, "d": sheet.degradation.as_dict()}
    for name, fn in (("zxing-cpp", read_labels), ("pyzbar", read_labels_pyzbar)):
        t0 = time.process_time()           # CPU time: comparable whatever else the machine runs
        reads = fn(sheet.image)
        ms = (time.process_time() - t0) * 1e3
        texts = [r.text for r in reads if r.number]
        res[name] = {"ok": sheet.payload in texts, "wrong": any(t != sheet.payload for t in texts), "ms": ms}
    return res


# -- reporting --------------------------------------------------------------------------------
def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0.0


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    for n, r in enumerate(rows):
        print("  ".join(cell.ljust(w) if c == 0 else cell.rjust(w) for c, (cell, w) in enumerate(zip(r, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="example: .venv/bin/python benchmarks/sheets.py --quick")
    ap.add_argument("--quick", action="store_true", help="small sets, for CI smoke runs (< 60 s)")
    ap.add_argument("--sheets", type=int, help="sheets for throughput (default 60, quick 16)")
    ap.add_argument("--labels", type=int, help="sheets for the label read-back (default 300, quick 40)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    n_sheets = args.sheets or (16 if args.quick else 60)
    n_labels = args.labels or (40 if args.quick else 300)
    n_sheets -= n_sheets % SHEETS_PER_APPEAL
    ctx = mp.get_context("fork")
    load = os.getloadavg()[0]
    cv2.setNumThreads(1)
    print(f"sheet pipeline benchmark: {n_sheets} sheets for throughput, {n_labels} for labels, "
          f"{args.workers} worker processes, {os.cpu_count()} CPUs")

    t0 = time.perf_counter()
    # typical scans (no harsh degradations, a few pages upside down / skewed) for throughput
    _SHEETS.extend(sg.sheet_set(n_sheets, seed=11, moderate=True))
    print(f"generated the throughput set in {time.perf_counter() - t0:.1f} s")

    appeals = [list(range(i, i + SHEETS_PER_APPEAL)) for i in range(0, n_sheets, SHEETS_PER_APPEAL)]
    with ctx.Pool(args.workers, initializer=_init_worker) as pool:
        pool.map(_baseline_sheet, range(min(args.workers, n_sheets)))      # warm up both workers
        tb = time.perf_counter()
        base = pool.map(_baseline_sheet, range(n_sheets), chunksize=1)
        base_s = time.perf_counter() - tb
        tp = time.perf_counter()
        results = pool.map(_pipeline_appeal, appeals, chunksize=1)
        pipe_s = time.perf_counter() - tp
        jpeg = pool.map(_jpeg_pdf_bytes, appeals, chunksize=1)
        stage_cpu = pool.map(_stage_cpu, appeals, chunksize=1)

    sheets = [s for r in results for s in r["sheets"]]
    base_sizes = [b[0] for b in base]
    base_cpu = sum(b[1] for b in base) / n_sheets
    pipe_cpu = sum(r["cpu_ms"] for r in results) / n_sheets
    base_rate, pipe_rate = n_sheets / base_s, n_sheets / pipe_s
    print(f"\n1. Throughput, {args.workers} worker processes (load average before the run: {load:.2f})")
    _table([("measure", "sheets/s wall", "vs baseline", "CPU ms/sheet", "sheets/s, 2 idle cores"),
            ("baseline: threshold + G4 only", f"{base_rate:.1f}", "1.00", f"{base_cpu:.1f}",
             f"{2000 / base_cpu:.1f}"),
            ("pipeline: labels+cleanup+G4+PDF/A", f"{pipe_rate:.1f}", f"{pipe_rate / base_rate:.2f}",
             f"{pipe_cpu:.1f}", f"{2000 / pipe_cpu:.1f}"),
            ("target", ">= 15.0", "", "", ">= 15.0")])
    print("   (wall figures depend on what else runs on the machine; the CPU figures do not:"
          " 'sheets/s, 2 idle cores' = 2000 / CPU ms)")
    stage = {k: statistics.mean(s[k] for s in sheets) for k in ("labels", "cleanup", "encode", "total")}
    pdf_ms = statistics.mean(r["pdf_ms"] for r in results) / SHEETS_PER_APPEAL
    print("\n   per stage, wall ms/sheet in the pool: " + ", ".join(f"{k} {v:.1f}" for k, v in stage.items())
          + f", pdf {pdf_ms:.1f}")
    cpu = {k: statistics.mean(c[k] for c in stage_cpu) for k in stage_cpu[0]}
    print("   per stage, CPU ms/sheet:             " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items())
          + f", sum {sum(cpu.values()):.1f}")
    print(f"   labels read {sum(s['label_ok'] for s in sheets)}/{len(sheets)}, upright "
          f"{sum(s['upright'] for s in sheets)}/{len(sheets)}, max deskew error "
          f"{max(s['skew_err'] for s in sheets):.3f} deg, PDF/A-2b "
          f"{sum(r['pdfa'] == 'pass' for r in results)}/{len(results)} passed")

    g4 = [b for r in results for b, s in zip(r["page_bytes"], r["sheets"], strict=False) if s["kind"] == "g4"]
    jpeg_total, jpeg_pages = sum(j[0] for j in jpeg), sum(j[1] for j in jpeg)
    pipe_total = sum(r_pdf for r_pdf in (sum(r["page_bytes"]) for r in results))
    print("\n2. PDF size per text page")
    _table([("encoding", "mean KB", "max KB", "pages over 70 KB", "vs G4"),
            ("CCITT G4 bitonal (ours)", f"{statistics.mean(g4) / 1024:.1f}", f"{max(g4) / 1024:.1f}",
             f"{sum(b > TEXT_PAGE_BUDGET for b in g4)}/{len(g4)}", "1.00"),
            ("JPEG q75 greyscale", f"{jpeg_total / jpeg_pages / 1024:.1f}", "", "",
             f"{(jpeg_total / jpeg_pages) / (pipe_total / max(len(g4), 1)):.2f}"),
            ("baseline G4 (fixed threshold, no cleanup)", f"{statistics.mean(base_sizes) / 1024:.1f}",
             f"{max(base_sizes) / 1024:.1f}", "", "")])

    tl = time.perf_counter()
    with ctx.Pool(args.workers, initializer=_init_worker) as pool:
        trials = pool.map(_label_trial, [(7, i) for i in range(n_labels)], chunksize=2)
    print(f"\n3. Label read-back on {n_labels} degraded sheets (generated and read in "
          f"{time.perf_counter() - tl:.1f} s)")
    rows = [("reader", "read", "success", "misread", "mean CPU ms", "p95 CPU ms", "max CPU ms")]
    for name in ("zxing-cpp", "pyzbar"):
        ok = sum(t[name]["ok"] for t in trials)
        ms = [t[name]["ms"] for t in trials]
        rows.append((name, f"{ok}/{n_labels}", f"{ok / n_labels:.1%}", str(sum(t[name]["wrong"] for t in trials)),
                     f"{statistics.mean(ms):.1f}", f"{_pct(ms, 0.95):.1f}", f"{max(ms):.1f}"))
    _table(rows)
    zx = statistics.mean(t["zxing-cpp"]["ms"] for t in trials)
    zb = statistics.mean(t["pyzbar"]["ms"] for t in trials)
    print(f"   zxing-cpp is {zb / zx:.1f}x faster than pyzbar on the same sheets")
    failed = [t for t in trials if not t["zxing-cpp"]["ok"]]
    for t in failed[:5]:
        print("   zxing-cpp missed:", t["payload"], {k: round(v, 2) if isinstance(v, float) else v
                                                     for k, v in t["d"].items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

