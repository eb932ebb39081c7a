"""The sheet-fed scanner, through SANE (python-sane 2.9.2, ``import sane``).

    scanner = from_config({"connection": "sane", "device": "net:127.0.0.1:sim-adf"})
    for n, page in enumerate(scanner.scan_batch(), 1):    # PIL greyscale images, as they arrive
        keep(page)                                         # a later jam leaves these with you
    scanner.status()                                       # DeviceStatus, without scanning

The driver opens the configured device (or the first one whose ``source`` option offers a
document feeder), sets the source to the feeder (``ADF`` / ``Automatic Document Feeder``, or
the duplex variant when ``duplex`` is on), Gray, 300 dpi and an A4 scan area, then runs one
start()/snap() per page until the feeder is empty (SANE_STATUS_NO_DOCS).

Errors come from python-sane as ``_sane.error`` carrying sane_strstatus()'s text; they are
mapped back to the SANE status and raised as the device error tree:

    NO_DOCS at the first page          FeederEmpty
    JAMMED                             PaperJam, or DoubleFeed when the read-only ``double-feed``
                                       sensor option reads true (SANE has no double-feed status;
                                       fujitsu/kodak-style backends report a jam and set the sensor)
    COVER_OPEN                         CoverOpen
    IO_ERROR, device no longer listed  Unplugged (otherwise DeviceProtocolError)
    no device / cannot open            DeviceNotFound
    no feeder in the source list       DeviceConfigError

One process owns the scanner (the kiosk). SANE keeps process-wide state: the driver initialises
it once and re-initialises it after an I/O failure, so that a net backend connection to a
restarted or vanished saned is not reused.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from PIL import Image

from devices import errors
from devices.config import check_connection, declared
from devices.state import DeviceState, DeviceStatus

log = logging.getLogger(__name__)
wire = logging.getLogger(__name__ + ".wire")

DEVICE = "scanner"
CONNECTIONS = ("sane",)

SETTINGS: list[dict[str, Any]] = declared("scanner")  # devices/settings.toml

# sane_strstatus() texts (sanei/sane_strstatus.c) -> SANE status names
_STATUS_TEXT = {
    "Success": "GOOD",
    "Operation not supported": "UNSUPPORTED",
    "Operation was cancelled": "CANCELLED",
    "Operation was canceled": "CANCELLED",
    "Device busy": "DEVICE_BUSY",
    "Invalid argument": "INVAL",
    "End of file reached": "EOF",
    "Document feeder jammed": "JAMMED",
    "Document feeder out of documents": "NO_DOCS",
    "Scanner cover is open": "COVER_OPEN",
    "Error during device I/O": "IO_ERROR",
    "Out of memory": "NO_MEM",
    "Access to resource has been denied": "ACCESS_DENIED",
}
FEEDER_SOURCES = ("ADF", "Automatic Document Feeder", "ADF Front", "Document Feeder", "Feeder")
DUPLEX_SOURCES = ("ADF Duplex", "Duplex", "Automatic Document Feeder Duplex")


def sane_status(err: BaseException) -> str:
    """The SANE status name behind a python-sane error ('JAMMED', 'NO_DOCS', ...; '' if unknown)."""
    return _STATUS_TEXT.get(str(err).strip(), "")


def pick_source(choices: list[str], duplex: bool = False) -> str | None:
    """The feeder entry of a ``source`` option's constraint list (None if it has none)."""
    wanted = DUPLEX_SOURCES if duplex else FEEDER_SOURCES
    for name in wanted:
        for c in choices:
            if c.lower() == name.lower():
                return c
    for c in choices:
        low = c.lower()
        is_feeder = "adf" in low or "feeder" in low
        if is_feeder and (("duplex" in low) == duplex) and "back" not in low:
            return c
    return pick_source(choices, False) if duplex else None


def pick_mode(choices: list[str], wanted: str) -> str | None:
    for c in choices:
        if c.lower() == wanted.lower():
            return c
    if wanted.lower() in ("gray", "grey"):
        return next((c for c in choices if "gray" in c.lower() or "grey" in c.lower()), None)
    return None


class _Runtime:
    """SANE's process-wide init/exit, shared by every SaneScanner in the process."""

    lock = threading.RLock()
    initialised = False

    @classmethod
    def ensure(cls, env: Mapping[str, str]) -> Any:
        import sane  # python-sane: imported lazily so the package imports without libsane

        with cls.lock:
            changed = {k: v for k, v in env.items() if v and os.environ.get(k) != v}
            if changed:
                os.environ.update(changed)
                if cls.initialised:
                    cls.reset()
            if not cls.initialised:
                version = sane.init()
                cls.initialised = True
                log.debug("SANE initialised: %s", version)
            return sane

    @classmethod
    def reset(cls) -> None:
        import sane

        with cls.lock:
            if cls.initialised:
                with contextlib.suppress(Exception):
                    sane.exit()
                cls.initialised = False


