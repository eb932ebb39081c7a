"""Uploaded images are hostile: decoded and re-encoded by Pillow, metadata dropped, renamed by the server.

``reencode_image`` is the one door every image upload goes through (map report photos, budget project
and milestone photos). What comes out is a fresh file of the same format (JPEG, PNG or WebP) holding
only pixels: no EXIF (GPS, device), no text chunks, no trailing bytes, no colour profile, under a random
name with the extension of the format written. Whatever the visitor called the file is forgotten.
"""

from __future__ import annotations

import io
import secrets
import warnings
from typing import IO, Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; larger is refused before decoding (decompression bombs)
MAX_SIDE = 2560  # stored photos are scaled down to this longest side
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


class ImageRejected(ValueError):
    """The upload is not an image we keep; ``reason`` is an English message for the translation catalogue."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def reencode_image(upload: IO[bytes]) -> ContentFile[bytes]:
    """A clean copy of an uploaded JPEG/PNG/WebP image under a server-made name, or ImageRejected."""
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImageRejected("The photo is larger than 5 MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format or ""
                if fmt not in EXTENSIONS:
                    raise ImageRejected("JPEG, PNG or WebP only.")
                if img.width * img.height > MAX_PIXELS:
                    raise ImageRejected("The photo is larger than 5 MB.")
                img.load()
                clean = _pixels_only(img, fmt)
    except ImageRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as err:
        raise ImageRejected("This is not an image.") from err
    out = io.BytesIO()
    options: dict[str, object] = {"quality": 88} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    clean.save(out, format=fmt, **options)
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(16)}.{EXTENSIONS[fmt]}")


def _pixels_only(img: Image.Image, fmt: str) -> Image.Image:
    """The image turned upright (EXIF orientation applied before EXIF is dropped), scaled, without metadata."""
    upright = ImageOps.exif_transpose(img) or img
    modes = {"JPEG": ("RGB", "L"), "PNG": ("RGB", "RGBA", "L", "LA"), "WEBP": ("RGB", "RGBA")}[fmt]
    if upright.mode not in modes:
        alpha = "A" in upright.mode or "transparency" in upright.info
        upright = upright.convert("RGBA" if alpha and "RGBA" in modes else "RGB")
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    # A new image of the same pixels: nothing of the original's info (exif, icc_profile, text, comment) follows.
    fresh = Image.new(upright.mode, upright.size)
    fresh.paste(upright)
    fresh.info = {}
    return fresh


def content_type(name: str) -> str | None:
    """The image type of a stored upload by its (server-made) extension; None for anything else."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None


class PhotoForm:
    """A form's ``photo`` field through :func:`reencode_image` (mix in before ``forms.ModelForm``)."""

    cleaned_data: dict[str, Any]

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if not isinstance(photo, UploadedFile):  # nothing new uploaded (empty, or the stored file kept)
            return photo
        try:
            return reencode_image(photo)
        except ImageRejected as err:
            raise forms.ValidationError(_(err.reason)) from err
