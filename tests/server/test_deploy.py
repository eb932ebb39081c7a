"""Deployment: the packaged settings pass `check --deploy`; static files come from WhiteNoise; staff
sign-in is throttled; oversized bodies answer 413; a terminal reports events of its own appeals only."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import requests

from tests.server.citysrv_helpers import PY, ROOT, Server, staff_session

PACKAGED_ENV = ROOT / "packaging" / "config" / "city-server.env"


def packaged_env() -> dict[str, str]:
    """The variables the packaged configuration sets (KEY=VALUE lines, comments skipped)."""
    out = {}
    for line in PACKAGED_ENV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def check_deploy(tmp: Path, settings_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITY_SERVER_")}
    env.update(settings_env)
    env["CITY_SERVER_DATA_DIR"] = str(tmp / "data")
    return subprocess.run([PY, "-m", "server_stub.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, text=True, capture_output=True, timeout=120)


def test_check_deploy_is_clean_with_the_packaged_settings(tmp_path: Path) -> None:
    packaged = packaged_env()
    assert packaged.get("CITY_SERVER_TLS") == "1"
    proc = check_deploy(tmp_path, packaged)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "System check identified no issues" in out and "WARNING" not in out, out
    # the same check without the packaged TLS setting does warn: the clean result comes from the settings
    bare = check_deploy(tmp_path, {k: v for k, v in packaged.items() if k != "CITY_SERVER_TLS"})
    assert bare.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in bare.stdout + bare.stderr


def test_static_files_are_served_by_the_running_server(server: Server) -> None:
    r = requests.get(server.url + "/static/admin/css/base.css", timeout=20)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/css")
    assert "body" in r.text and len(r.content) > 1000
    home = requests.get(server.url + "/", timeout=20).text
    hashed = re.search(r'href="(/static/core/site\.[0-9a-f]{12}\.css)"', home)
    assert hashed, "the page links the site's CSS under its hashed name"
    css = requests.get(server.url + hashed.group(1), timeout=20)
    assert css.status_code == 200 and "max-age=315360000" in css.headers["Cache-Control"]
    assert "immutable" in css.headers["Cache-Control"]


def _login(server: Server, user: str, password: str, client: str | None = None) -> requests.Response:
    """One staff sign-in in a fresh session; ``client`` is the address the proxy would report."""
    s = requests.Session()
    if client:
        s.headers["X-Forwarded-For"] = client  # the server trusts it from loopback (CITY_SERVER_PROXY_IPS)
    s.get(server.url + "/accounts/login/", timeout=20)
    return s.post(server.url + "/accounts/login/", data={"username": user, "password": password, "next": "/",
                                                          "csrfmiddlewaretoken": s.cookies["csrftoken"]},
                  headers={"Referer": server.url + "/accounts/login/"}, timeout=20, allow_redirects=False)


def _manage(server: Server, *args: str) -> None:
    subprocess.run([PY, "-m", "server_stub.cli", "manage", "--db", server.db_url, "--data-dir", str(server.data_dir),
                    *args], cwd=ROOT, env=server.env, check=True, capture_output=True, timeout=120)


def test_staff_sign_in_is_throttled_per_user_name_and_per_address(server: Server) -> None:
    _manage(server, "shell", "-c", "from django.contrib.auth.models import User\n"
            "User.objects.filter(username='lockme').exists() or "
            "User.objects.create_user('lockme', password='right-password', is_staff=True)")
    for i in range(4):  # from four addresses
        assert _login(server, "lockme", "wrong", f"203.0.113.{i}").status_code == 200  # the form, with an error
    assert _login(server, "lockme", "right-password", "203.0.113.9").status_code == 302  # success resets
    for i in range(5):  # five failures from five addresses lock the user name everywhere
        _login(server, "lockme", "wrong", f"198.51.100.{i}")
    locked = _login(server, "lockme", "right-password", "192.0.2.200")
    assert locked.status_code == 429 and "Вхід заблоковано" in locked.text and "Sign-in locked" not in locked.text
    assert _login(server, "publisher", "publisher", "192.0.2.200").status_code == 302  # other names are not
    _manage(server, "axes_reset_username", "lockme")
    assert _login(server, "lockme", "right-password", "192.0.2.201").status_code == 302
    for i in range(5):  # one address trying five names is locked, whichever name it tries next
        _login(server, f"guess-{i}", "wrong", "192.0.2.66")
    assert _login(server, "secretary", "secretary", "192.0.2.66").status_code == 429
    assert _login(server, "secretary", "secretary", "192.0.2.67").status_code == 302


def _envelope(r: requests.Response, status: int, code: str) -> None:
    assert r.status_code == status, (r.status_code, r.text[:300])
    body = r.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]


def test_oversized_bodies_get_413_in_the_envelope(server: Server) -> None:
    big = b"{" + b" " * (21 * 1024 * 1024) + b"}"
    token = server.token("062")
    _envelope(requests.post(server.url + "/api/terminal/v1/heartbeat", data=big, timeout=60, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"}), 413, "payload_too_large")
    _envelope(requests.post(server.url + "/contact/", data=big, timeout=60,
                            headers={"Content-Type": "application/x-www-form-urlencoded"}), 413, "payload_too_large")
    staff = staff_session(server, "official")
    _envelope(staff.post(server.url + "/edms/", files={"pdf": ("a.pdf", big)}, timeout=60,
                         headers={"X-CSRFToken": staff.cookies["csrftoken"]}), 413, "payload_too_large")
    _envelope(requests.post(server.url + "/api/3/action/package_search", data=big, timeout=60,
                            headers={"Content-Type": "application/json"}), 413, "payload_too_large")


def test_deep_json_gets_422_outside_the_api_too(server: Server) -> None:
    deep = '{"q": ' * 900 + '"x"' + "}" * 900
    r = requests.post(server.url + "/api/3/action/package_search", data=deep, timeout=20,
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["success"] is False  # the CKAN-compatible API keeps CKAN's shape


def test_a_terminal_posts_events_of_its_own_appeals_only(server: Server) -> None:
    from server_stub.core import numbers

    token = server.token("063")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": "own-1"}
    foreign = requests.post(server.url + "/api/terminal/v1/events", timeout=20, headers=headers,
                            data=json.dumps({"type": "delivered", "number": numbers.make("017", 77)}))
    _envelope(foreign, 403, "forbidden")
    # nothing was recorded under that key: the same key with this terminal's appeal is a first delivery
    own = requests.post(server.url + "/api/terminal/v1/events", timeout=20, headers=headers,
                        data=json.dumps({"type": "delivered", "number": numbers.make("063", 77)}))
    assert own.status_code == 201 and own.json()["duplicate"] is False
