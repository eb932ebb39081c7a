"""/api/consult/: consultations (comments, summary) and surveys (answers, results as JSON and CSV)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from server_stub.core.api import ApiError, errors, found
from server_stub.core.refusal import refuse_unless
from server_stub.core.roles import staff_auth
from server_stub.core.safeinput import csv_writer
from server_stub.petitions.access import PaperBatch, PaperPerson, resident_auth

from . import services
from .models import Comment, Consultation, Question, Survey

router = Router(tags=["consultations and surveys"])


class ConsultationIn(Schema):
    title: str = Field(min_length=3)
    document: str = Field(min_length=10)


class CommentIn(Schema):
    paragraph: int | None = None
    text: str = Field(min_length=2, max_length=5000)


class SummaryIn(Schema):
    summary: str = Field(min_length=5)


class QuestionIn(Schema):
    kind: Literal["single", "multiple", "scale", "text"]
    text: str
    options: list[str] = []


class SurveyIn(Schema):
    title: str = Field(min_length=3)
    description: str = ""
    anonymous: bool = True
    questions: list[QuestionIn] = Field(min_length=1)


class AnswerIn(Schema):
    consent: bool
    answers: dict[str, Any]


class PaperForm(PaperPerson):
    consent: bool
    answers: dict[str, Any]
    dated: date | None = None  # the date on the form (kept for open surveys only)


class PaperIn(PaperBatch):
    forms: list[PaperForm] = Field(min_length=1, max_length=5000)


def _consultation(pk: int) -> Consultation:
    return found(Consultation.objects.filter(pk=pk).first(), f"Consultation {pk} is not known")


def _survey(pk: int) -> Survey:
    return found(Survey.objects.filter(pk=pk).first(), f"Survey {pk} is not known")


def consultation_dict(c: Consultation) -> dict[str, Any]:
    return {"id": c.pk, "title": c.title, "status": c.status, "summary": c.summary, "paragraphs": c.paragraphs(),
            "comments": [{"paragraph": m.paragraph, "author": f"{m.author.given_name} {m.author.family_name}",
                          "text": m.text, "at": m.created_at.isoformat()} for m in c.comments.select_related("author")]}


@router.post("/consultations", auth=staff_auth("run_consultations"), response={201: dict, **errors(401, 403, 422)},
             summary="Publish a draft decision for consultation (staff)")
def create_consultation(request: HttpRequest, body: ConsultationIn) -> tuple[int, dict[str, Any]]:
    return 201, consultation_dict(Consultation.objects.create(title=body.title, document=body.document))


@router.post("/consultations/{pk}/comments", auth=resident_auth, response={201: dict, **errors(401, 403, 404, 409, 422)},
             summary="Comment on the whole document or on one paragraph (verified residents)")
def comment(request: HttpRequest, pk: int, body: CommentIn) -> tuple[int, dict[str, Any]]:
    c = _consultation(pk)
    refuse_unless(c.status == "open", "closed", "the consultation is closed")
    if body.paragraph is not None and not 1 <= body.paragraph <= len(c.paragraphs()):
        raise ApiError(422, "validation_error", f"paragraph {body.paragraph} does not exist")
    Comment.objects.create(consultation=c, paragraph=body.paragraph, author=request.user.resident, text=body.text)
    return 201, consultation_dict(c)


@router.post("/consultations/{pk}/summary", auth=staff_auth("run_consultations"), response={200: dict, **errors(401, 403, 404)},
             summary="Close with a published summary (staff)")
def summary(request: HttpRequest, pk: int, body: SummaryIn) -> dict[str, Any]:
    c = _consultation(pk)
    c.status, c.summary = "closed", body.summary
    c.save()
    return consultation_dict(c)


def _public_reads(plural: str, one: str, load: Callable[[int], Any], rows: Callable[[], Any],
                  as_dict: Callable[[Any], dict[str, Any]]) -> None:
    """The two open reads of a collection: ``GET /<plural>`` (all) and ``GET /<plural>/{pk}`` (one,
    404 when unknown); their operation ids are ``<plural>`` and ``<one>``, as written out once."""

    @router.get(f"/{plural}", auth=None, summary=plural.capitalize(), operation_id=f"server_stub_consult_api_{plural}")
    def every(request: HttpRequest) -> list[dict[str, Any]]:
        return [as_dict(obj) for obj in rows()]

    @router.get(f"/{plural}/{{pk}}", auth=None, response={200: dict, **errors(404)}, summary=f"One {one}",
                operation_id=f"server_stub_consult_api_{one}")
    def single(request: HttpRequest, pk: int) -> dict[str, Any]:
        return as_dict(load(pk))


_public_reads("consultations", "consultation", _consultation, Consultation.objects.all, consultation_dict)


def survey_dict(s: Survey) -> dict[str, Any]:
    return {"id": s.pk, "title": s.title, "description": s.description, "anonymous": s.anonymous, "status": s.status,
            "consent_text": s.consent_text, "responses": s.responses.count(),
            "questions": [{"position": q.position, "kind": q.kind, "text": q.text, "options": q.options}
                          for q in s.questions.all()]}


_public_reads("surveys", "survey", _survey, Survey.objects.all, survey_dict)


@router.post("/surveys", auth=staff_auth("run_consultations"), response={201: dict, **errors(401, 403, 422)}, summary="New survey (staff)")
def create_survey(request: HttpRequest, body: SurveyIn) -> tuple[int, dict[str, Any]]:
    for q in body.questions:
        if q.kind in ("single", "multiple") and len(q.options) < 2:
            raise ApiError(422, "validation_error", "a choice question needs at least two options")
    s = Survey.objects.create(title=body.title, description=body.description, anonymous=body.anonymous)
    Question.objects.bulk_create([Question(survey=s, position=i + 1, kind=q.kind, text=q.text, options=q.options)
                                  for i, q in enumerate(body.questions)])
    return 201, survey_dict(s)


@router.post("/surveys/{pk}/responses", auth=resident_auth, response={201: dict, **errors(401, 403, 404, 409, 422)},
             summary="Answer (once per person; in anonymous mode nothing links the answer to you)")
def answer(request: HttpRequest, pk: int, body: AnswerIn) -> tuple[int, dict[str, Any]]:
    services.submit(_survey(pk), request.user.resident, body.consent, body.answers)
    return 201, {"status": "recorded"}


@router.post("/surveys/{pk}/paper", auth=staff_auth("enter_paper"), response={200: dict, **errors(401, 403, 404)},
             summary="Enter paper questionnaires (operator); one voice per person with the online answers")
def paper(request: HttpRequest, pk: int, body: PaperIn) -> dict[str, Any]:
    return services.add_paper(_survey(pk), [f.dict() for f in body.forms], body.place.strip())


@router.post("/surveys/{pk}/close", auth=staff_auth("run_consultations"), response={200: dict, **errors(401, 403, 404)},
             summary="Close a survey (staff)")
def close_survey(request: HttpRequest, pk: int) -> dict[str, Any]:
    s = _survey(pk)
    s.status = "closed"
    s.save(update_fields=["status"])
    return survey_dict(s)


@router.get("/surveys/{pk}/results", auth=None, response={200: list[dict], **errors(404)}, summary="Results")
def results(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    return services.results(_survey(pk))


@router.get("/surveys/{pk}/results.csv", auth=None, response={200: None, **errors(404)},
            summary="Results as CSV: one row per question and option")
def results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    buf = io.StringIO()
    w = csv_writer(buf)
    w.writerow(["question", "text", "option", "count"])
    for r in services.results(_survey(pk)):
        for c in r["counts"]:
            w.writerow([r["position"], r["text"], c["option"], c["count"]])
        for t in r["texts"]:
            w.writerow([r["position"], r["text"], t, 1])
    return HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