class SaneScanner:
    """A sheet-fed scanner through python-sane. Not thread-safe: one caller at a time."""

    def __init__(self, device: str = "", *, resolution: int = 300, mode: str = "Gray",
                 duplex: bool = False, page_mm: tuple[float, float] = (210.0, 297.0),
                 net_hosts: str = "", config_dir: str = "", net_timeout_s: int = 5) -> None:
        self.device = device
        self.resolution = resolution
        self.mode = mode
        self.duplex = duplex
        self.page_mm = page_mm
        self.env = {"SANE_NET_HOSTS": net_hosts, "SANE_CONFIG_DIR": config_dir,
                    "SANE_NET_TIMEOUT": str(net_timeout_s) if net_timeout_s else ""}
        self.pages_scanned = 0                  # in the current/last batch
        self.last_error: errors.DeviceError | None = None
        self._busy = False
        self._reset_needed = False
        self._current = device                  # the device name in use (resolved when empty)

    # -- discovery ----------------------------------------------------------------------
    def devices(self) -> list[dict[str, str]]:
        """What SANE finds: [{"name", "vendor", "model", "type"}]."""
        sane = _Runtime.ensure(self.env)
        found = sane.get_devices()
        wire.debug("<<< devices %s", [d[0] for d in found])
        return [dict(zip(("name", "vendor", "model", "type"), d, strict=True)) for d in found]

    def _resolve(self) -> str:
        if self.device:
            return self.device
        sane = _Runtime.ensure(self.env)
        for d in self.devices():
            try:
                dev = sane.open(d["name"])
            except Exception:                   # not ours to use: look further
                continue
            try:
                src = dev.opt.get("source")
                if src is not None and pick_source(list(src.constraint or []), self.duplex):
                    log.info("using the first scanner with a feeder: %s", d["name"])
                    return d["name"]
            finally:
                dev.close()
        raise errors.DeviceNotFound("no SANE scanner with a document feeder found", device=DEVICE)

    # -- scanning -----------------------------------------------------------------------
    def scan_batch(self) -> Iterator[Image.Image]:
        """Scan every sheet in the feeder; yield each page (PIL "L") as it arrives.

        Raises FeederEmpty when the feeder is empty at the start; a fault on a later sheet
        raises its typed error after the pages before it were yielded."""
        if self._busy:
            raise errors.DeviceError("a scan is already running", device=DEVICE)
        self._busy = True
        self.pages_scanned = 0
        self.last_error = None
        dev = None
        try:
            sane = _Runtime.ensure(self.env)
            name = self._current = self._resolve()
            try:
                wire.debug(">>> open %s", name)
                dev = sane.open(name)
            except Exception as err:
                self._reset_needed = True
                raise errors.DeviceNotFound(f"cannot open scanner {name}: {err}", device=DEVICE) from err
            self._configure(dev)
            while True:
                try:
                    wire.debug(">>> start (page %d)", self.pages_scanned + 1)
                    dev.start()
                    image = dev.snap(True)        # no_cancel: the feeder goes on to the next sheet
                except Exception as err:
                    if sane_status(err) == "NO_DOCS":
                        wire.debug("<<< NO_DOCS")
                        if self.pages_scanned == 0:
                            raise errors.FeederEmpty("the scanner's feeder is empty", device=DEVICE) from err
                        log.info("batch done: %d page(s)", self.pages_scanned)
                        return
                    raise self._fault(err, dev) from err
                self.pages_scanned += 1
                wire.debug("<<< page %d %dx%d", self.pages_scanned, image.width, image.height)
                yield image if image.mode == "L" else image.convert("L")
        except errors.DeviceError as err:
            self.last_error = err
            raise
        finally:
            if dev is not None:
                with contextlib.suppress(Exception):
                    dev.cancel()
                with contextlib.suppress(Exception):
                    dev.close()
            if self._reset_needed:
                _Runtime.reset()
                self._reset_needed = False
            self._busy = False

    def _configure(self, dev: Any) -> None:
        opts = dev.opt
        try:
            choices: list[tuple[str, Callable[[list[str]], str | None], str]] = [
                ("source", lambda c: pick_source(c, self.duplex), "document feeder"),
                ("mode", lambda c: pick_mode(c, self.mode), f"mode {self.mode!r}")]
            for option, pick, wanted in choices:
                if option in opts:
                    value = pick(list(opts[option].constraint or []))
                    if value is None:
                        raise errors.DeviceConfigError(f"{dev.devname} has no {wanted}; {option}s: "
                                                f"{opts[option].constraint}", device=DEVICE)
                    setattr(dev, option, value)
            if "resolution" in opts:
                dev.resolution = _nearest(opts["resolution"].constraint, self.resolution)
            for key, value in (("tl_x", 0.0), ("tl_y", 0.0), ("br_x", self.page_mm[0]), ("br_y", self.page_mm[1])):
                if key in dev.opt:
                    setattr(dev, key, _clamp(dev.opt[key].constraint, value))
        except errors.DeviceError:
            raise
        except Exception as err:
            raise errors.DeviceConfigError(f"cannot configure {dev.devname}: {err}", device=DEVICE) from err
        wire.debug(">>> configured source=%s mode=%s resolution=%s",
                   getattr(dev, "source", "?") if "source" in dev.opt else "-",
                   getattr(dev, "mode", "?") if "mode" in dev.opt else "-",
                   getattr(dev, "resolution", "?") if "resolution" in dev.opt else "-")

    def _fault(self, err: BaseException, dev: Any) -> errors.DeviceError:
        status = sane_status(err)
        page = self.pages_scanned + 1
        wire.debug("<<< %s on page %d", status or str(err), page)
        if status == "JAMMED":
            if self._sensor(dev, "double_feed"):
                return errors.DoubleFeed(f"double feed at sheet {page}", device=DEVICE)
            return errors.PaperJam(f"paper jam at sheet {page}", device=DEVICE)
        if status == "COVER_OPEN":
            return errors.CoverOpen("the scanner's cover is open", device=DEVICE)
        if status in ("IO_ERROR", ""):
            self._reset_needed = True
            if not self._listed():
                return errors.Unplugged(f"the scanner disappeared at sheet {page}", device=DEVICE)
        return errors.DeviceProtocolError(f"scan failed at sheet {page}: {err}", device=DEVICE)

    def _sensor(self, dev: Any, name: str) -> bool | None:
        if name not in dev.opt:
            return None
        try:
            return bool(getattr(dev, name))
        except Exception:
            return None

    def _listed(self) -> bool:
        try:
            names = {d["name"] for d in self.devices()}
        except Exception:
            return False
        return bool(self._current) and self._current in names

    # -- status -------------------------------------------------------------------------
    def status(self) -> DeviceStatus:
        st = DeviceStatus(DEVICE)
        if self._busy:
            st.state = DeviceState.BUSY
            return st
        if self.last_error is not None:
            st.last_error = self.last_error.as_dict()
        dev = None
        try:
            sane = _Runtime.ensure(self.env)
            name = self._current = self._resolve()
            if self.device and not self._listed():
                raise errors.DeviceNotFound(f"{name} is not listed", device=DEVICE)
            dev = sane.open(name)
            loaded = self._sensor(dev, "page_loaded")
            if loaded is not None:
                st.consumables["paper_in_feeder"] = loaded
            if self._sensor(dev, "cover_open"):
                st.state, st.detail = DeviceState.FAULT, "cover_open"
            elif self._sensor(dev, "double_feed"):
                st.state, st.detail = DeviceState.FAULT, "double_feed"
            else:
                st.state = DeviceState.READY
                st.detail = "paper_in_feeder" if loaded else ""
        except Exception as err:
            _Runtime.reset()                     # drop any stale net connection for next time
            st.state, st.detail = DeviceState.OFFLINE, "not_found"
            log.info("scanner status: offline (%s)", err)
        finally:
            if dev is not None:
                with contextlib.suppress(Exception):
                    dev.close()
        return st

    def close(self) -> None:
        """Nothing stays open between batches; this forgets SANE's process state."""
        if not self._busy:
            _Runtime.reset()


