"""Staff roles: the groups the server keeps, the demo users, the table in docs/server.md, and an
official's appeals limited to the executive bodies the official works in."""

from __future__ import annotations

import json
import time

import requests

from server_stub.core.role_table import ADMIN_GROUP, PERMISSIONS, ROLES
from tests.server.citysrv_drop import deliver, number
from tests.server.citysrv_helpers import ROOT, Server, staff_session


def test_groups_hold_exactly_the_declared_permissions_and_each_demo_user_one_role(server: Server) -> None:
    got = json.loads(server.shell("""
import json
from django.contrib.auth.models import Group, User
groups = {g.name: sorted(p.content_type.app_label + "." + p.codename for p in g.permissions.all())
          for g in Group.objects.all()}
users = {u.username: [sorted(g.name for g in u.groups.all()), u.is_superuser, u.is_staff]
         for u in User.objects.filter(is_staff=True)}
print("@@" + json.dumps({"groups": groups, "users": users}))
"""))
    for role in ROLES:
        core = {p for p in got["groups"][role.group] if p.startswith("core.")}
        assert core == {f"core.{c}" for c in role.permissions}
        assert set(got["groups"][role.group]) - core == set(role.admin_models)
        assert got["users"][role.user] == [[role.group], False, True]
    assert {f"core.{c}" for c in PERMISSIONS} <= set(got["groups"][ADMIN_GROUP])
    assert got["users"]["admin"] == [[ADMIN_GROUP], True, True]
    # the technician holds nothing about appeals, applicants or instruments
    tech = set(got["groups"][next(r.group for r in ROLES if r.user == "technician")])
    assert tech == {"core.view_fleet", *next(r.admin_models for r in ROLES if r.user == "technician")}
    assert not any(p.startswith(("edms.", "core.resident", "petitions.")) for p in tech)


def test_docs_table_matches_the_roles() -> None:
    doc = (ROOT / "docs" / "server.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in doc.splitlines() if line.startswith("| ")}
    for role in ROLES:
        row = rows[role.group]
        assert f"`{role.user}`" in row
        assert {c.strip(" `") for c in row.split("|")[3].split(",")} == set(role.permissions)
    assert f"`{'`, `'.join(r.user for r in ROLES)}`, `admin`" in doc.replace("\n", " ")


def _wait_registered(server: Server, num: str) -> None:
    end = time.monotonic() + 20
    while time.monotonic() < end:
        if (server.drop / f"{num}.ack.json").exists():
            return
        time.sleep(0.2)
    raise AssertionError(f"{num} not imported")


def test_an_official_reads_and_answers_only_the_appeals_of_their_executive_bodies(server: Server) -> None:
    routed, unrouted = number("017", 341), number("017", 342)
    for num in (routed, unrouted):
        deliver(server.drop, num)
        _wait_registered(server, num)
    server.shell(f"""
from django.contrib.auth.models import Group, User
from server_stub.standins.edms.models import ExecutiveBody, Registration
housing = ExecutiveBody.objects.get(name__startswith="Департамент житлово")
Registration.objects.filter(number="{routed}").update(executive_body=housing)
u = User.objects.filter(username="housing").first() or User.objects.create_user("housing", password="housing",
                                                                                is_staff=True)
u.groups.add(Group.objects.get(name__startswith="Посадовець"))
housing.officials.add(u)
print("@@ok")
""")
    general, housing, tech = staff_session(server, "official"), staff_session(server, "housing"), \
        staff_session(server, "technician")

    def shown(s: requests.Session, num: str) -> bool:
        return f"{num[:3]}-{num[3:9]}" in s.get(server.url + "/edms/", timeout=20).text

    # the general department sees what is not routed yet, not the housing department's appeal
    assert shown(general, unrouted) and not shown(general, routed)
    assert general.get(f"{server.url}/edms/{routed}/", timeout=20).status_code == 404
    assert general.get(f"{server.url}/edms/{routed}/scan.pdf", timeout=20).status_code == 404
    assert housing.get(f"{server.url}/edms/{routed}/scan.pdf", timeout=20).content.startswith(b"%PDF")
    assert shown(housing, routed) and not shown(housing, unrouted)
    refused = tech.get(f"{server.url}/edms/{unrouted}/", timeout=20)
    assert refused.status_code == 403 and "Не дозволено" in refused.text and "Бондаренко" not in refused.text
    # the general department forwards the other one to housing: it leaves its register
    url = f"{server.url}/edms/{unrouted}/"
    body = server.shell("from server_stub.standins.edms.models import ExecutiveBody\n"
                         "print('@@' + str(ExecutiveBody.objects.get(name__startswith='Департамент житлово').pk))")
    r = general.post(url, data={"action": "forward", "body": body, "csrfmiddlewaretoken": general.cookies["csrftoken"]},
                     headers={"Referer": url}, timeout=20, allow_redirects=False)
    assert r.status_code == 302
    assert not shown(general, unrouted) and shown(housing, unrouted)
    # answering another body's appeal is refused like reading it
    r = general.post(f"{server.url}/edms/{routed}/", data={"action": "answer", "text": "Відповідь",
                                                           "csrfmiddlewaretoken": general.cookies["csrftoken"]},
                     headers={"Referer": url}, timeout=20)
    assert r.status_code == 404
    assert server.shell(f"from server_stub.standins.edms.models import Registration\n"
                         f"print('@@' + Registration.objects.get(number='{routed}').status)") == "registered"


def test_admin_actions_need_the_change_permission(server: Server) -> None:
    """Issuing a terminal credential from /admin/ is the technician's (the role's change permission);
    a user who may only view terminals gets no such action, a moderator not even the list."""
    server.shell("""
from django.contrib.auth.models import Permission, User
u = User.objects.filter(username="viewer").first() or User.objects.create_user("viewer", password="viewer",
                                                                                is_staff=True)
u.user_permissions.set([Permission.objects.get(content_type__app_label="terminals", codename="view_terminal")])
print("@@ok")
""")
    url = server.url + "/admin/terminals/terminal/"
    tech, viewer, mod = (staff_session(server, u) for u in ("technician", "viewer", "moderator"))
    assert 'value="issue"' in tech.get(url, timeout=20).text
    page = viewer.get(url, timeout=20)
    assert page.status_code == 200 and "017" in page.text and 'value="issue"' not in page.text
    assert mod.get(url, timeout=20).status_code == 403
