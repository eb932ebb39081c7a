from __future__ import annotations

import re
from pathlib import Path

import pytest

from hardware_sim.escpos_printer import EscposPrinterSim
from hardware_sim.ipp_printer import IppPrinterSim
from tests.support.sims import sim_fixture

FIXTURES = Path(__file__).parent / "fixtures"


def load_hex(name: str) -> bytes:
    """An annotated hex transcript: hex pairs, '#' starts a comment."""
    out = bytearray()
    for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
        code = line.split("#", 1)[0]
        out += bytes.fromhex(re.sub(r"\s+", "", code))
    return bytes(out)


@pytest.fixture
def transcript() -> object:
    return load_hex


escpos_sim = sim_fixture(EscposPrinterSim, port=0)
ipp_sim = sim_fixture(IppPrinterSim, port=0)


@pytest.fixture
def sample_pdf(tmp_path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("dv", "", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    for page in (1, 2):
        pdf.add_page()
        pdf.set_font("dv", size=28)
        pdf.cell(text=f"Звернення, аркуш {page}")
    path = tmp_path / "form.pdf"
    pdf.output(str(path))
    return path
