"""Runs inside a private network namespace (``unshare --net``): brings up loopback, starts the
saned simulator on 127.0.0.1:6566 in its own process, and drives it through SANE's real net
backend: the production driver (python-sane) and ``scanimage``. Writes results.json (and the
pages of the acceptance scans as PNG files) into OUTDIR for the pytest side to check.

    unshare --net python netns_run.py OUTDIR
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image

from devices.scanner import SaneScanner, from_config

HERE = Path(__file__).resolve().parent
DEVICE = "net:127.0.0.1:sim-adf"
LABEL = ("№ 017-000123-5 · арк. 1/1", "0170001235-01", 150, 8)


class Sim:
    """The simulator process and its JSON-lines control channel."""

    def __init__(self, outdir: Path) -> None:
        self.err = (outdir / "sim.log").open("w")
        self.proc = subprocess.Popen([sys.executable, str(HERE / "sim_server.py"), "127.0.0.1", "6566"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, text=True)
        self.ready = json.loads(self.proc.stdout.readline())  # type: ignore[union-attr]

    def __call__(self, cmd: str, **kw: Any) -> dict[str, Any]:
        self.proc.stdin.write(json.dumps({"cmd": cmd, **kw}) + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        return json.loads(self.proc.stdout.readline())  # type: ignore[union-attr]

    def feed(self, n: int, labelled: bool = True) -> None:
        sheets = []
        for i in range(1, n + 1):
            label = [f"№ 017-000123-5 · арк. {i}/{n}", f"0170001235-{i:02d}", 150, 8] if labelled else None
            sheets.append({"lines": [f"Аркуш {i}", "Прошу розглянути звернення."], "label": label})
        self("feed", sheets=sheets)

    def close(self) -> None:
        self("quit")
        self.proc.wait(timeout=10)
        self.err.close()


def codes(img: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(img)]


def drain(scanner: SaneScanner) -> tuple[list[Image.Image], str | None]:
    """Consume a batch as the intake does: keep every page, note the error that ended it."""
    pages: list[Image.Image] = []
    try:
        for page in scanner.scan_batch():
            pages.append(page)
    except Exception as err:
        return pages, type(err).__name__
    return pages, None


def run(outdir: Path) -> dict[str, Any]:
    cfgdir = outdir / "sane.d"
    cfgdir.mkdir(exist_ok=True)
    (cfgdir / "dll.conf").write_text("net\n")
    (cfgdir / "net.conf").write_text("connect_timeout = 3\n127.0.0.1\n")
    sim = Sim(outdir)
    results: dict[str, Any] = {"endpoint": sim.ready["endpoint"]}
    scanner = from_config({"connection": "sane", "device": DEVICE, "config_dir": str(cfgdir),
                           "net_timeout_s": 3})

    def scenario(name: str, fn: Callable[[], dict[str, Any]]) -> None:
        t0 = time.monotonic()
        try:
            results[name] = fn()
        except Exception:
            results[name] = {"crash": traceback.format_exc()}
        results[name]["seconds"] = round(time.monotonic() - t0, 2)
        sim("reset")

    def label_by_driver() -> dict[str, Any]:
        sim("feed", sheets=[{"lines": ["Прошу розглянути"], "label": list(LABEL)}])
        pages, err = drain(scanner)
        for i, p in enumerate(pages, 1):
            p.save(outdir / f"driver-label-{i}.png", compress_level=1)
        return {"pages": len(pages), "error": err, "modes": [p.mode for p in pages],
                "sizes": [p.size for p in pages]}

    def first_with_feeder() -> dict[str, Any]:
        auto = SaneScanner("", config_dir=str(cfgdir))
        sim("feed", sheets=[{"lines": ["x"], "label": list(LABEL)}])
        devices = auto.devices()
        pages, err = drain(auto)
        return {"devices": devices, "pages": len(pages), "error": err,
                "codes": [codes(p) for p in pages]}

    def batch3() -> dict[str, Any]:
        sim.feed(3)
        before = scanner.status().as_dict()
        pages, err = drain(scanner)
        for i, p in enumerate(pages, 1):
            p.save(outdir / f"driver-batch-{i}.png", compress_level=1)
        state = sim("state")
        return {"pages": len(pages), "error": err, "status_before": before,
                "status_after": scanner.status().as_dict(),
                "feeder_left": len(state["paper"]["scanner_input"]),
                "stacker": [s["id"] for s in state["paper"]["stacker"]]}

    def scanimage_label() -> dict[str, Any]:
        sim("feed", sheets=[{"lines": ["Прошу розглянути"], "label": list(LABEL)},
                            {"lines": ["Аркуш 2"], "label": ["№ 017-000123-5 · арк. 2/2", "0170001235-02", 150, 8]}])
        env = {"SANE_CONFIG_DIR": str(cfgdir), "PATH": "/usr/bin:/bin"}
        proc = subprocess.run(["scanimage", "-d", DEVICE, "--source", "ADF", "--mode", "Gray",
                               "--resolution", "300", f"--batch={outdir}/scanimage-%d.png", "--format=png"],
                              env=env, capture_output=True, text=True, timeout=60)
        listed = subprocess.run(["scanimage", "-L"], env=env, capture_output=True, text=True, timeout=30)
        return {"rc": proc.returncode, "stderr": proc.stderr[-2000:], "list": listed.stdout,
                "files": sorted(p.name for p in outdir.glob("scanimage-*.png"))}

    def scanimage_jam() -> dict[str, Any]:
        sim.feed(1)
        sim("inject", fault="jam")
        env = {"SANE_CONFIG_DIR": str(cfgdir), "PATH": "/usr/bin:/bin"}
        proc = subprocess.run(["scanimage", "-d", DEVICE, "--source", "ADF", "--format=png",
                               "-o", str(outdir / "jam.png")], env=env, capture_output=True, text=True,
                              timeout=30)
        return {"rc": proc.returncode, "stderr": proc.stderr[-2000:]}

    def feeder_empty() -> dict[str, Any]:
        pages, err = drain(scanner)
        return {"pages": len(pages), "error": err, "status": scanner.status().as_dict()}

    def fault_at_start(fault: str) -> Callable[[], dict[str, Any]]:
        def fn() -> dict[str, Any]:
            sim.feed(1)
            sim("inject", fault=fault)
            status = scanner.status().as_dict()
            pages, err = drain(scanner)
            left = len(sim("state")["paper"]["scanner_input"])
            sim("clear")
            again, err2 = drain(scanner)
            return {"pages": len(pages), "error": err, "status": status, "feeder_left": left,
                    "after_clear": {"pages": len(again), "error": err2,
                                    "codes": [codes(p) for p in again]}}
        return fn

    def jam_on_sheet2(after: float) -> Callable[[], dict[str, Any]]:
        def fn() -> dict[str, Any]:
            sim.feed(3)
            sim("inject", fault="jam", after_pages=after)
            pages, err = drain(scanner)
            left = len(sim("state")["paper"]["scanner_input"])
            return {"pages": len(pages), "error": err, "codes": [codes(p) for p in pages],
                    "feeder_left": left, "last_error": scanner.status().as_dict()["last_error"]}
        return fn

    def unplugged() -> dict[str, Any]:
        sim.feed(3)
        sim("inject", fault="unplugged_mid_batch", after_pages=1)
        pages, err = drain(scanner)
        devices = scanner.devices()
        status = scanner.status().as_dict()
        sim("clear", fault="unplugged_mid_batch")
        status2 = scanner.status().as_dict()
        again, err2 = drain(scanner)
        return {"pages": len(pages), "error": err, "codes": [codes(p) for p in pages],
                "devices_while_gone": devices, "status": status, "status_after_clear": status2,
                "after_clear": {"pages": len(again), "error": err2, "codes": [codes(p) for p in again]}}

    def offline() -> dict[str, Any]:
        sim.feed(1)
        sim("inject", fault="offline")
        t0 = time.monotonic()
        pages, err = drain(scanner)
        took = time.monotonic() - t0
        status = scanner.status().as_dict()
        sim("clear", fault="offline")
        status2 = scanner.status().as_dict()
        again, err2 = drain(scanner)
        return {"pages": len(pages), "error": err, "error_seconds": round(took, 2), "status": status,
                "status_after_clear": status2, "after_clear": {"pages": len(again), "error": err2}}

    def duplex() -> dict[str, Any]:
        sim.feed(2)
        both = SaneScanner(DEVICE, duplex=True, config_dir=str(cfgdir))
        pages, err = drain(both)
        return {"pages": len(pages), "error": err, "codes": [codes(p) for p in pages]}

    scenario("label_by_driver", label_by_driver)
    scenario("duplex", duplex)
    scenario("first_with_feeder", first_with_feeder)
    scenario("batch3", batch3)
    scenario("scanimage_label", scanimage_label)
    scenario("scanimage_jam", scanimage_jam)
    scenario("feeder_empty", feeder_empty)
    scenario("jam", fault_at_start("jam"))
    scenario("double_feed", fault_at_start("double_feed"))
    scenario("cover_open", fault_at_start("cover_open"))
    scenario("jam_on_sheet2_start", jam_on_sheet2(1))
    scenario("jam_on_sheet2_mid_page", jam_on_sheet2(1.5))
    scenario("unplugged", unplugged)
    scenario("offline", offline)
    scanner.close()
    sim.close()
    return results


def main() -> None:
    outdir = Path(sys.argv[1])
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    results = run(outdir)
    (outdir / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
