"""The Debian packages, built by ``bash packaging/build.sh`` (debhelper, dh-virtualenv) from a clean
export, installed into a throwaway root with ``dpkg --root DIR --force-script-chrootless`` (the
maintainer scripts that debhelper generated run for real: systemd-sysusers and systemd-tmpfiles
with --root create the service users and folders in that root), then:

- the installed commands run from the installed tree (its virtualenv, its code);
- lintian reports no error on any package;
- ``systemd-analyze verify --root DIR`` passes on each unit, with the units' ExecStart programs
  present in the root (the host's systemd units are copied in beside them);
- the terminal package holds no test or demo module, no Qt library the kiosk does not load, and
  the server's psycopg uses Debian's libpq.

Slow (the build alone is about a minute on a quiet 2-core machine, lintian of the terminal package
two to three more): marked ``packaging``. The wheels of the pinned dependencies are cached in
dist/.cache (the first run on a new machine downloads them).
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.packaging.pkgbuild import PACKAGES, ROOT, Build, Installed

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]

def _run(inst: Installed, venv: str, command: str, *args: str, env: dict[str, str] | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run an installed command: /usr/bin/<command> of the root, by the root's virtualenv python
    (its shebang names /usr/lib/<venv>/venv/bin/python, which is that file outside the root)."""
    script = inst.root / "usr" / "bin" / command
    python = inst.root / "usr" / "lib" / venv / "venv" / "bin" / "python"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "KIOSK_", "SYNC_AGENT_"))}
    return subprocess.run([str(python), str(script), *args], cwd=inst.build.tmp, text=True, capture_output=True,
                          env={**clean, "QT_QPA_PLATFORM": "offscreen", **(env or {})}, timeout=timeout)


def _field(build: Build, pkg: str, name: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(build.debs[pkg]), name], text=True, capture_output=True,
                          check=True).stdout.strip()


def test_package_metadata(build: Build) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    for pkg in PACKAGES:
        assert _field(build, pkg, "Version") == f"{version}-1"
    terminal = {d.strip().split()[0] for d in _field(build, "appeal-terminal", "Depends").split(",")}
    # from debian/control, and from dh_shlibdeps (the Debian libraries the wheels' objects load)
    assert {"python3.11", "cage", "libsane1", "libusb-1.0-0", "fonts-dejavu-core", "tesseract-ocr-ukr"} <= terminal
    assert {"libc6", "libgl1", "libxkbcommon0", "libwayland-client0", "libspeechd2"} <= terminal
    assert "systemd | systemd-standalone-sysusers | systemd-sysusers" in _field(build, "appeal-terminal", "Depends")
    assert _field(build, "appeal-terminal", "Conflicts") == "modemmanager"
    assert _field(build, "appeal-terminal-sim", "Depends") == \
        f"appeal-terminal (>= {version}-1), appeal-terminal (<< {version}-1.1~)"
    server = {d.strip().split()[0] for d in _field(build, "appeal-city-server", "Depends").split(",")}
    assert {"fonts-dejavu-core", "libpq5", "python3.11"} <= server
    conffiles = subprocess.run(["dpkg-deb", "-I", str(build.debs["appeal-terminal"]), "conffiles"], text=True,
                               capture_output=True, check=True).stdout.split()
    assert sorted(conffiles) == ["/etc/appeal-terminal/kiosk.toml", "/etc/appeal-terminal/sync-agent.toml",
                                 "/etc/apt/apt.conf.d/52appeal-terminal",
                                 "/etc/apt/sources.list.d/appeal-terminal.sources", "/etc/pam.d/appeal-kiosk"]
    listing = subprocess.run(["dpkg-deb", "-c", str(build.debs["appeal-terminal"])], text=True, capture_output=True,
                             check=True).stdout
    assert "/server_stub/" not in listing and "/hardware_sim/" not in listing      # each in its own package
    for path in ("./lib/udev/rules.d/60-appeal-terminal.rules", "./usr/lib/sysusers.d/appeal-terminal.conf",
                 "./usr/lib/tmpfiles.d/appeal-terminal.conf", "./lib/systemd/system/appeal-kiosk.service"):
        assert path in listing, path
    # the maintainer scripts are debhelper's: units, users and folders come from its snippets
    postinst = subprocess.run(["dpkg-deb", "-I", str(build.debs["appeal-terminal"]), "postinst"], text=True,
                              capture_output=True, check=True).stdout
    for snippet in ("dh_installsysusers", "dh_installtmpfiles", "dh_installsystemd", "dh-virtualenv"):
        assert f"Automatically added by {snippet}" in postinst or f"# {snippet} postinst autoscript" in postinst, snippet
    assert "deb-systemd-invoke try-restart 'appeal-sync-agent.service'" in postinst   # restarted on upgrade
    # the kiosk restarts itself on its welcome screen: an upgrade neither stops nor restarts it
    # (prerm stops it on removal only)
    for script in ("preinst", "postinst"):
        text = subprocess.run(["dpkg-deb", "-I", str(build.debs["appeal-terminal"]), script], text=True,
                              capture_output=True).stdout
        assert not [line for line in text.splitlines() if "deb-systemd-invoke" in line and "appeal-kiosk" in line]


