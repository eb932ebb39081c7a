"""First-boot provisioning of a terminal (``kioskctl provision``).

A technician gives four things: the terminal's code (issued by the city, 1..999), the address
where it stands, the city server's address and the terminal's credential
(``city-server issue-terminal-credential CODE``). Each is checked, the last two by connecting:
the server must answer the terminal API and accept the credential (a read of the terminal's feed,
which changes nothing on the server). Only then are the files written, each atomically (a
temporary file in the same folder, fsynced, renamed):

- ``kiosk.toml`` (0640): ``terminal.code``, ``terminal.address`` (``terminal.name``);
- ``sync-agent.toml`` (0640): ``terminal.code``, ``server.url``, ``server.token_file``
  (``drop.dir``, ``server.verify_tls``);
- ``server-token`` (0600): the credential alone, read by the sync agent.

Settings already in the two files are kept (the file is read, the provisioned keys replaced, and
it is written back with tomli-w; comments are not kept). Both files are validated with the
programs' own loaders before anything is renamed into place. Running as root where the service
user ``appeal`` exists, the configuration files get group ``appeal`` and the credential owner
``appeal``.

Answers come from a file (:func:`read_answers_file`, TOML or JSON) or from questions
(:func:`ask_answers`); :func:`parse_answers` checks them. A bad value raises
:class:`ProvisionError`, which names the field and says what is wrong in Ukrainian and English.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

API = "/api/terminal/v1/"
DEFAULT_ETC = Path("/etc/appeal-terminal")
SERVICE_USER = "appeal"
TOKEN_RE = re.compile(r"^tc_(\d{3})_[A-Za-z0-9_\-]+$")

# field -> (question in Ukrainian / English, required)
QUESTIONS: dict[str, tuple[str, bool]] = {
    "terminal_code": ("Код термінала, 1..999 / Terminal code, 1..999", True),
    "address": ("Адреса термінала / Terminal address", True),
    "server_url": ("Адреса сервера міста / City server URL (https://...)", True),
    "token": ("Облікові дані термінала / Terminal credential (tc_...)", True),
    "name": ("Назва термінала (Enter: без змін) / Terminal name (Enter: keep)", False),
    "drop_dir": ("Тека обміну з СЕД (Enter: без змін) / EDMS drop folder (Enter: keep)", False),
}
KNOWN_KEYS = {*QUESTIONS, "token_file", "verify_tls", "form_printer", "cups_server"}


class ProvisionError(Exception):
    """A value that cannot be used; ``field`` names it. ``str()``: ``field: uk / en``."""

    def __init__(self, field: str, uk: str, en: str) -> None:
        super().__init__(f"{field}: {uk} / {en}")
        self.field = field
        self.uk = uk
        self.en = en

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "uk": self.uk, "en": self.en}


@dataclass(frozen=True)
class Answers:
    terminal_code: int
    address: str
    server_url: str
    token: str = field(repr=False)
    name: str | None = None
    drop_dir: str | None = None
    verify_tls: bool = True
    form_printer: str | None = None  # the printer's own ipp:// URI: a driverless CUPS queue is made for it
    cups_server: str | None = None  # host:port of the cupsd to make it in (default: the terminal's own)

    @property
    def code3(self) -> str:
        return f"{self.terminal_code:03d}"


@dataclass
class Result:
    etc_dir: Path
    files: dict[str, str]                      # path -> octal mode written
    server: dict[str, Any]
    form_printer: dict[str, str] | None = None  # device_uri, queue

    def as_dict(self) -> dict[str, Any]:
        return {"ok": True, "etc_dir": str(self.etc_dir), "files": self.files, "server": self.server,
                "form_printer": self.form_printer}


# -- the answers -----------------------------------------------------------------------------
def read_answers_file(path: str | Path) -> dict[str, Any]:
    """The answers from a TOML or JSON file (by suffix; ``.json`` is JSON, anything else TOML)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as err:
        raise ProvisionError("--from", f"не вдається прочитати {p}: {err.strerror}",
                             f"cannot read {p}: {err.strerror}") from err
    try:
        data = json.loads(text) if p.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as err:
        raise ProvisionError("--from", f"{p}: файл пошкоджено: {err}", f"{p}: not valid: {err}") from err
    if not isinstance(data, dict):
        raise ProvisionError("--from", f"{p}: очікується таблиця ключів", f"{p}: expected a table of keys")
    return data


