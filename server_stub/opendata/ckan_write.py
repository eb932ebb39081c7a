"""CKAN Action API writes for data publishers: package_create, package_update, package_delete,
resource_create (file upload, multipart as CKAN takes it), resource_update, resource_delete.

Each call needs a data publisher's API token (server_stub/opendata/tokens.py) and the permission
``core.publish_data``, checked on every call. A dataset carries its passport (Cabinet of Ministers
resolution No 835): the top-level CKAN fields and the passport fields, given at the top level or in
CKAN's ``extras``; the DCAT catalogue is read from the same rows, so it follows every write.
Uploaded files go through ``upload_check.remake`` (sniffed by content, written anew).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import upload_check
from .ckan_model import LICENSES, CkanError, _dataset, package_dict, resource_dict
from .models import Dataset, Group, Resource, Tag

NAME = re.compile(r"[a-z0-9_-]{2,100}")
TEXT_LIMITS = {"title": 300, "notes": 20000, "maintainer": 200, "publisher": 300, "structure": 5000,
               "legal_basis": 300, "language": 10, "license_id": 50}
REQUIRED = ("name", "title", "notes", "publisher", "maintainer", "maintainer_email")
PASSPORT_EXTRAS = ("publisher", "update_frequency", "structure", "legal_basis", "language")
DERIVED_EXTRAS = ("identifier", "first_published", "last_modified", "formats")
FREQUENCIES = {code for code, _label in Dataset.FREQ}


def _invalid(errors: dict[str, list[str]]) -> CkanError:
    return CkanError(409, "Validation Error", errors)


def _fields(p: dict[str, Any]) -> dict[str, Any]:
    """The dataset's fields from CKAN parameters (``author`` stands for the publisher; passport
    fields may come in ``extras``); raises a Validation Error naming every bad field."""
    values = dict(p)
    extras = p.get("extras") or []
    if not isinstance(extras, list) or not all(isinstance(e, dict) and "key" in e for e in extras):
        raise _invalid({"extras": ["Must be a list of {key, value}"]})
    for extra in extras:
        key = str(extra["key"])
        if key in PASSPORT_EXTRAS:
            values.setdefault(key, extra.get("value", ""))
        elif key not in DERIVED_EXTRAS:
            raise _invalid({"extras": [f"Unknown passport field {key!r}"]})
    if not values.get("publisher") and values.get("author"):
        values["publisher"] = values["author"]
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key in REQUIRED:
        if not str(values.get(key) or "").strip():
            errors[key] = ["Missing value"]
    for key, limit in TEXT_LIMITS.items():
        text = str(values.get(key) or "").strip()
        if len(text) > limit:
            errors[key] = [f"Longer than {limit} characters"]
        out[key] = text
    name = str(values.get("name") or "").strip()
    if name and not NAME.fullmatch(name):
        errors["name"] = ["Must be 2-100 characters: lowercase letters, digits, - and _"]
    out["name"] = name
    email = str(values.get("maintainer_email") or "").strip()
    try:
        if email:
            validate_email(email)
    except ValidationError:
        errors["maintainer_email"] = ["Not an e-mail address"]
    out["maintainer_email"] = email
    out["update_frequency"] = str(values.get("update_frequency") or "monthly")
    if out["update_frequency"] not in FREQUENCIES:
        errors["update_frequency"] = [f"One of {', '.join(sorted(FREQUENCIES))}"]
    out["license_id"] = out["license_id"] or "cc-by"
    if out["license_id"] not in LICENSES:
        errors["license_id"] = [f"One of {', '.join(LICENSES)}"]
    out["language"] = out["language"] or "uk"
    out["tags"] = _names(values.get("tags"), "tags", errors)
    out["groups"] = _names(values.get("groups"), "groups", errors)
    unknown = set(out["groups"]) - set(Group.objects.filter(name__in=out["groups"]).values_list("name", flat=True))
    if unknown:
        errors["groups"] = [f"Group {sorted(unknown)[0]!r} does not exist"]
    if errors:
        raise _invalid(errors)
    return out


def _names(value: Any, key: str, errors: dict[str, list[str]]) -> list[str]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list) else None
    if items is None or len(items) > 50:
        errors[key] = ["Must be a list (at most 50)"]
        return []
    names = [str(i.get("name", "") if isinstance(i, dict) else i).strip() for i in items]
    if not all(0 < len(n) <= 100 for n in names):
        errors[key] = ["Each needs a name of 1-100 characters"]
    return names


def _save(ds: Dataset, fields: dict[str, Any]) -> Dataset:
    for key in ("name", "title", "notes", "publisher", "maintainer", "maintainer_email", "update_frequency",
                "structure", "legal_basis", "language", "license_id"):
        setattr(ds, key, fields[key])
    ds.modified_at = timezone.now()
    try:
        with transaction.atomic():
            ds.save()
            ds.tags.set([Tag.objects.get_or_create(name=t)[0] for t in fields["tags"]])
            ds.groups.set(list(Group.objects.filter(name__in=fields["groups"])))
    except IntegrityError as err:
        raise _invalid({"name": ["That URL is already in use."]}) from err
    return ds


def package_create(p: dict[str, Any], base: str, files: dict[str, Any]) -> dict[str, Any]:
    fields = _fields(p)
    if Dataset.objects.filter(name=fields["name"]).exists():
        raise _invalid({"name": ["That URL is already in use."]})
    return package_dict(_save(Dataset(), fields), base)


def package_update(p: dict[str, Any], base: str, files: dict[str, Any]) -> dict[str, Any]:
    """CKAN's update: the metadata given replaces the dataset's (missing optional fields are cleared);
    resources are left as they are (they change through resource_create/update/delete)."""
    ds = _dataset(p.get("id") or p.get("name"))
    fields = _fields({"name": ds.name, **p})
    if Dataset.objects.filter(name=fields["name"]).exclude(pk=ds.pk).exists():
        raise _invalid({"name": ["That URL is already in use."]})
    return package_dict(_save(ds, fields), base)


def package_delete(p: dict[str, Any], base: str, files: dict[str, Any]) -> None:
    _dataset(p.get("id")).delete()


def _resource(ident: Any) -> Resource:
    try:
        res = Resource.objects.select_related("dataset").filter(id=uuid.UUID(str(ident or ""))).first()
    except ValueError:
        res = None
    if res is None:
        raise CkanError(404, "Not Found Error", "Not found")
    return res


def _content(p: dict[str, Any], files: dict[str, Any]) -> tuple[str, bytes]:
    upload = files.get("upload")
    if upload is None:
        raise _invalid({"upload": ["A file is required: this portal publishes the files it keeps, not links"]})
    try:
        return upload_check.remake(upload_check.read_limited(upload), str(p.get("format") or ""))
    except upload_check.UploadRejected as err:
        raise _invalid({"upload": [str(err)]}) from err


def _store(res: Resource, name: str, fmt: str, data: bytes) -> Resource:
    now = timezone.now()
    res.name, res.format, res.mimetype = name[:200], fmt, upload_check.MIMETYPES[fmt]
    res.filename = f"{res.dataset.name}-{str(res.id)[:8]}.{fmt.lower()}"
    res.content, res.size, res.modified_at, res.uploaded = data, len(data), now, True
    with transaction.atomic():
        res.save()
        Dataset.objects.filter(pk=res.dataset.pk).update(modified_at=now)
    return res


def resource_create(p: dict[str, Any], base: str, files: dict[str, Any]) -> dict[str, Any]:
    if not p.get("package_id"):
        raise _invalid({"package_id": ["Missing value"]})
    ds = _dataset(p["package_id"])
    fmt, data = _content(p, files)
    position = ds.resources.count()
    res = Resource(dataset=ds, position=position)
    name = str(p.get("name") or "").strip() or f"{ds.title} ({fmt})"
    return resource_dict(_store(res, name, fmt, data), base)


def resource_update(p: dict[str, Any], base: str, files: dict[str, Any]) -> dict[str, Any]:
    res = _resource(p.get("id"))
    if not res.uploaded:
        raise _invalid({"id": ["This resource is generated from the server's own data and cannot be replaced"]})
    name = str(p.get("name") or "").strip() or res.name
    if files.get("upload") is not None:
        fmt, data = _content(p, files)
    else:
        fmt, data = res.format, bytes(res.content)
    return resource_dict(_store(res, name, fmt, data), base)


def resource_delete(p: dict[str, Any], base: str, files: dict[str, Any]) -> None:
    res = _resource(p.get("id"))
    res.delete()
    Dataset.objects.filter(pk=res.dataset.pk).update(modified_at=timezone.now())


WRITE_ACTIONS: dict[str, Callable[[dict[str, Any], str, dict[str, Any]], Any]] = {
    "package_create": package_create, "package_update": package_update, "package_delete": package_delete,
    "resource_create": resource_create, "resource_update": resource_update, "resource_delete": resource_delete,
}
