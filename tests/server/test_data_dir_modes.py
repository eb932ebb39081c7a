"""The server's data folder is private whatever the umask (docs/security.md): started under umask 022, the
folder and every folder in it are 0700 and every file 0600 (database, secret key, uploads, EDMS documents)."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import time
from pathlib import Path

import requests

from tests.server.citysrv_drop import deliver, metadata, number, pdf_bytes
from tests.server.citysrv_helpers import PY, ROOT, Server, resident_session
from tests.server.hostile_images import evil_jpeg


def _umask_022() -> None:
    os.umask(0o022)


def _modes(root: Path) -> dict[str, str]:
    out = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for p in sorted(root.rglob("*")):
        if not p.is_symlink():
            out[str(p.relative_to(root))] = oct(stat.S_IMODE(p.stat().st_mode))
    return out


def test_data_folder_is_0700_and_its_files_0600_under_umask_022(tmp_path: Path) -> None:
    data, drop = tmp_path / "data", tmp_path / "drop"
    drop.mkdir()
    env = {**os.environ, "CITY_SERVER_FAST_PASSWORDS": "1", "CITY_SERVER_EDMS_INTERVAL": "0.3",
           "CITY_SERVER_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
    env.pop("CITY_SERVER_SECRET_KEY", None)
    env.pop("CITY_SERVER_DATABASE_URL", None)
    proc = subprocess.Popen([PY, "-m", "server_stub.cli", "run", "--port", "0", "--data-dir", str(data),
                             "--drop-folder", str(drop)], cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, preexec_fn=_umask_022)
    try:
        assert proc.stdout is not None
        url = ""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not url:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "city-server exited"
            if line.startswith("city-server listening on "):
                url = line.split()[-1].rstrip("/")
        assert url, "city-server did not start"
        srv = Server(url, data, drop, "", env)
        # an upload, an imported appeal: files of every kind the server keeps
        s = resident_session(srv, "test-0001")
        form = url + "/map/reports/new/"
        s.get(form, timeout=20)
        r = s.post(form, data={"kind": "unlicensed_trade", "description": "Кіоск", "lat": "48.46", "lon": "35.05",
                               "csrfmiddlewaretoken": s.cookies["csrftoken"]},
                   files={"photo": ("p.jpg", evil_jpeg(), "image/jpeg")}, headers={"Referer": form}, timeout=20)
        assert re.search(r"/media/public/map/[0-9a-f]{32}\.jpg", r.text)
        num = number("020", 7)
        pdf = pdf_bytes("modes")
        deliver(drop, num, pdf, metadata(num, pdf))
        end = time.monotonic() + 20
        while not (drop / f"{num}.ack.json").exists() and time.monotonic() < end:
            time.sleep(0.2)
        assert (drop / f"{num}.ack.json").exists()
        assert requests.get(url + "/", timeout=20).status_code == 200
    finally:
        proc.terminate()
        proc.wait(15)
    modes = _modes(data)
    kinds = {"city.sqlite3", "secret_key", f"private/edms/{num}.pdf"}
    assert kinds <= set(modes), sorted(modes)
    assert any(k.startswith("media/public/map/") and k.endswith(".jpg") for k in modes)
    wrong = {k: m for k, m in modes.items()
             if m != ("0o700" if (data / k).is_dir() else "0o600")}
    assert wrong == {}
