"""The terminal in a helper process, so that its work never holds the UI process's GIL.

Measured (benchmarks/ui.py): with the terminal on a worker *thread*, the UI thread's longest
stall during a 10-sheet intake was 80-280 ms, all during the scan step (SANE transfer and image
processing hold the interpreter lock). :class:`HostedTerminal` runs ``python -m kiosk_app.ui.host``
and forwards calls over its stdin/stdout as length-prefixed pickles; the UI's worker thread waits
on the pipe (no lock held). It offers the operations of
:class:`~kiosk_app.core.terminal.Terminal` declared in :mod:`kiosk_app.core.facade` (and
``begin_intake``, which returns an :class:`IntakeProxy` with ``scan``/``confirm``/``cancel``).
The error types declared there come back as themselves; anything else as a RuntimeError. The
helper logs JSON lines to stderr, as every process of the terminal does. Not thread-safe, like
Terminal: one caller (the worker) at a time.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import logging
import os
import pickle
import struct
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

from kiosk_app.core.facade import INTAKE_OPERATIONS, OPERATIONS, RESULT_STAYS, error_types, is_declared

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
def _pack_error(err: BaseException) -> tuple[str, str, tuple[Any, ...], dict[str, Any]]:
    """A declared error travels as its class, arguments and attributes (its ``__init__`` may want
    other arguments than ``args``, so it is not called again on the other side)."""
    if not isinstance(err, error_types()):
        err = RuntimeError(f"{type(err).__name__}: {err}")
    cls = type(err)
    return cls.__module__, cls.__qualname__, err.args, vars(err)


def _unpack_error(packed: tuple[str, str, tuple[Any, ...], dict[str, Any]]) -> BaseException:
    module, name, args, attrs = packed
    cls = getattr(importlib.import_module(module), name, None)        # that error's module only
    if not (isinstance(cls, type) and (is_declared(cls) or cls is RuntimeError)):
        return RuntimeError(f"{module}.{name}: {args}")
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(attrs)
    return err


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
        self.call("open", config, env)

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

    def __getattr__(self, name: str) -> Any:
        """The facade's operations (kiosk_app.core.facade.OPERATIONS), each a call to the helper."""
        if name in OPERATIONS:
            return functools.partial(self.call, name)
        raise AttributeError(f"{type(self).__name__} has no {name!r} (not in kiosk_app.core.facade.OPERATIONS)")

    def begin_intake(self, applicant: Any, *, sms: bool, parent: str | None = None, progress: Any = None) -> IntakeProxy:
        self.progress = progress
        number, total = self.call("begin_intake", applicant, sms, parent)
        return IntakeProxy(self, number, total)

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(EOFError, OSError, BrokenPipeError):
                self.call("close")
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# -- the helper process --------------------------------------------------------------------------
def serve(inp: IO[bytes], out: IO[bytes]) -> None:
    from kiosk_app.core.config import load_kiosk_config
    from kiosk_app.core.terminal import Terminal

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
                result: Any = None
            elif method == "close":
                _send(out, ("ok", None))
                break
            elif method == "begin_intake":
                applicant, sms, parent = args
                intake = t.begin_intake(applicant, sms=sms, parent=parent, progress=progress)
                result = (intake.number, intake.total)
            elif method in INTAKE_OPERATIONS:
                result = getattr(intake, method)(*args)
            elif method in OPERATIONS:
                result = getattr(t, method)(*args)
                if method in RESULT_STAYS:
                    result = None
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
    from kiosk_app.core.commandline import setup_logging

    setup_logging(logging.WARNING)

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr                          # nothing else may write on the pipe
    serve(stdin, stdout)
