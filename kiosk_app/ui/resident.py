"""Resident screens, part one: welcome and the questions (identity, kind, SMS, consent, summary),
and the appeal number typed on the pad or read from the receipt ("add documents", "status").
One question per screen. Signing in with BankID on the phone instead of typing the identity:
:mod:`.phone_identity`."""

from __future__ import annotations

from typing import Any

from kiosk_app.core.access import AccessDenied, AccessLocked
from kiosk_app.core.applicant import ApplicantInvalid
from kiosk_app.core.applicant import validate as validate_applicant
from kiosk_app.core.numbering import NumberError, parse, parse_sheet_payload

from .i18n import tr
from .nav import Screen, ScreenId
from .qt import QTimer
from .session import FLOWS
from .widgets import BigButton, ReflowRow

CHOICES = {"identity": ("phone", "type"), "idtype": ("rnokpp", "passport"), "kind": ("application", "proposal", "complaint"),
           "sms": ("yes", "no"), "consent": ("yes",)}
# Which validation field belongs to which screen.
FIELD_OF = {"surname": "surname", "name": "name", "patronymic": "patronymic", "address": "address",
            "rnokpp": "rnokpp", "passport": "passport", "phone": "phone"}


class WelcomeScreen(Screen):
    """The flows to choose from, the accessibility choices, and the technician's door."""

    def build(self) -> None:
        for flow in FLOWS:
            self.add_choice(flow, lambda f=flow: self.nav.start_flow(f))
        row = ReflowRow(self.scroll.widget())        # one column at large text
        self.content.addSpacing(8)
        self.content.addWidget(row)
        self.toggles = row
        shell = self.shell
        for key, fn in (("hc", shell.set_high_contrast), ("large", shell.set_large_text),
                        ("speech", shell.set_speak_screens)):
            b = BigButton("", self)
            b.setObjectName(f"extra_{key}")
            self.extra[key] = b
            row.add(b)
            b.setCheckable(True)
            b.toggled.connect(fn)
            b.toggled.connect(lambda _on: self.shell.refresh())
        svc = self.add_extra("service", self.open_service)
        svc.setObjectName("small_service")
        self.back.hide()
        self.primary.hide()

    def open_service(self) -> None:
        self.session.clear()
        self.nav.go(ScreenId.PIN)

    def render(self, lang: str) -> None:
        self.title.setText(tr("welcome.title", lang))
        self.body.setText(tr("welcome.body", lang))
        for flow, b in self.choices.items():
            b.setText(tr(f"flow.{flow}", lang))
        for key in ("hc", "large", "speech"):
            b = self.extra[key]
            b.setText(f"{'✓ ' if b.isChecked() else ''}{tr(key, lang)}")
            b.setAccessibleName(f"{tr(key, lang)}: {tr('on' if b.isChecked() else 'off', lang)}")
        self.extra["speech"].setHidden(not self.shell.speech_enabled)
        self.toggles.columns = 0
        self.toggles.reflow(self.toggles.width())
        self.extra["service"].setText(tr("service.enter", lang))


class Question(Screen):
    """A question step: its title and body, Back, and the step count."""

    body_key = ""                     # the body's text, when it is not "<screen>.body"

    def build(self) -> None:
        self.back.clicked.connect(self.nav.prev_step)

    def render(self, lang: str) -> None:
        self.title.setText(tr(f"{self.sid}.title", lang))
        self.body.setText(tr(self.body_key or f"{self.sid}.body", lang))
        self.primary.setText(tr("next", lang))
        self.render_error(lang)


class TextQuestion(Question):
    """A typed answer (names, address, identity number, phone), checked when Next is touched."""

    def build(self) -> None:
        super().build()
        number = self.sid in (ScreenId.RNOKPP, ScreenId.PHONE)
        f = self.add_field("number" if number else "text", masked=self.sid in (ScreenId.RNOKPP, ScreenId.PASSPORT),
                           digits=self.sid not in (ScreenId.SURNAME, ScreenId.NAME, ScreenId.PATRONYMIC))
        f.textEdited.connect(lambda _t: self.error.clear())
        if self.sid == ScreenId.PATRONYMIC:
            self.add_extra("skip", lambda: (f.clear(), self.submit()))
        self.primary.clicked.connect(self.submit)

    def render(self, lang: str) -> None:
        super().render(lang)
        if "skip" in self.extra:
            self.extra["skip"].setText(tr("skip", lang))
        if self.sid == ScreenId.ADDRESS and self.session.verified is not None:
            self.body.setText(tr("address.corrected", lang))      # correcting the verified address

    def on_show(self) -> None:
        assert self.field is not None
        self.field.setText(str(self.session.data.get(self.sid, "")))

    def submit(self) -> None:
        assert self.field is not None
        sid, text = str(self.sid), self.field.text().strip()
        self.setProperty("err", None)
        self.error.clear()
        self.session.data[sid] = text
        err = self.field_error(FIELD_OF[sid])
        if err is not None:
            self.set_error(*err)
            return
        if sid in ("rnokpp", "passport"):
            self.session.data.pop("passport" if sid == "rnokpp" else "rnokpp", None)
        self.nav.next_step()

    def field_error(self, field: str) -> tuple[str, str] | None:
        try:
            validate_applicant(self.session.applicant_data())
        except ApplicantInvalid as err:
            for e in err.errors:
                if e.field == field:
                    return e.uk, e.en
        return None


