"""The terminal in a helper process, so that its work never holds the UI process's GIL.

Measured (benchmarks/ui.py): with the terminal on a worker *thread*, the UI thread's longest
stall during a 10-sheet intake was 80-280 ms, all during the scan step (SANE transfer and image
processing hold the interpreter lock). :class:`HostedTerminal` runs ``python -m kiosk_app.ui.host``
and forwards calls over its stdin/stdout as length-prefixed pickles; the UI's worker thread waits
on the pipe (no lock held). It offers what the screens use of
:class:`~kiosk_app.core.terminal.Terminal` (``begin_intake`` returns an :class:`IntakeProxy` with
``scan``/``confirm``/``cancel``), plus :mod:`.ops` through ``op(name, *args)``. Errors come back
as the same types (IntakeStopped, NumberError, LookupError, ApplicantInvalid, DeviceError
subclasses). Not thread-safe, like Terminal: one caller (the worker) at a time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import struct
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]


def _send(stream: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def _recv(stream: IO[bytes]) -> Any:
    head = stream.read(4)
    if len(head) < 4:
        raise EOFError("the terminal process ended")
    (n,) = struct.unpack(">I", head)
    return pickle.loads(stream.read(n))


# -- errors across the pipe --------------------------------------------------------------------
def _pack_error(err: BaseException) -> dict[str, Any]:
    from devices.errors import DeviceError
    from kiosk_app.core.applicant import ApplicantInvalid
    from kiosk_app.core.intake import IntakeStopped
    from kiosk_app.core.numbering import NumberError
    if isinstance(err, IntakeStopped):
        return {"kind": "stopped", "message": err.message, "device": err.device, "code": err.code, "sheet": err.sheet,
                "resumable": err.resumable, "committed": err.committed, "number": err.number}
    if isinstance(err, NumberError):
        return {"kind": "number", "uk": err.uk, "en": err.en}
    if isinstance(err, ApplicantInvalid):
        return {"kind": "applicant", "errors": err.errors}
    if isinstance(err, DeviceError):
        return {"kind": "device", "cls": type(err).__name__, "text": str(err), "device": err.device}
    if isinstance(err, LookupError):
        return {"kind": "lookup", "text": str(err)}
    return {"kind": "other", "text": f"{type(err).__name__}: {err}"}


def _unpack_error(d: dict[str, Any]) -> BaseException:
    kind = d["kind"]
    if kind == "stopped":
        from kiosk_app.core.intake import IntakeStopped
        return IntakeStopped(d["message"], device=d["device"], code=d["code"], sheet=d["sheet"],
                             resumable=d["resumable"], committed=d["committed"], number=d["number"])
    if kind == "number":
        from kiosk_app.core.numbering import NumberError
        return NumberError(d["uk"], d["en"])
    if kind == "applicant":
        from kiosk_app.core.applicant import ApplicantInvalid
        return ApplicantInvalid(d["errors"])
    if kind == "device":
        import devices.errors as errors
        cls = getattr(errors, d["cls"], errors.DeviceError)
        return cls(d["text"], device=d["device"])
    if kind == "lookup":
        return LookupError(d["text"])
    return RuntimeError(d["text"])


# -- the UI side ----------------------------------------------------------------------------------
class IntakeProxy:
    def __init__(self, host: HostedTerminal, number: Any, total: int) -> None:
        self.host, self.number, self.total = host, number, total
        self.finished = False

    def scan(self) -> None:
        self.host.call("scan")

    def confirm(self) -> Any:
        result = self.host.call("confirm")
        self.finished = True
        return result

    def cancel(self, reason: str) -> None:
        if not self.finished:
            self.host.call("cancel", reason)
            self.finished = True


class HostedTerminal:
    def __init__(self, config: str | None, env: dict[str, str]) -> None:
        child_env = {**env, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)}
        # The helper reads its stdin: when the kiosk dies the pipe closes and the helper ends too.
        self.proc = subprocess.Popen([sys.executable, "-m", "kiosk_app.ui.host"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=child_env, cwd=ROOT)
        self.progress: Any = None
        self._store: Any = None
        self.store_dir, self.terminal_code = self.call("open", config, env)

    def call(self, method: str, *args: Any) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        _send(self.proc.stdin, (method, args))
        while True:
            kind, payload = _recv(self.proc.stdout)
            if kind == "progress":
                if self.progress is not None:
                    self.progress(payload)
            elif kind == "ok":
                return payload
            else:
                raise _unpack_error(payload)

    # what the screens use of Terminal
    def begin_intake(self, applicant: Any, *, sms: bool, parent: str | None = None, progress: Any = None) -> IntakeProxy:
        self.progress = progress
        number, total = self.call("begin_intake", applicant, sms, parent)
        return IntakeProxy(self, number, total)

    def print_form(self, applicant: Any) -> Any:
        return self.call("print_form", applicant)

    def lookup(self, number_text: str) -> Any:
        return self.call("lookup", number_text)

    def print_status(self, status: Any) -> None:
        self.call("print_status", status)

    def print_answer(self, found: Any) -> None:
        self.call("print_answer", found)

    def op(self, name: str, *args: Any) -> Any:
        return self.call("op", name, *args)

    @property
    def store(self) -> Any:
        """A second connection to the same store, for reading (tests, diagnostics)."""
        if self._store is None:
            from kiosk_app.core.store import Store
            self._store = Store(self.store_dir, terminal=self.terminal_code)
        return self._store

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(EOFError, OSError, BrokenPipeError):
                self.call("close")
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self._store is not None:
            self._store.close()


# -- the helper process --------------------------------------------------------------------------
def serve(inp: IO[bytes], out: IO[bytes]) -> None:
    from kiosk_app.core.config import load_kiosk_config
    from kiosk_app.core.terminal import Terminal

    from . import ops

    t: Any = None
    intake: Any = None

    def progress(p: Any) -> None:
        _send(out, ("progress", p))

    while True:
        try:
            method, args = _recv(inp)
        except EOFError:
            break
        try:
            if method == "open":
                t = Terminal(load_kiosk_config(args[0], env=args[1]))
                result: Any = (str(t.cfg["store.dir"]), t.cfg["terminal.code"])
            elif method == "begin_intake":
                applicant, sms, parent = args
                intake = t.begin_intake(applicant, sms=sms, parent=parent, progress=progress)
                result = (intake.number, intake.total)
            elif method == "scan":
                intake.scan()
                result = None
            elif method == "confirm":
                result = intake.confirm()
            elif method == "cancel":
                intake.cancel(args[0])
                result = None
            elif method in ("print_form", "lookup", "print_status", "print_answer"):
                result = getattr(t, method)(*args)
                if method in ("print_form", "print_answer"):
                    result = None                     # the print job holds a connection: not for the pipe
            elif method == "op":
                result = ops.OPS[args[0]](t, *args[1:])
            elif method == "close":
                _send(out, ("ok", None))
                break
            else:
                raise RuntimeError(f"unknown call {method}")
        except BaseException as err:  # every failure goes back to the caller, typed
            log.info("%s failed: %r", method, err)
            _send(out, ("err", _pack_error(err)))
            continue
        _send(out, ("ok", result))
    if t is not None:
        t.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format='{"t":"%(asctime)s","level":"%(levelname)s","logger":"%(name)s","msg":%(message)r}')
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr                          # nothing else may write on the pipe
    serve(stdin, stdout)