def _nearest(constraint: Any, wanted: int) -> int:
    if isinstance(constraint, list) and constraint:
        return int(min(constraint, key=lambda v: abs(v - wanted)))
    if isinstance(constraint, tuple) and len(constraint) == 3:
        return int(min(max(wanted, constraint[0]), constraint[1]))
    return wanted


def _clamp(constraint: Any, value: float) -> float:
    if isinstance(constraint, tuple) and len(constraint) == 3:
        return float(min(max(value, constraint[0]), constraint[1]))
    return float(value)


def from_config(cfg: Mapping[str, Any]) -> SaneScanner:
    check_connection(DEVICE, cfg.get("connection", "sane"), CONNECTIONS)
    return SaneScanner(
        str(cfg.get("device", "")),
        resolution=int(cfg.get("resolution", 300)),
        mode=str(cfg.get("mode", "Gray")),
        duplex=bool(cfg.get("duplex", False)),
        page_mm=(float(cfg.get("page_width_mm", 210.0)), float(cfg.get("page_height_mm", 297.0))),
        net_hosts=str(cfg.get("net_hosts", "")),
        config_dir=str(cfg.get("config_dir", "")),
        net_timeout_s=int(cfg.get("net_timeout_s", 5)),
    )


__all__ = ["SETTINGS", "SaneScanner", "from_config", "pick_mode", "pick_source", "sane_status"]
