"""A searchable text layer for the appeal PDF, made by Tesseract, off the resident's path.

For each page the embedded scan is taken back out of the PDF (lossless: the G4 or JPEG image
exactly as stored), handed to ``tesseract ... -c textonly_pdf=1 pdf``, which writes a page of
invisible text (rendering mode 3, its GlyphLessFont embedded) of the same size, and that page is
laid over the image page with pikepdf as a form XObject. The image is untouched; the PDF only
gains text that search and copy find. The result is saved as PDF/A-2b again and validated.

Seconds per page, so the intake calls :func:`add_ocr_layer` after the receipt has been printed.
Requires the ``tesseract`` binary with the requested traineddata (Debian: tesseract-ocr,
tesseract-ocr-ukr); :func:`tesseract_available` says whether it is there.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
from pikepdf import PdfImage

from kiosk_app.core.imaging.pdf import PdfInfo, page_summary, save_pdf

log = logging.getLogger(__name__)

TESSERACT_TIMEOUT_S = 120.0


class OcrError(RuntimeError):
    """Tesseract is missing, lacks a language, or failed on a page."""


def tesseract_available(langs: str = "ukr+eng") -> bool:
    """True when the tesseract binary is installed with every language in ``langs``."""
    exe = shutil.which("tesseract")
    if not exe:
        return False
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    have = set(out.stdout.split())
    return all(lang in have for lang in langs.split("+"))


def _ocr_page(png: Path, out_base: Path, dpi: int, langs: str) -> Path:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    cmd = ["tesseract", str(png), str(out_base), "-l", langs, "--dpi", str(dpi), "-c", "textonly_pdf=1", "pdf"]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=TESSERACT_TIMEOUT_S, env=env, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise OcrError(f"tesseract did not run: {err}") from err
    pdf = out_base.with_suffix(".pdf")
    if res.returncode != 0 or not pdf.exists():
        raise OcrError(f"tesseract failed ({res.returncode}): {res.stderr.strip()[-300:]}")
    return pdf


def _page_dpi(page: pikepdf.Page, width_px: int) -> int:
    width_pt = float(page.mediabox[2]) - float(page.mediabox[0])
    return max(round(width_px / (width_pt / 72.0)), 1)


def add_ocr_layer(pdf_in: str | Path, pdf_out: str | Path, langs: str = "ukr+eng", *, pdfa: bool = True,
                  icc_profile: Path | None = None, workers: int = 2) -> PdfInfo:
    """Write ``pdf_out``: ``pdf_in`` with an invisible Tesseract text layer over every page.

    ``pdf_in`` and ``pdf_out`` may be the same file (it is replaced atomically). Raises
    :class:`OcrError` when Tesseract is missing or fails; ``pdf_out`` is then not written.
    """
    if not tesseract_available(langs):
        raise OcrError(f"tesseract with languages {langs!r} is not installed")
    pdf_in, pdf_out = Path(pdf_in), Path(pdf_out)
    src = pdf_in.read_bytes()
    with tempfile.TemporaryDirectory(prefix="ocr-") as tmpdir, pikepdf.open(io.BytesIO(src)) as pdf:
        tmp = Path(tmpdir)
        jobs = []
        for i, page in enumerate(pdf.pages):
            images = list(page.get_images().values())
            if not images:
                jobs.append(None)
                continue
            pim = PdfImage(images[0])
            png = tmp / f"p{i:03d}.png"
            pim.as_pil_image().save(png)
            jobs.append((png, tmp / f"t{i:03d}", _page_dpi(page, int(pim.width))))
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = [pool.submit(_ocr_page, *job, langs) if job else None for job in jobs]
            text_pdfs = [f.result() if f else None for f in futures]
        for page, text_pdf in zip(pdf.pages, text_pdfs, strict=True):
            if text_pdf is None:
                continue
            with pikepdf.open(text_pdf) as layer:
                page.add_overlay(pdf.copy_foreign(layer.pages[0].as_form_xobject()))
        data, verdict, findings = save_pdf(pdf, pdf_out, pdfa=pdfa, icc_profile=icc_profile)
    count, kinds, sizes = page_summary(data)
    log.info("OCR layer added (%s): %d pages, PDF/A-2b %s", langs, count, verdict)
    return PdfInfo(pdf_out, count, len(data), hashlib.sha256(data).hexdigest(), kinds, sizes, verdict, findings,
                   ocr=True)


__all__ = ["OcrError", "add_ocr_layer", "tesseract_available"]
