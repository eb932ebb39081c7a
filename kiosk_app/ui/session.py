"""One resident's session: what they typed and chose, the intake under way, its result.

``clear()`` drops every reference to personal data (the idle timeout and "I took my receipt"
call it); ``personal_values()`` lists what must not survive it, for the privacy check.

With ``phone_sign_in`` (the terminal has a city server) the identity steps begin with a choice:
type them, or sign in with BankID on one's phone; once signed in (``verified``: the claims, only
here, wiped with the session) the typed identity steps give way to one screen of verified data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

IDENTITY_STEPS = ["surname", "name", "patronymic", "address", "idtype", "idvalue", "kind", "sms", "phone",
                  "consent", "summary"]
FLOWS: dict[str, list[str]] = {
    "submit": [*IDENTITY_STEPS, "tray"],
    "form": [s for s in IDENTITY_STEPS if s not in ("sms", "phone")],
    "add": ["parent", *IDENTITY_STEPS, "tray"],
    "status": ["lookup"],
}


@dataclass
class Session:
    flow: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None
    applicant: Any = None            # kiosk_app.core.applicant.Applicant
    intake: Any = None               # kiosk_app.core.intake.Intake
    previews: list[bytes] = field(default_factory=list)
    progress: Any = None             # kiosk_app.core.intake.Progress: the intake's last step (with a preview)
    result: Any = None               # IntakeResult
    status: Any = None               # AnswerLookup
    stop: Any = None                 # IntakeStopped being shown
    lang: str = "uk"                 # the screens' language (the window sets it): English accepts Latin names
    verified: Any = None             # kiosk_app.core.device_flow.VerifiedIdentity: signed in on the phone
    signing_in: bool = False         # a sign-in on the phone is under way at the terminal
    phone_sign_in: bool = False      # offer it (the window's setting; not the resident's, kept by clear())

    def steps(self) -> list[str]:
        steps = list(FLOWS.get(self.flow, []))
        if self.phone_sign_in and "surname" in steps:
            first = steps.index("surname")
            if self.verified is not None:        # the verified data replace the typed identity steps
                mine = ["identity", "verified", *(["address"] if self.data.get("address_edit") else [])]
                steps[first:steps.index("idvalue") + 1] = mine
            else:
                steps.insert(first, "identity")
        if self.data.get("sms") is False and "phone" in steps:
            steps.remove("phone")
        return steps

    def step_of(self, sid: str) -> tuple[int, int] | None:
        """("Step n of total") for a question screen of the current flow; None elsewhere."""
        key = "idvalue" if sid in ("rnokpp", "passport") else sid
        steps = [s for s in self.steps() if s != "tray"]
        if key not in steps or len(steps) < 2:
            return None
        return steps.index(key) + 1, len(steps)

    def applicant_data(self) -> dict[str, Any]:
        d = self.data
        out: dict[str, Any] = {k: d.get(k, "") for k in ("surname", "name", "patronymic", "address")}
        out["kind"] = d.get("kind", "")
        if d.get("idtype") == "passport":
            out["passport"] = d.get("passport", "")
        else:
            out["rnokpp"] = d.get("rnokpp", "")
        if d.get("sms"):
            out["phone"] = d.get("phone", "")
        out["consent"] = bool(d.get("consent"))
        if self.lang == "en":
            out["script"] = "latin"          # a foreign resident's name in Latin letters, passed on as written
        v = self.verified
        if v is not None:             # name and document as verified, whatever a field may hold
            mine = v.applicant_fields()
            out.update({k: mine[k] for k in ("surname", "name", "patronymic")})
            out.pop("passport", None)
            out.pop("rnokpp", None)
            out.update({k: mine[k] for k in ("rnokpp", "passport") if k in mine})
            out["address"] = d.get("address") or v.address
            out["verified"] = {"by": v.verified_by, "at": v.verified_at,
                               "address_corrected": " ".join(str(out["address"]).split()) != " ".join(v.address.split())}
        return out

    def forget_verified(self) -> None:
        """Back to typing: the verified data and what they filled leave the session."""
        if self.verified is not None:
            for k in ("surname", "name", "patronymic", "address", "idtype", "rnokpp", "passport", "address_edit"):
                self.data.pop(k, None)
        self.verified = None

    def personal_values(self) -> list[str]:
        vals = [str(v) for k, v in self.data.items() if k in ("surname", "name", "patronymic", "address", "rnokpp",
                                                                "passport", "phone") and v]
        return vals + (self.verified.values() if self.verified is not None else [])

    def is_empty(self) -> bool:
        return (not self.flow and not self.data and self.parent is None and self.applicant is None
                and self.intake is None and not self.previews and self.progress is None and self.result is None
                and self.status is None and self.stop is None and self.verified is None and not self.signing_in)

    def clear(self) -> None:
        self.data.clear()
        self.previews.clear()
        self.flow, self.data, self.parent, self.applicant, self.intake = "", {}, None, None, None
        self.previews, self.progress, self.result, self.status, self.stop = [], None, None, None, None
        self.verified, self.signing_in = None, False
