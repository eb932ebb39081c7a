"""ProZorro: ``city-server import-ocds FILE`` loads the sample release package of examples/, refuses
hostile files with a clear message and imports nothing of them, is idempotent by ocid; the open
budget page lists the city's procurements by buyer, status and value, each linked to ProZorro (also
as a person sees it, in headless Chromium)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import sync_playwright

from tests.server.citysrv_helpers import ROOT, Server
from tests.server_instruments.helpers import db_json
from tests.support.chromium import launch

SAMPLE = ROOT / "examples" / "prozorro-city-tenders.json"
TENDERS = {  # tenderID -> (buyer, status in Ukrainian, value as the page shows it)
    "UA-2026-03-14-000123-a": ("Департамент освіти і науки міської ради", "період уточнень і пропозицій", "4 150 000,00"),
    "UA-2026-01-20-007010-a": ("Департамент освіти і науки міської ради", "завершено", "2 745 600,50"),
    "UA-2026-02-01-004567-b": ("Департамент транспорту та транспортної інфраструктури міської ради", "завершено",
                               "12 800 000,00"),
    "UA-2026-04-02-001876-c": ("Департамент охорони здоров'я міської ради", "період уточнень і пропозицій",
                               "31 500 000,00"),
    "UA-2026-03-28-002222-b": ("Департамент житлово-комунального господарства та капітального будівництва міської ради",
                               "скасовано", "950 000,00"),
    "UA-2026-04-10-000915-a": ("Департамент житлово-комунального господарства та капітального будівництва міської ради",
                               "не відбулася", "8 640 000,00"),
}


def _sample() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def _with(change: Any) -> bytes:
    package = _sample()
    change(package)
    return json.dumps(package, ensure_ascii=False).encode()


def _set(path: str, value: Any) -> Any:
    def change(package: dict[str, Any]) -> None:
        node: Any = package
        keys = [int(k) if k.isdigit() else k for k in path.split("/")]
        for key in keys[:-1]:
            node = node[key]
        if value is None:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value
    return change


HOSTILE: list[tuple[str, bytes, str]] = [
    ("html", b"<html><body>tenders</body></html>", "not JSON"),
    ("utf16", "{\"releases\": []}".encode("utf-16"), "not UTF-8"),
    ("deep", b'{"releases": ' + b"[" * 200 + b"]" * 200 + b"}", "nested deeper"),
    ("list", b"[]", "not an OCDS release package"),
    ("no-releases", b'{"uri": "x"}', "(package): 'releases' is a required property"),
    ("negative", _with(_set("releases/1/tender/value/amount", -5)), "releases/1/tender/value/amount"),
    ("no-buyer", _with(_set("releases/2/buyer", None)), "releases/2: 'buyer' is a required property"),
    ("feb-30", _with(_set("releases/0/date", "2026-02-30T10:00:00+02:00")), "releases/0/date"),
    ("script-id", _with(_set("releases/3/tender/tenderID", "javascript:alert(1)")), "releases/3/tender/tenderID"),
    ("bad-status", _with(_set("releases/4/tender/status", "<b>won</b>")), "releases/4/tender/status"),
    ("no-tender-id", _with(lambda p: (p["releases"][5].update(ocid="ocds-be6bcu-12345"),
                                      p["releases"][5]["tender"].pop("tenderID"))), "releases/5: no ProZorro tender id"),
]


def _import(server: Server, path: Path) -> Any:
    return server.cli("import-ocds", str(path), check=False)


def _count(server: Server) -> int:
    return int(db_json(server, "M('openbudget.Tender').objects.count()"))


def test_hostile_files_are_refused_with_a_clear_message(server: Server, tmp_path: Path) -> None:
    for name, data, where in HOSTILE:
        path = tmp_path / f"{name}.json"
        path.write_bytes(data)
        out = _import(server, path)
        assert out.returncode == 1, (name, out.stdout, out.stderr)
        assert "refused, nothing imported" in out.stderr and where in out.stderr, (name, out.stderr)
        assert "javascript" not in out.stderr and "<b>" not in out.stderr  # the value is never echoed
    big = tmp_path / "big.json"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024 + 1)
    assert "larger than 50 MB" in _import(server, big).stderr
    assert "cannot read the file" in _import(server, tmp_path / "missing.json").stderr
    assert _count(server) == 0


def test_the_sample_imports_once_and_the_open_budget_page_lists_it(server: Server, tmp_path: Path) -> None:
    first = _import(server, SAMPLE)
    assert first.returncode == 0, first.stderr
    assert "6 created, 0 updated, 0 unchanged" in first.stdout  # 7 releases of 6 tenders
    again = _import(server, SAMPLE)
    assert "0 created, 0 updated, 6 unchanged" in again.stdout
    assert _count(server) == 6
    # the newest release of the first tender wins; an older one never overwrites it
    assert db_json(server, "str(M('openbudget.Tender').objects.get(tender_id='UA-2026-03-14-000123-a').amount)") \
        == "4150000.00"
    later = _sample()
    rel = copy.deepcopy(later["releases"][2])  # the tomograph
    rel.update(id=rel["id"] + "-complete", date="2026-05-20T10:00:00+03:00")
    rel["tender"]["status"] = "complete"
    later["releases"] = [rel]
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps(later, ensure_ascii=False), encoding="utf-8")
    assert "0 created, 1 updated, 0 unchanged" in _import(server, newer).stdout
    TENDERS["UA-2026-04-02-001876-c"] = (*TENDERS["UA-2026-04-02-001876-c"][:1], "завершено",
                                         TENDERS["UA-2026-04-02-001876-c"][2])

    page = requests.get(server.url + "/open-budget/procurements/", timeout=20).text
    for tid, (buyer, status, value) in TENDERS.items():
        row = re.search(rf'<tr><td><a href="https://prozorro.gov.ua/tender/{tid}">{tid}</a></td>.*?</tr>', page)
        assert row, tid
        assert f"<td>{status}</td>" in row.group(0) and value.replace(" ", "\xa0") in row.group(0), (tid, row.group(0))
        caption = page[:row.start()].rsplit("<caption>", 1)[1]
        assert caption.startswith(buyer.replace("'", "&#x27;")), (tid, caption[:120])
    summary = requests.get(server.url + "/open-budget/", timeout=20).text  # the open budget page itself
    buyers = re.findall(r'<tr><td><a href="/open-budget/procurements/\?buyer=[^"]+">([^<]+)</a></td><td>(\d+)</td>'
                        r"<td>([^<]+)</td></tr>", summary)
    assert [(b.replace("&#x27;", "'"), int(n)) for b, n, _ in buyers] == sorted(
        {(buyer, sum(1 for v in TENDERS.values() if v[0] == buyer)) for buyer, _, _ in TENDERS.values()})
    assert ("Департамент освіти і науки міської ради", "6\xa0895\xa0600,50") in [(b, t) for b, _, t in buyers]
    cancelled = requests.get(server.url + "/open-budget/procurements/", params={"status": "cancelled"}, timeout=20).text
    assert re.findall(r"prozorro.gov.ua/tender/(UA-[\w-]+)", cancelled) == ["UA-2026-03-28-002222-b"]
    osvita = requests.get(server.url + "/open-budget/procurements/",
                          params={"buyer": "Департамент освіти і науки міської ради"}, timeout=20).text
    assert sorted(re.findall(r'href="https://prozorro.gov.ua/tender/(UA-[\w-]+)"', osvita)) == [
        "UA-2026-01-20-007010-a", "UA-2026-03-14-000123-a"]


def test_the_procurements_in_headless_chromium(server: Server) -> None:
    assert _import(server, SAMPLE).returncode == 0
    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page()
        page.goto(server.url + "/open-budget/")
        page.get_by_role("link", name="Закупівлі міста (ProZorro)").click()
        page.wait_for_url("**/open-budget/procurements/")
        assert page.get_by_role("heading", level=1).inner_text() == "Закупівлі міста (ProZorro)"
        tables = page.locator("table.procurements")
        assert tables.count() == 4  # four buyers
        link = page.get_by_role("link", name="UA-2026-04-10-000915-a")
        assert link.get_attribute("href") == "https://prozorro.gov.ua/tender/UA-2026-04-10-000915-a"
        row = page.locator("tr", has=link)
        assert "Електрична енергія для потреб вуличного освітлення" in row.inner_text()
        assert "не відбулася" in row.inner_text()
        page.get_by_label("стан").select_option("unsuccessful")
        page.get_by_role("button", name="Показати").click()
        assert page.locator("table.procurements tbody tr").count() == 1
        browser.close()
