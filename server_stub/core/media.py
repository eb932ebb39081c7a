"""/media/public/…: an upload is served only when a published item owns it, and only as an image.

A model that keeps uploads under ``media/public/`` names its file fields in ``public_media_fields``
and says who may see them with ``media_visible_to(user)`` (everyone once the item is published; its
author and moderators while it awaits moderation). A file no row owns is not served at all, nor one
whose extension is not an image type. The response carries the image type, ``nosniff`` and a
Content-Security-Policy that lets nothing run even if a browser were to render the bytes as a page.
"""

from __future__ import annotations

import os
import stat

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import FileResponse, Http404, HttpRequest

from .uploads import content_type


def owner_of(name: str) -> models.Model | None:
    """The row whose file field holds ``name`` (e.g. ``public/map/ab12….jpg``), if any."""
    for model in apps.get_models():
        for field in getattr(model, "public_media_fields", ()):
            obj = model._default_manager.filter(**{field: name}).first()
            if obj is not None:
                return obj
    return None


def public_media(request: HttpRequest, path: str) -> FileResponse:
    name = f"public/{path}"
    kind = content_type(path)
    if kind is None or ".." in path.split("/") or path.startswith("/"):
        raise Http404
    owner = owner_of(name)
    if owner is None or not owner.media_visible_to(request.user):  # type: ignore[attr-defined]
        raise Http404
    full = os.path.join(settings.MEDIA_ROOT, name)
    try:
        fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as err:
        raise Http404 from err
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Http404
    response = FileResponse(os.fdopen(fd, "rb"), content_type=kind)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    published = owner.media_visible_to(AnonymousUser())  # type: ignore[attr-defined]
    response["Cache-Control"] = "public, max-age=3600" if published else "private, no-store"
    return response
