"""Feeding the same file again gives a sheet of its own: the paper path keeps a file's decoded page
(by the file's content), so a label printed on one sheet is never on the next, and a file rewritten
in place is fed as it now is."""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image

from hardware_sim.paper import PaperPath, _to_page

PAGE = Path(__file__).resolve().parents[2] / "examples" / "sheets" / "appeal-page1.png"


def test_each_feed_of_a_file_is_a_fresh_sheet(tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.png"
    shutil.copyfile(PAGE, sheet)
    paper = PaperPath()
    paper.feed(sheet)
    paper.take_from_tray()
    labelled = paper.print_label("017-000001-2", "0170000012", 150, 10)
    paper.feed(sheet)
    again = paper.tray[0]
    assert again.image is not labelled.image and again.labels == []
    assert again.image.tobytes() != labelled.image.tobytes()        # the label is on the first sheet only
    assert again.image.tobytes() == _to_page(Image.open(sheet)).tobytes()  # the page as the file has it

    Image.new("L", (400, 566), 0).save(sheet)                           # the file rewritten: all black
    paper.feed(sheet)
    assert paper.tray[-1].image.getextrema() == (0, 0)
