"""Form printer (A4 forms and answers): IPP over HTTP, straight to the printer or to a CUPS queue.

    printer = from_config({"connection": "ipp", "uri": "ipp://192.168.1.60/ipp/print"})
    job = printer.print_pdf(pdf_bytes, job_name="appeal 017-000123-5")   # waits until completed

A CUPS queue is reached the same way (``ipp://localhost:631/printers/NAME``): on a terminal the
form printer is a driverless CUPS queue (IPP Everywhere, made at provisioning by
:func:`add_cups_queue`, ``lpadmin -m everywhere``), and CUPS converts the PDF to what the printer
takes (PWG raster, Apple raster, PCL...). The direct path stays for printers that take PDF
themselves. Either way the driver reads ``document-format-supported`` first and sends PDF only
where it is listed; a printer without it is refused with a configuration error that names the
CUPS queue as the way out. The bytes of each IPP message are made by :mod:`devices.ipp`;
``requests`` carries them, with a timeout on every call. Printer faults come from ``printer-state-reasons``:

    media-empty, media-needed -> PaperOut      media-jam -> PaperJam
    cover-open, door-open     -> CoverOpen     offline, shutdown, not reachable -> DeviceOffline
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from devices import errors, ipp
from devices.config import check_connection, declared
from devices.ipp import JobState, Op, PrinterState, Tag
from devices.state import DeviceState, DeviceStatus

log = logging.getLogger(__name__)
wire = logging.getLogger(__name__ + ".wire")

DEVICE = "form_printer"
CONNECTIONS = ("ipp",)

SETTINGS: list[dict[str, Any]] = declared("form_printer")  # devices/settings.toml
DEFAULTS: dict[str, Any] = {s["key"]: s["default"] for s in SETTINGS}

# printer-state-reasons keyword (without -error/-warning/-report) -> typed fault
REASON_FAULTS: dict[str, type[errors.DeviceFault]] = {
    "media-empty": errors.PaperOut,
    "media-needed": errors.PaperOut,
    "media-jam": errors.PaperJam,
    "cover-open": errors.CoverOpen,
    "door-open": errors.CoverOpen,
    "offline": errors.DeviceOffline,
    "shutdown": errors.DeviceOffline,
    "paused": errors.DeviceOffline,
}
REASON_WORDS = {
    "media-empty": "out of paper", "media-needed": "out of paper", "media-jam": "paper jam",
    "cover-open": "cover open", "door-open": "door open", "offline": "offline", "shutdown": "shut down",
    "paused": "paused",
}
PDF = "application/pdf"
CUPS_QUEUE = "appeal-forms"
PRINTER_ATTRIBUTES = ["printer-state", "printer-state-reasons", "printer-is-accepting-jobs",
                      "printer-make-and-model", "document-format-supported", "queued-job-count"]


def _base_reason(reason: str) -> str:
    for suffix in ("-error", "-warning", "-report"):
        if reason.endswith(suffix):
            return reason[: -len(suffix)]
    return reason


@dataclass
class PrinterInfo:
    state: int
    reasons: list[str]
    accepting: bool
    attributes: dict[str, list[Any]] = field(default_factory=dict)

    def fault(self) -> errors.DeviceFault | None:
        for reason in self.reasons:
            if reason.endswith(("-report", "-warning")) and _base_reason(reason) != "offline":
                continue
            kind = REASON_FAULTS.get(_base_reason(reason))
            if kind is not None:
                return kind(f"form printer: {REASON_WORDS[_base_reason(reason)]} ({reason})", device=DEVICE)
        if not self.accepting:
            return errors.DeviceOffline("form printer is not accepting jobs", device=DEVICE)
        return None

    def to_device_status(self) -> DeviceStatus:
        fault = self.fault()
        busy = self.state == PrinterState.PROCESSING
        warn = [r for r in self.reasons if r != "none" and r.endswith(("-warning", "-report"))]
        if fault:
            state = DeviceState.OFFLINE if type(fault) is errors.DeviceOffline else DeviceState.FAULT
        elif self.state == PrinterState.STOPPED:
            state = DeviceState.FAULT
        elif busy:
            state = DeviceState.BUSY
        elif warn or "media-low" in [_base_reason(r) for r in self.reasons]:
            state = DeviceState.WARNING
        else:
            state = DeviceState.READY
        detail = fault.code if fault else ",".join(r for r in self.reasons if r != "none")
        paper = 0 if isinstance(fault, errors.PaperOut) else (10 if any("media-low" in r for r in self.reasons) else 100)
        return DeviceStatus(device=DEVICE, state=state, detail=detail, consumables={"paper": paper},
                            last_error=fault.as_dict() if fault else None)


@dataclass
class JobResult:
    job_id: int
    state: JobState
    reasons: list[str]
    pages: int | None = None


class FormPrinter:
    """The form printer driver. Build it with :func:`from_config`."""

    def __init__(self, cfg: Mapping[str, Any], session: requests.Session | None = None) -> None:
        self.cfg = {**DEFAULTS, **cfg}
        check_connection(DEVICE, self.cfg["connection"], CONNECTIONS)
        self.uri = str(self.cfg["uri"])
        parts = urlsplit(self.uri)
        if parts.scheme not in ("ipp", "ipps", "http", "https") or not parts.hostname:
            raise errors.DeviceConfigError(f"form printer uri {self.uri!r}: expected ipp://host[:port]/path", device=DEVICE)
        scheme = {"ipp": "http", "ipps": "https"}.get(parts.scheme, parts.scheme)
        netloc = parts.netloc if parts.port else f"{parts.netloc}:631"
        self.http_url = urlunsplit((scheme, netloc, parts.path or "/", "", ""))
        major, _, minor = str(self.cfg["ipp_version"]).partition(".")
        self.version = (int(major), int(minor or 0))
        self.session = session or requests.Session()
        self._request_id = 0
        self.last_status = DeviceStatus(device=DEVICE)

    # -- public -------------------------------------------------------------------------
    def printer_info(self) -> PrinterInfo:
        """Get-Printer-Attributes: state, reasons, accepting. Raises DeviceOffline if unreachable."""
        msg = self._request(Op.GET_PRINTER_ATTRIBUTES)
        msg.add(Tag.OPERATION, "requested-attributes", Tag.KEYWORD, *PRINTER_ATTRIBUTES)
        resp = self._call(msg, float(self.cfg["request_timeout"]))
        attrs = {n: a.values for n, a in resp.group(Tag.PRINTER).items()}
        state = int((attrs.get("printer-state") or [PrinterState.IDLE])[0])
        reasons = [str(r) for r in attrs.get("printer-state-reasons", ["none"])]
        accepting = bool((attrs.get("printer-is-accepting-jobs") or [True])[0])
        return PrinterInfo(state, reasons, accepting, attrs)

    def status(self) -> DeviceStatus:
        try:
            self.last_status = self.printer_info().to_device_status()
        except errors.DeviceError as err:
            state = DeviceState.OFFLINE if isinstance(err, errors.DeviceOffline | errors.DeviceTimeout) else DeviceState.FAULT
            self.last_status = DeviceStatus(device=DEVICE, state=state, detail=err.code, last_error=err.as_dict())
        return self.last_status

    def print_pdf(self, pdf: bytes | Path, *, job_name: str = "form", copies: int = 1,
                  wait: bool = True) -> JobResult:
        """Print a PDF and (by default) wait until the printer says the job is completed.

        Raises PaperOut / PaperJam / CoverOpen / DeviceOffline before sending if the printer
        reports that condition, and the same if the job is stopped or aborted by it;
        DeviceTimeout if the job does not finish within ``job_timeout``.
        """
        data = pdf.read_bytes() if isinstance(pdf, Path) else bytes(pdf)
        info = self.printer_info()
        fault = info.fault()
        if fault is not None:
            self.last_status = info.to_device_status()
            raise fault
        formats = [str(f) for f in info.attributes.get("document-format-supported", [])]
        if PDF not in formats:
            raise errors.DeviceConfigError(
                f"form printer at {self.uri} does not take PDF (it takes {', '.join(formats) or 'nothing it names'}); "
                f"reach it through a CUPS queue, which converts: lpadmin -p {CUPS_QUEUE} -E -v {self.uri} "
                f"-m everywhere, then uri = ipp://localhost:631/printers/{CUPS_QUEUE}", device=DEVICE)
        msg = self._request(Op.PRINT_JOB)
        msg.add(Tag.OPERATION, "requesting-user-name", Tag.NAME, str(self.cfg["user"]))
        msg.add(Tag.OPERATION, "job-name", Tag.NAME, job_name)
        msg.add(Tag.OPERATION, "document-format", Tag.MIME_TYPE, PDF)
        if copies != 1:
            msg.add(Tag.JOB, "copies", Tag.INTEGER, copies)
        msg.data = data
        resp = self._call(msg, float(self.cfg["request_timeout"]))
        job = resp.group(Tag.JOB)
        if "job-id" not in job:
            raise errors.DeviceProtocolError("form printer accepted the job without a job-id", device=DEVICE)
        result = JobResult(int(job["job-id"].value), JobState(int(ipp.values(job, "job-state")[0] or 3)),
                           [str(r) for r in ipp.values(job, "job-state-reasons")])
        log.info("form printer: job %d accepted (%d bytes)", result.job_id, len(data))
        if wait:
            result = self.wait_job(result.job_id)
        return result

    def wait_job(self, job_id: int) -> JobResult:
        deadline = time.monotonic() + float(self.cfg["job_timeout"])
        while True:
            result = self.job(job_id)
            if result.state == JobState.COMPLETED:
                self.last_status = DeviceStatus(device=DEVICE, state=DeviceState.READY)
                log.info("form printer: job %d completed", job_id)
                return result
            if result.state in (JobState.ABORTED, JobState.CANCELED, JobState.PROCESSING_STOPPED):
                info = self.printer_info()
                fault = info.fault()
                self.last_status = info.to_device_status()
                if fault is not None:
                    fault.job_id = job_id  # type: ignore[attr-defined]
                    raise fault
                if result.state != JobState.PROCESSING_STOPPED:
                    raise errors.DeviceProtocolError(
                        f"form printer job {job_id} {result.state.name.lower()}: {', '.join(result.reasons)}",
                        device=DEVICE)
            if time.monotonic() > deadline:
                err = errors.DeviceTimeout(f"form printer job {job_id} not completed in {self.cfg['job_timeout']} s",
                                    device=DEVICE)
                err.job_id = job_id  # type: ignore[attr-defined]
                raise err
            time.sleep(float(self.cfg["poll_interval"]))

    def job(self, job_id: int) -> JobResult:
        """Get-Job-Attributes for one job."""
        msg = self._request(Op.GET_JOB_ATTRIBUTES)
        msg.add(Tag.OPERATION, "job-id", Tag.INTEGER, job_id)
        msg.add(Tag.OPERATION, "requested-attributes", Tag.KEYWORD,
                "job-state", "job-state-reasons", "job-impressions-completed")
        job = self._call(msg, float(self.cfg["request_timeout"])).group(Tag.JOB)
        pages = ipp.values(job, "job-impressions-completed")
        return JobResult(job_id, JobState(int(ipp.values(job, "job-state")[0])),
                         [str(r) for r in ipp.values(job, "job-state-reasons")],
                         int(pages[0]) if pages and pages[0] is not None else None)

    def cancel_job(self, job_id: int) -> None:
        msg = self._request(Op.CANCEL_JOB)
        msg.add(Tag.OPERATION, "job-id", Tag.INTEGER, job_id)
        msg.add(Tag.OPERATION, "requesting-user-name", Tag.NAME, str(self.cfg["user"]))
        self._call(msg, float(self.cfg["request_timeout"]))

    def close(self) -> None:
        self.session.close()

    # -- internals ----------------------------------------------------------------------
    def _request(self, op: Op) -> ipp.Message:
        self._request_id += 1
        msg = ipp.Message(code=op, request_id=self._request_id, version=self.version)
        msg.add(Tag.OPERATION, "attributes-charset", Tag.CHARSET, "utf-8")
        msg.add(Tag.OPERATION, "attributes-natural-language", Tag.LANGUAGE, "en")
        msg.add(Tag.OPERATION, "printer-uri", Tag.URI, self.uri)
        if op != Op.PRINT_JOB:
            msg.add(Tag.OPERATION, "requesting-user-name", Tag.NAME, str(self.cfg["user"]))
        return msg

    def _call(self, msg: ipp.Message, timeout: float) -> ipp.Message:
        body = ipp.encode(msg)
        op = Op(msg.code).name
        wire.debug(">>> %s #%d (%d bytes)", op, msg.request_id, len(body))
        try:
            resp = self.session.post(self.http_url, data=body, headers={"Content-Type": "application/ipp"},
                                     timeout=(float(self.cfg["connect_timeout"]), timeout))
        except requests.Timeout as err:
            raise errors.DeviceTimeout(f"form printer did not answer {op} in time", device=DEVICE) from err
        except requests.ConnectionError as err:
            raise errors.DeviceOffline(f"form printer at {self.uri} is not reachable", device=DEVICE) from err
        if resp.status_code != 200:
            raise errors.DeviceProtocolError(f"form printer: HTTP {resp.status_code} for {op}", device=DEVICE)
        answer = ipp.decode(resp.content)
        wire.debug("<<< %s #%d %s", op, answer.request_id, answer.status_name)
        if not answer.ok:
            if answer.code in (0x0506, 0x0504):
                raise errors.DeviceOffline(f"form printer refused {op}: {answer.status_name}", device=DEVICE)
            raise errors.DeviceProtocolError(f"form printer refused {op}: {answer.status_name}", device=DEVICE)
        return answer


def from_config(cfg: Mapping[str, Any], session: requests.Session | None = None) -> FormPrinter:
    return FormPrinter(cfg, session)


def add_cups_queue(device_uri: str, *, name: str = CUPS_QUEUE, server: str | None = None,
                   timeout: float = 120.0) -> str:
    """Make (or remake) a driverless CUPS queue for the printer at ``device_uri`` (its own
    ``ipp://`` or ``ipps://`` URI): ``lpadmin -p NAME -E -v DEVICE_URI -m everywhere``. CUPS asks
    the printer for its attributes and writes the queue's PPD; it then converts what it gets (PDF)
    to a format the printer lists. Returns the queue's URI for the ``uri`` setting.
    ``server`` (host:port) is lpadmin's ``-h``; by default the local cupsd."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,127}", name):
        raise errors.DeviceConfigError(f"CUPS queue name {name!r}: letters, digits, _ . - only", device=DEVICE)
    if urlsplit(device_uri).scheme not in ("ipp", "ipps") or not urlsplit(device_uri).hostname:
        raise errors.DeviceConfigError(f"form printer device uri {device_uri!r}: expected ipp://host/path", device=DEVICE)
    lpadmin = shutil.which("lpadmin") or "/usr/sbin/lpadmin"
    cmd = [lpadmin, *(["-h", server] if server else []), "-p", name, "-E", "-v", device_uri, "-m", "everywhere"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except FileNotFoundError as err:
        raise errors.DeviceConfigError("lpadmin is not installed (Debian: cups-client)", device=DEVICE) from err
    except subprocess.TimeoutExpired as err:
        raise errors.DeviceTimeout(f"lpadmin did not finish in {timeout:.0f} s", device=DEVICE) from err
    if out.returncode != 0:
        raise errors.DeviceOffline(f"lpadmin could not make the queue {name} for {device_uri}: "
                            f"{(out.stderr or out.stdout).strip()}", device=DEVICE)
    log.info("form printer: CUPS queue %s made for %s (driverless)", name, device_uri)
    host = server or "localhost:631"
    return f"ipp://{host}/printers/{name}"
