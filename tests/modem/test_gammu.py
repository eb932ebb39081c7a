"""Off-the-shelf modem software against the simulator: gammu (Debian package ``gammu``) talks to
the pty as it would to a USB modem. Needs gammu (tests.support.tools.require_tool)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hardware_sim.modem import ModemSim
from tests.modem.texts import UA_200
from tests.support.tools import require_tool


@pytest.fixture
def gammu(sim: ModemSim, tmp_path: Path) -> tuple[ModemSim, Path]:
    require_tool("gammu", "gammu")
    rc = tmp_path / "gammurc"
    rc.write_text(f"[gammu]\ndevice = {sim.workdir / 'modem.tty'}\nconnection = at115200\n", encoding="utf-8")
    return sim, rc


def run(rc: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([require_tool("gammu", "gammu"), "-c", str(rc), *args], capture_output=True, text=True, timeout=60)


def test_gammu_identifies_the_modem_reads_the_network_and_sends_a_long_ukrainian_sms(
        gammu: tuple[ModemSim, Path]) -> None:
    # gammu paces itself (~0.4 s a command), so one test does all three
    sim, rc = gammu
    out = run(rc, "identify")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "hardware-sim" in out.stdout and "356938035643809" in out.stdout and "255990000000001" in out.stdout
    net = run(rc, "networkinfo")
    assert net.returncode == 0 and "home network" in net.stdout and "255 99" in net.stdout
    out = run(rc, "sendsms", "TEXT", "+380671234567", "-unicode", "-autolen", "300", "-text", UA_200)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Sending SMS 3/3" in out.stderr + out.stdout
    [msg] = sim.sms_log()
    assert (msg["to"], msg["text"], msg["parts"], msg["encoding"]) == ("+380671234567", UA_200, 3, "ucs2")
