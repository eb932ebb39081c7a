"""``city-server``: run the city server, manage terminal credentials, run the EDMS stand-in's importer.

Examples::

    city-server                                   # migrate, demo data, serve on 127.0.0.1:8000
    city-server run --port 0 --no-demo --db sqlite:////tmp/x.sqlite3
    city-server run --drop-folder /srv/edms-drop  # also import the drop folder every 5 s
    city-server issue-terminal-credential 017     # prints the token once
    city-server revoke-terminal-credential 017
    city-server issue-api-token publisher          # a data publisher's CKAN API token, shown once
    city-server revoke-api-token publisher
    city-server import-ocds examples/prozorro-city-tenders.json
    city-server edms-import --once --drop-folder /srv/edms-drop
    city-server edms-answer 017-000123-4 --text "Відповідь ..."
    city-server manage createsuperuser
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import logging.config
import os
import socket
import sys
import threading
import time
from pathlib import Path

from server_stub.logs import logging_config

logger = logging.getLogger("server_stub.cli")


def _configure(args: argparse.Namespace) -> None:
    """Turn flags into the environment the settings read, then set Django up."""
    if getattr(args, "data_dir", None):
        os.environ["CITY_SERVER_DATA_DIR"] = str(Path(args.data_dir).resolve())
    db = getattr(args, "db", None)
    if db:
        os.environ["CITY_SERVER_DATABASE_URL"] = db if "://" in db else f"sqlite:///{Path(db).resolve()}"
    if getattr(args, "drop_folder", None):
        os.environ["CITY_SERVER_DROP_FOLDER"] = str(Path(args.drop_folder).resolve())
    if getattr(args, "ack_mode", None):
        os.environ["CITY_SERVER_EDMS_ACK_MODE"] = args.ack_mode
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server_stub.settings")
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _collectstatic() -> None:
    """Static files into STATIC_ROOT under hashed names (WhiteNoise serves them; unchanged ones are skipped)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def sd_notify(message: str) -> None:
    """systemd's notification protocol (sd_notify(3)) on ``$NOTIFY_SOCKET``; nothing outside systemd."""
    addr = os.environ.get("NOTIFY_SOCKET", "")
    if addr:
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.connect("\0" + addr[1:] if addr.startswith("@") else addr)
            s.sendall(message.encode())


def systemd_watchdog(host: str, port: int) -> None:
    """READY=1 once the workers answer a request to the server's own login page, then WATCHDOG=1
    after each such answer (every ``$WATCHDOG_USEC``/2, else every second until ready): workers
    that hang or die stop the pings and systemd restarts the service (appeal-city-server.service)."""
    import http.client

    usec = os.environ.get("WATCHDOG_USEC", "")
    mine = os.environ.get("WATCHDOG_PID", str(os.getpid())) == str(os.getpid())
    interval = int(usec) / 2e6 if usec.isdigit() and int(usec) and mine else None
    log = logging.getLogger("server_stub.watchdog")
    ready = False
    while os.environ.get("NOTIFY_SOCKET"):
        try:
            conn = http.client.HTTPConnection(host, port, timeout=interval or 5.0)
            conn.request("GET", "/accounts/login/", headers={"Host": "localhost"})
            status = conn.getresponse().status
            conn.close()
        except OSError as err:
            status = 0
            if ready:
                log.warning("watchdog: the server did not answer: %s", err)
        if 0 < status < 500:
            sd_notify("WATCHDOG=1" if ready else "READY=1")
            ready = True
            if interval is None:
                return
        time.sleep(interval if ready and interval else 1.0)


def listen_socket(host: str, port: int) -> socket.socket:
    """The listening socket uvicorn serves on (and its worker processes inherit). Made with proto
    IPPROTO_TCP, not 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on connections whose
    socket says it is TCP; with Nagle on, the body of every answer on a kept-alive connection
    waited for the client's delayed ACK (40 ms a request)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    _configure(args)
    _migrate()
    _collectstatic()
    if not args.no_demo:
        from server_stub.core.demo import load_demo

        load_demo()
    from server_stub.jobs import runner

    runner.start()  # each job runs in the one server process holding its lock (docs/server.md "Scaling out")
    sock = listen_socket(args.host, args.port)
    host, port = sock.getsockname()[:2]
    print(f"city-server listening on http://{host}:{port}/", flush=True)
    threading.Thread(target=systemd_watchdog, args=(host, port), name="watchdog", daemon=True).start()
    config = uvicorn.Config("server_stub.serve:application", host=host, port=port, workers=args.workers,
                            log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=30,
                            log_config=None)  # our JSON logging, not uvicorn's text lines
    server = uvicorn.Server(config)
    if args.workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[sock]).run()
    else:
        server.run(sockets=[sock])
    return 0


def cmd_issue(args: argparse.Namespace) -> int:
    _configure(args)
    _migrate()
    from server_stub.terminals.services import issue_credential

    token = issue_credential(args.code, args.name or "", args.address or "")
    return _shown_once(f"terminal {args.code}: credential issued (shown once, store it in the terminal's config):",
                       token)


def _shown_once(heading: str, secret: str) -> int:
    """Print a new credential under its heading: the only time it is ever shown."""
    print(heading)
    print(secret)
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    _configure(args)
    _migrate()
    from server_stub.terminals.services import revoke_credentials

    count = revoke_credentials(args.code)
    print(f"terminal {args.code}: {count} credential(s) revoked")
    return 0 if count else 1


def cmd_api_token(args: argparse.Namespace) -> int:
    """``issue-api-token`` and ``revoke-api-token``: data publishers' CKAN API tokens (opendata/tokens.py)."""
    _configure(args)
    _migrate()
    from server_stub.opendata import tokens

    if args.revoke:
        count = tokens.revoke(args.username)
        print(f"{args.username}: {count} API token(s) revoked")
        return 0 if count else 1
    try:
        token, publishes = tokens.issue(args.username)
    except tokens.NoSuchUser:
        print(f"{args.username}: no such active user", file=sys.stderr)
        return 1
    if not publishes:
        print(f"warning: {args.username} does not hold core.publish_data: the token writes nothing until "
              "they are given the data publisher's role", file=sys.stderr)
    return _shown_once(f"{args.username}: API token issued (shown once; revoke with city-server revoke-api-token):",
                       token)


