"""Files data publishers upload are hostile: sniffed from their content, parsed, and written anew.

What the uploader calls the file and which format it claims decide nothing. The content is
recognised by parsing it (an XLSX is a zip that openpyxl opens, JSON parses, CSV is UTF-8 text in
rows of equal width); anything else (HTML, SVG, XML, executables, archives, PDF) is refused. The
stored file is *re-made* from the parsed values, never the uploaded bytes:

- CSV: written again through ``core.safeinput.csv_writer`` (comma, CRLF, UTF-8): a text cell that a
  spreadsheet would run as a formula gets ``'`` in front; plain numbers (``-12``, ``3,5``) stay numbers.
- JSON: dumped again (depth-limited by ``core.limits``).
- XLSX: the values of each sheet copied into a new workbook through ``xlsx_row`` (formulas, macros,
  links, images and everything else of the original are left behind).

Limits: ``CITY_SERVER_OPENDATA_MAX_UPLOAD_MB`` (default 10) for the file, 200 MB unpacked for an
XLSX (zip bombs), a million cells, 128 KiB a CSV field.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
import zipfile
from typing import IO, Any

from django.conf import settings

from server_stub.core import limits
from server_stub.core.safeinput import csv_cell, csv_writer, xlsx_row

MIMETYPES = {"CSV": "text/csv", "JSON": "application/json",
             "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
MAX_UNPACKED = 200 * 1024 * 1024
MAX_CELLS = 1_000_000
MAX_FIELD = 128 * 1024
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class UploadRejected(ValueError):
    """Why the file is not published (English; the CKAN error carries it to the publisher's client)."""


def read_limited(upload: IO[bytes]) -> bytes:
    limit = settings.OPENDATA_MAX_UPLOAD
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected(f"The file is larger than {limit // (1024 * 1024)} MB.")
    if not data:
        raise UploadRejected("The file is empty.")
    return data


def remake(data: bytes, declared: str = "") -> tuple[str, bytes]:
    """(format, clean bytes) for an uploaded file, or UploadRejected. ``declared`` (CKAN's ``format``)
    must agree with what the content is, when given."""
    fmt, clean = _xlsx(data) if data[:4] == b"PK\x03\x04" else _text(data)
    if declared and declared.strip().upper() != fmt:
        raise UploadRejected(f"The format is given as {declared.strip()[:20]!r} but the content is {fmt}.")
    return fmt, clean


def _text(data: bytes) -> tuple[str, bytes]:
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        raise UploadRejected("Only CSV, JSON (UTF-8 text) and XLSX files are published.") from err
    if CONTROL.search(text):
        raise UploadRejected("The file holds control characters: it is not a CSV or JSON text.")
    head = text.lstrip()[:1]
    if head in ("{", "["):
        return "JSON", _json(text)
    if head == "<":
        raise UploadRejected("HTML, XML and SVG are not published: CSV, JSON or XLSX only.")
    return "CSV", _csv(text)


def _json(text: str) -> bytes:
    try:
        value = limits.loads(text)
    except limits.TooDeep as err:
        raise UploadRejected(str(err)) from err
    except (json.JSONDecodeError, RecursionError) as err:
        raise UploadRejected("The JSON does not parse.") from err
    return json.dumps(value, ensure_ascii=False, indent=1).encode()


class _Number:
    """A cell that is a plain number: written as it came (csv_writer neutralises only text cells)."""

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def _cell(value: str) -> Any:
    return _Number(value) if NUMBER.fullmatch(value) else csv_cell(value)


def _csv(text: str) -> bytes:
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(MAX_FIELD)
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), dialect) if row]
    except csv.Error as err:
        raise UploadRejected(f"The CSV does not parse: {err}.") from err
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise UploadRejected("The CSV has no header row.")
    width = len(rows[0])
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            raise UploadRejected(f"Row {number} has {len(row)} fields, the header has {width}.")
    if width * len(rows) > MAX_CELLS:
        raise UploadRejected(f"More than {MAX_CELLS} cells.")
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_cell(c) for c in row])
    return out.getvalue().encode("utf-8")


def _xlsx(data: bytes) -> tuple[str, bytes]:
    from openpyxl import Workbook, load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_UNPACKED:
                raise UploadRejected("The workbook unpacks to more than 200 MB.")
            if "xl/workbook.xml" not in zf.namelist():
                raise UploadRejected("A zip archive that is not an XLSX workbook.")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            source = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        fresh = Workbook()
        fresh.remove(fresh.active)
        cells = 0
        for sheet in source.worksheets:
            target = fresh.create_sheet(title=sheet.title[:31])
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
                if cells > MAX_CELLS:
                    raise UploadRejected(f"More than {MAX_CELLS} cells.")
                target.append(xlsx_row(row))
        source.close()
    except UploadRejected:
        raise
    except Exception as err:  # openpyxl and zipfile raise many kinds for broken files
        raise UploadRejected("The XLSX workbook does not open.") from err
    if not fresh.worksheets:
        raise UploadRejected("The workbook has no sheets.")
    out = io.BytesIO()
    fresh.save(out)
    return "XLSX", out.getvalue()
