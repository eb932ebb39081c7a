"""The EDMS stand-in's importer: a real consumer of the drop-folder contract (docs/edms-drop-folder.md).

Per document ``<ID>.pdf`` + ``<ID>.json`` (JSON written LAST), ``ID`` the compact number; an
addition (``document_type: "addition"``) names its appeal in ``parent_document_id``. Dotfiles and
other names are ignored. The record is validated against docs/schemas/appeal-metadata.schema.json,
and the PDF against ``files[0].sha256`` and ``files[0].bytes``. A pair that looks unfinished (PDF
missing, JSON unparsable, size or hash mismatch) is left alone for a grace period (a writer that
broke the contract may still be writing), then rejected. Acknowledgement: ``ack-file`` writes
``<ID>.ack.json`` (temp + rename) and leaves the pair; ``remove`` deletes the pair. An ID
registers once; a second arrival is acknowledged again with the same registration index.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from server_stub.core import limits, numbers
from server_stub.terminals import services as terminal_feed

from . import safefs, services
from .models import AdditionalDocument, ImportRecord, Registration

logger = logging.getLogger(__name__)
NAME = re.compile(r"^(?P<number>\d{9}[\dX])\.json$")
KIND_CODES = {"proposal": "3.1", "remark": "3.1", "пропозиція": "3.1", "application": "3.2", "request": "3.2",
              "заява": "3.2", "клопотання": "3.2", "complaint": "3.3", "скарга": "3.3",
              "3.1": "3.1", "3.2": "3.2", "3.3": "3.3"}


@dataclass
class Result:
    document_id: str
    status: str                    # registered | rejected | waiting | skipped
    registration_index: str | None = None
    reason: str | None = None


class NotReady(Exception):
    """The pair is not complete yet (or broken): retry until the grace period ends."""


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    path = Path(settings.EDMS_METADATA_SCHEMA) if settings.EDMS_METADATA_SCHEMA else None
    if path is None or not path.exists():
        logger.warning("metadata schema not found (%s): records are not schema-validated", path)
        return None
    import jsonschema

    formats = jsonschema.FormatChecker(formats=())  # only the two formats the record uses, checked for real
    formats.checks("date-time", raises=ValueError)(lambda v: not isinstance(v, str) or bool(safefs.date_time(v)))
    formats.checks("date", raises=ValueError)(lambda v: not isinstance(v, str) or bool(safefs.calendar_date(v)))
    return jsonschema.Draft202012Validator(json.loads(path.read_text(encoding="utf-8")), format_checker=formats)


def _schema_errors(meta: dict[str, Any]) -> str | None:
    validator = _validator()
    if validator is None:
        return None
    # The reason goes to logs, the ack and the terminal: it never echoes the value (core.limits.schema_problem).
    problem = limits.schema_problem(validator, meta, "(record)")
    return f"metadata does not match the schema at {problem}" if problem else None


def _get(meta: dict[str, Any], *paths: str, default: Any = "") -> Any:
    for path in paths:
        node: Any = meta
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                break
        if node not in (None, ""):
            return node
    return default


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value or "")


def _write_ack(dir_fd: int, document_id: str, body: dict[str, Any]) -> None:
    data = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
    safefs.write_exclusive(dir_fd, f"{document_id}.ack.json", data)


def _file_entry(meta: dict[str, Any], pdf_name: str) -> dict[str, Any]:
    files = meta.get("files") or []
    if not isinstance(files, list) or not files or not isinstance(files[0], dict):
        raise ValueError("metadata has no files[]")
    entry = files[0]
    if entry.get("name", pdf_name) != pdf_name:
        raise ValueError(f"files[0].name is {entry.get('name')!r}, expected {pdf_name!r}")
    if not entry.get("sha256"):
        raise ValueError("files[0].sha256 is missing")
    return entry


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(str(value))  # ValueError for a well-formed impossible date (2026-02-30)
    if parsed is None:
        day = parse_date(str(value)[:10])
        return datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone()) if day else None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _pages(meta: dict[str, Any]) -> int:
    try:
        return int(meta["files"][0].get("pages") or 0)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return 0


def _register(number: str, meta: dict[str, Any], pdf: bytes, sha: str) -> Registration:
    surname = _text(_get(meta, "applicant.surname"))
    given = _text(_get(meta, "applicant.name"))
    middle = _text(_get(meta, "applicant.patronymic"))
    subject_code = str(_get(meta, "registration_card.classifier.subject", default="5.1"))
    collective = subject_code == "5.2" or bool(_get(meta, "registration_card.collective", default=False))
    kind_raw = str(_get(meta, "registration_card.classifier.kind", "registration_card.kind", default="3.2")).lower()
    path = services.documents_dir() / f"{number}.pdf"
    path.write_bytes(pdf)
    now = timezone.now()
    # the terminal proposes 15 days (no extra study) or 30; the official can change it
    needs_study = int(_get(meta, "deadline_days", default=30) or 30) > services.DAYS_QUICK
    reg = Registration.objects.create(
        number=number,
        registration_index=services.next_index(surname, collective=collective),
        registered_at=now,
        received_at=_when(_get(meta, "received_at")),
        signed_on=(_when(_get(meta, "received_at")) or now).date(),
        applicant=" ".join(p for p in (surname, given, middle) if p),
        address=_text(_get(meta, "applicant.address"))[:500],
        contact=", ".join(p for p in (_text(_get(meta, "applicant.phone")),
                                      _text(_get(meta, "applicant.email"))) if p)[:300],
        kind=KIND_CODES.get(kind_raw, "3.2"),
        channel_code=str(_get(meta, "registration_card.classifier.channel",
                              default=settings.EDMS_TERMINAL_CHANNEL_CODE)),
        receipt_mark=str(_get(meta, "registration_card.classifier.receipt_mark", default="2.1")),
        subject_code=subject_code,
        category=_text(_get(meta, "applicant.category"))[:200],
        summary=_text(_get(meta, "summary")),  # the substance is on paper: the scan
        pages=_pages(meta),
        pdf_path=str(path), pdf_sha256=sha, metadata=meta, needs_study=needs_study,
        deadline=services.deadline_for(timezone.localtime(now).date(), needs_study),
    )
    return reg


def _process(dir_fd: int, name: str, grace: float) -> Result:
    match = NAME.match(name)
    assert match
    document_id = name[: -len(".json")]
    pdf_name = f"{document_id}.pdf"
    age = time.time() - os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mtime
    try:
        number = numbers.validate(match.group("number"))
    except numbers.InvalidNumber as err:
        return _reject_or_wait(document_id, str(err), 0, grace)
    try:
        if not safefs.lexists(dir_fd, pdf_name):
            raise NotReady("PDF missing")
        try:
            meta = safefs.loads_bounded(safefs.read_nofollow(dir_fd, name, safefs.MAX_JSON_BYTES))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise NotReady(f"metadata is not valid JSON: {err}") from err
        if not isinstance(meta, dict):
            raise ValueError("metadata is not a JSON object")
        pdf = safefs.read_nofollow(dir_fd, pdf_name, safefs.MAX_PDF_BYTES)
        entry = _file_entry(meta, pdf_name)
        expected = str(entry["sha256"]).lower()
        actual = hashlib.sha256(pdf).hexdigest()
        if isinstance(entry.get("bytes"), int) and entry["bytes"] != len(pdf):
            raise NotReady(f"PDF size {len(pdf)} does not match files[0].bytes {entry['bytes']}")
        if actual != expected:
            raise NotReady(f"PDF checksum mismatch: sha256 {actual[:12]}… in the file, {expected[:12]}… in metadata")
        if not pdf.startswith(b"%PDF-"):
            raise ValueError("the file is not a PDF")
        if meta.get("document_id", document_id) != document_id:
            raise ValueError(f"document_id {meta.get('document_id')!r} does not match the file name")
        problem = _schema_errors(meta)
        if problem:
            raise ValueError(problem)
        try:
            _when(_get(meta, "received_at"))
        except ValueError as err:
            raise ValueError(f"received_at is not a real date and time: {str(_get(meta, 'received_at'))[:40]}") \
                from err
    except NotReady as err:
        return _reject_or_wait(document_id, str(err), age, grace)
    except ValueError as err:  # Refused included: waiting does not mend it
        return _reject_or_wait(document_id, str(err), grace + 1, grace)
    with transaction.atomic():
        # The claim: the document id's row, unique. A second server process seeing the same pair waits
        # on the row until this transaction ends, then finds it registered (docs/server.md "Scaling out").
        claim, _ = ImportRecord.objects.get_or_create(document_id=document_id, defaults={"status": "importing"})
        record = ImportRecord.objects.select_for_update().get(pk=claim.pk)
        if record.status == "registered":
            return Result(document_id, "registered", record.registration_index, None)
        if meta.get("document_type") == "addition":
            parent = str(meta.get("parent_document_id") or "")
            reg = Registration.objects.filter(number=parent).first()
            if reg is None:
                return _reject_or_wait(document_id, f"appeal {parent or '?'} is not registered", age, grace)
            path = services.documents_dir() / f"{document_id}.pdf"
            path.write_bytes(pdf)
            AdditionalDocument.objects.create(registration=reg, document_id=document_id, pdf_path=str(path),
                                              pdf_sha256=actual, metadata=meta)
            terminal_feed.publish_status(number, "registered", registration_index=reg.registration_index,
                                         registered_at=timezone.now(), deadline=reg.deadline)
        else:
            reg = Registration.objects.filter(number=number).first() or _register(number, meta, pdf, actual)
            terminal_feed.publish_status(number, "registered", registration_index=reg.registration_index,
                                         registered_at=reg.registered_at, deadline=reg.deadline)
        ImportRecord.objects.update_or_create(document_id=document_id, defaults={
            "status": "registered", "registration_index": reg.registration_index, "reason": ""})
    logger.info("registered %s as %s", document_id, reg.registration_index)
    return Result(document_id, "registered", reg.registration_index, None)


def _reject_or_wait(document_id: str, reason: str, age: float, grace: float) -> Result:
    if age < grace:
        return Result(document_id, "waiting", None, reason)
    ImportRecord.objects.update_or_create(document_id=document_id,
                                          defaults={"status": "rejected", "registration_index": "", "reason": reason})
    number = document_id[:10]
    if numbers.is_valid(number) and not Registration.objects.filter(number=number).exists():
        terminal_feed.publish_status(number, "rejected", reason=reason[:500])
    logger.warning("rejected %s: %s", document_id, reason)
    return Result(document_id, "rejected", None, reason)


def _acknowledge(dir_fd: int, result: Result, mode: str) -> None:
    doc = result.document_id
    if mode == "remove" and result.status == "registered":
        for suffix in (".json", ".pdf"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{doc}{suffix}", dir_fd=dir_fd)
        return
    if result.status == "rejected":  # moved aside with its reason, so that it is not retried forever
        safefs.move_aside(dir_fd, [f"{doc}.pdf", f"{doc}.json"], f"{doc}.reason.txt", result.reason or "rejected")
        if mode == "remove":
            return
    _write_ack(dir_fd, doc, {
        "document_id": doc, "status": result.status,
        "registration_index": result.registration_index,
        "registered_at": timezone.now().isoformat() if result.status == "registered" else None,
        "reason": result.reason})


def import_once(folder: Path, mode: str = "ack-file", grace: float | None = None) -> list[Result]:
    """One pass over the drop folder; returns what happened to each document seen.

    Each record is handled alone: whatever goes wrong with one (a broken file, a bug, a database error)
    rejects that record, moves it aside with its reason, and the pass goes on with the next."""
    grace = settings.EDMS_PARTIAL_GRACE_S if grace is None else grace
    results = []
    dir_fd = safefs.open_dir(folder)
    try:
        for name in sorted(os.listdir(dir_fd)):
            if name.startswith(".") or not NAME.match(name):
                continue
            document_id = name[: -len(".json")]
            if safefs.lexists(dir_fd, f"{document_id}.ack.json"):
                continue
            try:
                result = _process(dir_fd, name, grace)
            except FileNotFoundError:  # the agent removed the pair while we looked
                continue
            except Exception as err:
                logger.exception("importing %s failed", document_id)
                result = _reject_or_wait(document_id, f"could not be imported: {type(err).__name__}", 1, 0)
            if result.status in ("registered", "rejected"):
                try:
                    _acknowledge(dir_fd, result, mode)
                except FileExistsError:
                    logger.debug("%s: already acknowledged by another process", document_id)
                except OSError:
                    logger.exception("acknowledging %s failed", document_id)
            results.append(result)
    finally:
        os.close(dir_fd)
    return results

