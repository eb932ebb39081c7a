"""What a front end calls on :class:`~kiosk_app.core.terminal.Terminal`, declared once.

The touchscreen app runs the terminal in a helper process (the UI's ``host.py``); the helper
serves exactly these operations and sends back exactly these error types, typed as raised. Kept
apart from ``terminal.py`` (which loads slowly) so that the UI can read it before the terminal
is open. A test checks that each name is a method of ``Terminal`` and that the UI calls no other.
"""

from __future__ import annotations

import importlib

# Methods of Terminal the UI calls (through the helper process or in-process alike).
OPERATIONS: frozenset[str] = frozenset({
    "print_form", "lookup", "print_status", "print_answer",          # residents
    "open_reader", "read_barcode", "log_event",                      # the handheld reader, events
    "identity_begin", "identity_poll", "identity_cancel",            # sign in with BankID on a phone
    "service_summary", "test_print", "test_scan", "empty_box",       # technicians
    "service_pin",
})
# Their result is a print job that holds a connection: it stays in the helper (the caller gets None).
RESULT_STAYS: frozenset[str] = frozenset({"print_form", "print_answer"})
# ``begin_intake`` returns an Intake; these are its methods the UI calls.
INTAKE_OPERATIONS: frozenset[str] = frozenset({"scan", "confirm", "cancel"})
# What the facade raises on purpose ("module:class"; subclasses travel as themselves). Anything
# else reaches the UI as a RuntimeError naming the type.
ERRORS: tuple[str, ...] = (
    "kiosk_app.core.intake:IntakeStopped",
    "kiosk_app.core.numbering:NumberError",
    "kiosk_app.core.applicant:ApplicantInvalid",
    "devices.errors:DeviceError",
    "builtins:LookupError",
    "kiosk_app.core.access:AccessDenied",          # AccessLocked too (a subclass)
)


def is_declared(cls: type) -> bool:
    """Whether ``cls`` is (a subclass of) a declared error, without importing the others."""
    return any(f"{c.__module__}:{c.__qualname__}" in ERRORS for c in cls.__mro__)


def error_types() -> tuple[type[BaseException], ...]:
    out = []
    for spec in ERRORS:
        module, name = spec.split(":")
        out.append(getattr(importlib.import_module(module), name))
    return tuple(out)
