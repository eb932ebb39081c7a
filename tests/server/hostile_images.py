"""Hostile images for the upload tests: a real PNG/JPEG that also carries HTML and EXIF (GPS, camera model)."""

from __future__ import annotations

import io

from PIL import Image, PngImagePlugin

MARK = "PWNED-7f3a"
# Any of these running shows up as a dialog, a console line or the page's title (see ScriptWatch).
SCRIPT = (f"<html><body><script>document.title='{MARK}';console.log('{MARK}');alert('{MARK}')</script>"
          f"<img src=x onerror=\"console.log('{MARK}');alert('{MARK}')\"></body></html>").encode()
MODEL = "EvilCam 3000"


def exif() -> Image.Exif:
    ex = Image.Exif()
    ex[0x010F] = "EvilCorp"  # Make
    ex[0x0110] = MODEL  # Model
    ex[0x8825] = {1: "N", 2: (48.0, 27.0, 53.0), 3: "E", 4: (35.0, 2.0, 46.0)}  # GPSInfo: a home in Dnipro
    return ex


def evil_png() -> bytes:
    """A valid 40x30 PNG with an eXIf chunk, the HTML in a text chunk and again after IEND."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 120, 60)).save(buf, "PNG", pnginfo=info, exif=exif())
    return buf.getvalue() + SCRIPT


def evil_jpeg() -> bytes:
    """A valid JPEG with EXIF GPS and camera model, and the HTML in a JPEG comment."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 60, 200)).save(buf, "JPEG", exif=exif(), comment=SCRIPT)
    return buf.getvalue()


def metadata_left(data: bytes) -> list[str]:
    """What of the planted metadata a served file still carries (empty = clean)."""
    left = []
    with Image.open(io.BytesIO(data)) as img:
        ex = img.getexif()
        if len(ex):
            left.append(f"EXIF tags {sorted(ex)}")
        if ex.get_ifd(0x8825):
            left.append("GPS")
        left += [f"info {k}" for k in img.info if k in ("exif", "comment", "Comment", "icc_profile")]
    for needle in (MODEL.encode(), b"EvilCorp", b"<script", MARK.encode()):
        if needle in data:
            left.append(f"bytes {needle!r}")
    return left
