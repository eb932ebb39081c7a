"""The form printer driver over IPP: against the virtual printer, against CUPS's ipptool, and
against CUPS's own ippeveprinter as a real peer."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from devices.errors import DeviceConfigError, DeviceOffline, PaperJam, PaperOut
from devices.form_printer import SETTINGS, FormPrinter, add_cups_queue, from_config
from devices.ipp import JobState
from devices.state import DeviceState
from hardware_sim.ipp_printer import IppPrinterSim
from tests.support.processes import stop
from tests.support.tools import missing, require_tool


def driver(uri: str, **extra: object) -> FormPrinter:
    return from_config({"connection": "ipp", "uri": uri, "poll_interval": 0.05, "job_timeout": 20, **extra})


def test_print_pdf_completes_and_sim_renders_pages(ipp_sim: IppPrinterSim, sample_pdf: Path) -> None:
    fp = driver(ipp_sim.endpoint()["uri"])
    assert fp.status().state == DeviceState.READY
    result = fp.print_pdf(sample_pdf, job_name="звернення 017-000123-5")
    assert result.state == JobState.COMPLETED and result.pages == 2
    [job] = ipp_sim.jobs()
    assert job["state"] == "completed" and job["name"] == "звернення 017-000123-5" and job["user"] == "kiosk"
    assert Path(job["pdf"]).read_bytes() == sample_pdf.read_bytes()
    assert len(job["pngs"]) == 2
    w, h = Image.open(job["pngs"][0]).size
    assert (round(w / 50 * 25.4), round(h / 50 * 25.4)) == (210, 297)     # A4 at 50 dpi


@pytest.mark.parametrize(("fault", "error", "state"), [
    ("paper_out", PaperOut, DeviceState.FAULT),
    ("jam", PaperJam, DeviceState.FAULT),
    ("offline", DeviceOffline, DeviceState.OFFLINE),
])
def test_faults_surface_as_typed_errors(ipp_sim: IppPrinterSim, sample_pdf: Path, fault: str,
                                        error: type, state: DeviceState) -> None:
    fp = driver(ipp_sim.endpoint()["uri"])
    ipp_sim.inject(fault)
    st = fp.status()
    assert st.state == state
    assert st.last_error is not None and st.last_error["code"] == error.code
    with pytest.raises(error):
        fp.print_pdf(sample_pdf)
    assert ipp_sim.jobs() == []                      # refused before sending anything
    ipp_sim.clear()
    assert fp.print_pdf(sample_pdf).state == JobState.COMPLETED


def test_job_sent_while_paper_out_is_aborted(ipp_sim: IppPrinterSim, sample_pdf: Path) -> None:
    """Another client (CUPS's ipptool, no pre-check) sends a job while the paper is out."""
    ipptool = require_tool("ipptool", "cups-ipp-utils")
    fp = driver(ipp_sim.endpoint()["uri"])
    ipp_sim.inject("paper_out")
    proc = subprocess.run([ipptool, "-tv", "-T", "10", "-f", str(sample_pdf), ipp_sim.endpoint()["uri"],
                           "print-job.test"], capture_output=True, text=True, timeout=60, check=False)
    assert "job-state (enum) = aborted" in proc.stdout
    [job] = ipp_sim.jobs()
    assert job["state"] == "aborted" and job["pngs"] == []
    assert fp.job(job["id"]).state == JobState.ABORTED
    with pytest.raises(PaperOut) as err:
        fp.wait_job(job["id"])
    assert err.value.job_id == job["id"]                # type: ignore[attr-defined]


def test_unreachable_printer_is_offline() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    fp = driver(f"ipp://127.0.0.1:{port}/ipp/print", connect_timeout=1)
    st = fp.status()
    assert (st.state, st.detail) == (DeviceState.OFFLINE, "offline")
    with pytest.raises(DeviceOffline):
        fp.print_pdf(b"%PDF-1.4")


def test_config() -> None:
    with pytest.raises(DeviceConfigError, match="ipp"):
        from_config({"connection": "lpd"})
    with pytest.raises(DeviceConfigError):
        from_config({"connection": "ipp", "uri": "socket://10.0.0.5:9100"})
    assert from_config({"uri": "ipp://localhost:631/printers/A4"}).http_url == "http://localhost:631/printers/A4"
    assert from_config({"uri": "ipps://printer.local/ipp/print"}).http_url == "https://printer.local:631/ipp/print"
    assert all(s["help"] and "default" in s and "unit" in s for s in SETTINGS)


# -- CUPS tools as the other side ---------------------------------------------------------
@pytest.mark.parametrize("test_file", ["get-printer-attributes.test", "ipp-1.1.test"])
def test_ipptool_accepts_the_simulator(ipp_sim: IppPrinterSim, sample_pdf: Path, test_file: str) -> None:
    uri = ipp_sim.endpoint()["uri"]
    proc = subprocess.run([require_tool("ipptool", "cups-ipp-utils"), "-t", "-T", "10", "-f", str(sample_pdf), uri, test_file],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[FAIL]" not in proc.stdout


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _wait_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


@pytest.fixture
def ippeveprinter(tmp_path: Path) -> Iterator[str]:
    with run_ippeveprinter(tmp_path, "application/pdf") as uri:
        yield uri


@contextlib.contextmanager
def run_ippeveprinter(tmp_path: Path, formats: str) -> Iterator[str]:
    """CUPS's reference IPP Everywhere printer on a free port, taking ``formats`` (its ``-f``);
    what it prints is kept in ``tmp_path/spool``.

    ippeveprinter (CUPS 2.4) registers itself with DNS-SD through Avahi and exits without it, so
    we give it a private D-Bus and Avahi daemon of its own (no system services are touched).
    """
    exe = require_tool("ippeveprinter", "cups-ipp-utils", also=["/usr/sbin/ippeveprinter"])
    avahi, dbus = shutil.which("avahi-daemon") or "/usr/sbin/avahi-daemon", shutil.which("dbus-daemon")
    procs: list[subprocess.Popen[bytes]] = []
    env = dict(os.environ)
    if os.path.exists(avahi) and dbus and os.geteuid() == 0:
        bus = tmp_path / "bus"
        procs.append(subprocess.Popen([dbus, "--session", f"--address=unix:path={bus}", "--nofork"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(50):
            if bus.exists():
                break
            time.sleep(0.05)
        conf = tmp_path / "avahi.conf"
        conf.write_text("[server]\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces=lo\nenable-dbus=yes\n"
                        "[publish]\npublish-addresses=no\npublish-hinfo=no\npublish-workstation=no\n")
        env["DBUS_SYSTEM_BUS_ADDRESS"] = f"unix:path={bus}"
        procs.append(subprocess.Popen([avahi, "--no-drop-root", "--no-chroot", "--no-rlimits", "-f", str(conf)],
                                      env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.5)
    port = _free_port()
    spool = tmp_path / "spool"
    spool.mkdir()
    log = open(tmp_path / "ippeveprinter.log", "wb")  # noqa: SIM115
    procs.append(subprocess.Popen([exe, "-p", str(port), "-d", str(spool), "-k", "-f", formats,
                                   "Test Printer"], env=env, stdout=log, stderr=subprocess.STDOUT))
    try:
        if not _wait_port(port, 8):
            missing("ippeveprinter did not start (it needs an Avahi daemon for DNS-SD): "
                        + (tmp_path / "ippeveprinter.log").read_text(errors="replace")[-300:])
        yield f"ipp://127.0.0.1:{port}/ipp/print"
    finally:
        for p in reversed(procs):
            stop(p, 5)
        log.close()


def test_driver_against_cups_ippeveprinter(ippeveprinter: str, sample_pdf: Path) -> None:
    fp = driver(ippeveprinter, job_timeout=30, poll_interval=0.2)
    info = fp.printer_info()
    assert "application/pdf" in info.attributes["document-format-supported"]
    assert fp.status().state in (DeviceState.READY, DeviceState.WARNING)
    result = fp.print_pdf(sample_pdf, job_name="form")
    assert result.state == JobState.COMPLETED


def test_every_setting_is_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs/devices/form-printer.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert f"| {s['key']} |" in doc, s["key"]


# -- through CUPS ------------------------------------------------------------------------------
# Must-show 4 of the fleet issue.
# Must-show 4 of the fleet issue: the form printer through CUPS.
#
# A printer that does NOT take PDF (CUPS's ippeveprinter with ``-f image/pwg-raster``, the format of
# an IPP Everywhere printer without a PDF interpreter) behind a real ``cupsd``, started by the test
# as its own process with its own configuration folder, on a free loopback port. The driverless queue
# is made as provisioning makes it (:func:`devices.form_printer.add_cups_queue`, ``lpadmin -m
# everywhere``); the driver sends the form (PDF) to the queue, CUPS converts it, and the printer
# receives PWG raster pages. Sent straight to the printer, the driver refuses before sending: the
# printer's ``document-format-supported`` has no PDF.

CUPSD = shutil.which("cupsd") or "/usr/sbin/cupsd"


def _need(path: str, package: str) -> None:
    if not os.path.exists(path):
        missing(f"{path} is missing (Debian: {package})")


@pytest.fixture
def pwg_printer(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """ippeveprinter that takes PWG raster only; its own private D-Bus and Avahi (as in
    test_form_printer.py). Yields its URI and the folder where it keeps what it printed."""
    with run_ippeveprinter(tmp_path, "image/pwg-raster") as uri:
        yield uri, tmp_path / "spool"


@pytest.fixture
def cupsd(tmp_path: Path) -> Iterator[str]:
    """A cupsd of the test's own: configuration, spool, cache, state and logs in a folder of its
    own, listening on 127.0.0.1 at a free port; no browsing, nothing shared. The folder is made
    outside pytest's (0700) tmp_path: cupsd runs the filters as the lp user, which must reach the
    spool."""
    _need(CUPSD, "cups-daemon")
    _need("/usr/lib/cups/filter/gstoraster", "cups-filters")
    root = Path(tempfile.mkdtemp(prefix="appeal-cupsd-"))
    os.chmod(root, 0o755)
    for d in ("etc/ppd", "spool/tmp", "cache", "state/certs", "log"):
        (root / d).mkdir(parents=True)
    os.chmod(root / "spool", 0o1777)
    os.chmod(root / "spool/tmp", 0o1777)
    port = _free_port()
    (root / "etc/cupsd.conf").write_text(f"""LogLevel debug
Listen 127.0.0.1:{port}
Browsing No
BrowseLocalProtocols none
DefaultAuthType None
WebInterface No
<Location />
  Order allow,deny
  Allow 127.0.0.1
</Location>
<Location /admin>
  Order allow,deny
  Allow 127.0.0.1
</Location>
<Policy default>
  <Limit All>
    Order allow,deny
    Allow 127.0.0.1
  </Limit>
</Policy>
""")
    (root / "etc/cups-files.conf").write_text(f"""ServerRoot {root}/etc
RequestRoot {root}/spool
TempDir {root}/spool/tmp
CacheDir {root}/cache
StateDir {root}/state
AccessLog {root}/log/access_log
ErrorLog {root}/log/error_log
PageLog {root}/log/page_log
ServerBin /usr/lib/cups
DataDir /usr/share/cups
FileDevice No
Sandboxing relaxed
""")
    log = open(tmp_path / "cupsd.out", "wb")  # noqa: SIM115
    proc = subprocess.Popen([CUPSD, "-f", "-c", str(root / "etc/cupsd.conf"), "-s", str(root / "etc/cups-files.conf")],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        assert _wait_port(port, 15), (root / "log/error_log").read_text(errors="replace")[-3000:]
        yield f"127.0.0.1:{port}"
    finally:
        stop(proc)
        log.close()
        shutil.copytree(root / "log", tmp_path / "cups-log", dirs_exist_ok=True)
        shutil.rmtree(root, ignore_errors=True)


def test_a_printer_without_pdf_prints_the_form_through_a_cups_queue(
        cupsd: str, pwg_printer: tuple[str, Path], sample_pdf: Path, tmp_path: Path) -> None:
    printer_uri, printed = pwg_printer
    direct = driver(printer_uri)
    formats = direct.printer_info().attributes["document-format-supported"]
    assert "application/pdf" not in formats and "image/pwg-raster" in formats, formats
    # straight to the printer: refused before anything is sent
    with pytest.raises(DeviceConfigError, match="does not take PDF"):
        direct.print_pdf(sample_pdf)
    assert not any(printed.iterdir())

    # provisioning's queue, then the same driver through CUPS
    queue = add_cups_queue(printer_uri, server=cupsd)
    assert queue == f"ipp://{cupsd}/printers/appeal-forms"
    fp = driver(queue, job_timeout=60, poll_interval=0.2)
    assert "application/pdf" in fp.printer_info().attributes["document-format-supported"]
    assert fp.status().state in (DeviceState.READY, DeviceState.WARNING)
    result = fp.print_pdf(sample_pdf, job_name="бланк звернення")
    assert result.state == JobState.COMPLETED
    # what the printer got: PWG raster (the "RaS2" sync word), two pages of A4, not the PDF
    deadline = time.monotonic() + 30
    while not [f for f in printed.iterdir() if f.stat().st_size > 0] and time.monotonic() < deadline:
        time.sleep(0.2)
    [job] = [f for f in printed.iterdir() if f.stat().st_size > 0]
    data = job.read_bytes()
    assert data[:4] == b"RaS2", data[:16]
    assert data.count(b"PwgRaster\x00") == 2                      # one page header per page
    assert b"%PDF" not in data[:1024]