def cmd_import_ocds(args: argparse.Namespace) -> int:
    _configure(args)
    _migrate()
    from server_stub.openbudget.ocds import OcdsRejected, import_file

    try:
        result = import_file(Path(args.file))
    except OcdsRejected as err:
        print(f"{args.file}: refused, nothing imported: {err}", file=sys.stderr)
        return 1
    print(f"{args.file}: {result['created']} created, {result['updated']} updated, "
          f"{result['unchanged']} unchanged")
    return 0


def cmd_edms_import(args: argparse.Namespace) -> int:
    _configure(args)
    _migrate()
    from django.conf import settings

    from server_stub.jobs.runner import Job, edms_lock, loop, record
    from server_stub.standins.edms.importer import import_once

    if not settings.EDMS_DROP_FOLDER:
        print("no drop folder: pass --drop-folder or set CITY_SERVER_DROP_FOLDER", file=sys.stderr)
        return 2
    folder = Path(settings.EDMS_DROP_FOLDER)
    if args.once:  # beside running servers too: the claim row registers each document once (importer.py)
        results = record("edms-import", lambda: import_once(folder, settings.EDMS_ACK_MODE))
        for r in results:  # type: ignore[attr-defined]
            print(f"{r.document_id}: {r.status} {r.registration_index or ''} {r.reason or ''}".rstrip())
        return 0
    loop(Job("edms-import", settings.EDMS_IMPORT_INTERVAL_S or 5.0, lambda: import_once(folder, settings.EDMS_ACK_MODE),
             lock=edms_lock(folder)))
    return 0


def cmd_edms_answer(args: argparse.Namespace) -> int:
    _configure(args)
    _migrate()
    from server_stub.core import numbers
    from server_stub.standins.edms.models import Registration
    from server_stub.standins.edms.services import answer_with_text

    reg = Registration.objects.filter(number=numbers.validate(args.number)).first()
    if reg is None:
        print(f"{args.number}: not registered", file=sys.stderr)
        return 1
    answer = answer_with_text(reg, args.text, official=None)
    print(f"{reg.number}: answer {answer.id} published ({answer.size} bytes)")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _configure(args)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["city-server manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="city-server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="sqlite file path, sqlite:///path or postgresql://user:pw@host/db")
    common.add_argument("--data-dir", help="where the SQLite file, uploads and answers live (default var/city-server)")
    common.add_argument("--drop-folder", help="the EDMS drop folder (stand-in importer)")
    common.add_argument("--ack-mode", choices=["ack-file", "remove"], help="how the EDMS stand-in acknowledges")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", parents=[common], help="migrate, load demo data, serve (e.g. city-server run --port 8001)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000, help="0 picks a free port (printed on stdout)")
    run.add_argument("--workers", type=int, default=1)
    run.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    run.set_defaults(func=cmd_run)
    p = sub.add_parser("issue-terminal-credential", parents=[common], help="e.g. city-server issue-terminal-credential 017")
    p.add_argument("code")
    p.add_argument("--name", default="", help="the terminal's name, e.g. \"ЦНАП Соборний\"")
    p.add_argument("--address", default="", help="where it stands (shown on the resident's phone)")
    p.set_defaults(func=cmd_issue)
    p = sub.add_parser("revoke-terminal-credential", parents=[common], help="e.g. city-server revoke-terminal-credential 017")
    p.add_argument("code")
    p.set_defaults(func=cmd_revoke)
    p = sub.add_parser("issue-api-token", parents=[common],
                       help="a data publisher's CKAN API token, printed once, e.g. city-server issue-api-token publisher")
    p.add_argument("username")
    p.set_defaults(func=cmd_api_token, revoke=False)
    p = sub.add_parser("revoke-api-token", parents=[common],
                       help="revoke every API token of a user, e.g. city-server revoke-api-token publisher")
    p.add_argument("username")
    p.set_defaults(func=cmd_api_token, revoke=True)
    p = sub.add_parser("import-ocds", parents=[common],
                       help="import ProZorro OCDS release packages, e.g. city-server import-ocds tenders.json")
    p.add_argument("file")
    p.set_defaults(func=cmd_import_ocds)
    p = sub.add_parser("edms-import", parents=[common], help="e.g. city-server edms-import --once --drop-folder DIR")
    p.add_argument("--once", action="store_true")
    p.set_defaults(func=cmd_edms_import)
    p = sub.add_parser("edms-answer", parents=[common], help='e.g. city-server edms-answer 0170001234 --text "..."')
    p.add_argument("number")
    p.add_argument("--text", required=True)
    p.set_defaults(func=cmd_edms_answer)
    p = sub.add_parser("manage", parents=[common], help="Django's manage.py, e.g. city-server manage createsuperuser")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.config.dictConfig(logging_config())
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-"):
        argv = ["run", *argv]
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
