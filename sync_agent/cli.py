"""``sync-agent``: the daemon and the technician's commands, thin shells over :mod:`sync_agent`.

Exit status: 0 done, 1 the action failed (or something is wrong: ``status`` with a fault or
alert), 2 usage or configuration error. Logs are JSON lines on stderr (journald keeps them).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import time
from typing import Any

from kiosk_app.core.commandline import Commands, add_settings_command, run, setup_logging
from kiosk_app.core.numbering import NumberError, parse

from .config import ENV_PREFIX, load_config, schema

COMMANDS = Commands()
command = COMMANDS.command


def _agent(ns: argparse.Namespace, **kw: Any) -> Any:
    from .agent import Agent

    cfg = load_config(ns.config)
    setup_logging("DEBUG" if ns.verbose else cfg["log.level"])
    return Agent.from_config(cfg, **kw)


# -- run ------------------------------------------------------------------------------------------
@command("run", "Run the daemon: deliver, read acknowledgements, text residents, talk to the server, purge",
         "sync-agent --config /etc/appeal-terminal/sync-agent.toml run   (or: sync-agent run --once)",
         lambda p: p.add_argument("--once", action="store_true", help="one pass of everything, then exit"))
def _run(ns: argparse.Namespace) -> int:
    agent = _agent(ns)
    log = logging.getLogger("sync_agent")
    if ns.once:
        r = agent.run_once(force=True)
        print(json.dumps(r.as_dict(), ensure_ascii=False))
        agent.close()
        return 0 if not r.as_dict()["drop_fault"] else 1
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("stopping", extra={"signal": signal.Signals(signum).name})
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("started", extra={"store": str(agent.store.root), "drop": str(agent.delivery.drop.path)})
    agent.run_forever(stop)
    agent.close()
    log.info("stopped")
    return 0


# -- status ---------------------------------------------------------------------------------------
@command("status", "Queue depth, oldest undelivered, drop-folder fault, last errors, alerts, SMS failures",
         "sync-agent status --json",
         lambda p: p.add_argument("--json", action="store_true", help="JSON output for scripts"))
def _status(ns: argparse.Namespace) -> int:
    agent = _agent(ns, with_modem=False, with_server=False)
    st = agent.status()
    st["sms"]["modem_configured"] = load_config(ns.config)["sms.enabled"]
    agent.close()
    if ns.json:
        print(json.dumps(st, ensure_ascii=False, indent=2, default=str))
    else:
        o = st["oldest_undelivered"]
        print(f"черга / queue: {st['queue_depth']} ({st['outbox']})")
        print(f"найдавніше / oldest: {o['number'] + ' since ' + o['since'] if o else '-'}")
        f = st["drop_folder"]["fault"]
        print(f"папка СЕД / drop folder: {st['drop_folder']['state']}"
              + (f" — {f['uk']} / {f['message']} (retry {st['drop_folder']['retry_at']})" if f else ""))
        for a in st["alerts"]:
            print(f"ALERT [{a['severity']}] {a['message']}")
        for s in st["sms"]["failures"]:
            print(f"SMS {s['document_id']} {s['kind']}: {s['state']}, {s['attempts']} tries, {s['last_error']}")
    return 1 if st["alerts"] or st["drop_folder"]["fault"] else 0


# -- drain ----------------------------------------------------------------------------------------
class Progress:
    """A progress bar on stderr: ``[#####.....] 512/10000 appeals 830/s``."""

    def __init__(self, total: int, stream: Any = None) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self.t0 = time.monotonic()
        self._last = 0.0

    def __call__(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= 0.2 or self.done >= self.total:
            self._last = now
            width = 30
            filled = int(width * min(self.done, self.total) / self.total)
            rate = self.done / max(now - self.t0, 1e-6)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} appeals {rate:.0f}/s")
            self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


@command("drain", "Deliver every queued appeal now, ignoring the backoff, with a progress bar on stderr",
         "sync-agent drain")
def _drain(ns: argparse.Namespace) -> int:
    agent = _agent(ns, with_modem=False, with_server=False)
    bar = Progress(agent.delivery.pending_count())
    r = agent.delivery.deliver_pass(force=True, progress=bar, limit=0)
    bar.finish()
    acks = agent.delivery.ack_pass()
    agent.delivery.check_alerts()
    out = {"delivered": r.delivered, "acknowledged": acks.acknowledged, "fault": r.fault,
           "seconds": round(time.monotonic() - bar.t0, 3), "queue_depth": agent.status()["queue_depth"]}
    print(json.dumps(out, ensure_ascii=False))
    agent.close()
    return 1 if r.fault else 0


# -- redeliver ------------------------------------------------------------------------------------
@command("redeliver", "Deliver one document again (after the EDMS rejected or lost it)",
         "sync-agent redeliver 017-000123-4",
         lambda p: p.add_argument("document_id", metavar="NUMBER",
                                  help="the appeal's number, as printed (017-000123-4) or compact (0170001234); "
                                       "an addition has a number of its own"))
def _redeliver(ns: argparse.Namespace) -> int:
    try:
        doc = parse(ns.document_id).compact
    except NumberError as err:
        print(f"sync-agent: {ns.document_id!r}: {err}", file=sys.stderr)
        return 2
    agent = _agent(ns, with_modem=False, with_server=False)
    if not agent.delivery.redeliver(doc):
        print(f"sync-agent: no document {doc} in the outbox", file=sys.stderr)
        agent.close()
        return 1
    r = agent.delivery.deliver_pass(force=True, only=doc)
    print(json.dumps({"document_id": doc, "delivered": r.delivered, "fault": r.fault}, ensure_ascii=False))
    agent.close()
    return 1 if r.fault else 0


# -- settings -------------------------------------------------------------------------------------
add_settings_command(COMMANDS, "sync-agent", "/etc/appeal-terminal/sync-agent.toml", schema, ENV_PREFIX, load_config)


def build_parser() -> argparse.ArgumentParser:
    return COMMANDS.parser("sync-agent", "The appeal terminal's sync agent: EDMS drop folder, city server, SMS.",
                           "sync-agent status --json",
                           "settings file (default: $SYNC_AGENT_CONFIG or /etc/appeal-terminal/sync-agent.toml)")


def main(argv: list[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    return run("sync-agent", ns)


if __name__ == "__main__":
    sys.exit(main())