class ChoiceQuestion(Question):
    """A choice among big buttons (identity document, kind of appeal, SMS, consent)."""

    def build(self) -> None:
        super().build()
        for key in CHOICES[self.sid]:
            self.add_choice(key, lambda k=key: self.choose(k))
        self.primary.hide()

    def render(self, lang: str) -> None:
        super().render(lang)
        for key, b in self.choices.items():
            b.setText(tr("consent.yes" if self.sid == ScreenId.CONSENT else f"{self.sid}.{key}", lang))

    def choose(self, key: str) -> None:
        d = self.session.data
        if self.sid == ScreenId.SMS:
            d["sms"] = key == "yes"
            if not d["sms"]:
                d.pop("phone", None)
        elif self.sid == ScreenId.CONSENT:
            d["consent"] = True
        else:
            d[str(self.sid)] = key
        self.nav.next_step()


class SummaryScreen(Question):
    """Everything the resident said, to confirm; a field found wrong leads back to its screen."""

    info_personal = True
    def build(self) -> None:
        super().build()
        self.add_info()
        self.primary.clicked.connect(self.confirm)

    def render(self, lang: str) -> None:
        super().render(lang)
        self.primary.setText(tr("summary.ok", lang))
        assert self.info is not None
        self.info.setText(self.summary_text(lang))

    def summary_text(self, lang: str) -> str:
        s = self.session
        d = s.data
        try:
            a = validate_applicant(s.applicant_data())
            ident = f"{tr('idtype.' + ('passport' if a.identity.type != 'rnokpp' else 'rnokpp'), lang)}: {a.identity.masked()}"
            name = " ".join(x for x in (a.surname, a.name, a.patronymic) if x)
            phone = a.phone
        except ApplicantInvalid:
            ident, name, phone = "—", f"{d.get('surname', '')} {d.get('name', '')}", d.get("phone")
        lines = [f"{tr('f.name', lang)}: {name}", f"{tr('f.address', lang)}: {d.get('address', '')}",
                 f"{tr('f.identity', lang)}: {ident}"]
        if s.verified is not None:
            lines = verified_lines(s, lang).splitlines() or lines
        if d.get("kind"):
            lines.append(f"{tr('f.kind', lang)}: {tr('kind.' + d['kind'], lang)}")
        if s.flow != "form":
            lines.append(f"{tr('f.sms', lang)}: {phone if d.get('sms') and phone else tr('no', lang)}")
        if s.parent:
            lines.append(f"{tr('f.parent', lang)}: {parse(s.parent).display}")
        return "\n".join(lines)

    def confirm(self) -> None:
        try:
            self.session.applicant = validate_applicant(self.session.applicant_data())
        except ApplicantInvalid as err:
            e = err.errors[0]
            target = {v: k for k, v in FIELD_OF.items()}.get(e.field, ScreenId.SUMMARY)
            self.nav.go(target)
            self.nav.screen(target).set_error(e.uk, e.en)
            return
        self.nav.next_step()


def verified_lines(session: Any, lang: str) -> str:
    """Name, document and address with the verifier's mark (the address: or "corrected by you"):
    the summary's lines for an identity signed in on the phone, and :mod:`.phone_identity`'s
    verified screen's."""
    v = session.verified
    if v is None:
        return ""
    mark = tr("f.verified", lang)
    try:
        a = validate_applicant({**session.applicant_data(), "kind": "application", "consent": True})
        ident = f"{tr('idtype.' + ('rnokpp' if a.identity.type == 'rnokpp' else 'passport'), lang)}: {a.identity.masked()}"
        name, address, corrected = a.full_name, a.address, a.verified is not None and a.verified.address_corrected
    except ApplicantInvalid:
        return ""
    return "\n".join([f"{tr('f.name', lang)}: {name}  {mark}", f"{tr('f.identity', lang)}: {ident}  {mark}",
                      f"{tr('f.address', lang)}: {address}  {tr('f.corrected', lang) if corrected else mark}"])