def ask_answers(ask: Callable[[str], str] = input, ask_secret: Callable[[str], str] | None = None,
                say: Callable[[str], None] = print) -> Answers:
    """Ask for each value until it is valid (a bad value is explained, then asked again)."""
    if ask_secret is None:
        import getpass

        ask_secret = getpass.getpass
    values: dict[str, Any] = {}
    for key, (question, required) in QUESTIONS.items():
        while True:
            reader = ask_secret if key == "token" else ask
            raw = reader(f"{question}: ").strip()
            if not raw and not required:
                break
            try:
                _CHECKS[key](raw)
            except ProvisionError as err:
                say(f"  {err.uk} / {err.en}")
                continue
            values[key] = raw
            break
    return parse_answers(values)


def parse_answers(data: Mapping[str, Any]) -> Answers:
    """Check every value; the first bad one raises :class:`ProvisionError` naming its field."""
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise ProvisionError(unknown[0], "невідомий ключ", f"unknown key (known: {', '.join(sorted(KNOWN_KEYS))})")
    for key, (_q, required) in QUESTIONS.items():
        if required and key != "token" and (key not in data or data[key] in ("", None)):
            raise ProvisionError(key, "не вказано", "missing")
    token = data.get("token")
    if token in (None, "") and data.get("token_file"):
        from kiosk_app.core.server_client import ServerError, read_token

        token_path = Path(str(data["token_file"]))
        try:
            token = read_token(token_path)
        except ServerError as err:
            why = getattr(err.__cause__, "strerror", None) or str(err)
            raise ProvisionError("token_file", f"не вдається прочитати: {why}",
                                 f"cannot read {token_path}: {why}") from err
    if token in (None, ""):
        raise ProvisionError("token", "не вказано", "missing (token or token_file)")
    code = _check_code(data["terminal_code"])
    answers = Answers(
        terminal_code=code,
        address=_check_address(data["address"]),
        server_url=_check_url(data["server_url"]),
        token=_check_token(token),
        name=_check_name(data["name"]) if data.get("name") not in (None, "") else None,
        drop_dir=_check_dir(data["drop_dir"]) if data.get("drop_dir") not in (None, "") else None,
        verify_tls=_check_bool("verify_tls", data.get("verify_tls", True)),
        form_printer=_check_printer(data["form_printer"]) if data.get("form_printer") not in (None, "") else None,
        cups_server=_check_cups_server(data["cups_server"]) if data.get("cups_server") not in (None, "") else None,
    )
    m = TOKEN_RE.match(answers.token)
    if m and int(m.group(1)) != code:
        raise ProvisionError("token", f"видано для термінала {m.group(1)}, а не {answers.code3}",
                             f"issued for terminal {m.group(1)}, not {answers.code3}")
    return answers


def _check_code(value: Any) -> int:
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 3:
        value = int(value.strip())
    if not isinstance(value, int) or not 1 <= value <= 999:
        raise ProvisionError("terminal_code", "має бути ціле число від 001 до 999, видане містом",
                             f"must be a whole number from 001 to 999 issued by the city, got {value!r}")
    return value


