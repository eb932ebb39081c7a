"""The server's Ukrainian catalogue: filled from uk_strings.toml by fill_po (polib), compiled into
django.mo, and read back through gettext the way Django reads it."""

from __future__ import annotations

import gettext
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
FILL_PO = ROOT / "packaging" / "dev" / "fill_po.py"
_spec = importlib.util.spec_from_file_location("fill_po", FILL_PO)
assert _spec and _spec.loader
fill_po = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fill_po)
PO = fill_po.PO
MO = PO.with_suffix(".mo")


def entry_facts(po: polib._BaseFile) -> set[tuple[str, str, tuple[tuple[int, str], ...]]]:
    return {(e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in po if not e.obsolete}


def test_the_shipped_catalogue_is_complete_and_filling_it_again_changes_nothing(tmp_path: Path) -> None:
    copy = tmp_path / "django.po"
    shutil.copy(PO, copy)
    out = subprocess.run([sys.executable, str(FILL_PO), str(copy)], capture_output=True,
                         text=True, cwd=ROOT, check=False)
    assert (out.returncode, out.stdout) == (0, ""), out.stdout + out.stderr
    assert copy.read_bytes() == PO.read_bytes()
    assert [e.msgid for e in polib.pofile(str(PO)).untranslated_entries()] == []


def test_the_compiled_catalogue_carries_every_translation_of_the_po() -> None:
    assert entry_facts(polib.mofile(str(MO))) == {f for f in entry_facts(polib.pofile(str(PO))) if f[0]}


def test_fill_writes_singular_and_plural_forms_and_reports_what_has_no_ukrainian(tmp_path: Path) -> None:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8",
                   "Plural-Forms": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
                                   "(n%100<10 || n%100>=20) ? 1 : 2);"}
    po.metadata_is_fuzzy = True
    po.append(polib.POEntry(msgid='Say "hello"\\now', flags=["fuzzy"], previous_msgid="Say hello"))
    po.append(polib.POEntry(msgid="%(n)s appeal", msgid_plural="%(n)s appeals", msgstr_plural={0: "", 1: "", 2: ""}))
    po.append(polib.POEntry(msgid="Not translated yet"))
    missing = fill_po.fill(po, {'Say "hello"\\now': 'Скажіть «привіт»\\тепер'},
                           {"%(n)s appeal": ["%(n)s звернення", "%(n)s звернення", "%(n)s звернень"]})
    assert missing == ["Not translated yet"]
    path = tmp_path / "uk" / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    po.save(str(path))
    po.save_as_mofile(str(path.with_suffix(".mo")))

    reread = polib.pofile(str(path))
    assert not reread.metadata_is_fuzzy and all("fuzzy" not in e.flags for e in reread)
    tr = gettext.translation("django", localedir=tmp_path, languages=["uk"])
    assert tr.gettext('Say "hello"\\now') == 'Скажіть «привіт»\\тепер'
    assert [tr.ngettext("%(n)s appeal", "%(n)s appeals", n) for n in (1, 3, 5)] == [
        "%(n)s звернення", "%(n)s звернення", "%(n)s звернень"]
    assert tr.gettext("Not translated yet") == "Not translated yet"
