"""The EDMS stand-in imports defensively (docs/security.md): in ONE pass of ``city-server edms-import --once``
over a folder holding a record with an impossible date, a deeply nested record, a symlinked PDF, a symlink
planted as the acknowledgement's temporary name and a good record, the good one is registered, each bad one
is moved to ``rejected/`` beside a reason file, and nothing outside the folder is touched."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from tests.server.citysrv_drop import deliver, metadata, number, pdf_bytes
from tests.server.citysrv_helpers import PY, ROOT, Server


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def _one_pass_with_known_pid(server: Server, folder: Path, plant: callable) -> str:  # type: ignore[valid-type]
    """Start the importer's process, learn its pid, let ``plant(pid)`` prepare the folder, then run the pass
    (``exec`` keeps the pid, so a name built from it is the one a predictable importer would use)."""
    launcher = ("import os, sys; print(os.getpid(), flush=True); sys.stdin.readline(); "
                "os.execv(sys.executable, [sys.executable, '-m', 'server_stub.cli', *sys.argv[1:]])")
    proc = subprocess.Popen([PY, "-c", launcher, "edms-import", "--once", "--drop-folder", str(folder),
                             "--ack-mode", "ack-file", "--db", server.db_url, "--data-dir", str(server.data_dir)],
                            cwd=ROOT, env=server.env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    pid = int(proc.stdout.readline())
    plant(pid)
    proc.stdin.write("go\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    return out


def test_one_pass_registers_the_good_record_and_moves_each_bad_one_aside(server: Server, tmp_path: Path) -> None:
    folder, outside = tmp_path / "drop", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    sentinel = outside / "sentinel.txt"
    sentinel.write_text("do not touch\n")
    real_pdf = pdf_bytes("a PDF that lives elsewhere")
    (outside / "elsewhere.pdf").write_bytes(real_pdf)
    os.utime(sentinel, ns=(1_000_000_000, 1_000_000_000))
    before = _snapshot(outside)

    impossible, deep, symlinked, bad_phone, good = (number("019", n) for n in (501, 502, 503, 504, 505))
    pdf = pdf_bytes("impossible date")
    deliver(folder, impossible, pdf, metadata(impossible, pdf, received_at="2026-02-30T10:15:02+02:00"))
    pdf = pdf_bytes("deep")
    (folder / f"{deep}.pdf").write_bytes(pdf)
    record = json.dumps(metadata(deep, pdf))
    nested = "[" * 100_000 + "]" * 100_000
    (folder / f"{deep}.json").write_text(record[:-1] + f', "x": {nested}}}')
    (folder / f"{symlinked}.pdf").symlink_to(outside / "elsewhere.pdf")
    (folder / f"{symlinked}.json").write_text(json.dumps(metadata(symlinked, real_pdf)))
    pdf = pdf_bytes("bad phone")
    record = metadata(bad_phone, pdf)
    record["applicant"]["phone"] = "+38050-SECRET-77"
    deliver(folder, bad_phone, pdf, record)
    pdf = pdf_bytes("good")
    deliver(folder, good, pdf, metadata(good, pdf, surname="Гончаренко"))

    def plant(pid: int) -> None:  # the temporary name a predictable importer would write the good ack through
        (folder / f".tmp-{good}.ack.json.{pid}").symlink_to(sentinel)

    out = _one_pass_with_known_pid(server, folder, plant)
    lines = {line.split(":", 1)[0]: line for line in out.splitlines()}

    assert lines[good].startswith(f"{good}: registered Г-"), out
    ack = json.loads((folder / f"{good}.ack.json").read_text())
    assert ack["status"] == "registered" and ack["registration_index"].startswith("Г-")
    assert not (folder / f"{good}.ack.json").is_symlink()
    reasons = {}
    for doc in (impossible, deep, symlinked, bad_phone):
        assert lines[doc].startswith(f"{doc}: rejected"), out
        assert not (folder / f"{doc}.json").exists() and not (folder / f"{doc}.pdf").is_symlink()
        assert (folder / "rejected" / f"{doc}.json").exists()
        reasons[doc] = (folder / "rejected" / f"{doc}.reason.txt").read_text()
        assert json.loads((folder / f"{doc}.ack.json").read_text())["status"] == "rejected"
    assert "received_at" in reasons[impossible] and "date-time" in reasons[impossible]
    assert "deeper" in reasons[deep]
    assert "symbolic link" in reasons[symlinked]
    assert "applicant/phone" in reasons[bad_phone] and "pattern" in reasons[bad_phone]
    assert "SECRET" not in out + "".join(reasons.values()), "a reason never echoes the applicant's data"
    assert (folder / "rejected" / f"{symlinked}.pdf").is_symlink(), "the link itself moved aside, not its target"
    # nothing outside the folder changed: same names, same bytes, same modification times
    time.sleep(0.05)
    assert _snapshot(outside) == before
    assert sentinel.read_text() == "do not touch\n"


def test_depth_and_dates_are_judged_on_the_structure_not_the_text() -> None:
    from server_stub.standins.edms import safefs

    assert safefs.json_depth('{"summary": "[[[[[[[[ {{{{ \\" ]]]] [[[[", "a": [1, {"b": [2]}]}') == 4
    nested = "[" * 30 + "]" * 30
    assert safefs.json_depth(nested) == 30
    try:
        safefs.loads_bounded(nested.encode())
    except safefs.Refused as err:
        assert "deeper" in str(err)
    else:
        raise AssertionError("30 levels were accepted")
    assert safefs.loads_bounded(b'{"text": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == {"text": "[" * 32}
    assert safefs.date_time("2026-11-28T10:15:02+02:00").day == 28
    for bad in ("2026-02-30T10:15:02+02:00", "2026-11-28T25:00:00Z", "2026-11-28", "28.11.2026 10:15",
                "2026-11-28T10:15:02"):
        try:
            safefs.date_time(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} was taken for a date-time")