def _printable(key: str, value: Any, what_uk: str, what_en: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProvisionError(key, f"{what_uk}: не може бути порожнім", f"{what_en}: must not be empty")
    text = " ".join(value.split())
    if any(ord(c) < 32 or ord(c) == 127 for c in value.replace("\n", " ").replace("\t", " ")):
        raise ProvisionError(key, "містить керівні символи", "contains control characters")
    if len(text) > limit:
        raise ProvisionError(key, f"задовге (понад {limit} символів)", f"too long (over {limit} characters)")
    return text


def _check_address(value: Any) -> str:
    return _printable("address", value, "адреса", "the address", 200)


def _check_name(value: Any) -> str:
    return _printable("name", value, "назва", "the name", 80)


def _check_url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProvisionError("server_url", "не вказано", "missing")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProvisionError("server_url", "має бути адреса http:// або https:// з ім'ям сервера",
                             f"must be an http:// or https:// URL with a host name, got {value!r}")
    if parts.query or parts.fragment:
        raise ProvisionError("server_url", "без ? та #", "must not have a query or fragment")
    return value.strip().rstrip("/")


def _check_token(value: Any) -> str:
    if not isinstance(value, str):
        raise ProvisionError("token", "має бути рядком", "must be a string")
    token = value.strip()
    if not token or len(token) > 512 or not all(33 <= ord(c) < 127 for c in token):
        raise ProvisionError("token", "має бути одним рядком друкованих ASCII-символів без пробілів",
                             "must be one word of printable ASCII characters")
    return token


def _check_dir(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("/"):
        raise ProvisionError("drop_dir", "має бути абсолютним шляхом", f"must be an absolute path, got {value!r}")
    return value


def _check_bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no"):
        return value.lower() in ("true", "yes")
    raise ProvisionError(key, "має бути true або false", f"must be true or false, got {value!r}")


def _check_printer(value: Any) -> str:
    text = _printable("form_printer", value, "адреса принтера", "printer URI", 500)
    parts = urlsplit(text)
    if parts.scheme not in ("ipp", "ipps") or not parts.hostname:
        raise ProvisionError("form_printer", "очікується ipp://принтер/шлях (адреса самого принтера)",
                             "expected the printer's own ipp://host/path")
    return text


def _check_cups_server(value: Any) -> str:
    text = _printable("cups_server", value, "сервер CUPS", "CUPS server", 200)
    if not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]+", text):
        raise ProvisionError("cups_server", "очікується вузол:порт", "expected host:port")
    return text


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "terminal_code": _check_code,
    "address": _check_address,
    "server_url": _check_url,
    "token": _check_token,
    "name": _check_name,
    "drop_dir": _check_dir,
}


# -- the server ------------------------------------------------------------------------------
def check_server(answers: Answers, session: Any = None, timeout: tuple[float, float] = (5.0, 15.0)) -> dict[str, Any]:
    """Reach the server's terminal API with the credential (``GET feed?limit=1``: a read).
    Unreachable or not the city server: error on ``server_url``; refused credential: on ``token``."""
    import requests

    session = session or requests.Session()
    url = answers.server_url + API + "feed"
    try:
        resp = session.get(url, params={"cursor": "", "limit": 1}, timeout=timeout, verify=answers.verify_tls,
                           headers={"Authorization": f"Bearer {answers.token}", "Accept": "application/json"})
    except requests.exceptions.SSLError as err:
        raise ProvisionError("server_url", "сертифікат TLS сервера не прийнято",
                             f"the server's TLS certificate was not accepted: {err}") from err
    except requests.RequestException as err:
        raise ProvisionError("server_url", "сервер недоступний", f"cannot reach {url}: {type(err).__name__}") from err
    if resp.status_code == 401:
        raise ProvisionError("token", "сервер не прийняв облікові дані (невідомі або відкликані)",
                             "the server refused the credential (unknown or revoked)")
    if resp.status_code == 404:
        raise ProvisionError("server_url", "за цією адресою немає API терміналів",
                             f"no terminal API at this address ({url}: HTTP 404)")
    if resp.status_code != 200:
        raise ProvisionError("server_url", f"сервер відповів HTTP {resp.status_code}",
                             f"the server answered HTTP {resp.status_code}")
    try:
        body = resp.json()
    except ValueError as err:
        raise ProvisionError("server_url", "відповідь не від сервера міста", "the answer is not the city server's JSON") from err
    if not isinstance(body, dict) or "items" not in body:
        raise ProvisionError("server_url", "відповідь не від сервера міста", "the answer is not the city server's feed")
    log.info("provision: server %s accepted the credential of terminal %s", answers.server_url, answers.code3)
    return {"url": answers.server_url, "status": resp.status_code, "credential": "accepted"}


# -- the files -------------------------------------------------------------------------------
def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ProvisionError(path.name, f"наявний файл пошкоджено: {err}", f"the existing file is not valid TOML: {err}") from err


