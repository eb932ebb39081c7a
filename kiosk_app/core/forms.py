"""The pre-filled A4 appeal form: the applicant's particulars already typed, room for the text,
the date and the signature, and a clear area top right where the terminal puts its label.

fpdf2 with DejaVu Sans (full Cyrillic: і ї є ґ ʼ); the page is built in millimetres.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fpdf import FPDF

from .applicant import Applicant

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
TITLES = {"application": "ЗАЯВА", "proposal": "ПРОПОЗИЦІЯ", "complaint": "СКАРГА"}
SUBTITLES = {
    "application": "(заява, клопотання)",
    "proposal": "(пропозиція, зауваження)",
    "complaint": "(скарга)",
}
LABEL_AREA_MM = (145.0, 5.0, 62.0, 24.0)   # x, y, w, h kept empty for the sheet label


def render_form(applicant: Applicant, *, addressee: str, terminal_name: str, today: dt.date | None = None,
                text_lines: int = 22) -> bytes:
    """The form as PDF bytes."""
    today = today or dt.date.today()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_title(f"{TITLES[applicant.kind].capitalize()} — {applicant.surname}")
    pdf.set_author(terminal_name)
    pdf.set_lang("uk")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.add_page()

    x, y, w, h = LABEL_AREA_MM
    pdf.set_draw_color(190, 190, 190)
    pdf.set_dash_pattern(dash=1, gap=1)
    pdf.rect(x, y, w, h)
    pdf.set_dash_pattern()
    pdf.set_font("DejaVu", "", 7)
    pdf.set_text_color(150, 150, 150)
    pdf.set_xy(x, y + h - 4)
    pdf.cell(w, 3, "місце для мітки термінала / label area", align="C")
    pdf.set_text_color(0, 0, 0)

    # Addressee and applicant, right column, as Ukrainian appeals are laid out.
    pdf.set_font("DejaVu", "", 11)
    col_x = 105.0
    pdf.set_xy(col_x, 34)
    pdf.multi_cell(95, 5.5, addressee, align="L")
    rows = [
        ("від", applicant.full_name),
        ("місце проживання", applicant.address),
    ]
    if applicant.phone:
        rows.append(("телефон", applicant.phone))
    if applicant.email:
        rows.append(("е-пошта", applicant.email))
    pdf.set_y(pdf.get_y() + 3)
    for caption, value in rows:
        pdf.set_x(col_x)
        pdf.set_font("DejaVu", "", 8)
        pdf.cell(95, 4, caption, new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(col_x)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(95, 5.5, value, align="L")
        pdf.set_y(pdf.get_y() + 1)

    pdf.set_y(max(pdf.get_y() + 8, 95))
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 8, TITLES[applicant.kind], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(0, 5, SUBTITLES[applicant.kind] + (" — колективне звернення" if applicant.collective else ""),
             align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 4.5, "Викладіть суть питання, зауваження, пропозиції, заяви чи скарги, прохання чи вимоги. "
                           "Якщо місця не вистачить, додайте аркуші: термінал прийме всі разом.", align="L")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    top = pdf.get_y() + 6
    pdf.set_draw_color(120, 120, 120)
    step = 7.5
    bottom_limit = 250.0
    n = 0
    while n < text_lines and top + n * step < bottom_limit:
        pdf.line(20, top + n * step, 190, top + n * step)
        n += 1

    pdf.set_font("DejaVu", "", 11)
    pdf.set_xy(20, 258)
    pdf.cell(80, 6, f"Дата: «____» ____________ {today.year} р.")
    pdf.set_xy(120, 258)
    pdf.cell(70, 6, "Підпис: ____________________")
    pdf.set_font("DejaVu", "", 7)
    pdf.set_text_color(90, 90, 90)
    pdf.set_xy(20, 270)
    pdf.multi_cell(170, 3.5,
                   "Звернення розглядається у строк не більше одного місяця, а те, що не потребує додаткового вивчення, — "
                   "невідкладно, але не пізніше 15 днів (ст. 20 Закону України «Про звернення громадян»). "
                   f"Форму надруковано терміналом «{terminal_name}» {today:%d.%m.%Y}. Підпишіть і датуйте звернення перед поданням.")
    out = pdf.output()
    return bytes(out)
