"""The virtual form printer: an IPP printer (IPP/1.1 and 2.0 over HTTP) at /ipp/print.

It speaks enough IPP for our driver and for CUPS's ``ipptool`` (get-printer-attributes.test,
print-job.test, get-jobs.test): Get-Printer-Attributes, Print-Job, Validate-Job,
Get-Job-Attributes, Get-Jobs, Cancel-Job. Each job's PDF is kept in ``<workdir>/form-jobs/``
and its pages rendered there as PNGs with ``pdftoppm -r 50``.

Faults: ``paper_out`` (media-empty-error), ``jam`` (media-jam-error), ``offline``
(offline-error): the printer is stopped with that reason, and a job sent meanwhile ends aborted.

The IPP codec below is the simulator's own (RFC 8010); it shares nothing with the driver.
"""

from __future__ import annotations

import logging
import struct
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from hardware_sim.base import Simulator

log = logging.getLogger(__name__)
wire = logging.getLogger(__name__ + ".wire")

# -- a compact IPP codec: attributes are (tag, name, [values]) ---------------------------
OP_GROUP, JOB_GROUP, END, PRINTER_GROUP, UNSUPPORTED_GROUP = 1, 2, 3, 4, 5
INTEGER, BOOLEAN, ENUM, DATETIME, RANGE, BEG_COLL, END_COLL = 0x21, 0x22, 0x23, 0x31, 0x33, 0x34, 0x37
TEXT, NAME, KEYWORD, URI, URISCHEME, CHARSET, LANGUAGE, MIME, MEMBER = (
    0x41, 0x42, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A)
NO_VALUE = 0x13
Attr = tuple[int, str, list[Any]]

OPS = {0x0002: "Print-Job", 0x0004: "Validate-Job", 0x0008: "Cancel-Job", 0x0009: "Get-Job-Attributes",
       0x000A: "Get-Jobs", 0x000B: "Get-Printer-Attributes"}
JOB_STATES = {3: "pending", 5: "processing", 6: "processing-stopped", 7: "canceled", 8: "aborted", 9: "completed"}
FAULT_REASONS = {"paper_out": "media-empty-error", "jam": "media-jam-error", "offline": "offline-error"}


def parse_request(data: bytes) -> tuple[tuple[int, int], int, int, list[tuple[int, list[Attr]]], bytes]:
    ver = (data[0], data[1])
    op, req_id = struct.unpack(">hi", data[2:8])
    pos, groups = 8, []
    while True:
        tag = data[pos]
        pos += 1
        if tag == END:
            break
        if tag < 0x10:
            groups.append((tag, []))
            continue
        nlen = struct.unpack(">H", data[pos:pos + 2])[0]
        name = data[pos + 2:pos + 2 + nlen].decode()
        pos += 2 + nlen
        vlen = struct.unpack(">H", data[pos:pos + 2])[0]
        raw = data[pos + 2:pos + 2 + vlen]
        pos += 2 + vlen
        if tag == BEG_COLL:                      # skip collections: we never need them in requests
            depth = 1
            while depth:
                t = data[pos]
                nl = struct.unpack(">H", data[pos + 1:pos + 3])[0]
                vl = struct.unpack(">H", data[pos + 3 + nl:pos + 5 + nl])[0]
                pos += 5 + nl + vl
                depth += {BEG_COLL: 1, END_COLL: -1}.get(t, 0)
            value: Any = None
        elif tag in (INTEGER, ENUM):
            value = struct.unpack(">i", raw)[0]
        elif tag == BOOLEAN:
            value = raw != b"\0"
        elif 0x40 <= tag <= 0x4F:
            value = raw.decode("utf-8", "replace")
        else:
            value = raw
        if name:
            groups[-1][1].append((tag, name, [value]))
        elif groups[-1][1]:
            groups[-1][1][-1][2].append(value)
    return ver, op, req_id, groups, data[pos:]


def _value_bytes(tag: int, v: Any) -> bytes:
    if tag in (INTEGER, ENUM):
        return struct.pack(">i", v)
    if tag == BOOLEAN:
        return b"\1" if v else b"\0"
    if tag == RANGE:
        return struct.pack(">ii", *v)
    if tag == 0x32:
        return struct.pack(">iiB", *v)
    if tag == NO_VALUE:
        return b""
    return v if isinstance(v, bytes) else str(v).encode()


def _encode_attr(out: bytearray, tag: int, name: str, values: list[Any]) -> None:
    for i, v in enumerate(values):
        n = name.encode() if i == 0 else b""
        if tag == BEG_COLL:
            out += struct.pack(">BH", BEG_COLL, len(n)) + n + b"\0\0"
            for mtag, mname, mvalues in v:
                out += struct.pack(">BHH", MEMBER, 0, len(mname)) + mname.encode()
                _encode_attr(out, mtag, "", mvalues)
            out += struct.pack(">BHH", END_COLL, 0, 0)
        else:
            raw = _value_bytes(tag, v)
            out += struct.pack(">BH", tag, len(n)) + n + struct.pack(">H", len(raw)) + raw