def _set(table: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for p in parents:
        table = table.setdefault(p, {})
    table[last] = value


def setup_form_printer(answers: Answers) -> dict[str, str] | None:
    """The driverless CUPS queue for the form printer (``lpadmin -m everywhere``, through
    :func:`devices.form_printer.add_cups_queue`): CUPS converts the forms to what the printer takes.
    Returns the printer's and the queue's URIs; the queue's goes into kiosk.toml."""
    if not answers.form_printer:
        return None
    from devices.errors import DeviceError
    from devices.form_printer import add_cups_queue

    try:
        queue = add_cups_queue(answers.form_printer, server=answers.cups_server)
    except DeviceError as err:
        raise ProvisionError("form_printer", "не вдалося створити чергу CUPS для принтера",
                             f"could not make the CUPS queue: {err}") from err
    log.info("provision: form printer %s reached through the CUPS queue %s", answers.form_printer, queue)
    return {"device_uri": answers.form_printer, "queue": queue}


def build_configs(answers: Answers, etc_dir: Path,
                  form_queue: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """kiosk.toml and sync-agent.toml as tables: what is there now, with the provisioned keys set."""
    kiosk = _read_toml(etc_dir / "kiosk.toml")
    sync = _read_toml(etc_dir / "sync-agent.toml")
    _set(kiosk, "terminal.code", answers.terminal_code)
    _set(kiosk, "terminal.address", answers.address)
    if answers.name:
        _set(kiosk, "terminal.name", answers.name)
    if form_queue:
        _set(kiosk, "devices.form_printer.uri", form_queue)
    _set(sync, "terminal.code", answers.terminal_code)
    _set(sync, "server.url", answers.server_url)
    _set(sync, "server.token_file", str(etc_dir / "server-token"))
    _set(sync, "server.verify_tls", answers.verify_tls)
    if answers.drop_dir:
        _set(sync, "drop.dir", answers.drop_dir)
    store = kiosk.get("store", {}).get("dir")
    if store:
        _set(sync, "store.dir", store)
    return kiosk, sync


def _write_tmp(folder: Path, name: str, data: bytes, mode: int) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".provision-tmp", dir=folder)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _owner_ids(user: str | None) -> tuple[int, int] | None:
    if user is None or os.geteuid() != 0:
        return None
    import pwd

    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        return None
    return pw.pw_uid, pw.pw_gid


def write_configs(answers: Answers, etc_dir: str | Path = DEFAULT_ETC, *, owner: str | None = SERVICE_USER,
                  form_queue: str | None = None) -> dict[str, str]:
    """Write the three files atomically after validating both configurations; returns path -> mode."""
    import tomli_w

    from kiosk_app.core.config import load_kiosk_config
    from kiosk_app.core.settings import ConfigError
    from sync_agent.config import load_config as load_sync_config

    etc = Path(etc_dir)
    etc.mkdir(parents=True, exist_ok=True)
    kiosk, sync = build_configs(answers, etc, form_queue)
    header = "# Written by kioskctl provision; every setting: kioskctl settings / sync-agent settings\n"
    staged: list[tuple[Path, Path, int, bool]] = []   # tmp, final, mode, owned by the service user
    try:
        staged.append((_write_tmp(etc, "server-token", (answers.token + "\n").encode(), 0o600),
                       etc / "server-token", 0o600, True))
        for name, table in (("sync-agent.toml", sync), ("kiosk.toml", kiosk)):
            data = (header + tomli_w.dumps(table)).encode("utf-8")
            staged.append((_write_tmp(etc, name, data, 0o640), etc / name, 0o640, False))
        try:
            load_kiosk_config(str(staged[2][0]), env={})
            load_sync_config(str(staged[1][0]), env={})
        except ConfigError as err:
            raise ProvisionError("configuration", f"файл не пройшов перевірку: {err}",
                                 f"the written file does not validate: {err}") from err
        ids = _owner_ids(owner)
        for tmp, _final, _mode, service_owned in staged:
            if ids is not None:
                os.chown(tmp, ids[0] if service_owned else 0, ids[1])
        for tmp, final, _mode, _owned in staged:
            os.replace(tmp, final)
        dir_fd = os.open(etc, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        for tmp, _final, _mode, _owned in staged:
            tmp.unlink(missing_ok=True)
    return {str(final): f"{mode:04o}" for _tmp, final, mode, _owned in staged}


def provision(answers: Answers, etc_dir: str | Path = DEFAULT_ETC, *, session: Any = None,
              owner: str | None = SERVICE_USER) -> Result:
    """Check the server and the credential, make the form printer's CUPS queue (when a printer is
    given), then write the configuration."""
    server = check_server(answers, session=session)
    printer = setup_form_printer(answers)
    files = write_configs(answers, etc_dir, owner=owner, form_queue=printer["queue"] if printer else None)
    log.info("provision: terminal %s configured in %s", answers.code3, etc_dir)
    return Result(Path(etc_dir), files, server, printer)
