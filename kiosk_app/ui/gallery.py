"""Screenshots of every screen (both languages, and high contrast) with made-up data: what
``kioskctl screenshots DIR`` and the tests write, and docs/screens.md shows."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from kiosk_app.core import messages
from kiosk_app.core.device_flow import FlowStatus, VerifiedIdentity
from kiosk_app.core.numbering import parse

from .i18n import tr
from .idle import banner_text
from .intake_screens import FaultScreen
from .nav import ScreenId
from .qt import QApplication, Qt
from .service import ServiceScreen

ROOT = Path(__file__).resolve().parents[2]
DEMO = {"surname": "Мʼясоїд-Коваль", "name": "Наталія", "patronymic": "Іванівна",
        "address": "м. Дніпро, вул. Січеславська Набережна, 15, кв. 4", "idtype": "rnokpp", "rnokpp": "1759013776",
        "kind": "application", "sms": True, "phone": "067 123 45 67", "consent": True}
# What BankID gives for the demo resident, and a code the city server might have issued.
DEMO_VERIFIED = VerifiedIdentity(DEMO["surname"], DEMO["name"], DEMO["patronymic"], "1984-03-08", DEMO["rnokpp"], None,
                                 DEMO["address"], "bankid", "2026-11-28T08:13:40Z")
DEMO_CODE = FlowStatus("pending", "BDFH-KMNP", "https://rada.example.ua/device",
                       "https://rada.example.ua/device?user_code=BDFH-KMNP", 287.0, 5.0)
PHONE_SCREENS = (ScreenId.IDENTITY, ScreenId.DEVICE, ScreenId.VERIFIED)
SCREENS = list(ScreenId)
VARIANTS = {"uk": ("uk", False), "en": ("en", False), "uk-hc": ("uk", True)}


def demo_previews() -> list[bytes]:
    from PIL import Image
    out = []
    for name in ("appeal-page1.png", "appeal-page2.png"):
        img = Image.open(ROOT / "examples" / "sheets" / name).convert("L")
        img.thumbnail((240, 480))
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        out.append(buf.getvalue())
    return out


def stage(win: Any, sid: str) -> None:
    """Put made-up data where ``sid`` reads it, then show it."""
    s = win.session
    s.clear()
    s.flow = {"parent": "add", "lookup": "status", "status": "status", "form_wait": "form", "form_done": "form",
              "pin": "", "service": "", "welcome": ""}.get(sid, "submit")
    s.data.update(DEMO if s.flow else {})
    s.phone_sign_in = win.phone_sign_in or sid in PHONE_SCREENS
    if sid == "verified":
        s.verified = DEMO_VERIFIED
    if sid == "passport":
        s.data.update(idtype="passport", passport="МК123456")
    if sid in ("scan", "sheets", "saving", "number"):
        s.previews.extend(demo_previews())
        from kiosk_app.core.intake import Progress
        s.progress = Progress({"scan": "scan", "saving": "commit"}.get(sid, "verify"), 2, 2)
    if sid == "number":
        s.result = SimpleNamespace(number=parse("0010000013"), parent=None, deadline=dt.date(2026, 12, 28), notices=[])
    if sid == "fault":
        win.nav.get(ScreenId.FAULT, FaultScreen).fault = {
            "message": messages.for_code("scanner", "jam"), "resumable": True, "retry": lambda: None,
            "cancel": lambda: None, "sheet": 2}
    if sid == "status":
        from kiosk_app.core.answers import AnswerLookup
        s.status = AnswerLookup(parse("0010000013"), "imported", dt.date(2026, 12, 28), "М-20", None, "local")
    if sid == "service":
        service = win.nav.get(ScreenId.SERVICE, ServiceScreen)
        service.in_service = True
        service.info_data = {"devices": {k: {"state": "ready", "detail": "ok", "consumables": c} for k, c in (
            ("receipt_printer", {"paper": "ok"}), ("form_printer", {"paper": "ok"}), ("scanner", {}),
            ("intake", {"staples": "ok", "bin": "12/500"}), ("barcode_reader", {}),
            ("speech", {"engine": "speechd/espeak-ng", "uk_voice": "zle/uk"}))},
            "box": {"box": 1, "appeals": 6, "sheets": 12}, "outbox": {"pending": 2, "delivered": 4},
            "appeals": 6, "errors": [{"at": "2026-11-28T10:15:00", "event": "device_fault", "device": "scanner", "code": "jam"}]}
    win.nav.go(sid)
    if sid == "device":
        from .phone_identity import DeviceCodeScreen
        win.nav.get(ScreenId.DEVICE, DeviceCodeScreen).show_status(DEMO_CODE)
    field = win.nav.screen(sid).field
    if sid == ScreenId.SURNAME and field is not None:
        field.setText(DEMO["surname"][:5])
    if sid == ScreenId.PARENT and field is not None:
        field.setText("001-000001-3")


def _compact(path: Path) -> None:
    """A 64-colour palette: the screens are flat colours and text, so a screenshot stays ~20-40 KB."""
    from PIL import Image
    with Image.open(path) as img:
        small = img.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def show_banner(win: Any, seconds: int = 20) -> None:
    """The idle warning as it shows in a session's last seconds (without its countdown running)."""
    win.banner.label.setText(banner_text(win.lang, seconds))
    win.banner.stay.setText(tr("idle.stay", win.lang))
    win.banner.show()


