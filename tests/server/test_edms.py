"""The EDMS stand-in as a real consumer of the drop-folder contract, and officials' deadlines."""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.server.citysrv_drop import deliver, metadata, number, pdf_bytes
from tests.server.citysrv_helpers import Api, Server, staff_session


def _ack(folder: Path, doc_id: str, timeout: float = 15) -> dict[str, object]:
    end = time.monotonic() + timeout
    path = folder / f"{doc_id}.ack.json"
    while time.monotonic() < end:
        if path.exists():
            return json.loads(path.read_text())
        time.sleep(0.2)
    raise AssertionError(f"no ack for {doc_id}")


def test_partial_and_foreign_files_are_left_alone(server: Server) -> None:
    num = number("017", 301)
    pdf = pdf_bytes("partial")
    (server.drop / f".tmp-{num}.pdf.1234").write_bytes(pdf[:100])        # a writer still at work
    (server.drop / "README.txt").write_text("not ours")
    (server.drop / f"{num}.pdf.part").write_bytes(b"junk")
    time.sleep(1.5)
    assert not list(server.drop.glob(f"{num}*.ack.json"))
    assert (server.drop / f".tmp-{num}.pdf.1234").exists() and (server.drop / "README.txt").exists()
    # the writer finishes: PDF first, JSON last -> registered
    deliver(server.drop, num, pdf)
    assert _ack(server.drop, num)["status"] == "registered"


def test_json_without_pdf_waits_then_is_rejected(server: Server, api17: Api) -> None:
    num = number("017", 302)
    (server.drop / f"{num}.json").write_text(json.dumps(metadata(num, b"x")))
    time.sleep(1.0)
    assert not (server.drop / f"{num}.ack.json").exists(), "within the grace period nothing is decided"
    ack = _ack(server.drop, num, timeout=20)
    assert ack["status"] == "rejected" and "PDF missing" in str(ack["reason"]) and ack["registration_index"] is None
    feed = api17.get("/feed", params={"limit": 500}).json()["items"]
    assert any(i["number"] == num and i["status"] == "rejected" for i in feed)


def test_hash_mismatch_is_rejected_with_reason(server: Server) -> None:
    num = number("017", 303)
    pdf = pdf_bytes("real")
    meta = metadata(num, pdf)
    meta["files"][0]["sha256"] = "0" * 64
    deliver(server.drop, num, pdf, meta)
    ack = _ack(server.drop, num, timeout=20)
    assert ack["status"] == "rejected" and "checksum mismatch" in str(ack["reason"])


def test_addition_with_its_own_number_attaches_to_its_appeal(server: Server, api18: Api) -> None:
    num = number("017", 304)
    deliver(server.drop, num)
    index = _ack(server.drop, num)["registration_index"]
    addition = number("018", 77)  # brought later to another terminal: a number of its own
    pdf = pdf_bytes("addition")
    deliver(server.drop, addition, pdf, metadata(addition, pdf, document_type="addition", parent_document_id=num))
    extra = _ack(server.drop, addition)
    assert extra["status"] == "registered" and extra["registration_index"] == index
    assert api18.get(f"/appeals/{addition}").json()["registration_index"] == index
    (server.drop / f"{num}-A01.json").write_text("{}")  # not a contract name: ignored
    time.sleep(1.0)
    assert not (server.drop / f"{num}-A01.ack.json").exists()


def test_the_contract_example_record_is_accepted_and_a_bad_one_rejected(server: Server) -> None:
    example = json.loads((Path(__file__).parents[2] / "examples" / "drop-folder" / "0170001234.json").read_text())
    pdf = pdf_bytes("example")
    own = number("017", 307)  # the example's own number is used by another test of this session
    example.update(document_id=own, appeal_number={"compact": own, "display": f"017-000307-{own[9]}"})
    example["files"][0].update(name=f"{own}.pdf", sha256=hashlib.sha256(pdf).hexdigest(), bytes=len(pdf))
    deliver(server.drop, own, pdf, example)
    ack = _ack(server.drop, own)
    assert ack["status"] == "registered" and ack["registration_index"].startswith("М-")
    num = number("017", 306)
    pdf = pdf_bytes("bad")
    bad = metadata(num, pdf)
    del bad["consent"]
    deliver(server.drop, num, pdf, bad)
    ack = _ack(server.drop, num)
    assert ack["status"] == "rejected" and "schema" in str(ack["reason"]) and "consent" in str(ack["reason"])


def test_remove_mode_deletes_the_pair_and_registers_once(server: Server, tmp_path: Path) -> None:
    folder = tmp_path / "drop-remove"
    folder.mkdir()
    num = number("018", 42)
    pdf = pdf_bytes("remove")
    deliver(folder, num, pdf, metadata(num, pdf, surname="Коваль"))
    out = server.cli("edms-import", "--once", "--drop-folder", str(folder), "--ack-mode", "remove").stdout
    assert re.search(rf"{num}: registered К-\d+", out), out
    assert list(folder.iterdir()) == []
    deliver(folder, num, pdf, metadata(num, pdf, surname="Коваль"))
    again = server.cli("edms-import", "--once", "--drop-folder", str(folder), "--ack-mode", "remove").stdout
    assert again.split()[2] == out.split()[2], "same registration index: registered once"


def test_deadlines_15_30_and_extension_capped_at_45(server: Server) -> None:
    num = number("017", 305)
    deliver(server.drop, num)
    _ack(server.drop, num)
    s = staff_session(server)
    url = f"{server.url}/edms/{num}/"
    page = s.get(url, timeout=10).text
    today = datetime.now(ZoneInfo("Europe/Kyiv")).date()  # the server's time zone
    assert (today + timedelta(days=30)).isoformat() in page
    csrf = s.cookies["csrftoken"]
    s.post(url, data={"action": "quick", "csrfmiddlewaretoken": csrf}, headers={"Referer": url}, timeout=10)
    assert (today + timedelta(days=15)).isoformat() in s.get(url, timeout=10).text
    too_far = (today + timedelta(days=46)).isoformat()
    r = s.post(url, data={"action": "extend", "deadline": too_far, "reason": "запит до іншого органу",
                          "csrfmiddlewaretoken": csrf}, headers={"Referer": url}, timeout=10)
    assert r.status_code == 200 and "понад 45 днів" in r.text, "the form says why, in Ukrainian"
    assert (today + timedelta(days=15)).isoformat() in s.get(url, timeout=10).text
    ok = (today + timedelta(days=45)).isoformat()
    s.post(url, data={"action": "extend", "deadline": ok, "reason": "запит до іншого органу",
                      "csrfmiddlewaretoken": csrf}, headers={"Referer": url}, timeout=10)
    assert ok in s.get(url, timeout=10).text
    register = s.get(f"{server.url}/edms/?show=open", timeout=10).text
    assert num[:3] + "-" + num[3:9] in register
