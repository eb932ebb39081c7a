"""Survey answers (one per person in both modes) and results; consultation comments and summary."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from server_stub.core import identity
from server_stub.core.identity import Identity
from server_stub.core.refusal import Refused
from server_stub.petitions.access import person_key

from .models import Answer, AnswerToken, Question, Response, Survey


class SurveyError(Refused):
    """A rule of this instrument refuses the action."""


def _validate(q: Question, value: Any) -> Any:
    if q.kind == "single" and value in q.options:
        return value
    if q.kind == "multiple" and isinstance(value, list) and value and all(v in q.options for v in value):
        return sorted(set(value), key=q.options.index)
    if q.kind == "scale" and isinstance(value, int) and 1 <= value <= 5:
        return value
    if q.kind == "text" and isinstance(value, str) and 0 < len(value.strip()) <= 2000:
        return value.strip()
    raise SurveyError(422, "bad_answer", f"question {q.position}: not a valid answer")


def submit(survey: Survey, resident: Any, consent: bool, answers: dict[str, Any]) -> Response:
    """An online answer through BankID (one per person, paper included: server_stub/core/identity.py)."""
    try:
        who = identity.of_resident(resident, "surveys")
    except identity.Refused as err:
        raise SurveyError(403, err.code, err.message) from err
    return _record(survey, who, consent, answers, resident=resident, place="")


def add_paper(survey: Survey, forms: list[dict[str, Any]], place: str) -> dict[str, Any]:
    """Paper questionnaires taken at ``place``, entered by an operator: each is one voice (or refused)."""
    accepted, refused = 0, []
    for i, form in enumerate(forms):
        try:
            who = identity.of_paper(form, "surveys")
            _record(survey, who, bool(form.get("consent")), form.get("answers") or {}, resident=None, place=place,
                    day=form.get("dated"))
        except identity.Refused as err:
            refused.append({"row": i, "code": err.code, "message": err.message})
            continue
        except SurveyError as err:
            refused.append({"row": i, "code": err.code, "message": err.message})
            continue
        accepted += 1
    return {"accepted": accepted, "refused": refused, "responses": survey.responses.count()}


def _tokens(survey: Survey, who: Identity) -> list[str]:
    """Who took part: one token per key of the person (HMAC under the secret; nothing about the answer)."""
    return sorted({person_key(f"survey-{survey.pk}", k) for k in (who.identity_key, who.name_key)})


def _first_voice(survey: Survey, who: Identity) -> str:
    first = AnswerToken.objects.filter(token__in=_tokens(survey, who)).first()
    if first is None:
        return identity.first_voice(False, "", None)
    return identity.first_voice(first.paper, first.place, first.day)


def _record(survey: Survey, who: Identity, consent: bool, answers: dict[str, Any], *, resident: Any, place: str,
            day: date | None = None) -> Response:
    if survey.status != "open":
        raise SurveyError(409, "closed", "the survey is closed")
    if not consent:
        raise SurveyError(422, "consent_required", "consent to personal data processing is required")
    questions = list(survey.questions.all())
    values = {q.pk: _validate(q, answers.get(str(q.position))) for q in questions}
    tokens = _tokens(survey, who)
    try:
        with transaction.atomic():
            if survey.anonymous:
                Survey.objects.select_for_update().filter(pk=survey.pk).first()  # one submission at a time
            AnswerToken.objects.bulk_create([  # the date only for open surveys: an anonymous one keeps none
                AnswerToken(token=t, survey=survey, paper=bool(place), place=place,
                            day=None if survey.anonymous else (day or timezone.localdate())) for t in tokens])
            if survey.anonymous:
                r = Response.objects.create(survey=survey, consent=True)
            else:
                r = Response.objects.create(survey=survey, resident=resident, consent=True,
                                            submitted_on=day or timezone.localdate())
            Answer.objects.bulk_create([Answer(id=_random_id(), response=r, question_id=qid, value=v)
                                        for qid, v in values.items()])
            if survey.anonymous:
                _forget_arrival(survey.pk, tokens, r.pk)
    except IntegrityError as err:
        raise SurveyError(409, "already_answered", _first_voice(survey, who)) from err
    return r


def _random_id() -> int:
    """An answer's key: random, so that the order of keys is not the order of arrival."""
    return secrets.randbelow(2**62) + 1


def _forget_arrival(survey_id: int, tokens: list[str], response_id: Any) -> None:
    """Leave no order of arrival in the rows just written (the token and the response).

    SQLite keeps rows in the order of their rowid, which is the order of arrival: the two rows get a
    random rowid instead (O(log n); ``secure_delete`` zeroes the bytes they leave behind). PostgreSQL keeps
    rows in heap order with the writing transaction's id: the survey's tokens, responses and answers are
    rewritten in a random order (O(n) per answer), so all of them carry the same transaction and no order.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA secure_delete = ON")
            for model, key, value in (*((AnswerToken, "token", t) for t in tokens), (Response, "id", response_id)):
                column = model._meta.get_field(key).get_db_prep_value(value, connection)
                cur.execute(f"UPDATE {connection.ops.quote_name(model._meta.db_table)} SET rowid = %s "
                            f"WHERE {connection.ops.quote_name(key)} = %s", [_random_id(), column])
        return
    for model in (AnswerToken, Response, Answer):
        _reshuffle(model, survey_id)


def _reshuffle(model: type[models.Model], survey_id: int) -> None:
    """Rewrite the survey's rows of ``model`` in a random order, in the current transaction (PostgreSQL).

    The row order a database keeps (PostgreSQL's heap position and xmin) is the order of arrival;
    rewritten together in a shuffled order by one transaction, the rows carry no order. Keys stay as
    they are (answers point at their response; foreign keys are checked at commit). Raw SQL: no cascade,
    no signals; table and column names come from the models, never from input.
    """
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    columns = [f.column for f in model._meta.concrete_fields]
    names = ", ".join(q(c) for c in columns)
    if model is Answer:  # answers know their survey through their question
        where = f"{q('question_id')} IN (SELECT {q('id')} FROM {q(Question._meta.db_table)} WHERE {q('survey_id')} = %s)"
    else:
        where = f"{q(model._meta.get_field('survey').column)} = %s"
    with connection.cursor() as cur:  # one statement, in the server: PostgreSQL's data-modifying WITH
        cur.execute(f"WITH moved AS (DELETE FROM {table} WHERE {where} RETURNING {names}) "
                    f"INSERT INTO {table} ({names}) SELECT {names} FROM moved ORDER BY random()", [survey_id])


def has_answered(survey: Survey, resident: Any) -> bool:
    if not resident.identity_key:
        return False
    who = Identity(resident.identity_key, resident.name_key)
    return AnswerToken.objects.filter(token__in=_tokens(survey, who)).exists()


def results(survey: Survey) -> list[dict[str, Any]]:
    out = []
    for q in survey.questions.all():
        values = list(Answer.objects.filter(question=q).values_list("value", flat=True))
        c: Counter[str] = Counter()
        for v in values:
            for item in (v if isinstance(v, list) else [v]):
                c[str(item)] += 1
        if q.kind in ("single", "multiple"):
            counts = [(o, c.get(o, 0)) for o in q.options]
        elif q.kind == "scale":
            counts = [(str(i), c.get(str(i), 0)) for i in range(1, 6)]
        else:
            counts = []
        out.append({"position": q.position, "text": q.text, "kind": q.kind, "answers": len(values),
                    "counts": [{"option": o, "count": n} for o, n in counts],
                    "texts": sorted(str(v) for v in values) if q.kind == "text" else []})
    return out