def build_response(ver: tuple[int, int], status: int, req_id: int, groups: list[tuple[int, list[Attr]]]) -> bytes:
    out = bytearray(struct.pack(">BBhi", ver[0], ver[1], status, req_id))
    for gtag, attrs in groups:
        out.append(gtag)
        for tag, name, values in attrs:
            _encode_attr(out, tag, name, values)
    out.append(END)
    return bytes(out)


# -- the printer --------------------------------------------------------------------------
class IppPrinterSim(Simulator):
    name = "form_printer"
    path = "/ipp/print"

    def __init__(self, workdir: Path, host: str = "127.0.0.1", port: int = 8631, render: bool = True) -> None:
        super().__init__(workdir)
        self.host = host
        self.port = port
        self.render = render
        self.job_dir = self.workdir / "form-jobs"
        self._jobs: dict[int, dict[str, Any]] = {}
        self._next_id = 1
        self._started = time.time()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------
    def start(self) -> None:
        self.job_dir.mkdir(parents=True, exist_ok=True)
        sim = self

        class Handler(_IppHandler):
            printer = sim

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="ipp-sim", daemon=True)
        self._thread.start()
        log.info("virtual form printer at %s", self.endpoint()["uri"])

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def endpoint(self) -> dict[str, Any]:
        return {"transport": "ipp", "uri": f"ipp://{self.host}:{self.port}{self.path}"}

    def jobs(self) -> list[dict[str, Any]]:
        with self.lock:
            return [{"id": j["id"], "time": j["time"], "pdf": j["pdf"], "pngs": list(j["pngs"]),
                     "state": JOB_STATES[j["state"]], "name": j["name"], "user": j["user"]}
                    for j in self._jobs.values()]

    def state(self) -> dict[str, Any]:
        st = super().state()
        st["jobs"] = len(self._jobs)
        st["printer_state_reasons"] = self.reasons()
        return st

    # -- IPP semantics ------------------------------------------------------------------
    def reasons(self) -> list[str]:
        with self.lock:
            found = [FAULT_REASONS[f] for f in ("paper_out", "jam", "offline") if f in self.faults]
        return found or ["none"]

    def printer_state(self) -> int:
        if self.reasons() != ["none"]:
            return 5
        with self.lock:
            return 4 if any(j["state"] in (3, 5) for j in self._jobs.values()) else 3

    @staticmethod
    def media_col() -> list[Attr]:
        return [(KEYWORD, "media-size-name", ["iso_a4_210x297mm"]),
                (BEG_COLL, "media-size", [[(INTEGER, "x-dimension", [21000]), (INTEGER, "y-dimension", [29700])]])]

    def printer_attributes(self) -> list[Attr]:
        uri = self.endpoint()["uri"]
        media_col = self.media_col()
        with self.lock:
            queued = sum(1 for j in self._jobs.values() if j["state"] in (3, 5))
        return [
            (URI, "printer-uri-supported", [uri]),
            (KEYWORD, "uri-authentication-supported", ["none"]),
            (KEYWORD, "uri-security-supported", ["none"]),
            (NAME, "printer-name", ["form-printer-sim"]),
            (TEXT, "printer-info", ["Virtual A4 form printer (hardware_sim)"]),
            (TEXT, "printer-location", ["appeal terminal"]),
            (TEXT, "printer-make-and-model", ["Appeal Terminal Virtual A4 Printer"]),
            (URI, "printer-more-info", [f"http://{self.host}:{self.port}/"]),
            (ENUM, "printer-state", [self.printer_state()]),
            (KEYWORD, "printer-state-reasons", self.reasons()),
            (TEXT, "printer-state-message", [", ".join(self.reasons())]),
            (BOOLEAN, "printer-is-accepting-jobs", [True]),
            (INTEGER, "queued-job-count", [queued]),
            (INTEGER, "printer-up-time", [max(1, int(time.time() - self._started))]),
            (KEYWORD, "ipp-versions-supported", ["1.0", "1.1", "2.0"]),
            (ENUM, "operations-supported", sorted(OPS)),
            (CHARSET, "charset-configured", ["utf-8"]),
            (CHARSET, "charset-supported", ["utf-8"]),
            (LANGUAGE, "natural-language-configured", ["en"]),
            (LANGUAGE, "generated-natural-language-supported", ["en"]),
            (MIME, "document-format-default", ["application/pdf"]),
            (MIME, "document-format-supported", ["application/pdf", "application/octet-stream"]),
            (KEYWORD, "compression-supported", ["none"]),
            (KEYWORD, "pdl-override-supported", ["not-attempted"]),
            (KEYWORD, "media-default", ["iso_a4_210x297mm"]),
            (KEYWORD, "media-supported", ["iso_a4_210x297mm"]),
            (BEG_COLL, "media-col-default", [media_col]),
            (BEG_COLL, "media-col-ready", [media_col]),
            (INTEGER, "copies-default", [1]),
            (RANGE, "copies-supported", [(1, 99)]),
            (KEYWORD, "sides-default", ["one-sided"]),
            (KEYWORD, "sides-supported", ["one-sided"]),
            (BOOLEAN, "color-supported", [False]),
            (KEYWORD, "which-jobs-supported", ["completed", "not-completed", "all"]),
            (KEYWORD, "job-creation-attributes-supported", ["copies", "media", "sides"]),
        ]

    def job_attributes(self, job: dict[str, Any]) -> list[Attr]:
        uri = self.endpoint()["uri"]
        attrs: list[Attr] = [
            (INTEGER, "job-id", [job["id"]]),
            (URI, "job-uri", [f"{uri}/{job['id']}"]),
            (URI, "job-printer-uri", [uri]),
            (NAME, "job-name", [job["name"]]),
            (NAME, "job-originating-user-name", [job["user"]]),
            (ENUM, "job-state", [job["state"]]),
            (KEYWORD, "job-state-reasons", [job["reason"]]),
            (INTEGER, "job-impressions-completed", [len(job["pngs"])]),
            (INTEGER, "job-media-sheets-completed", [len(job["pngs"])]),
            (INTEGER, "time-at-creation", [int(job["created"] - self._started)]),
            (INTEGER, "time-at-processing", [int(job["created"] - self._started)]) if job["state"] >= 5
            else (NO_VALUE, "time-at-processing", [None]),
            (INTEGER, "time-at-completed", [int(job.get("done", job["created"]) - self._started)])
            if job["state"] >= 7 else (NO_VALUE, "time-at-completed", [None]),
            (INTEGER, "job-printer-up-time", [max(1, int(time.time() - self._started))]),
        ]
        if job["pages"] is not None:
            attrs.append((INTEGER, "job-impressions", [job["pages"]]))
            attrs.append((INTEGER, "job-media-sheets", [job["pages"]]))
        return attrs

    def create_job(self, name: str, user: str, pdf: bytes) -> dict[str, Any]:
        with self.lock:
            job_id = self._next_id
            self._next_id += 1
            path = self.job_dir / f"job-{job_id:04d}.pdf"
            path.write_bytes(pdf)
            fault = self.reasons() != ["none"]
            job = {"id": job_id, "name": name, "user": user, "pdf": str(path), "pngs": [],
                   "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "created": time.time(),
                   "state": 8 if fault else 3, "reason": "aborted-by-system" if fault else "job-incoming",
                   "pages": None}
            self._jobs[job_id] = job
        if fault:
            log.info("form printer: job %d aborted (%s)", job_id, ", ".join(self.reasons()))
        else:
            threading.Thread(target=self._process, args=(job,), name=f"ipp-job-{job_id}", daemon=True).start()
        return job

    def _process(self, job: dict[str, Any]) -> None:
        with self.lock:
            if job["state"] != 3:
                return
            job["state"], job["reason"] = 5, "job-printing"
        pngs: list[str] = []
        ok = True
        if self.render:
            prefix = self.job_dir / f"job-{job['id']:04d}-page"
            proc = subprocess.run(["pdftoppm", "-r", "50", "-png", job["pdf"], str(prefix)],
                                  capture_output=True, timeout=120, check=False)
            ok = proc.returncode == 0
            pngs = sorted(str(p) for p in self.job_dir.glob(f"job-{job['id']:04d}-page*.png"))
        with self.lock:
            if job["state"] != 5:
                return
            job["pngs"], job["pages"] = pngs, len(pngs)
            job["done"] = time.time()
            if not ok:
                job["state"], job["reason"] = 8, "document-format-error"
            elif self.reasons() != ["none"]:
                job["state"], job["reason"] = 8, "aborted-by-system"
            else:
                job["state"], job["reason"] = 9, "job-completed-successfully"
        log.info("form printer: job %d %s, %d page(s)", job["id"], JOB_STATES[job["state"]], len(pngs))

    def find_job(self, job_id: int) -> dict[str, Any] | None:
        with self.lock:
            return self._jobs.get(job_id)

    def all_jobs(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self._jobs.values())


