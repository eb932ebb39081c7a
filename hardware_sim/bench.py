"""The test bench: one virtual paper path and the six simulated devices around it.

    bench = Bench(Path("var/sim"), receipt_port=0, ipp_port=0, saned_port=0)
    bench.start()            # starts every simulator that exists; writes <workdir>/endpoints.json
    bench.inject("modem", "no_sim"); bench.feed(["sheet1.png"]); bench.state()
    bench.stop()

Each simulator module is imported when the bench starts; one that is missing or fails to start
is listed as "not available" with the reason, and the others run. ``endpoints.json`` is what the
kiosk's and sync agent's configuration (and the ``hardware-sim`` client commands) read.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from hardware_sim.base import FAULTS, Simulator, UnknownFault
from hardware_sim.paper import PaperPath, ScanNoise, blank_page

log = logging.getLogger(__name__)

# name -> (module, class, what the constructor takes besides workdir)
SIMULATORS: dict[str, tuple[str, str, str]] = {
    "receipt_printer": ("hardware_sim.escpos_printer", "EscposPrinterSim", "tcp:receipt"),
    "form_printer": ("hardware_sim.ipp_printer", "IppPrinterSim", "tcp:ipp"),
    "scanner": ("hardware_sim.saned", "SanedSim", "paper,tcp:saned"),
    "intake": ("hardware_sim.intake_mechanism", "IntakeMechanismSim", "paper"),
    "barcode_reader": ("hardware_sim.barcode_reader", "BarcodeReaderSim", ""),
    "modem": ("hardware_sim.modem", "ModemSim", ""),
}
DEVICES = tuple(SIMULATORS)


class BenchError(ValueError):
    """A request the bench cannot do: unknown device or fault, device not available."""

    def __init__(self, message: str, code: str = "bad_request") -> None:
        super().__init__(message)
        self.code = code


class Bench:
    def __init__(self, workdir: Path, *, host: str = "127.0.0.1", receipt_port: int = 9100,
                 ipp_port: int = 8631, saned_port: int = 6566, noise: ScanNoise | None = None) -> None:
        self.workdir = Path(workdir).resolve()
        self.host = host
        self.ports = {"receipt": receipt_port, "ipp": ipp_port, "saned": saned_port}
        self.paper = PaperPath(noise)
        self.sims: dict[str, Simulator] = {}
        self.unavailable: dict[str, str] = {}
        self.control_url = ""
        self.started_at = 0.0

    # -- life cycle -----------------------------------------------------------------------------
    def _build(self, name: str) -> Simulator:
        module_name, class_name, needs = SIMULATORS[name]
        module = importlib.import_module(module_name)
        cls = getattr(module, class_name)
        args: list[Any] = [self.workdir]
        kwargs: dict[str, Any] = {}
        for need in filter(None, needs.split(",")):
            if need == "paper":
                args.append(self.paper)
            elif need.startswith("tcp:"):
                kwargs.update(host=self.host, port=self.ports[need[4:]])
        return cls(*args, **kwargs)

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.started_at = time.time()
        for name in SIMULATORS:
            try:
                sim = self._build(name)
            except ImportError as err:
                self.unavailable[name] = f"not available (module missing: {err})"
                log.warning("%s: %s", name, self.unavailable[name])
                continue
            except Exception as err:  # a simulator still being written: report, run the rest
                self.unavailable[name] = f"not available ({type(err).__name__}: {err})"
                log.warning("%s: %s", name, self.unavailable[name])
                continue
            try:
                sim.start()
            except Exception as err:
                self.unavailable[name] = f"failed to start ({type(err).__name__}: {err})"
                log.error("%s: %s", name, self.unavailable[name])
                continue
            self.sims[name] = sim
            log.info("%s: %s", name, sim.endpoint())
        self.write_endpoints()

    def stop(self) -> None:
        for name, sim in reversed(list(self.sims.items())):
            try:
                sim.stop()
            except Exception:
                log.exception("%s: stop failed", name)
        self.sims.clear()
        with_path = self.workdir / "endpoints.json"
        if with_path.exists():
            with_path.unlink()

    def endpoints(self) -> dict[str, Any]:
        devices: dict[str, Any] = {}
        for name in SIMULATORS:
            if name in self.sims:
                devices[name] = {"available": True, **self.sims[name].endpoint()}
            else:
                devices[name] = {"available": False,
                                 "reason": self.unavailable.get(name, "not started")}
        return {"workdir": str(self.workdir), "pid": os.getpid(),
                "control": {"url": self.control_url}, "devices": devices}

    def write_endpoints(self) -> Path:
        path = self.workdir / "endpoints.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.endpoints(), ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)
        return path

    # -- lookups ------------------------------------------------------------------------------------
    def sim(self, device: str) -> Simulator:
        if device not in SIMULATORS:
            raise BenchError(f"unknown device {device!r}; choose one of: {', '.join(DEVICES)}",
                             "unknown_device")
        if device not in self.sims:
            raise BenchError(f"{device} is {self.unavailable.get(device, 'not running')}", "unavailable")
        return self.sims[device]

    # -- faults ---------------------------------------------------------------------------------------
    def inject(self, device: str, fault: str, after_pages: float | None = None) -> dict[str, Any]:
        """``after_pages`` (scanner only): the fault strikes once that many more pages were scanned."""
        check_fault(device, fault)
        sim = self.sim(device)
        try:
            if after_pages is not None:
                if device != "scanner":
                    raise BenchError("after_pages applies to the scanner only", "bad_request")
                sim.inject(fault, after_pages=after_pages)  # type: ignore[call-arg]
            else:
                sim.inject(fault)
        except UnknownFault as err:
            raise BenchError(str(err), "unknown_fault") from err
        log.info("fault injected: %s %s", device, fault)
        return sim.state()

    def clear(self, device: str, fault: str | None = None) -> dict[str, Any]:
        if fault:
            check_fault(device, fault)
        sim = self.sim(device)
        sim.clear(fault)
        log.info("fault cleared: %s %s", device, fault or "(all)")
        return sim.state()

    # -- what testers do and see -------------------------------------------------------------------------
    def feed(self, files: list[str | Path] | None = None, blank: int = 0,
             lines: list[str] | None = None) -> list[int]:
        """Put sheets in the tray: image files (in order), then ``blank`` generated pages."""
        ids: list[int] = []
        for f in files or []:
            p = Path(f)
            if not p.is_file():
                raise BenchError(f"no such file: {p}", "no_file")
        try:
            ids.extend(self.paper.feed(*(files or [])))
        except OSError as err:
            raise BenchError(f"not an image: {err}", "bad_image") from err
        for i in range(blank):
            text = lines or [f"Тестовий аркуш {i + 1} / Test sheet {i + 1}"]
            ids.append(self.paper.feed_image(blank_page(text), f"<blank {i + 1}>"))
        return ids

    def state(self) -> dict[str, Any]:
        devices: dict[str, Any] = {}
        for name in SIMULATORS:
            if name in self.sims:
                try:
                    devices[name] = {"available": True, **self.sims[name].state()}
                except Exception as err:
                    devices[name] = {"available": True, "device": name, "error": repr(err)}
            else:
                devices[name] = {"available": False, "device": name,
                                 "reason": self.unavailable.get(name, "not started"), "faults": []}
        return {"workdir": str(self.workdir), "uptime_s": round(time.time() - self.started_at, 1),
                "devices": devices, "paper": self.paper.state(), "faults": {k: list(v) for k, v in FAULTS.items()}}

    def receipts(self) -> list[dict[str, Any]]:
        sim = self.sims.get("receipt_printer")
        return list(getattr(sim, "receipts", list)()) if sim else []

    def jobs(self) -> list[dict[str, Any]]:
        sim = self.sims.get("form_printer")
        return list(getattr(sim, "jobs", list)()) if sim else []

    def sms(self) -> list[dict[str, Any]]:
        sim = self.sims.get("modem")
        return list(getattr(sim, "sms_log", list)()) if sim else []

    def bin(self) -> dict[str, Any]:
        st = self.paper.state()
        return {**st["bin"], "staples_used": st["staples_used"]}

    def empty_bin(self) -> dict[str, Any]:
        taken = self.paper.empty_bin()
        intake = self.sims.get("intake")
        if intake is not None and hasattr(intake, "bin_sheets"):
            with intake.lock:          # as BIN_EMPTIED does: the mechanism's counters follow the bin
                intake.bin_sheets = 0
                if hasattr(intake, "bin_sets"):
                    intake.bin_sets = 0
                intake.faults.discard("bin_full")
        return {"emptied_sets": len(taken), "emptied_sheets": sum(len(e["sheets"]) for e in taken)}

    def scan_barcode(self, code: str) -> dict[str, Any]:
        if not code or any(ord(c) < 32 for c in code):
            raise BenchError("a barcode is printable text, e.g. 0170001235-01", "bad_code")
        sim = self.sim("barcode_reader")
        sent = sim.scan(code)  # type: ignore[attr-defined]
        return {"code": code, "sent": bool(sent) if sent is not None else True}


def check_fault(device: str, fault: str) -> None:
    """Raise BenchError naming the choices for an unknown device or fault."""
    if device not in FAULTS:
        raise BenchError(f"unknown device {device!r}; choose one of: {', '.join(DEVICES)}", "unknown_device")
    if fault not in FAULTS[device]:
        raise BenchError(f"{device} has no fault {fault!r}; choose one of: {', '.join(FAULTS[device])}",
                         "unknown_fault")
