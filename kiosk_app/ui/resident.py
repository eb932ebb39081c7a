"""Resident screens, part one: welcome and the question steps (identity, kind, SMS, consent,
summary; the appeal number for "add documents" and "status"). One question per screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk_app.core.applicant import ApplicantInvalid
from kiosk_app.core.applicant import validate as validate_applicant
from kiosk_app.core.numbering import NumberError, parse, parse_sheet_payload

from . import ops
from .i18n import tr
from .intake_screens import IntakeScreens
from .pages import Page
from .qt import QHBoxLayout, QTimer
from .session import FLOWS
from .widgets import BigButton

if TYPE_CHECKING:
    from .window import KioskWindow

TEXT_STEPS = {"surname": "text", "name": "text", "patronymic": "text", "address": "text", "passport": "text",
              "rnokpp": "number", "phone": "number", "parent": "number", "lookup": "number"}
CHOICES = {"idtype": ("rnokpp", "passport"), "kind": ("application", "proposal", "complaint"),
           "sms": ("yes", "no"), "consent": ("yes",)}
# Which validation field belongs to which screen.
FIELD_OF = {"surname": "surname", "name": "name", "patronymic": "patronymic", "address": "address",
            "rnokpp": "rnokpp", "passport": "passport", "phone": "phone"}


class ResidentScreens(IntakeScreens):
    # -- welcome ---------------------------------------------------------------------------
    def build_welcome(self: KioskWindow, sid: str, p: Page) -> None:
        for flow in FLOWS:
            p.add_choice(flow, lambda f=flow: self.start_flow(f))
        row = QHBoxLayout()
        row.setSpacing(14)
        p.content.addSpacing(p.target_px // 3)
        p.content.addLayout(row)
        for key, fn in (("hc", self.set_high_contrast), ("large", self.set_large_text),
                        ("speech", self.set_speak_screens)):
            b = BigButton("", p)
            b.setObjectName(f"extra_{key}")
            p.extra[key] = b
            row.addWidget(b)
            b.setCheckable(True)
            b.toggled.connect(fn)
            b.toggled.connect(lambda _on: self.refresh())
        svc = p.add_extra("service", self.open_service)
        svc.setObjectName("small_service")
        p.back.hide()
        p.primary.hide()

        def render(lang: str) -> None:
            p.title.setText(tr("welcome.title", lang))
            p.body.setText(tr("welcome.body", lang))
            for flow, b in p.choices.items():
                b.setText(tr(f"flow.{flow}", lang))
            for key in ("hc", "large", "speech"):
                b = p.extra[key]
                b.setText(f"{'✓ ' if b.isChecked() else ''}{tr(key, lang)}")
                b.setAccessibleName(f"{tr(key, lang)}: {tr('on' if b.isChecked() else 'off', lang)}")
            p.extra["speech"].setHidden(not self.speech_enabled)
            p.extra["service"].setText(tr("service.enter", lang))

        p.render = render

    def set_speak_screens(self: KioskWindow, on: bool) -> None:
        self.speak_screens = on
        if on:
            self.speak_current()

    def start_flow(self: KioskWindow, flow: str) -> None:
        self.session.clear()
        self.session.flow = flow
        self.go(self.screen_for(self.session.steps()[0]))

    def screen_for(self: KioskWindow, step: str) -> str:
        if step == "idvalue":
            return "passport" if self.session.data.get("idtype") == "passport" else "rnokpp"
        return step

    def step_key(self, sid: str) -> str:
        return "idvalue" if sid in ("rnokpp", "passport") else sid

    def next_step(self: KioskWindow) -> None:
        steps = self.session.steps()
        i = steps.index(self.step_key(self.current))
        if i + 1 < len(steps):
            self.go(self.screen_for(steps[i + 1]))
        elif self.session.flow == "form":
            self.print_form()

    def prev_step(self: KioskWindow) -> None:
        steps = self.session.steps()
        key = self.step_key(self.current)
        i = steps.index(key) if key in steps else 0
        if i == 0:
            self.end_session("back to start")
        else:
            self.go(self.screen_for(steps[i - 1]))

    # -- question steps -----------------------------------------------------------------------------
    def build_step(self: KioskWindow, sid: str, p: Page) -> None:
        if sid in TEXT_STEPS:
            f = p.add_field(TEXT_STEPS[sid], masked=sid in ("rnokpp", "passport"))
            f.textEdited.connect(lambda _t: p.error.clear())
            if sid == "patronymic":
                p.add_extra("skip", lambda: (f.clear(), self.submit_field(p)))
            if sid in ("parent", "lookup"):
                self.reader_timer = getattr(self, "reader_timer", None) or self._make_reader_timer()
            p.primary.clicked.connect(lambda: self.submit_field(p))
        elif sid in CHOICES:
            for key in CHOICES[sid]:
                p.add_choice(key, lambda k=key: self.choose(sid, k))
            p.primary.hide()
        elif sid == "summary":
            p.add_info()
            p.primary.clicked.connect(self.confirm_summary)
        p.back.clicked.connect(self.prev_step)

        def render(lang: str) -> None:
            title_key = {"lookup": "lookup.title"}.get(sid, f"{sid}.title")
            p.title.setText(tr(title_key, lang))
            body_key = {"lookup": "parent.body"}.get(sid, f"{sid}.body")
            p.body.setText(tr(body_key, lang))
            p.primary.setText(tr("summary.ok" if sid == "summary" else "next", lang))
            if "skip" in p.extra:
                p.extra["skip"].setText(tr("skip", lang))
            for key, b in p.choices.items():
                b.setText(tr({"idtype": f"idtype.{key}", "kind": f"kind.{key}", "sms": f"sms.{key}",
                              "consent": "consent.yes"}[sid], lang))
            if sid == "summary":
                p.info.setText(self.summary_text(lang))
            err = p.property("err")
            p.error.setText(err[0] if err and lang == "uk" else err[1] if err else "")

        def on_show() -> None:
            if p.field is not None:
                p.field.setText(str(self.session.data.get(sid, "")) if sid not in ("parent", "lookup") else
                                (self.session.parent or ""))
            if sid in ("parent", "lookup"):
                self.reader_timer.start()

        p.render = render
        p.on_show = on_show

    def set_error(self: KioskWindow, p: Page, uk: str, en: str) -> None:
        p.setProperty("err", (uk, en))
        p.error.setText(uk if self.lang == "uk" else en)
        self.say(p.error.text())

    def submit_field(self: KioskWindow, p: Page) -> None:
        assert p.field is not None
        sid, text = p.sid, p.field.text().strip()
        p.setProperty("err", None)
        p.error.clear()
        if sid in ("parent", "lookup"):
            self.submit_number(p, text)
            return
        self.session.data[sid] = text
        if sid in FIELD_OF:
            err = self.field_error(FIELD_OF[sid])
            if err is not None:
                self.set_error(p, err[0], err[1])
                return
        if sid in ("rnokpp", "passport"):
            self.session.data.pop("passport" if sid == "rnokpp" else "rnokpp", None)
        self.next_step()

    def field_error(self: KioskWindow, field: str) -> tuple[str, str] | None:
        data = self.session.applicant_data()
        try:
            validate_applicant(data)
        except ApplicantInvalid as err:
            for e in err.errors:
                if e.field == field:
                    return e.uk, e.en
        return None

    def choose(self: KioskWindow, sid: str, key: str) -> None:
        d = self.session.data
        if sid == "idtype":
            d["idtype"] = key
        elif sid == "kind":
            d["kind"] = key
        elif sid == "sms":
            d["sms"] = key == "yes"
            if not d["sms"]:
                d.pop("phone", None)
        elif sid == "consent":
            d["consent"] = True
        self.next_step()

    def summary_text(self: KioskWindow, lang: str) -> str:
        d = self.session.data
        try:
            a = validate_applicant(self.session.applicant_data())
            ident = f"{tr('idtype.' + ('passport' if a.identity.type != 'rnokpp' else 'rnokpp'), lang)}: {a.identity.masked()}"
            name = " ".join(x for x in (a.surname, a.name, a.patronymic) if x)
            phone = a.phone
        except ApplicantInvalid:
            ident, name, phone = "—", f"{d.get('surname', '')} {d.get('name', '')}", d.get("phone")
        lines = [f"{tr('f.name', lang)}: {name}", f"{tr('f.address', lang)}: {d.get('address', '')}",
                 f"{tr('f.identity', lang)}: {ident}"]
        if d.get("kind"):
            lines.append(f"{tr('f.kind', lang)}: {tr('kind.' + d['kind'], lang)}")
        if self.session.flow != "form":
            lines.append(f"{tr('f.sms', lang)}: {phone if d.get('sms') and phone else tr('no', lang)}")
        if self.session.parent:
            lines.append(f"{tr('f.parent', lang)}: {parse(self.session.parent).display}")
        return "\n".join(lines)

    def confirm_summary(self: KioskWindow) -> None:
        p = self.pages["summary"]
        try:
            self.session.applicant = validate_applicant(self.session.applicant_data())
        except ApplicantInvalid as err:
            e = err.errors[0]
            target = {v: k for k, v in FIELD_OF.items()}.get(e.field, "summary")
            if target in self.pages or target in FIELD_OF:
                self.go(target)
                self.set_error(self.pages[target], e.uk, e.en)
            else:
                self.set_error(p, e.uk, e.en)
            return
        self.next_step()

    # -- the appeal number: typed on the pad or read from the receipt ----------------------------------
    def submit_number(self: KioskWindow, p: Page, text: str) -> None:
        try:
            number = parse(text)
        except NumberError as err:
            self.set_error(p, err.uk, err.en)
            return
        self.reader_timer.stop()
        if p.sid == "parent":
            self.session.parent = number.compact
            self.next_step()
        else:
            self.lookup(number.compact)

    def _make_reader_timer(self: KioskWindow) -> QTimer:
        timer = QTimer(self)
        timer.setInterval(400)
        timer.timeout.connect(self._poll_reader)
        self._reader_busy = False
        return timer

    def _poll_reader(self: KioskWindow) -> None:
        if self.current not in ("parent", "lookup"):
            self.reader_timer.stop()
            return
        if self._reader_busy or self.worker.busy:
            return
        self._reader_busy = True
        self.reader_polls = getattr(self, "reader_polls", 0) + 1
        reader_page = self.current

        def read(progress: Any) -> str | None:
            return ops.run(self.t, "read_barcode", 0.3)

        def done(code: str | None) -> None:
            self._reader_busy = False
            if code and self.current == reader_page:
                self.got_barcode(code)

        def failed(err: BaseException) -> None:
            self._reader_busy = False
            self.reader_timer.stop()          # no reader: typing still works

        self.worker.run(read, done, failed, name="barcode")

    def got_barcode(self: KioskWindow, code: str) -> None:
        try:
            number = parse_sheet_payload(code)[0]
        except NumberError:
            try:
                number = parse(code)
            except NumberError as err:
                self.set_error(self.pages[self.current], err.uk, err.en)
                return
        p = self.pages[self.current]
        assert p.field is not None
        p.field.setText(number.display)
        self.submit_number(p, number.compact)
