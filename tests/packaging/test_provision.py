"""``kioskctl provision`` against the real city server, run as a process on loopback (port 0),
with a credential issued by ``city-server issue-terminal-credential`` and revoked by
``city-server revoke-terminal-credential``. The files it writes are read back with the programs'
own loaders and the sync agent's own server client."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from devices.ipp import JobState
from kiosk_app.cli import main as kioskctl_main
from kiosk_app.core.config import load_kiosk_config
from kiosk_app.core.server_client import ServerClient, read_token
from kiosk_app.provision import Answers, ProvisionError, ask_answers, check_server, parse_answers
from sync_agent.config import load_config as load_sync_config
from tests.printers.test_form_printer import driver
from tests.server.citysrv_drop import pdf_bytes
from tests.server.citysrv_helpers import Server, run_server
from tests.support.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
EXAMPLES = ROOT / "packaging" / "config"


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_server(tmp_path_factory.mktemp("city"), ["--no-demo"],
                    {"CITY_SERVER_EDMS_INTERVAL": "0", "CITY_SERVER_OPENDATA_INTERVAL": "0"}, timeout=90) as srv:
        yield srv


def _etc(tmp_path: Path) -> Path:
    """An /etc/appeal-terminal as the package installs it: the two example files."""
    etc = tmp_path / "etc"
    etc.mkdir()
    shutil.copy(EXAMPLES / "kiosk.toml", etc / "kiosk.toml")
    shutil.copy(EXAMPLES / "sync-agent.toml", etc / "sync-agent.toml")
    return etc


def _kioskctl(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "SYNC_AGENT_"))}
    return subprocess.run([PY, "-m", "kiosk_app.cli", "provision", *args], cwd=ROOT, env=env, text=True,
                          input=stdin, capture_output=True, timeout=60)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_provision_from_file_writes_configs_the_programs_accept(city: Server, tmp_path: Path) -> None:
    token = city.token("017")
    etc = _etc(tmp_path)
    drop = tmp_path / "drop"
    answers = tmp_path / "answers.toml"
    answers.write_text(
        'terminal_code = "017"\n'
        'address = "м. Дніпро, вул. Січових Стрільців, 12"\n'
        f'server_url = "{city.url}/"\n'
        f'token = "{token}"\n'
        'name = "Термінал ЦНАП"\n'
        f'drop_dir = "{drop}"\n', encoding="utf-8")
    out = _kioskctl("--from", str(answers), "--etc", str(etc), "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] is True and report["server"]["credential"] == "accepted"
    assert report["files"] == {str(etc / "server-token"): "0600", str(etc / "sync-agent.toml"): "0640",
                               str(etc / "kiosk.toml"): "0640"}

    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in etc.iterdir()}
    assert modes == {"kiosk.toml": 0o640, "sync-agent.toml": 0o640, "server-token": 0o600}
    assert (etc / "server-token").read_text() == token + "\n"
    assert token not in (etc / "sync-agent.toml").read_text()     # the credential only in its own file

    kiosk = load_kiosk_config(str(etc / "kiosk.toml"), env={})
    assert kiosk["terminal.code"] == 17
    assert kiosk["terminal.address"] == "м. Дніпро, вул. Січових Стрільців, 12"
    assert kiosk["terminal.name"] == "Термінал ЦНАП"
    assert kiosk["devices.intake.port"] == "/dev/appeal/intake"        # kept from the installed example
    sync = load_sync_config(str(etc / "sync-agent.toml"), env={})
    assert sync["terminal.code"] == 17
    assert sync["server.url"] == city.url
    assert sync["server.token_file"] == str(etc / "server-token")
    assert sync["drop.dir"] == str(drop)
    assert sync["devices.modem.port"] == "/dev/appeal/modem"

    # the sync agent's own client, configured from those files, is served by the server
    client = ServerClient(requests.Session(), sync["server.url"], read_token(sync["server.token_file"]))
    assert client.feed(None, limit=5)["items"] == []


def test_refused_credential_names_the_token_and_writes_nothing(city: Server, tmp_path: Path) -> None:
    token = city.token("021")
    city.cli("revoke-terminal-credential", "021")
    etc = _etc(tmp_path)
    before = _snapshot(etc)
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"terminal_code": 21, "address": "вул. Робоча, 1", "server_url": city.url,
                                   "token": token}), encoding="utf-8")
    out = _kioskctl("--from", str(answers), "--etc", str(etc))
    assert out.returncode == 1
    assert "token:" in out.stderr and "refused the credential" in out.stderr
    assert _snapshot(etc) == before


def test_unreachable_server_names_the_server_url(tmp_path: Path) -> None:
    with socket.socket() as s:                 # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    etc = _etc(tmp_path)
    before = _snapshot(etc)
    answers = tmp_path / "answers.toml"
    answers.write_text(f'terminal_code = 5\naddress = "вул. Робоча, 1"\nserver_url = "http://127.0.0.1:{port}"\n'
                       'token = "tc_005_abcdefghijklmnopqrstuvwxyz"\n', encoding="utf-8")
    out = _kioskctl("--from", str(answers), "--etc", str(etc))
    assert out.returncode == 1
    assert out.stderr.startswith("kioskctl provision: server_url:") and "cannot reach" in out.stderr
    assert _snapshot(etc) == before


def test_server_without_terminal_api_names_the_server_url(city: Server, tmp_path: Path) -> None:
    token = city.token("022")
    answers = Answers(22, "вул. Робоча, 1", city.url + "/no-such-prefix", token)
    with pytest.raises(ProvisionError) as err:
        check_server(answers)
    assert err.value.field == "server_url" and "HTTP 404" in err.value.en


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"terminal_code": 0}, "terminal_code", "from 001 to 999"),
    ({"terminal_code": 1000}, "terminal_code", "from 001 to 999"),
    ({"terminal_code": "abc"}, "terminal_code", "from 001 to 999"),
    ({"terminal_code": True}, "terminal_code", "from 001 to 999"),
    ({"address": "   "}, "address", "must not be empty"),
    ({"address": None}, "address", "missing"),
    ({"server_url": "ftp://rada.example.ua"}, "server_url", "http:// or https://"),
    ({"server_url": "rada.example.ua"}, "server_url", "http:// or https://"),
    ({"token": "tc_018_abcdefghijklmnop"}, "token", "issued for terminal 018, not 017"),
    ({"token": "has space"}, "token", "printable ASCII"),
    ({"token": ""}, "token", "missing"),
    ({"colour": "red"}, "colour", "unknown key"),
])
def test_bad_values_are_refused_naming_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str], changes: dict,
                                                 field: str, words: str) -> None:
    data = {"terminal_code": 17, "address": "вул. Робоча, 1", "server_url": "https://rada.example.ua",
            "token": "tc_017_abcdefghijklmnop", **changes}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(ProvisionError) as err:
        parse_answers(data)
    assert err.value.field == field
    assert words in err.value.en
    # and through the command (in this process): exit 2 before any connection, the field named on stderr
    etc = _etc(tmp_path)
    before = _snapshot(etc)
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(data), encoding="utf-8")
    assert kioskctl_main(["provision", "--from", str(answers), "--etc", str(etc)]) == 2
    assert capsys.readouterr().err.startswith(f"kioskctl provision: {field}: ")
    assert _snapshot(etc) == before


def test_code_forms_and_token_file(tmp_path: Path) -> None:
    token_file = tmp_path / "t.token"
    token_file.write_text("tc_007_abcdefghijklmnop\n")
    a = parse_answers({"terminal_code": "007", "address": "  вул.   Робоча, 1 ", "server_url": "http://h:8000/",
                       "token_file": str(token_file)})
    assert (a.terminal_code, a.code3, a.address, a.server_url, a.token) == (
        7, "007", "вул. Робоча, 1", "http://h:8000", "tc_007_abcdefghijklmnop")


def test_questions_ask_again_after_a_bad_answer() -> None:
    replies = iter(["1000", "17", "", "вул. Робоча, 1", "rada.example.ua", "https://rada.example.ua", "", ""])
    secrets = iter(["tc_017_abcdefghijklmnop"])
    said: list[str] = []
    a = ask_answers(ask=lambda q: next(replies), ask_secret=lambda q: next(secrets), say=said.append)
    assert (a.terminal_code, a.address, a.server_url, a.token, a.name, a.drop_dir) == (
        17, "вул. Робоча, 1", "https://rada.example.ua", "tc_017_abcdefghijklmnop", None, None)
    assert len(said) == 3
    assert "from 001 to 999" in said[0] and "must not be empty" in said[1] and "http://" in said[2]


def test_provision_makes_the_form_printers_cups_queue(city: Server, cupsd: str, pwg_printer: tuple[str, Path],
                                                      tmp_path: Path) -> None:
    """A form printer that takes no PDF, named in the answers: provisioning makes its driverless CUPS
    queue (lpadmin -m everywhere) and points the kiosk at the queue; a form printed through the
    written setting reaches the printer as PWG raster."""
    require_tool("lpadmin", "cups-client")
    printer_uri, printed = pwg_printer
    etc = _etc(tmp_path)
    answers = tmp_path / "answers.toml"
    answers.write_text(f'terminal_code = 17\naddress = "вул. Робоча, 1"\nserver_url = "{city.url}"\n'
                       f'token = "{city.token("017")}"\nform_printer = "{printer_uri}"\ncups_server = "{cupsd}"\n',
                       encoding="utf-8")
    out = _kioskctl("--from", str(answers), "--etc", str(etc), "--json")
    assert out.returncode == 0, out.stderr
    queue = f"ipp://{cupsd}/printers/appeal-forms"
    assert json.loads(out.stdout)["form_printer"] == {"device_uri": printer_uri, "queue": queue}
    kiosk = load_kiosk_config(str(etc / "kiosk.toml"), env={})
    assert kiosk["devices.form_printer.uri"] == queue
    # CUPS's own client sees the queue, bound to the printer
    lpstat = subprocess.run(["lpstat", "-h", cupsd, "-v", "appeal-forms"], capture_output=True, text=True, timeout=30)
    assert printer_uri in lpstat.stdout, lpstat.stdout + lpstat.stderr
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(pdf_bytes("Form"))
    result = driver(kiosk["devices.form_printer.uri"], job_timeout=60, poll_interval=0.2).print_pdf(pdf)
    assert result.state == JobState.COMPLETED
    deadline = time.monotonic() + 30
    while not [f for f in printed.iterdir() if f.stat().st_size > 0] and time.monotonic() < deadline:
        time.sleep(0.2)
    [job] = [f for f in printed.iterdir() if f.stat().st_size > 0]
    assert job.read_bytes()[:4] == b"RaS2"


def test_a_form_printer_that_is_not_an_ipp_uri_is_refused_before_anything(city: Server, tmp_path: Path) -> None:
    etc = _etc(tmp_path)
    before = _snapshot(etc)
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"terminal_code": 17, "address": "вул. Робоча, 1", "server_url": city.url,
                                   "token": city.token("017"), "form_printer": "http://192.168.1.60/"}),
                       encoding="utf-8")
    out = _kioskctl("--from", str(answers), "--etc", str(etc))
    assert out.returncode == 2
    assert "form_printer:" in out.stderr and "ipp://" in out.stderr
    assert _snapshot(etc) == before
