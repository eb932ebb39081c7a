"""The CKAN representation of the open data: datasets, resources and groups as CKAN's Action API
shows them, the dataset lookup by name or id, and the API's error; shared by the reads
(ckan.py) and the writes (ckan_write.py)."""

from __future__ import annotations

import re
from typing import Any

from .models import Dataset, Group, Resource
from .usage import tracking

ORG = {"id": "city-council", "name": "city-council", "title": "Міська рада", "type": "organization",
       "description": "Виконавчий комітет міської ради", "image_url": "", "is_organization": True,
       "state": "active", "approval_status": "approved"}
LICENSES = {"cc-by": "Creative Commons Attribution 4.0"}


class CkanError(Exception):
    def __init__(self, status: int, type_: str, message: str | dict[str, Any]):
        super().__init__(str(message))
        self.status, self.type, self.message = status, type_, message


def _iso(dt: Any) -> str:
    return dt.replace(tzinfo=None).isoformat(timespec="microseconds")


def resource_dict(r: Resource, base: str) -> dict[str, Any]:
    return {"id": str(r.id), "package_id": str(r.dataset_id), "name": r.name, "description": "",
            "format": r.format, "mimetype": r.mimetype, "size": r.size, "position": r.position,
            "url": f"{base}/opendata/resources/{r.id}/download/{r.filename}", "url_type": None, "state": "active",
            "created": _iso(r.created_at), "last_modified": _iso(r.modified_at), "datastore_active": False}


def group_dict(g: Group) -> dict[str, Any]:
    return {"id": str(g.id), "name": g.name, "title": g.title, "display_name": g.title,
            "description": g.description, "image_display_url": "", "type": "group", "state": "active",
            "is_organization": False}


def package_dict(ds: Dataset, base: str) -> dict[str, Any]:
    tags = list(ds.tags.all())
    resources = list(ds.resources.all())
    extras = {"identifier": ds.name, "publisher": ds.publisher, "update_frequency": ds.update_frequency,
              "structure": ds.structure, "legal_basis": ds.legal_basis, "language": ds.language,
              "first_published": _iso(ds.created_at), "last_modified": _iso(ds.modified_at),
              "formats": ", ".join(r.format for r in resources)}
    return {
        "id": str(ds.id), "name": ds.name, "title": ds.title, "notes": ds.notes, "type": "dataset",
        "state": "active", "private": False, "isopen": True, "version": None, "url": f"{base}/opendata/{ds.name}/",
        "author": ds.publisher, "author_email": None, "maintainer": ds.maintainer,
        "maintainer_email": ds.maintainer_email, "license_id": ds.license_id,
        "license_title": LICENSES.get(ds.license_id, ds.license_id),
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "metadata_created": _iso(ds.created_at), "metadata_modified": _iso(ds.modified_at),
        "owner_org": ORG["id"], "organization": ORG,
        "tags": [{"id": str(t.id), "name": t.name, "display_name": t.name, "state": "active", "vocabulary_id": None}
                 for t in tags],
        "num_tags": len(tags), "groups": [group_dict(g) for g in ds.groups.all()],
        "resources": [resource_dict(r, base) for r in resources], "num_resources": len(resources),
        "extras": [{"key": k, "value": str(v)} for k, v in extras.items()], "relationships_as_object": [],
        "tracking_summary": tracking(ds),
        "relationships_as_subject": [],
    }


def _dataset(ident: Any) -> Dataset:
    ident = str(ident or "")
    ds = Dataset.objects.filter(name=ident).first()
    if ds is None and re.fullmatch(r"[0-9a-fA-F-]{32,36}", ident):
        ds = Dataset.objects.filter(id=ident).first()
    if ds is None:
        raise CkanError(404, "Not Found Error", "Not found")
    return ds