def test_the_terminal_package_holds_no_test_or_demo_module_and_no_unused_qt(build: Build) -> None:
    def files(pkg: str) -> list[str]:
        out = subprocess.run(["dpkg-deb", "-c", str(build.debs[pkg])], text=True, capture_output=True, check=True).stdout
        return [line.split()[5].removeprefix("./") for line in out.splitlines()]

    terminal = files("appeal-terminal")
    site = "usr/lib/appeal-terminal/venv/lib/python3.11/site-packages/"
    ours = [f.removeprefix(site) for f in terminal if f.startswith(tuple(site + d for d in ("kiosk_app/", "devices/", "sync_agent/")))]
    assert "kiosk_app/ui/main.py" in ours and "kiosk_app/ui/watchdog.py" in ours
    offending = [f for f in ours if re.search(r"(^|/)(tests?|testing|testbench|scripted|demo)(/|\.py$|_)", f)]
    assert offending == [], offending
    assert not [f for f in terminal if re.search(r"/(tests|testing)/", f)]
    # the scripted resident (the demo's) is in the
    # simulator's package
    sim = files("appeal-terminal-sim")
    assert f"{site}kiosk_app/ui/scripted.py" in sim
    # Qt: what the kiosk loads stays, the rest is gone
    qt = [f.removeprefix(site + "PySide6/") for f in terminal if f.startswith(site + "PySide6/")]
    for kept in ("QtCore.abi3.so", "QtWidgets.abi3.so", "QtTextToSpeech.abi3.so", "Qt/lib/libQt6TextToSpeech.so.6",
                 "Qt/plugins/platforms/libqwayland.so", "Qt/plugins/platforms/libqoffscreen.so",
                 "Qt/plugins/texttospeech/libqtexttospeech_speechd.so"):
        assert kept in qt, kept
    gone = [f for f in qt if re.search(r"3D|Charts|Graphs|DataVisualization|VirtualKeyboard|WebEngine|Designer|"
                                       r"Quick|Qml|^Qt/qml/", f)]
    assert gone == [], gone[:20]
    print(f"\nappeal-terminal Installed-Size: {_field(build, 'appeal-terminal', 'Installed-Size')} KiB")


def test_maintainer_scripts_made_users_folders_and_modes(installed: Installed) -> None:
    root = installed.root
    status = subprocess.run(["dpkg", f"--root={root}", "-s", *PACKAGES], text=True, capture_output=True, check=True).stdout
    assert status.count("Status: install ok installed") == 3
    passwd = {line.split(":")[0]: line.split(":") for line in (root / "etc/passwd").read_text().splitlines()}
    assert passwd["appeal"][5:] == ["/var/lib/appeal-terminal", "/usr/sbin/nologin"]
    assert passwd["appeal-server"][5:] == ["/var/lib/appeal-city-server", "/usr/sbin/nologin"]
    assert int(passwd["appeal"][2]) < 1000 and int(passwd["appeal-server"][2]) < 1000        # system users
    members = {line.split(":")[0]: line.split(":")[3].split(",") for line in (root / "etc/group").read_text().splitlines()}
    for group in ("dialout", "lp", "scanner"):
        assert "appeal" in members[group]
    uid, gid = int(passwd["appeal"][2]), int(passwd["appeal"][3])
    store = (root / "var/lib/appeal-terminal").stat()
    assert (store.st_uid, store.st_gid, oct(store.st_mode & 0o777)) == (uid, gid, "0o750")
    for name in ("kiosk.toml", "sync-agent.toml"):
        st = (root / "etc/appeal-terminal" / name).stat()
        assert (st.st_uid, st.st_gid, oct(st.st_mode & 0o777)) == (0, gid, "0o640")
    srv = (root / "var/lib/appeal-city-server").stat()
    assert (srv.st_uid, oct(srv.st_mode & 0o777)) == (int(passwd["appeal-server"][2]), "0o750")
    assert list((root / "usr/lib/appeal-terminal/venv/lib/python3.11/site-packages/kiosk_app").glob("__pycache__/*.pyc"))


