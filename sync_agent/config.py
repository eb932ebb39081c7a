"""The sync agent's settings: one TOML file, default ``/etc/appeal-terminal/sync-agent.toml``
(``--config`` or ``SYNC_AGENT_CONFIG`` to change), environment overrides ``SYNC_AGENT_<KEY>``.
docs/sync-agent.md lists them all (a test keeps it complete).

The modem's settings come from the driver module (``devices.modem.SETTINGS``) under
``devices.modem``, exactly as the kiosk declares them.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from kiosk_app.core.numbering import terminal_code_problem
from kiosk_app.core.settings import Config, Setting, from_driver_settings, load

DEFAULT_PATH = "/etc/appeal-terminal/sync-agent.toml"
ENV_PREFIX = "SYNC_AGENT"


def _mode(value: object) -> str | None:
    if not (isinstance(value, str) and len(value) in (3, 4) and all(c in "01234567" for c in value)):
        return "an octal file mode such as '0640'"
    return None


SYNC_SETTINGS: list[Setting] = [
    Setting("terminal.code", 1, "int", "", "The terminal's code (the same as the kiosk's)", check=terminal_code_problem),
    Setting("store.dir", "/var/lib/appeal-terminal", "path", "", "Folder of the terminal store (terminal.db) and the spool, shared with the kiosk"),
    Setting("device_status.file", "", "path", "",
            "Device states the kiosk writes for the heartbeat; empty = <store.dir>/device-status.json"),
    # -- the EDMS drop folder ------------------------------------------------------------------------
    Setting("drop.dir", "/srv/edms-drop", "path", "", "The EDMS drop folder (usually a mounted network share)"),
    Setting("drop.ack_mode", "ack-file", "str", "", "How the EDMS acknowledges: it writes <ID>.ack.json, or it removes the pair",
            choices=("ack-file", "remove")),
    Setting("drop.group", "", "str", "", "Group given to delivered files (the EDMS's); empty = leave the default group"),
    Setting("drop.mode", "0640", "str", "octal", "File mode of delivered files", check=_mode),
    Setting("drop.marker", ".edms-drop", "str", "",
            "A file that exists in the drop folder only when the share is mounted; empty = do not check"),
    Setting("drop.sync", "batch", "str", "",
            "How files are made durable before their rename: 'batch' = one syncfs(2) per group of documents, "
            "'file' = an fsync per file (for shares where syncfs does not reach the server)", choices=("batch", "file")),
    Setting("drop.alert_after", 1800, "int", "s", "Alert when a document stays unacknowledged longer than this", min=1),
    Setting("drop.pass_limit", 1000, "int", "documents",
            "Most documents delivered in one pass of the daemon, so SMS and the server get their turn during a "
            "large backlog (0: no limit; sync-agent drain ignores it)", min=0),
    Setting("drop.batch", 200, "int", "documents", "Outbox rows read per query (memory stays flat whatever the backlog)", min=1, max=5000),
    # -- retries -------------------------------------------------------------------------------------
    Setting("backoff.base", 5.0, "float", "s", "First retry delay after a fault (drop folder, server, modem)", min=0.01),
    Setting("backoff.cap", 600.0, "float", "s", "Longest retry delay", min=0.01),
    Setting("backoff.jitter", 0.2, "float", "", "Random share added to or taken from each delay (0.2 = ±20%)", min=0, max=1),
    # -- the city server -----------------------------------------------------------------------------
    Setting("server.url", "", "str", "", "Base URL of the city server, e.g. https://rada.example.ua; empty = no server"),
    Setting("server.token_file", "/etc/appeal-terminal/server-token", "path", "",
            "File holding this terminal's bearer credential (city-server issue-terminal-credential)"),
    Setting("server.connect_timeout", 5.0, "float", "s", "TCP/TLS connect timeout of every request", min=0.1),
    Setting("server.read_timeout", 20.0, "float", "s", "Read timeout of heartbeats, events and the feed", min=0.1),
    Setting("server.download_timeout", 60.0, "float", "s", "Read timeout between chunks of an answer download", min=0.1),
    Setting("server.verify_tls", True, "bool", "", "Verify the server's TLS certificate"),
    Setting("heartbeat.interval", 60, "int", "s", "Seconds between heartbeats (the server may ask for another)", min=1),
    Setting("feed.interval", 30, "int", "s", "Seconds between polls of the status and answer feed", min=1),
    Setting("updates.package", "appeal-terminal", "str", "",
            "The package whose installed version and updates the heartbeat reports; empty = none"),
    Setting("updates.log", "/var/log/unattended-upgrades/unattended-upgrades.log", "path", "",
            "The unattended-upgrades log the heartbeat reads the last update's result from"),
    Setting("feed.limit", 100, "int", "items", "Feed items per request", min=1, max=500),
    # -- SMS -----------------------------------------------------------------------------------------
    Setting("sms.enabled", True, "bool", "", "Text residents who asked for it (needs the modem)"),
    Setting("sms.status_url", "https://rada.example.ua/a/{number}", "str", "",
            "Status link in the SMS; {number} is the compact number"),
    Setting("sms.alert_after", 3600, "int", "s", "A message not sent for this long shows as a failure in the status", min=1),
    Setting("sms.give_up_after", 7 * 86400, "int", "s", "Stop retrying a message after this long (it stays visible as failed)", min=60),
    # -- retention -----------------------------------------------------------------------------------
    Setting("retention.days", 30, "int", "days", "Purge an appeal's personal data this many days after the EDMS confirmed import", min=0),
    # -- the daemon ----------------------------------------------------------------------------------
    Setting("run.tick", 2.0, "float", "s", "Pause between passes of the daemon loop when idle", min=0.01),
    Setting("log.level", "INFO", "str", "", "Log level", choices=("DEBUG", "INFO", "WARNING", "ERROR")),
]


def device_settings() -> list[Setting]:
    try:
        rows = importlib.import_module("devices.modem").SETTINGS
    except (ImportError, AttributeError):
        return []
    return from_driver_settings("devices.modem", rows)


def schema() -> list[Setting]:
    return SYNC_SETTINGS + device_settings()


def config_path(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get("SYNC_AGENT_CONFIG") or DEFAULT_PATH)


def load_config(path: str | None = None, env: dict[str, str] | None = None) -> Config:
    return load(schema(), config_path(path), env_prefix=ENV_PREFIX, env=env)


def device_status_path(cfg: Config) -> Path:
    return Path(cfg["device_status.file"] or Path(cfg["store.dir"]) / "device-status.json")