def set_panel(win: Any, size: tuple[int, int], text_scale: float) -> None:
    """Render as on a ``size`` panel with text at ``text_scale`` (the window may not grow past it)."""
    win.theme.text_scale = text_scale
    win.apply_theme()
    win.setProperty("panel_size", size)
    win.resize(*size)


def render_all(win: Any, outdir: Path, *, width: int = 960, screens: list[str] | None = None,
               variants: dict[str, tuple[str, bool]] | None = None, banner: bool = False,
               check: list[str] | None = None) -> list[Path]:
    """Every screen as a PNG; with ``banner`` the idle warning shows; ``check`` collects what
    :func:`.geometry.problems` finds on each screen ("<screen>.<variant>: ...")."""
    from .geometry import problems

    outdir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    written: list[Path] = []
    for variant, (lang, hc) in (variants or VARIANTS).items():
        win.set_high_contrast(hc)
        for sid in screens or SCREENS:
            win.lang = lang
            stage(win, sid)
            if banner:
                show_banner(win)
            for _ in range(3):          # a wrapped button's new height is laid out on the next turn
                app.processEvents()
            if check is not None:
                check.extend(f"{sid}.{variant}: {p}" for p in problems(win))
            pix = win.grab()
            if width and pix.width() > width:
                pix = pix.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            path = outdir / f"{sid}.{variant}.png"
            pix.save(str(path), "PNG")
            _compact(path)
            written.append(path)
    win.set_high_contrast(False)
    win.end_session("screenshots done")
    return written


@contextlib.contextmanager
def demo_window(size: tuple[int, int] = (1920, 1080)) -> Iterator[Any]:
    """A kiosk window on a terminal with a throwaway store (no device is touched), shown offscreen."""
    import os
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk_app.core.config import load_kiosk_config
    from kiosk_app.core.terminal import Terminal

    from .window import KioskWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        env = {"KIOSK_STORE_DIR": tmp, "KIOSK_SERVICE_PIN_HASH": ""}
        t = Terminal(load_kiosk_config("/nonexistent/kiosk.toml", env=env))
        win = KioskWindow(t, speech_engine="mock")
        win.resize(*size)
        win.show()
        app.processEvents()
        try:
            yield win
        finally:
            win.worker.wait()
            win.close()
            t.close()


def screenshots(outdir: Path, *, width: int = 960, size: tuple[int, int] = (1920, 1080), text_scale: float = 1.0,
                banner: bool = False, check: list[str] | None = None) -> list[Path]:
    """Open a terminal on a throwaway store (no device is touched) and render every screen."""
    with demo_window(size) as win:
        set_panel(win, size, text_scale)
        return render_all(win, outdir, width=width, banner=banner, check=check)
