"""Roll-call data in and out: Popolo JSON (vote_event, counts, votes) and the Ukrainian local open data
standard for votes (CSV resources ``motions``, ``votings``, ``deputies``).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from server_stub.core.identity import normal_name
from server_stub.core.safeinput import csv_writer

from .models import OPTIONS, UA_OPTION, Deputy, DeputyVote, District, Motion, VoteEvent

OPTION_KEYS = [k for k, _ in OPTIONS]
FROM_UA = {normal_name(v): k for k, v in UA_OPTION.items()}


def counts(event: VoteEvent) -> dict[str, int]:
    c = Counter(event.votes.values_list("option", flat=True))
    return {k: c.get(k, 0) for k in OPTION_KEYS}


@transaction.atomic
def record(motion: Motion, start: datetime, votes: dict[int, str], result: str | None = None,
           source: str = "session", majority_of: int | None = None) -> VoteEvent:
    """Store a vote event; the result is "pass" when "yes" reaches a majority of ``majority_of`` members."""
    for option in votes.values():
        if option not in OPTION_KEYS:
            raise ValueError(f"unknown option {option!r}")
    if result is None:
        total = majority_of or len(votes)
        result = "pass" if sum(1 for o in votes.values() if o == "yes") > total / 2 else "fail"
    event = VoteEvent.objects.create(motion=motion, start_date=start, result=result, source=source)
    DeputyVote.objects.bulk_create([DeputyVote(event=event, deputy_id=d, option=o) for d, o in votes.items()])
    return event


def find_district(address: str) -> District | None:
    text = normal_name(address)
    for d in District.objects.all():
        for street in d.streets.splitlines():
            if street.strip() and normal_name(street) in text:
                return d
    return None


# --- Popolo ---------------------------------------------------------------------------------------
def popolo_event(e: VoteEvent) -> dict[str, Any]:
    return {"id": f"vote-event-{e.pk}", "motion": {"id": e.motion.uid, "text": e.motion.title,
                                                   "date": e.motion.date.isoformat(), "organization_id": e.motion.body},
            "start_date": e.start_date.isoformat(), "result": e.result, "source": e.source,
            "counts": [{"option": k, "value": v} for k, v in counts(e).items()],
            "votes": [{"voter_id": f"deputy-{v.deputy_id}", "option": v.option}
                      for v in e.votes.order_by("deputy_id")]}


def popolo_all() -> dict[str, Any]:
    deputies = Deputy.objects.select_related("faction")
    return {"persons": [{"id": f"deputy-{d.pk}", "name": str(d), "family_name": d.family_name,
                         "given_name": d.given_name, "additional_name": d.middle_name} for d in deputies],
            "organizations": [{"id": f"faction-{d.faction_id}", "name": d.faction.name, "classification": "party"}
                              for d in deputies if d.faction_id],
            "memberships": [{"person_id": f"deputy-{d.pk}", "organization_id": f"faction-{d.faction_id}"}
                            for d in deputies if d.faction_id],
            "vote_events": [popolo_event(e) for e in VoteEvent.objects.select_related("motion")]}


def _voter(voter_id: str) -> Deputy:
    if voter_id.startswith("deputy-") and voter_id[7:].isdigit():
        d = Deputy.objects.filter(pk=int(voter_id[7:])).first()
        if d:
            return d
    d = Deputy.objects.filter(voting_id=voter_id).first()
    if d is None:
        raise ValueError(f"unknown voter {voter_id!r}")
    return d


@transaction.atomic
def import_popolo(doc: dict[str, Any]) -> list[VoteEvent]:
    out = []
    for ev in doc.get("vote_events", [doc] if "votes" in doc else []):
        m = ev["motion"]
        motion, _ = Motion.objects.get_or_create(uid=m["id"], defaults={
            "title": m.get("text", m["id"]), "date": m.get("date") or ev["start_date"][:10],
            "body": m.get("organization_id", "council")})
        start = datetime.fromisoformat(ev["start_date"])
        if timezone.is_naive(start):
            start = timezone.make_aware(start)
        votes = {_voter(v["voter_id"]).pk: v["option"] for v in ev["votes"]}
        out.append(record(motion, start, votes, result=ev.get("result"), source=ev.get("source", "import")))
    return out


# --- The Ukrainian local open data standard (motions / votings / deputies) -------------------------
MOTION_COLS = ["motionUid", "motionDate", "motionTitle", "motionYes", "motionNo", "motionAbstain",
               "motionNotVoted", "motionAbsent", "motionResult"]
VOTING_COLS = ["motionUid", "voterId", "voterName", "motionTitle", "result"]
DEPUTY_COLS = ["id", "votingIdentifier", "familyName", "name", "additionalName", "faction", "district",
               "receptionAddress", "receptionHours", "phone"]


def _csv(cols: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv_writer(buf)
    w.writerow(cols)
    w.writerows(rows)
    return buf.getvalue()


def standard_motions() -> str:
    rows = []
    for e in VoteEvent.objects.select_related("motion"):
        c = counts(e)
        rows.append([e.motion.uid, e.motion.date.isoformat(), e.motion.title, c["yes"], c["no"], c["abstain"],
                     c["not_voting"], c["absent"], "Прийнято" if e.result == "pass" else "Не прийнято"])
    return _csv(MOTION_COLS, rows)


def standard_votings() -> str:
    rows = [[v.event.motion.uid, v.deputy.voting_id or f"deputy-{v.deputy_id}", str(v.deputy), v.event.motion.title,
             UA_OPTION[v.option]]
            for v in DeputyVote.objects.select_related("event__motion", "deputy").order_by("event_id", "deputy_id")]
    return _csv(VOTING_COLS, rows)


def standard_deputies() -> str:
    rows = [[f"deputy-{d.pk}", d.voting_id, d.family_name, d.given_name, d.middle_name,
             d.faction.name if d.faction else "", d.district.number if d.district else "", d.reception_address,
             d.reception_hours, d.phone] for d in Deputy.objects.select_related("faction", "district")]
    return _csv(DEPUTY_COLS, rows)


@transaction.atomic
def import_standard(motions_csv: str, votings_csv: str) -> int:
    """Import one session in the standard's two resources; voters matched by voterId, then by full name."""
    motions = {r["motionUid"]: r for r in csv.DictReader(io.StringIO(motions_csv.lstrip("\ufeff")))}
    by_motion: dict[str, dict[int, str]] = {}
    names = {normal_name(str(d)): d.pk for d in Deputy.objects.all()}
    for r in csv.DictReader(io.StringIO(votings_csv.lstrip("\ufeff"))):
        option = FROM_UA.get(normal_name(r["result"]))
        if option is None:
            raise ValueError(f"unknown result {r['result']!r}")
        try:
            pk = _voter(r["voterId"]).pk
        except ValueError:
            pk = names.get(normal_name(r.get("voterName", "")), 0)
            if not pk:
                raise
        by_motion.setdefault(r["motionUid"], {})[pk] = option
    for uid, votes in by_motion.items():
        m = motions.get(uid, {})
        day = m.get("motionDate") or uid[:10]
        motion, _ = Motion.objects.get_or_create(uid=uid, defaults={"date": day, "title": m.get("motionTitle", uid)})
        result = None
        if m.get("motionResult"):
            result = "pass" if normal_name(m["motionResult"]) == "прийнято" else "fail"
        record(motion, timezone.make_aware(datetime.fromisoformat(day + "T10:00:00")), votes, result, "import")
    return len(by_motion)