def test_installed_commands_run_from_the_installed_tree(installed: Installed) -> None:
    root = installed.root
    for command, venv in (("kiosk", "appeal-terminal"), ("kioskctl", "appeal-terminal"),
                          ("sync-agent", "appeal-terminal"), ("hardware-sim", "appeal-terminal"),
                          ("city-server", "appeal-city-server")):
        target = (root / "usr/bin" / command).resolve()
        assert target == root / "usr/lib" / venv / "venv/bin" / command
        assert target.read_text().splitlines()[0] == f"#!/usr/lib/{venv}/venv/bin/python"
    helps = {c: _run(installed, v, c, "--help") for c, v in (("kioskctl", "appeal-terminal"),
                                                              ("sync-agent", "appeal-terminal"),
                                                              ("hardware-sim", "appeal-terminal"),
                                                              ("kiosk", "appeal-terminal"),
                                                              ("city-server", "appeal-city-server"))}
    for command, out in helps.items():
        assert out.returncode == 0, f"{command}: {out.stderr[-2000:]}"
        assert out.stdout.startswith(f"usage: {command}")
    assert "provision" in helps["kioskctl"].stdout and "run" in helps["sync-agent"].stdout

    # the code that ran is the installed one, and the installed example configuration validates
    where = subprocess.run([str(root / "usr/lib/appeal-terminal/venv/bin/python"), "-c",
                            "import kiosk_app, sync_agent, devices, PySide6.QtWidgets, cv2, sane, zxingcpp; "
                            "from PySide6.QtTextToSpeech import QTextToSpeech; "
                            "print(kiosk_app.__file__, sync_agent.__file__); "
                            "print('ENGINES', *QTextToSpeech.availableEngines())"],
                           cwd=installed.build.tmp, text=True, capture_output=True, env={"PATH": "/usr/bin:/bin"})
    assert where.returncode == 0, where.stderr[-2000:]
    assert all(p.startswith(str(root / "usr/lib/appeal-terminal/venv/lib/python3.11/site-packages/"))
               for p in where.stdout.splitlines()[0].split())
    assert "speechd" in where.stdout.splitlines()[1].split()       # the pruned Qt still speaks
    check = _run(installed, "appeal-terminal", "kioskctl", "settings", "--check", str(root / "etc/appeal-terminal/kiosk.toml"))
    assert check.returncode == 0, check.stderr
    assert '"devices.intake.port": "/dev/appeal/intake"' in check.stdout
    sync = _run(installed, "appeal-terminal", "sync-agent", "--config", str(root / "etc/appeal-terminal/sync-agent.toml"),
                "settings", "--check", str(root / "etc/appeal-terminal/sync-agent.toml"))
    assert sync.returncode == 0, sync.stderr

    # the touchscreen app starts from the installed tree (offscreen): Qt, the terminal, the config
    store = installed.build.tmp / "store"
    probe = _run(installed, "appeal-terminal", "kiosk", "--ready-probe", "--config",
                 str(root / "etc/appeal-terminal/kiosk.toml"), "--store", str(store),
                 env={"KIOSK_UI_SPEECH": "false", "HOME": str(installed.build.tmp)})
    assert probe.returncode == 0, probe.stderr[-3000:]
    assert [line.split()[0] for line in probe.stdout.splitlines()] == ["READY", "TERMINAL"]
    assert (store / "terminal.db").exists()

    # the server's virtualenv has everything Django needs: migrations run, a credential is issued
    data = installed.build.tmp / "server-data"
    issued = _run(installed, "appeal-city-server", "city-server", "issue-terminal-credential", "017",
                  "--data-dir", str(data), env={"CITY_SERVER_EDMS_SCHEMA": str(
                      root / "usr/share/appeal-city-server/schemas/appeal-metadata.schema.json")}, timeout=300)
    assert issued.returncode == 0, issued.stderr[-3000:]
    assert re.fullmatch(r"tc_017_\S{20,}", issued.stdout.strip().splitlines()[-1])
    assert (data / "city.sqlite3").stat().st_size > 0

    # psycopg without a bundled libpq: the pure-Python implementation on Debian's libpq5
    pq = subprocess.run([str(root / "usr/lib/appeal-city-server/venv/bin/python"), "-c",
                         "import psycopg; print(psycopg.pq.__impl__, psycopg.pq.__build_version__, psycopg.pq.version())"],
                        cwd=installed.build.tmp, text=True, capture_output=True, env={"PATH": "/usr/bin:/bin"})
    assert pq.returncode == 0, pq.stderr[-2000:]
    impl, _build, version = pq.stdout.split()
    assert impl == "python" and int(version) >= 150000                  # Debian 12's libpq 15
    assert not list((root / "usr/lib/appeal-city-server/venv/lib/python3.11/site-packages").glob("psycopg_binary*"))


