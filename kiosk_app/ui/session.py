"""One resident's session: what they typed and chose, the intake under way, its result.

``clear()`` drops every reference to personal data (the idle timeout and "I took my receipt"
call it); ``personal_values()`` lists what must not survive it, for the privacy check."""

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

    def steps(self) -> list[str]:
        steps = list(FLOWS.get(self.flow, []))
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
        return out

    def personal_values(self) -> list[str]:
        vals = [str(v) for k, v in self.data.items() if k in ("surname", "name", "patronymic", "address", "rnokpp",
                                                                "passport", "phone") and v]
        return vals

    def is_empty(self) -> bool:
        return (not self.flow and not self.data and self.parent is None and self.applicant is None
                and self.intake is None and not self.previews and self.progress is None and self.result is None
                and self.status is None and self.stop is None)

    def clear(self) -> None:
        self.data.clear()
        self.previews.clear()
        self.flow, self.data, self.parent, self.applicant, self.intake = "", {}, None, None, None
        self.previews, self.progress, self.result, self.status, self.stop = [], None, None, None, None
