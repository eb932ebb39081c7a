"""The terminal's settings (kiosk app and ``kioskctl``): one TOML file, default
``/etc/appeal-terminal/kiosk.toml`` (``--config`` or ``KIOSK_CONFIG`` to change), environment
overrides ``KIOSK_<KEY>``. docs/configuration.md lists them all (a test keeps it complete).

Device settings come from each driver module's ``SETTINGS`` and live under ``devices.<kind>``.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from .numbering import terminal_code_problem
from .settings import Config, Setting, from_driver_settings, load

DEFAULT_PATH = "/etc/appeal-terminal/kiosk.toml"
ENV_PREFIX = "KIOSK"


KIOSK_SETTINGS: list[Setting] = [
    Setting("terminal.code", 1, "int", "", "The terminal's code, issued once by the city and never reused (docs/numbering.md)", check=terminal_code_problem),
    Setting("terminal.address", "м. Дніпро, просп. Дмитра Яворницького, 75", "str", "", "Where the terminal stands; printed on receipts"),
    Setting("terminal.name", "Термінал звернень", "str", "", "The terminal's name shown on screens and receipts"),
    Setting("terminal.status_url", "https://rada.example.ua/a/{number}", "str", "", "Status link in the receipt's QR code; {number} is the compact number"),
    Setting("server.url", "", "str", "", "The city server (answers of appeals taken at other terminals); empty = none"),
    Setting("server.token_file", "/etc/appeal-terminal/server-token", "path", "", "File holding this terminal's credential for the server (shared with the sync agent)"),
    Setting("server.connect_timeout", 3.0, "float", "s", "Connect timeout of an answer lookup (a resident is waiting)", min=0.1),
    Setting("server.read_timeout", 8.0, "float", "s", "Read timeout of an answer lookup and its download", min=0.1),
    Setting("identity.phone_sign_in", True, "bool", "", "Offer residents to sign in with BankID on their own phone (RFC 8628 device flow at server.url) beside typing their identity; needs server.url"),
    Setting("store.dir", "/var/lib/appeal-terminal", "path", "", "Folder of the terminal store (terminal.db) and the spool"),
    Setting("forms.addressee", "Дніпровському міському голові", "str", "", "Whom the pre-filled form is addressed to (first lines, right column)"),
    Setting("edms.channel_code", "1.2", "str", "", "Classifier code of the channel of receipt: the terminal is not a listed channel; 1.2 = personal reception"),
    Setting("edms.type_code", "6.2", "str", "", "Classifier code of the appeal's type (6.2 = letter)"),
    Setting("appeals.deadline_days", 30, "int", "days", "Answer deadline printed on the receipt (Law 'On citizens' appeals', art. 20)", min=1, max=45),
    Setting("session.idle_timeout", 60, "int", "s", "Idle time after which the session ends and the resident's data is cleared", min=15, max=600),
    Setting("session.idle_warning", 20, "int", "s", "Length of the visible countdown (with \"Stay\") before the session ends; WCAG 2.2.1 asks at least 20 s", min=20, max=60),
    Setting("ui.language", "uk", "str", "", "Language of the welcome screen", choices=("uk", "en")),
    Setting("ui.fullscreen", True, "bool", "", "Run full screen (false: a window, for development)"),
    Setting("ui.speech", True, "bool", "", "Offer spoken screens (Qt TextToSpeech with speech-dispatcher/espeak-ng)"),
    Setting("service.pin_hash", "", "str", "", "PBKDF2 hash of the technician's PIN (kioskctl set-pin writes it)"),
    Setting("service.max_pin_attempts", 5, "int", "", "Wrong PINs before service mode locks", min=1, max=20),
    Setting("service.lockout", 300, "int", "s", "How long service mode stays locked after too many wrong PINs", min=10),
    Setting("intake.max_sheets", 30, "int", "sheets", "Most sheets accepted in one appeal", min=1, max=99),
    Setting("intake.label_x", 150.0, "float", "mm", "Label position from the sheet's left edge", min=0, max=200),
    Setting("intake.label_y", 8.0, "float", "mm", "Label position from the sheet's top edge", min=0, max=280),
    Setting("intake.ocr", True, "bool", "", "Add an OCR text layer (Ukrainian and English) after the receipt when Tesseract is installed"),
    Setting("log.level", "INFO", "str", "", "Log level", choices=("DEBUG", "INFO", "WARNING", "ERROR")),
]

# Device kind -> driver module; each module declares SETTINGS rows (key, default, unit, help).
DEVICE_MODULES = {
    "receipt_printer": "devices.receipt_printer",
    "form_printer": "devices.form_printer",
    "scanner": "devices.scanner",
    "intake": "devices.intake_mechanism",
    "modem": "devices.modem",
    "barcode_reader": "devices.barcode_reader",
    "speech": "devices.speech",
}


def device_settings() -> list[Setting]:
    out: list[Setting] = []
    for kind, module in DEVICE_MODULES.items():
        try:
            rows = importlib.import_module(module).SETTINGS
        except (ImportError, AttributeError):
            continue
        out.extend(from_driver_settings(f"devices.{kind}", rows))
    return out


def schema() -> list[Setting]:
    return KIOSK_SETTINGS + device_settings()


def sim_device_sections(endpoints: dict) -> dict[str, dict]:
    """Device settings that reach a running ``hardware-sim`` (from its endpoints.json)."""
    out: dict[str, dict] = {}
    e = endpoints.get("receipt_printer") or {}
    if e.get("port"):
        out["receipt_printer"] = {"connection": "network", "host": e.get("host", "127.0.0.1"), "port": e["port"]}
    e = endpoints.get("form_printer") or {}
    if e.get("uri"):
        out["form_printer"] = {"connection": "ipp", "uri": e["uri"]}
    e = endpoints.get("scanner") or {}
    if e.get("device"):
        out["scanner"] = {"connection": "sane", "device": e["device"], "net_hosts": e.get("host", "127.0.0.1"),
                          "config_dir": e.get("config_dir", "")}
    for kind in ("intake", "barcode_reader", "modem"):
        e = endpoints.get(kind) or {}
        if e.get("link") or e.get("path"):
            out[kind] = {"connection": "serial", "port": e.get("link") or e["path"]}
    return out


def sim_overrides(sim_dir: str | Path) -> dict[str, str]:
    """Environment overrides (KIOSK_DEVICES_...) pointing every device at a running simulator."""
    import json as _json

    endpoints = _json.loads((Path(sim_dir) / "endpoints.json").read_text(encoding="utf-8"))
    env: dict[str, str] = {}
    for kind, section in sim_device_sections(endpoints.get("devices", endpoints)).items():
        for key, value in section.items():
            env[f"{ENV_PREFIX}_DEVICES_{kind}_{key}".upper()] = str(value)
    return env


def config_path(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get("KIOSK_CONFIG") or DEFAULT_PATH)


def load_kiosk_config(path: str | None = None, env: dict[str, str] | None = None) -> Config:
    return load(schema(), config_path(path), env_prefix=ENV_PREFIX, env=env)
