"""The appeal PDF: encoded pages wrapped by img2pdf, metadata and PDF/A-2b by pikepdf.

* img2pdf copies each page's bytes into the PDF unchanged (G4 -> ``/CCITTFaxDecode``, JPEG ->
  ``/DCTDecode``) and sizes the page from the image's resolution (A4 at 300 dpi -> 595 x 842 pt).
* pikepdf writes the metadata: XMP ``dc:title``, ``dc:identifier`` (the compact appeal number),
  ``dc:language``, ``pdf:Keywords`` (``appeal:<number>``), the matching DocInfo entries, and the
  catalogue's ``/Lang``.
* PDF/A-2b: ``pikepdf.pdfa.save`` installs an sRGB OutputIntent (the ICC profile shipped with
  pikepdf, or one given), declares ``pdfaid:part=2, conformance=B`` in the XMP, writes the file
  and validates what it wrote with pikepdf's allowlist validator. ``PdfInfo.pdfa`` says
  ``"pass"`` only when that validation passed; veraPDF was not available to cross-check (see
  docs/pdf-output.md).
* The file is written atomically: a temporary name in the same folder, fsync, rename.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import img2pdf
import pikepdf

from kiosk_app.core.imaging.compress import EncodedPage

log = logging.getLogger(__name__)

PRODUCER = "appeal-terminal kiosk_app.core.imaging"


@dataclass
class PdfInfo:
    """What :func:`build_pdf` (or ``ocr.add_ocr_layer``) wrote."""

    path: Path
    pages: int
    size: int
    sha256: str
    page_kinds: list[str]
    page_bytes: list[int]
    pdfa: str                          # "pass", "fail", "not_checked" or "off"
    pdfa_findings: list[str] = field(default_factory=list)
    ocr: bool = False

    def as_record(self) -> dict[str, Any]:
        return {"path": str(self.path), "pages": self.pages, "size": self.size, "sha256": self.sha256,
                "page_kinds": self.page_kinds, "page_bytes": self.page_bytes, "pdfa": self.pdfa,
                "pdfa_findings": self.pdfa_findings, "ocr": self.ocr}


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` under a temporary name beside ``path``, fsync, then rename into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def set_metadata(pdf: pikepdf.Pdf, *, title: str, number: str, lang: str) -> None:
    """XMP and DocInfo metadata naming the appeal; the catalogue's /Lang."""
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
        meta["dc:identifier"] = number
        meta["dc:language"] = [lang]
        meta["pdf:Keywords"] = f"appeal:{number}"
        meta["pdf:Producer"] = PRODUCER
        meta["xmp:CreatorTool"] = PRODUCER
    pdf.Root.Lang = pikepdf.String(lang)


def save_pdf(pdf: pikepdf.Pdf, out_path: Path, *, pdfa: bool, icc_profile: Path | None = None) -> tuple[bytes, str, list[str]]:
    """Serialise ``pdf`` (as validated PDF/A-2b when ``pdfa``) and write it atomically.

    Returns the bytes written, the PDF/A verdict and the validator's findings. A document that
    does not pass is still written, as a plain PDF, and the verdict says so.
    """
    buf = io.BytesIO()
    verdict, findings = "off", []
    if pdfa:
        from pikepdf import pdfa as pdfa_mod

        intent: str | bytes = icc_profile.read_bytes() if icc_profile else "sRGB"
        try:
            report = pdfa_mod.save(pdf, buf, "2b", output_intent=intent)
            verdict = report.verdict
        except pdfa_mod.PdfaError as err:
            verdict = err.report.verdict
            findings = [str(f) for f in err.report.findings]
            log.warning("PDF/A-2b validation did not pass (%d findings); writing a plain PDF", len(findings))
            buf = io.BytesIO()
            pdf.save(buf)
    else:
        pdf.save(buf)
    data = buf.getvalue()
    write_atomic(out_path, data)
    return data, verdict, findings


def page_summary(data: bytes) -> tuple[int, list[str], list[int]]:
    """Page count, image filter per page ("g4", "jpeg", ...) and image bytes per page."""
    kinds, sizes = [], []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            kind, size = "none", 0
            for obj in page.get_images().values():
                filt = obj.get("/Filter")
                filt = filt[0] if isinstance(filt, pikepdf.Array) else filt
                kind = {"/CCITTFaxDecode": "g4", "/DCTDecode": "jpeg"}.get(str(filt), str(filt))
                size += len(obj.read_raw_bytes())
            kinds.append(kind)
            sizes.append(size)
        return len(pdf.pages), kinds, sizes


def build_pdf(pages: Sequence[EncodedPage], out_path: str | Path, *, title: str, number: str,
              lang: str = "uk", pdfa: bool = True, icc_profile: Path | None = None) -> PdfInfo:
    """Write the appeal's PDF: one page per encoded page, in order, with metadata and PDF/A-2b.

    ``number`` is the compact appeal number (it goes into XMP ``dc:identifier``). The text layer
    is not made here: it takes seconds per page, so it is added later, off the resident's path,
    by ``kiosk_app.core.imaging.ocr.add_ocr_layer`` (which builds on this module, not the reverse).
    """
    if not pages:
        raise ValueError("an appeal PDF needs at least one page")
    out_path = Path(out_path)
    raw = img2pdf.convert([p.data for p in pages], producer=PRODUCER, nodate=False)
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        set_metadata(pdf, title=title, number=number, lang=lang)
        data, verdict, findings = save_pdf(pdf, out_path, pdfa=pdfa, icc_profile=icc_profile)
    count, kinds, sizes = page_summary(data)
    info = PdfInfo(out_path, count, len(data), hashlib.sha256(data).hexdigest(), kinds, sizes, verdict, findings)
    log.info("appeal PDF written: %d pages, %d bytes, PDF/A-2b %s", count, len(data), verdict)
    return info


__all__ = ["PdfInfo", "build_pdf", "page_summary", "save_pdf", "set_metadata", "write_atomic"]
