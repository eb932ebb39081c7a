"""Uploads are hostile (docs/security.md): re-encoded, renamed, served only as images of published items;
every page carries a Content-Security-Policy that allows no inline script. Against the real server process."""

from __future__ import annotations

import io
import re

import pytest
import requests
from PIL import Image

from tests.server.citysrv_helpers import Server, resident_session, staff_session
from tests.server.hostile_images import MODEL, evil_jpeg, evil_png, metadata_left
from tests.server.test_browser import PUBLIC_PAGES, STAFF_PAGES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _report(s: requests.Session, server: Server, name: str, data: bytes, mime: str) -> requests.Response:
    url = server.url + "/map/reports/new/"
    s.get(url, timeout=10)
    return s.post(url, data={"kind": "unlicensed_trade", "description": "Торгівля з машини", "lat": "48.46",
                             "lon": "35.05", "csrfmiddlewaretoken": s.cookies["csrftoken"]},
                  files={"photo": (name, data, mime)}, headers={"Referer": url}, timeout=10)


def _photo(html: str) -> str:
    found = re.search(r'<img src="(/media/public/map/[^"]+)"', html)
    assert found, "the report page shows its photo"
    return found.group(1)


def _moderate(server: Server, report: int, action: str) -> None:
    staff = staff_session(server, "admin")
    mod = server.url + "/map/moderation/"
    r = staff.post(mod, data={"report": report, "action": action, "note": "", "csrfmiddlewaretoken":
                              staff.cookies["csrftoken"]}, headers={"Referer": mod}, timeout=10)
    assert r.status_code == 200


def test_a_jpeg_with_gps_is_served_reencoded_without_exif_under_a_new_name(server: Server) -> None:
    s = resident_session(server, "test-0003")
    r = _report(s, server, "IMG_0001 home.JPG", evil_jpeg(), "image/jpeg")
    photo = _photo(r.text)
    assert re.fullmatch(r"/media/public/map/[0-9a-f]{32}\.jpg", photo), photo
    served = s.get(server.url + photo, timeout=10)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert metadata_left(served.content) == []
    assert MODEL.encode() in evil_jpeg()  # what was sent did carry it
    with Image.open(io.BytesIO(served.content)) as img:
        assert img.format == "JPEG" and img.size == (64, 48)


def test_a_pending_or_rejected_photo_is_not_public(server: Server) -> None:
    author = resident_session(server, "test-0003")
    r = _report(author, server, "evil.html", evil_png(), "text/html")
    report = int(re.search(r"/map/reports/(\d+)/", r.url).group(1))  # type: ignore[union-attr]
    photo = _photo(r.text)
    assert author.get(server.url + photo, timeout=10).status_code == 200  # the author sees it
    assert staff_session(server, "admin").get(server.url + photo, timeout=10).status_code == 200  # moderators too
    other = resident_session(server, "test-0002")
    assert requests.get(server.url + photo, timeout=10).status_code == 404
    assert other.get(server.url + photo, timeout=10).status_code == 404
    _moderate(server, report, "rejected")
    assert requests.get(server.url + photo, timeout=10).status_code == 404
    assert author.get(server.url + photo, timeout=10).status_code == 200


def test_only_images_are_kept_and_stray_files_are_not_served(server: Server) -> None:
    s = resident_session(server, "test-0003")
    for name, data in (("page.png", b"<html><script>alert(1)</script></html>"),
                       ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
                       ("x.gif", _gif())):
        r = _report(s, server, name, data, "image/png")
        assert "/map/reports/new/" in r.url, name
        assert "errorlist" in r.text, name
    # a file no report owns (planted in media/public by other means) is not served
    stray = server.data_dir / "media" / "public" / "map" / "stray.html"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"<script>alert(1)</script>")
    (stray.parent / "stray.png").write_bytes(evil_png())
    assert requests.get(server.url + "/media/public/map/stray.html", timeout=10).status_code == 404
    assert requests.get(server.url + "/media/public/map/stray.png", timeout=10).status_code == 404


def _gif() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "GIF")
    return buf.getvalue()


def test_every_page_carries_a_content_security_policy_without_inline_script(server: Server) -> None:
    staff = staff_session(server, "admin")
    missing = []
    for path, s in [(p, requests.Session()) for p in PUBLIC_PAGES] + [(p, staff) for p in STAFF_PAGES]:
        r = s.get(server.url + path, timeout=10)
        csp = r.headers.get("Content-Security-Policy", "")
        directives = dict(([*d.split(" ", 1), ""])[:2] for d in csp.split("; ") if d)
        if r.status_code != 200 or "'unsafe-inline'" in csp or directives.get("script-src") != "'self'" \
                or directives.get("object-src") != "'none'" or directives.get("frame-ancestors") != "'none'":
            missing.append(f"{path}: {r.status_code} {csp!r}")
    assert missing == []
    # and the pages themselves hold no inline script or style the policy would block
    for path in PUBLIC_PAGES:
        html = requests.get(server.url + path, timeout=10).text
        assert not re.search(r"<script(?![^>]*\bsrc=)|\sstyle=|\son[a-z]+=", html), path


def test_a_photo_uploaded_in_the_admin_is_reencoded_too(server: Server) -> None:
    author = resident_session(server, "test-0003")
    r = _report(author, server, "a.jpg", evil_jpeg(), "image/jpeg")
    report = int(re.search(r"/map/reports/(\d+)/", r.url).group(1))  # type: ignore[union-attr]
    admin = staff_session(server, "admin")
    url = f"{server.url}/admin/citymap/report/{report}/change/"
    form = {"kind": "unlicensed_trade", "description": "Торгівля з машини", "lat": "48.46", "lon": "35.05",
            "status": "pending", "moderation_note": "", "duplicate_of": "", "author": "", "_continue": "1"}

    def save(files: dict[str, tuple[str, bytes, str]] | None) -> str:
        admin.get(url, timeout=10)
        resp = admin.post(url, data={**form, "csrfmiddlewaretoken": admin.cookies["csrftoken"]}, files=files,
                          headers={"Referer": url}, timeout=10)
        assert resp.status_code == 200 and "errornote" not in resp.text, resp.text[:300]
        return _photo(admin.get(f"{server.url}/map/reports/{report}/", timeout=10).text)

    replaced = save({"photo": ("evil.html", evil_png(), "text/html")})
    assert re.fullmatch(r"/media/public/map/[0-9a-f]{32}\.png", replaced), replaced
    assert metadata_left(admin.get(server.url + replaced, timeout=10).content) == []
    assert save(None) == replaced, "saving without a new photo keeps the stored one as it is"
