"""The UI reaches the terminal through the facade only: what it calls is declared once
(kiosk_app.core.facade), the helper process serves exactly that, errors come back typed, and the
helper's log lines are JSON."""

from __future__ import annotations

import ast
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

from devices.errors import PaperOut
from kiosk_app.core import facade, messages
from kiosk_app.core.applicant import ApplicantInvalid, FieldError
from kiosk_app.core.intake import IntakeStopped
from kiosk_app.core.numbering import NumberError, parse
from kiosk_app.core.terminal import Terminal
from kiosk_app.ui.host import _pack_error, _recv, _send, _unpack_error

ROOT = Path(__file__).resolve().parents[2]


def terminal_calls(folder: Path) -> set[str]:
    """Every name the UI reads on the terminal: ``<x>.t.NAME`` and ``t.NAME`` (a call, or a way
    around the facade such as ``t.store`` or ``t.devices``)."""
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                owner = node.value
                if (isinstance(owner, ast.Attribute) and owner.attr == "t") or (isinstance(owner, ast.Name) and owner.id == "t"):
                    names.add(node.attr)
    return names


def test_the_ui_calls_exactly_the_declared_operations_and_each_is_a_terminal_method() -> None:
    for name in facade.OPERATIONS | {"begin_intake"}:
        assert callable(getattr(Terminal, name, None)), name
    assert facade.RESULT_STAYS <= facade.OPERATIONS
    assert terminal_calls(ROOT / "kiosk_app" / "ui") == facade.OPERATIONS | {"begin_intake", "close"}


def test_the_check_sees_a_way_around_the_facade(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def f(self, t):\n    self.shell.t.store.event(None, 'x')\n    t.devices.scanner\n",
                                     encoding="utf-8")
    assert terminal_calls(tmp_path) == {"store", "devices"}


def roundtrip(err: BaseException) -> BaseException:
    return _unpack_error(pickle.loads(pickle.dumps(_pack_error(err))))


def test_declared_errors_cross_the_pipe_as_themselves() -> None:
    number = parse("0010000013")
    stop = roundtrip(IntakeStopped(messages.for_code("scanner", "jam"), device="scanner", code="jam", sheet=2,
                                   resumable=True, number=number))
    assert isinstance(stop, IntakeStopped)
    assert (stop.message, stop.device, stop.code, stop.sheet, stop.resumable, stop.committed, stop.number) == (
        messages.for_code("scanner", "jam"), "scanner", "jam", 2, True, False, number)
    assert stop.text("en") == messages.for_code("scanner", "jam").text("en", 2)
    paper = roundtrip(PaperOut("no paper", device="receipt_printer"))
    assert type(paper) is PaperOut and paper.as_dict() == {"device": "receipt_printer", "code": "paper_out",
                                                           "message": "no paper"}
    num = roundtrip(NumberError("Не той номер", "Not a number"))
    assert isinstance(num, NumberError) and (num.uk, num.en) == ("Не той номер", "Not a number")
    inv = roundtrip(ApplicantInvalid([FieldError("surname", "Порожньо", "Empty")]))
    assert isinstance(inv, ApplicantInvalid) and inv.errors == [FieldError("surname", "Порожньо", "Empty")]
    assert type(roundtrip(LookupError("appeal 001-000001-3 is not known here"))) is LookupError
    other = roundtrip(ZeroDivisionError("division by zero"))
    assert type(other) is RuntimeError and str(other) == "ZeroDivisionError: division by zero"


def test_the_helper_serves_the_facade_and_logs_json_lines(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_STORE_DIR=str(tmp_path / "store"), KIOSK_SERVER_URL="http://127.0.0.1:9",
               KIOSK_SERVER_TOKEN_FILE=str(tmp_path / "no-token"), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "kiosk_app.ui.host"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None

    def call(method: str, *args: Any) -> tuple[str, Any]:
        _send(proc.stdin, (method, args))
        return _recv(proc.stdout)

    try:
        assert call("open", "/nonexistent/kiosk.toml", env)[0] == "ok"
        kind, err = call("lookup", "001-000001-3")          # the number alone: refused, typed (docs/receipt.md)
        assert kind == "err" and type(_unpack_error(err)).__name__ == "AccessDenied"
        assert _unpack_error(err).tries_left is None            # type: ignore[attr-defined]
        kind, err = call("lookup", "001-000001-3 K7M2Q9XH4T")   # the server's credential is missing: a warning
        assert kind == "err" and type(_unpack_error(err)) is LookupError
        kind, manifest = call("empty_box", "technician")   # no mechanism to tell: an error, logged
        assert kind == "ok" and manifest["box"] == 1 and manifest["appeals"] == 0
        kind, err = call("no_such_operation")
        assert kind == "err" and "unknown call no_such_operation" in str(_unpack_error(err))
        assert call("close") == ("ok", None)
        proc.wait(timeout=20)
        lines = proc.stderr.read().decode().splitlines()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert lines, "the helper logged nothing"
    records = [json.loads(line) for line in lines]                   # every line is JSON
    assert any(r["level"] == "WARNING" and "cannot read the server credential" in r["msg"] for r in records), lines
    assert any(r["level"] == "ERROR" and "bin was emptied failed" in r["msg"] for r in records), lines