def _verify(root: Path, unit: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["systemd-analyze", "verify", "--man=no", f"--root={root}", str(unit)], text=True,
                          capture_output=True, timeout=120)


def test_systemd_analyze_verify_passes_on_each_unit(installed: Installed) -> None:
    root = installed.root
    units = root / "lib/systemd/system"
    # the system's own units (targets, sockets the ours order against), as on a real system
    subprocess.run(["cp", "-an", "/lib/systemd/system/.", str(units)], check=True)
    for name in ("appeal-kiosk.service", "appeal-sync-agent.service", "appeal-city-server.service"):
        out = _verify(root, units / name)
        assert out.returncode == 0 and out.stderr.strip() == "", f"{name}: {out.stderr}"
    # and the check can fail: the same unit whose program is missing
    broken = units / "appeal-broken.service"
    broken.write_text((units / "appeal-sync-agent.service").read_text().replace("/usr/bin/sync-agent", "/usr/bin/no-such-agent"))
    out = _verify(root, broken)
    assert out.returncode != 0 and "no-such-agent" in out.stderr


def test_lintian_reports_no_error(build: Build) -> None:
    out = "".join(proc.communicate(timeout=840)[0] for proc in build.lintian)
    tags = [line for line in out.splitlines() if re.match(r"^[EWIPNXO]: ", line)]
    errors = [line for line in tags if line.startswith("E: ")]
    if errors:
        pytest.fail(f"lintian: {len(errors)} errors\n" + "\n".join(errors[:80]), pytrace=False)
    # lintian did look at each package (each gets at least its no-manual-page warning or similar)
    for pkg in PACKAGES:
        assert any(line.startswith(f"W: {pkg}: ") for line in tags), out[-2000:]


def test_requirement_lists_cover_pyproject() -> None:
    def name(req: str) -> str:
        return re.split(r"[\[=<>~; ]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")

    declared = {name(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    listed: set[str] = set()
    for f in ("requirements-terminal.txt", "requirements-server.txt"):
        for line in (ROOT / "packaging/debian" / f).read_text().splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                listed.add(name(line))
    # pyside6 (a meta-distribution that adds Qt WebEngine and Qt Pdf) is taken as its two parts
    assert declared - {"pyside6"} <= listed
    assert {"pyside6-essentials", "pyside6-addons"} <= listed


def test_the_terminal_packages_ship_no_test_or_demo_module(build: Build) -> None:
    """The same rule as the wheel's (tests/packaging/test_wheel.py), on the project's own modules in
    each .deb (third-party libraries in the virtualenvs keep their own files)."""
    from tests.packaging.test_wheel import modules_of_tests_or_demos

    ours = re.compile(r"site-packages/((?:kiosk_app|devices|sync_agent|hardware_sim|server_stub)/.*)$")
    for pkg, deb in build.debs.items():
        listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
        names = [m.group(1) for line in listing.splitlines() if (m := ours.search(line))]
        assert names, f"{pkg}: none of the project's modules found"
        assert modules_of_tests_or_demos(names) == [], pkg
