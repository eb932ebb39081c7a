"""The agent: one object that ties the store, the drop folder, the server and the modem together,
built from the settings, and the daemon loop around it.

``Agent.from_config(cfg)`` opens the shared store with ``CORE + SYNC`` migrations (never
``Store.recover()``: that is the kiosk's), and ``run_once()`` does one pass of everything:
deliver, read acknowledgements, alerts, SMS, server (events, heartbeat, feed, answer
downloads), retention. ``run_forever()`` repeats it until ``stop`` is set, pinging the systemd
watchdog after every pass.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk_app.core.settings import Config, ConfigError
from kiosk_app.core.store import Store
from kiosk_app.core.systemd import sd_notify, watchdog_interval

from . import status as status_mod
from .config import device_status_path
from .delivery import Delivery, PassResult
from .dropfolder import DropFolder
from .migrations import ALL
from .retention import Retention
from .sms import SmsSender, StoringModem
from .state import Backoff, utcnow
from .updates import package_state

log = logging.getLogger(__name__)


@dataclass
class OnceResult:
    delivery: PassResult = field(default_factory=PassResult)
    acks: PassResult = field(default_factory=PassResult)
    sms_sent: int = 0
    events_sent: int = 0
    feed_items: int = 0
    answers: int = 0
    purged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"delivered": self.delivery.delivered, "drop_fault": self.delivery.fault or self.acks.fault,
                "acknowledged": self.acks.acknowledged, "rejected": self.acks.rejected, "sms_sent": self.sms_sent,
                "events_sent": self.events_sent, "feed_items": self.feed_items, "answers_downloaded": self.answers,
                "purged": self.purged}


class Agent:
    def __init__(self, store: Store, delivery: Delivery, *, sms: SmsSender | None = None, server: Any = None,
                 retention: Retention | None = None, device_status_file: Path | None = None,
                 heartbeat_every: float = 60, feed_every: float = 30, tick: float = 2.0,
                 updates: tuple[str, Path] | None = None) -> None:
        self.store = store
        self.delivery = delivery
        self.sms = sms
        self.server = server
        self.retention = retention
        self.device_status_file = device_status_file or store.root / "device-status.json"
        self.heartbeat_every = heartbeat_every
        self.feed_every = feed_every
        self.tick = tick
        self.updates = updates  # (package, unattended-upgrades log) the heartbeat reports on
        self._last_heartbeat = float("-inf")    # monotonic time may be small right after boot
        self._last_feed = float("-inf")
        self._last_retention = float("-inf")

    # -- construction from settings --------------------------------------------------------------
    @classmethod
    def from_config(cls, cfg: Config, *, session: Any = None, modem: StoringModem | None = None,
                    with_modem: bool = True, with_server: bool = True) -> Agent:
        store = Store(cfg["store.dir"], terminal=cfg["terminal.code"], migrations=ALL)
        backoff = Backoff(cfg["backoff.base"], cfg["backoff.cap"], cfg["backoff.jitter"])
        try:
            drop = DropFolder(cfg["drop.dir"], marker=cfg["drop.marker"], mode=int(cfg["drop.mode"], 8),
                              group=cfg["drop.group"], sync=cfg["drop.sync"])
        except ValueError as err:
            raise ConfigError(f"{cfg.source}: {err}") from err
        delivery = Delivery(store, drop, ack_mode=cfg["drop.ack_mode"], alert_after=cfg["drop.alert_after"],
                            backoff=backoff, batch=cfg["drop.batch"], status_url=cfg["sms.status_url"],
                            pass_limit=cfg["drop.pass_limit"])
        sender = None
        if cfg["sms.enabled"] and with_modem:
            if modem is None:
                modem = _modem_from_config(cfg)
            sender = SmsSender(store, modem, backoff=backoff, alert_after=cfg["sms.alert_after"],
                               give_up_after=cfg["sms.give_up_after"])
        server = None
        if cfg["server.url"] and with_server:
            server = _server_from_config(cfg, store, backoff, session)
        agent = cls(store, delivery, sms=sender, server=server, retention=Retention(store, cfg["retention.days"]),
                        device_status_file=device_status_path(cfg), heartbeat_every=cfg["heartbeat.interval"],
                        feed_every=cfg["feed.interval"], tick=cfg["run.tick"],
                        updates=(cfg["updates.package"], Path(cfg["updates.log"])) if cfg["updates.package"] else None)
        if server is not None:
            server.heartbeat_body = agent.heartbeat_body
        return agent

    def heartbeat_body(self) -> dict[str, Any]:
        body = status_mod.heartbeat_body(self.store, self.device_status_file, modem_configured=self.sms is not None)
        if self.updates is not None:
            body["package"] = package_state(*self.updates)
        return body

    def status(self) -> dict[str, Any]:
        return status_mod.collect(self.store, modem_configured=self.sms is not None)

    # -- one pass --------------------------------------------------------------------------------
    def run_once(self, *, force: bool = False, progress: Callable[[int], None] | None = None) -> OnceResult:
        r = OnceResult()
        r.delivery = self.delivery.deliver_pass(force=force, progress=progress)
        r.acks = self.delivery.ack_pass()
        self.delivery.check_alerts()
        if self.sms is not None:
            r.sms_sent = self.sms.send_pass()
        now = time.monotonic()
        if self.server is not None:
            self.server.forward_access_locks()
            r.events_sent = self.server.push_events()
            if force or now - self._last_heartbeat >= self.heartbeat_every:
                self._last_heartbeat = now
                if self.server.heartbeat() is not None and self.server.heartbeat_interval:
                    self.heartbeat_every = float(self.server.heartbeat_interval)
            if force or now - self._last_feed >= self.feed_every:
                self._last_feed = now
                r.feed_items = self.server.poll_feed()
            r.answers = self.server.download_answers()
            if r.feed_items or r.answers:
                if self.sms is not None:
                    r.sms_sent += self.sms.send_pass()
                r.events_sent += self.server.push_events()
        if self.retention is not None and (force or now - self._last_retention >= 3600):
            self._last_retention = now
            r.purged = self.retention.purge_pass(utcnow())
        return r

    def busy(self, r: OnceResult) -> bool:
        return bool(r.delivery.delivered or r.acks.acknowledged or r.sms_sent or r.feed_items or r.answers)

    def run_forever(self, stop: threading.Event) -> None:
        sd_notify("READY=1")
        wd = watchdog_interval()
        last_ping = 0.0
        while not stop.is_set():
            try:
                r = self.run_once()
                if self.busy(r):
                    log.info("pass", extra={"result": r.as_dict()})
            except Exception:  # keep the daemon alive; systemd restarts it if the watchdog stops
                log.exception("pass failed")
                r = OnceResult()
            if wd is not None and time.monotonic() - last_ping >= min(wd, 5.0):
                sd_notify("WATCHDOG=1")
                last_ping = time.monotonic()
            st = self.status()
            sd_notify(f"STATUS=queue {st['queue_depth']}, drop {st['drop_folder']['state']}, "
                      f"alerts {len(st['alerts'])}")
            if not self.busy(r):
                stop.wait(self.tick if wd is None else min(self.tick, wd))
        sd_notify("STOPPING=1")

    def close(self) -> None:
        self.store.close()


def _modem_from_config(cfg: Config) -> StoringModem | None:
    try:
        from devices import modem as modem_mod
    except ImportError:
        log.warning("devices.modem is not available; SMS stay queued")
        return None
    try:
        return modem_mod.from_config(Config(cfg.section("devices.modem"), cfg.source))  # type: ignore[return-value]
    except Exception as err:  # DeviceConfigError
        raise ConfigError(f"{cfg.source}: devices.modem: {err}") from err


def _server_from_config(cfg: Config, store: Store, backoff: Backoff, session: Any) -> Any:
    import requests

    from kiosk_app.core.server_client import ServerClient, ServerError, Timeouts, read_token

    from .server_sync import ServerSync

    try:
        token = read_token(cfg["server.token_file"])
    except ServerError as err:
        raise ConfigError(f"{cfg.source}: server.token_file: {err}") from err
    client = ServerClient(session or requests.Session(), cfg["server.url"], token,
                          timeouts=Timeouts(cfg["server.connect_timeout"], cfg["server.read_timeout"],
                                            cfg["server.download_timeout"]),
                          verify=cfg["server.verify_tls"])
    return ServerSync(store, client, status_url=cfg["sms.status_url"], feed_limit=cfg["feed.limit"], backoff=backoff)
