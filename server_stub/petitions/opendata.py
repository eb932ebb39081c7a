"""Open data of the part-2 instruments (no personal data): generators for opendata/generate.py and the
datasets' passports (resolution No 835), created with the demo data."""

from __future__ import annotations

from typing import Any

Table = tuple[list[str], list[list[Any]]]


def petitions() -> Table:
    from . import services
    from .models import Petition

    cols = ["id", "title", "status", "published_at", "ends_at", "threshold", "signatures", "review_sent_at",
            "appeal_index", "responded_at"]
    rows = []
    for p in Petition.objects.select_related("author").filter(status__in=("collecting", "review", "answered",
                                                                            "appeal")):
        d = services.as_dict(p)
        rows.append([d[c] for c in cols])
    return cols, rows


def roll_call_votes() -> Table:
    from server_stub.council.models import UA_OPTION, DeputyVote

    rows = [[v.event.motion.uid, v.event.motion.date.isoformat(), v.event.motion.title,
             v.deputy.voting_id or f"deputy-{v.deputy_id}", str(v.deputy), UA_OPTION[v.option]]
            for v in DeputyVote.objects.select_related("event__motion", "deputy").order_by("event_id", "deputy_id")]
    return ["motionUid", "motionDate", "motionTitle", "voterId", "voterName", "result"], rows


def budget_lines() -> Table:
    from server_stub.openbudget.models import BudgetLine

    rows = [[b.year, b.kind, b.fund, b.code, b.name, b.sector, str(b.plan), str(b.executed)]
            for b in BudgetLine.objects.all()]
    return ["year", "kind", "fund", "code", "name", "sector", "plan", "executed"], rows


DATASETS = [
    ("e-petitions", "Електронні петиції", "Оприлюднені петиції: стан, кількість підписів, розгляд.",
     "petitions", "daily"),
    ("roll-call-votes", "Поіменні результати голосування депутатів",
     "Поіменне голосування на пленарних засіданнях і засіданнях комісій.", "roll_call_votes", "monthly"),
    ("budget-execution", "Показники бюджету: план і виконання", "Доходи й видатки за класифікаціями і фондами.",
     "budget_lines", "monthly"),
]


def ensure_datasets() -> None:
    from server_stub.opendata.models import Dataset

    for name, title, notes, gen, freq in DATASETS:
        Dataset.objects.get_or_create(name=name, defaults={
            "title": title, "notes": notes, "publisher": "Виконавчий комітет міської ради",
            "maintainer": "Відділ відкритих даних", "maintainer_email": "opendata@example.org",
            "update_frequency": freq, "generator": gen, "legal_basis": "Постанова КМУ від 21.10.2015 № 835"})