class _IppHandler(BaseHTTPRequestHandler):
    printer: IppPrinterSim
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: the body, written after the headers, goes at once; with Nagle on it waited on a
    # kept-alive connection for the client's delayed ACK (40 ms an answer)
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("ipp http: " + format, *args)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(chunks)
                chunks += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def _send(self, code: int, body: bytes, ctype: str = "application/ipp") -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._send(200, b"<h1>Virtual form printer</h1>", "text/html")

    def do_POST(self) -> None:
        body = self._body()
        if self.path.rstrip("/") != self.printer.path or self.headers.get_content_type() != "application/ipp":
            self._send(404, b"not found", "text/plain")
            return
        try:
            reply = self._dispatch(body)
        except (IndexError, struct.error, UnicodeDecodeError, ValueError):
            reply = build_response((1, 1), 0x0400, 0, [(OP_GROUP, _op_header())])
        except Exception:
            log.exception("form printer: internal error")
            reply = build_response((1, 1), 0x0500, 0, [(OP_GROUP, _op_header())])
        self._send(200, reply)

    def _dispatch(self, data: bytes) -> bytes:
        ver, op, req_id, groups, doc = parse_request(data)
        name = OPS.get(op, f"0x{op:04x}")
        wire.debug(">>> %s #%d", name, req_id)
        opattrs = {n: v for g, attrs in groups if g == OP_GROUP for _, n, v in attrs}
        p = self.printer
        if ver[0] not in (1, 2):
            return build_response((1, 1), 0x0503, req_id, [(OP_GROUP, _op_header())])
        first = [n for _, n, _ in groups[0][1][:2]] if groups and groups[0][0] == OP_GROUP else []
        if (first != ["attributes-charset", "attributes-natural-language"] or req_id <= 0
                or ("printer-uri" not in opattrs and "job-uri" not in opattrs)):
            return build_response(ver, 0x0400, req_id, [(OP_GROUP, _op_header())])
        requested = set(opattrs.get("requested-attributes", ["all"]))
        status, out = 0x0000, [(OP_GROUP, _op_header())]
        if op == 0x000B:
            attrs = _filter(p.printer_attributes(), requested)
            if "media-col-database" in requested:            # only on explicit request (PWG 5100.7)
                attrs.append((BEG_COLL, "media-col-database", [p.media_col()]))
            out.append((PRINTER_GROUP, attrs))
        elif op in (0x0002, 0x0004):
            fmt = (opattrs.get("document-format") or ["application/pdf"])[0]
            if fmt not in ("application/pdf", "application/octet-stream"):
                status = 0x040A
            elif op == 0x0002:
                user = (opattrs.get("requesting-user-name") or ["anonymous"])[0]
                job = p.create_job((opattrs.get("job-name") or ["untitled"])[0], user, doc)
                out.append((JOB_GROUP, _filter(p.job_attributes(job), {"job-id", "job-uri", "job-state",
                                                                        "job-state-reasons"})))
        elif op in (0x0009, 0x0008):
            job_id = (opattrs.get("job-id") or [None])[0]
            if job_id is None and opattrs.get("job-uri"):
                tail = str(opattrs["job-uri"][0]).rsplit("/", 1)[-1]
                job_id = int(tail) if tail.isdigit() else -1
            job = p.find_job(int(job_id)) if job_id is not None else None
            if job is None:
                status = 0x0406
            elif op == 0x0008:
                with p.lock:
                    if job["state"] >= 7:
                        status = 0x0404
                    else:
                        job["state"], job["reason"] = 7, "job-canceled-by-user"
            else:
                out.append((JOB_GROUP, _filter(p.job_attributes(job), requested)))
        elif op == 0x000A:
            which = (opattrs.get("which-jobs") or ["not-completed"])[0]
            # my-jobs (RFC 8011 4.2.6.1): only the jobs of the requesting user
            mine = (opattrs.get("my-jobs") or [False])[0]
            user = (opattrs.get("requesting-user-name") or ["anonymous"])[0]
            for job in p.all_jobs():
                done = job["state"] >= 7
                if mine and job["user"] != user:
                    continue
                if which == "all" or (which == "completed") == done:
                    wanted = set(opattrs.get("requested-attributes", ["job-id", "job-uri"]))
                    out.append((JOB_GROUP, _filter(p.job_attributes(job), wanted)))
        else:
            status = 0x0501
        wire.debug("<<< %s #%d 0x%04x", name, req_id, status)
        return build_response(ver, status, req_id, out)


def _op_header() -> list[Attr]:
    return [(CHARSET, "attributes-charset", ["utf-8"]), (LANGUAGE, "attributes-natural-language", ["en"])]


def _filter(attrs: list[Attr], requested: set[str]) -> list[Attr]:
    if requested & {"all", "printer-description", "job-description", "job-template", "printer-status"}:
        return attrs
    return [a for a in attrs if a[1] in requested]
