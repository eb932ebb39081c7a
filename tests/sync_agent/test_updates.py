"""The heartbeat reports the terminal's software: the installed version (dpkg), the version the
repository offers (apt), and how the last unattended upgrade ended (its log); the fleet page shows
versions, pending and failed updates."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from sync_agent.agent import Agent
from sync_agent.config import load_config
from sync_agent.updates import installed_version, last_update, newer
from tests.server.citysrv_helpers import run_server, staff_session
from tests.support.tools import require_tool
from tests.sync_agent.sa_fixtures import TERMINAL

# What unattended-upgrades 2.9 (Debian 12) writes: a run that installed, then one that failed
INSTALLED_RUN = """\
2026-12-04 03:07:11,402 INFO Starting unattended upgrades script
2026-12-04 03:07:11,403 INFO Allowed origins are: origin=appeal-terminal,label=appeal-terminal
2026-12-04 03:07:11,403 INFO Initial blacklist:
2026-12-04 03:07:15,118 INFO Packages that will be upgraded: appeal-terminal
2026-12-04 03:07:15,119 INFO Writing dpkg log to /var/log/unattended-upgrades/unattended-upgrades-dpkg.log
2026-12-04 03:07:41,520 INFO All upgrades installed
"""
FAILED_RUN = """\
2026-12-05 03:05:02,010 INFO Starting unattended upgrades script
2026-12-05 03:05:02,011 INFO Allowed origins are: origin=appeal-terminal,label=appeal-terminal
2026-12-05 03:05:06,300 INFO Packages that will be upgraded: appeal-terminal
2026-12-05 03:05:06,301 INFO Writing dpkg log to /var/log/unattended-upgrades/unattended-upgrades-dpkg.log
2026-12-05 03:05:20,777 ERROR Installing the upgrades failed!
2026-12-05 03:05:20,778 ERROR error message: installArchives() failed
2026-12-05 03:05:20,779 ERROR dpkg returned an error! See /var/log/unattended-upgrades/unattended-upgrades-dpkg.log for details
"""
NOTHING_RUN = """\
2026-12-06 03:01:00,000 INFO Starting unattended upgrades script
2026-12-06 03:01:00,001 INFO Allowed origins are: origin=appeal-terminal,label=appeal-terminal
2026-12-06 03:01:03,500 INFO No packages found that can be upgraded unattended and no pending auto-removals
"""


def _utc(local: str) -> str:
    return datetime.strptime(local, "%Y-%m-%d %H:%M:%S").astimezone().astimezone(UTC).isoformat()


def test_the_last_run_of_the_log_decides(tmp_path: Path) -> None:
    log = tmp_path / "unattended-upgrades.log"
    log.write_text(INSTALLED_RUN)
    assert last_update(log) == {"result": "installed", "at": _utc("2026-12-04 03:07:41"), "detail": "",
                                "packages": ["appeal-terminal"]}
    log.write_text(INSTALLED_RUN + FAILED_RUN)
    failed = last_update(log)
    assert (failed["result"], failed["detail"], failed["at"]) == (
        "failed", "Installing the upgrades failed!", _utc("2026-12-05 03:05:20"))
    log.write_text(INSTALLED_RUN + FAILED_RUN + NOTHING_RUN)  # the failure is behind: the last run found nothing
    assert last_update(log)["result"] == "nothing"
    assert last_update(tmp_path / "missing.log")["result"] == "unknown"


def test_versions_compare_in_dpkg_order() -> None:
    require_tool("dpkg", "dpkg")
    assert newer("0.10.0-1", "0.9.0-1") and not newer("0.9.0-1", "0.10.0-1")  # not string order
    assert newer("0.1.0-2", "0.1.0-1") and not newer("0.1.0-1", "0.1.0-1") and not newer("", "0.1.0-1")


def test_installed_version_of_a_real_package() -> None:
    require_tool("dpkg-query", "dpkg")
    status = subprocess.run(["dpkg", "-s", "dpkg"], capture_output=True, text=True, check=True).stdout
    expected = next(line.split(":", 1)[1].strip() for line in status.splitlines() if line.startswith("Version:"))
    assert installed_version("dpkg") == expected
    assert installed_version("appeal-no-such-package") == ""


def test_fleet_page_shows_versions_pending_and_failed_updates(tmp_path: Path) -> None:
    require_tool("dpkg-query", "dpkg")
    log = tmp_path / "unattended-upgrades.log"
    log.write_text(INSTALLED_RUN + FAILED_RUN)
    (tmp_path / "drop").mkdir()
    with run_server(tmp_path) as srv:
        (tmp_path / "token").write_text(srv.token(f"{TERMINAL:03d}") + "\n")
        env = {"SYNC_AGENT_STORE_DIR": str(tmp_path / "store"), "SYNC_AGENT_TERMINAL_CODE": str(TERMINAL),
               "SYNC_AGENT_DROP_DIR": str(tmp_path / "drop"), "SYNC_AGENT_DROP_MARKER": "",
               "SYNC_AGENT_SERVER_URL": srv.url, "SYNC_AGENT_SERVER_TOKEN_FILE": str(tmp_path / "token"),
               "SYNC_AGENT_UPDATES_PACKAGE": "dpkg", "SYNC_AGENT_UPDATES_LOG": str(log)}
        agent = Agent.from_config(load_config(str(tmp_path / "none.toml"), env=env), session=requests.Session())
        try:
            assert agent.server.heartbeat() is not None
        finally:
            agent.store.close()
        # a second terminal whose repository offers a newer version it has not installed yet
        other = requests.post(srv.url + "/api/terminal/v1/heartbeat", timeout=20,
                              headers={"Authorization": f"Bearer {srv.token('018')}"},
                              json={"sent_at": datetime.now(UTC).isoformat(), "app_version": "0.1.0",
                                    "package": {"name": "appeal-terminal", "installed": "0.1.0-1",
                                                "candidate": "0.2.0-1", "pending": True,
                                                "last_update": {"result": "nothing", "at": None}}})
        assert other.status_code == 200, other.text
        page = staff_session(srv, "technician").get(srv.url + "/fleet/", timeout=20).text
    dpkg_version = installed_version("dpkg")
    row17 = page.split(f'id="terminal-{TERMINAL:03d}"')[1].split("</tr>")[0]
    assert f"dpkg {dpkg_version}" in row17
    kyiv = datetime.fromisoformat(_utc("2026-12-05 03:05:20")).astimezone(ZoneInfo("Europe/Kyiv"))  # the server's zone
    assert f"Оновлення не вдалося {kyiv:%Y-%m-%d %H:%M}: Installing the upgrades failed!" in row17
    row18 = page.split('id="terminal-018"')[1].split("</tr>")[0]
    assert "appeal-terminal 0.1.0-1" in row18 and "очікує оновлення: 0.2.0-1" in row18
    assert "Оновлення не вдалося" not in row18
    pending = page.split('id="updates-pending"')[1].split("</p>")[0]
    failed = page.split('id="updates-failed"')[1].split("</p>")[0]
    assert ">018<" in pending and f">{TERMINAL:03d}<" not in pending
    assert f">{TERMINAL:03d}<" in failed and ">018<" not in failed
    versions = page.split('class="versions"')[1].split("</table>")[0]
    assert f"<td>{dpkg_version}</td><td>1</td>" in versions and "<td>0.1.0-1</td><td>1</td>" in versions