class NumberEntry(Question):
    """An appeal's number, typed on the pad or read from the receipt by the handheld reader:
    the appeal to add documents to (``parent``) or whose status to show (``lookup``: the number
    and the receipt's access code typed on the keyboard, or the receipt's QR code scanned,
    docs/receipt.md)."""

    def build(self) -> None:
        super().build()
        if self.sid == ScreenId.LOOKUP:
            self.body_key = "lookup.body"
        f = self.add_field("text" if self.sid == ScreenId.LOOKUP else "number")
        f.textEdited.connect(lambda _t: self.error.clear())
        self.primary.clicked.connect(self.submit)
        self.reader = QTimer(self)
        self.reader.setInterval(400)
        self.reader.timeout.connect(self.poll_reader)
        self.reader_busy = False
        self.reader_polls = 0

    body_key = "parent.body"

    def on_show(self) -> None:
        assert self.field is not None
        self.field.setText(self.session.parent or "")
        self.reader.start()

    def submit(self) -> None:
        assert self.field is not None
        text = self.field.text().strip()
        self.setProperty("err", None)
        self.error.clear()
        self.submit_number(text)

    def submit_number(self, text: str) -> None:
        if self.sid == ScreenId.LOOKUP:       # number and access code: the terminal parses both
            self.reader.stop()
            self.lookup(text)
            return
        try:
            number = parse(text)
        except NumberError as err:
            self.set_error(err.uk, err.en)
            return
        self.reader.stop()
        if self.sid == ScreenId.PARENT:
            self.session.parent = number.compact
            self.nav.next_step()
        else:
            self.lookup(number.compact)

    def poll_reader(self) -> None:
        if self.nav.current != self.sid:
            self.reader.stop()
            return
        worker = self.shell.worker
        if self.reader_busy or worker.busy:
            return
        self.reader_busy = True
        self.reader_polls += 1
        shell = self.shell

        def done(code: str | None) -> None:
            self.reader_busy = False
            if code and self.nav.current == self.sid:
                self.got_barcode(code)

        def failed(err: BaseException) -> None:
            self.reader_busy = False
            self.reader.stop()          # no reader: typing still works

        worker.run(lambda progress: shell.t.read_barcode(0.3), done, failed, name="barcode")

    def got_barcode(self, code: str) -> None:
        if self.sid == ScreenId.LOOKUP and "://" in code:     # the receipt's QR code: number and access code
            self.reader.stop()
            self.lookup(code)
            return
        try:
            number = parse_sheet_payload(code)[0]
        except NumberError:
            try:
                number = parse(code)
            except NumberError as err:
                self.set_error(err.uk, err.en)
                return
        assert self.field is not None
        self.field.setText(number.display)
        self.submit_number(number.compact)

    def lookup(self, text: str) -> None:
        """``text``: a number, number and access code typed, or the receipt's scanned QR link."""
        self.error.setText(tr("lookup.searching", self.shell.lang))
        shell = self.shell

        def failed(err: BaseException) -> None:
            if self.nav.current == self.sid:
                self.reader.start()            # the resident may scan the receipt's QR code now
            if isinstance(err, AccessLocked):
                self.set_error(tr("lookup.locked", "uk"), tr("lookup.locked", "en"))
            elif isinstance(err, AccessDenied) and err.tries_left is None:
                self.set_error(tr("lookup.need_code", "uk"), tr("lookup.need_code", "en"))
            elif isinstance(err, AccessDenied):
                n = err.tries_left
                self.set_error(tr("lookup.denied", "uk", n=n), tr("lookup.denied", "en", n=n))
            elif isinstance(err, NumberError):
                self.set_error(err.uk, err.en)
            elif isinstance(err, LookupError):
                self.set_error(tr("status.unknown", "uk"), tr("status.unknown", "en"))
            else:
                self.set_error(tr("error.generic", "uk"), tr("error.generic", "en"))

        def found(status: Any) -> None:
            self.session.status = status
            self.session.data["printed"] = False
            self.nav.go(ScreenId.STATUS)

        shell.worker.run(lambda progress: shell.t.lookup(text), found, failed, name="lookup")
