"""The legibility corpus: scanned pages of every kind residents bring, each with its true text.

A seed gives the same pages (``corpus(n_per_kind, seed)``). A page is made the way the terminal
sees it: the resident's sheet (paper colour, print, handwriting, forms and bills with stamps and
their own barcodes, photocopier darkness, toner specks, show-through from the back, folds) in colour, as an A4 page at 300 dpi; the
labeller's white label printed onto it by the simulated paper path (``PaperPath.print_label``,
at the place and in the form the intake uses, 140 mm from the left and 8 mm from the top); then
scanned to 8-bit greyscale (luma, as a greyscale scanner does) with skew up to 5°, uneven
lighting, a little blur and noise. Each page records its true text (the words Tesseract should
read: printed and handwritten text in reading order, without words the label covers; the label
itself is the intake's, read back by zxing, and left out of the OCR comparison; on a photograph
or a drawing the text is its caption, and ``meta["text_box"]`` says where it is; ``meta["line_boxes"]``
holds, for each line of the true text, the boxes where its words were set, in page coordinates
before the scan's skew) and its
expected class: ``bitonal`` for writing (print, forms, handwriting), ``grey`` for photographs
and shaded drawings.

Fonts are real fonts from Debian packages: DejaVu (fonts-dejavu-core), Liberation
(fonts-liberation2) and DkgHandwriting (fonts-dkg-handwriting, Latin only; Ukrainian
handwriting is imitated with an italic set word by word with a wobble).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _sheetgen as sg
import cv2
import numpy as np
import qrcode
from PIL import Image, ImageDraw, ImageFont

from hardware_sim.paper import PaperPath, ScanNoise, mm_to_px

W, H = mm_to_px(210), mm_to_px(297)
Box = tuple[int, int, int, int]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
LIBERATION = Path("/usr/share/fonts/truetype/liberation2")
DKG = Path("/usr/share/fonts/truetype/fifthhorseman/dkg.ttf")
PRINT_FONTS = [DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSerif.ttf", DEJAVU / "DejaVuSansCondensed.ttf",
               LIBERATION / "LiberationSans-Regular.ttf", LIBERATION / "LiberationSerif-Regular.ttf",
               LIBERATION / "LiberationSans-Bold.ttf"]
HAND_UK_FONTS = [DEJAVU / "DejaVuSans-Oblique.ttf", LIBERATION / "LiberationSerif-Italic.ttf"]
KINDS = ["white", "dense", "grey", "coloured", "photocopy", "show-through", "form", "handwriting",
         "photo", "drawing"]
TEXT_KINDS = KINDS[:8]
# pages only a duplex scan keeps (the other side tells their lighter writing from show-through):
# in the table with ``--duplex``
DUPLEX_KINDS = ["pencil"]

UK = ["прошу", "розглянути", "звернення", "щодо", "ремонту", "дороги", "на", "вулиці", "Шевченка", "будинок", "мешканці", "нашого", "району", "просять", "встановити", "освітлення", "біля", "школи", "дитячий", "майданчик", "потребує", "огорожі", "зупинка", "громадського", "транспорту", "відсутня", "лавка", "та", "навіс", "з", "повагою", "депутату", "міської", "ради", "копію", "відповіді", "надіслати", "поштою", "квітня", "травня", "року", "Дніпро", "вода", "тепло", "ліфт", "під'їзд", "ґанок", "їжак", "єдність", "її", "їхній", "йому", "їде", "її", "ґудзик", "Київ", "Житомир", "Запоріжжя", "інформація", "питання", "відповідь", "заява", "скарга", "пропозиція", "дозвіл", "якнайшвидше", "сміття", "двір", "подвір'я", "тротуар", "каналізація", "опалення", "гаряча", "холодна", "квартира", "кімната", "сусіди", "шум", "прибирання", "дерева", "висадити", "клумба", "пішохідний", "перехід", "світлофор"]
EN = ["please", "repair", "the", "road", "near", "our", "house", "residents", "ask", "the", "city", "council", "to", "install", "street", "lights", "next", "to", "the", "school", "playground", "needs", "a", "fence", "bus", "stop", "has", "no", "shelter", "reply", "by", "post", "heating", "water", "lift", "entrance", "yard", "pavement", "crossing", "traffic", "lights", "trees", "noise", "neighbours", "rubbish", "collection", "request", "complaint", "proposal", "permission", "information", "question", "answer"]
PUNCT = [".", ",", ",", ":", ";", "!", "?"]
BLUE_INKS = [(25, 45, 150), (35, 60, 170), (20, 30, 110)]
BLACK_INKS = [(20, 20, 25), (45, 45, 50)]
PALE_INKS = [(125, 125, 130), (150, 150, 155), (170, 170, 172), (110, 130, 200), (130, 150, 215)]  # pencil, pale pens
STAMP_INKS = [(90, 40, 150), (40, 70, 170)]
PAPERS = {"white": [(250, 250, 248), (244, 244, 240)], "grey": [(205, 203, 198), (192, 190, 186), (214, 212, 205)],
          "coloured": [(250, 240, 160), (250, 205, 215), (195, 220, 245), (200, 235, 200), (245, 215, 170)]}


@dataclass
class Page:
    kind: str
    expected: str                 # "bitonal" or "grey"
    text: str                     # the true text, lines in reading order
    image: np.ndarray             # the scan: uint8 greyscale, 300 dpi
    payload: str
    meta: dict[str, Any] = field(default_factory=dict)
    back: np.ndarray | None = None  # the other side's scan (``make_page(..., duplex=True)``), as the scanner gives it


# -- drawing helpers ---------------------------------------------------------------------------
class Sheet:
    """A colour page made of a paper colour and ink layers (coverage masks, one per ink)."""

    def __init__(self, paper: tuple[int, int, int]) -> None:
        self.paper = paper
        self.layers: list[tuple[tuple[int, int, int], Image.Image]] = []

    def layer(self, ink: tuple[int, int, int]) -> ImageDraw.ImageDraw:
        for colour, mask in self.layers:
            if colour == ink:
                return ImageDraw.Draw(mask)
        mask = Image.new("L", (W, H), 0)
        self.layers.append((ink, mask))
        return ImageDraw.Draw(mask)

    def compose(self) -> np.ndarray:
        """RGB float32 page (0-255): paper, each ink multiplied in (inks darken like real ink)."""
        out = np.empty((H, W, 3), np.float32)
        out[:] = self.paper
        for colour, mask in self.layers:
            a = np.asarray(mask, np.float32)[..., None] / 255.0
            ink = np.array(colour, np.float32) / 255.0
            out *= 1.0 - a * (1.0 - ink)
        return out


def _font(path: Path, pt: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), max(8, round(pt / 72 * 300)))


def _sentence(rng: random.Random, english: bool) -> list[str]:
    words = [rng.choice(EN if english else UK) for _ in range(rng.randint(4, 12))]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), rng.choice([f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2025",
                                                            str(rng.randint(2, 180)), f"№{rng.randint(10, 999)}"]))
    words[0] = words[0][:1].upper() + words[0][1:]
    words[-1] += rng.choice(PUNCT[:1] * 3 + PUNCT)
    return words


def _word_stream(rng: random.Random, english_share: float) -> Any:
    while True:
        english = rng.random() < english_share
        yield from _sentence(rng, english)


def _set_text(draw: ImageDraw.ImageDraw, rng: random.Random, font: ImageFont.FreeTypeFont, box: tuple[int, int, int, int],
              spacing: float, english_share: float, max_lines: int = 999, wobble: float = 0.0,
              avoid: tuple[int, int, int, int] | None = None, boxes: list[list[Box]] | None = None) -> list[str]:
    """Fill ``box`` (x0, y0, x1, y1 px) with running text, word by word; returns the lines as set,
    without words whose box meets ``avoid`` (the label, which covers them). ``boxes``, when
    given, receives each returned line's box (one box, the union of its kept words)."""
    x0, y0, x1, y1 = box
    space = font.getlength(" ")
    asc, desc = font.getmetrics()
    step = round((asc + desc) * spacing)
    lines: list[str] = []
    words = _word_stream(rng, english_share)
    y = y0
    pending = next(words)
    while y + asc + desc <= y1 and len(lines) < max_lines:
        x, kept, kept_boxes = float(x0), [], []
        indent = rng.random() < 0.15 and not wobble
        if indent:
            x += 4 * space
        while True:
            width = font.getlength(pending)
            if x + width > x1:
                break
            dy = rng.gauss(0, wobble) if wobble else 0.0
            draw.text((x, y + dy), pending, fill=255, font=font)
            wb = (int(x), int(y + dy), int(x + width), int(y + dy + asc + desc))
            covered = avoid is not None and not (wb[2] < avoid[0] or wb[0] > avoid[2] or wb[3] < avoid[1] or wb[1] > avoid[3])
            if not covered:
                kept.append(pending)
                kept_boxes.append(wb)
            x += width + space * (1.0 + (rng.uniform(-0.1, 0.5) if wobble else 0.0))
            pending = next(words)
        if kept:
            lines.append(" ".join(kept))
            if boxes is not None:
                boxes.append([(min(b[0] for b in kept_boxes), min(b[1] for b in kept_boxes),
                               max(b[2] for b in kept_boxes), max(b[3] for b in kept_boxes))])
        y += step
    return lines


def _label_box() -> tuple[int, int, int, int]:
    """Where the labeller's white label lands on the page (hardware_sim.paper._draw_label: about
    76 x 18 mm from 140 mm, 8 mm), with 2 mm around it: the words under it are covered, and the
    benchmark leaves this zone out of the OCR (the label is ours, read back by zxing, not the
    resident's writing)."""
    return (mm_to_px(sg.LABEL_X_MM - 2), mm_to_px(sg.LABEL_Y_MM - 2), mm_to_px(sg.LABEL_X_MM + 82),
            mm_to_px(sg.LABEL_Y_MM + 21))


label_zone = _label_box


def _scribble(draw: ImageDraw.ImageDraw, rng: np.random.Generator, x: int, y: int, w: int, h: int, width: int) -> None:
    """A signature-like stroke: a smooth random curve."""
    t = np.linspace(0, 1, 160)
    k = rng.uniform(3, 7)
    xs = x + w * t + rng.uniform(5, 25) * np.sin(t * k * 2 * np.pi)
    ys = y + h / 2 + h / 2 * np.sin(t * k * 1.3 * 2 * np.pi + rng.uniform(0, 6)) * np.exp(-t)
    draw.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=255, width=width, joint="curve")


def _stamp(sheet: Sheet, rng: random.Random, cx: int, cy: int) -> None:
    """A round office stamp in violet or blue, ink uneven."""
    ink = rng.choice(STAMP_INKS)
    mask = Image.new("L", (W, H), 0)
    d = ImageDraw.Draw(mask)
    r = mm_to_px(rng.uniform(17, 21))
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=255, width=7)
    d.ellipse([cx - r + 40, cy - r + 40, cx + r - 40, cy + r - 40], outline=255, width=4)
    f = _font(DEJAVU / "DejaVuSans-Bold.ttf", 9)
    d.text((cx, cy - 30), "ОТРИМАНО", fill=255, font=f, anchor="mm")
    d.text((cx, cy + 30), f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2025", fill=255, font=f, anchor="mm")
    arr = np.asarray(mask, np.float32) * np.clip(np.random.default_rng(rng.randrange(2**31)).normal(0.8, 0.25, (H, W)), 0, 1)
    arr = cv2.GaussianBlur(arr, (0, 0), 1.2)
    sheet.layers.append((ink, Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")))


# -- pages by kind -----------------------------------------------------------------------------
def _printed(sheet: Sheet, rng: random.Random, *, dense: bool, english_share: float,
             boxes: list[list[Box]] | None = None) -> list[str]:
    pt = rng.uniform(12, 14) if dense else rng.uniform(9, 14)
    font = _font(rng.choice(PRINT_FONTS), pt)
    ink = rng.choice(BLACK_INKS)
    draw = sheet.layer(ink)
    if dense:      # to the margins and under the label, single spacing
        box = (mm_to_px(rng.uniform(6, 10)), mm_to_px(rng.uniform(6, 12)), W - mm_to_px(rng.uniform(6, 10)),
               H - mm_to_px(rng.uniform(6, 12)))
        return _set_text(draw, rng, font, box, 1.0, english_share, avoid=_label_box(), boxes=boxes)
    top = mm_to_px(rng.uniform(32, 45))
    box = (mm_to_px(rng.uniform(18, 28)), top, W - mm_to_px(rng.uniform(15, 25)), H - mm_to_px(rng.uniform(20, 60)))
    lines = _set_text(draw, rng, font, box, rng.choice([1.15, 1.3, 1.5]), english_share,
                      max_lines=rng.randint(12, 60), boxes=boxes)
    if rng.random() < 0.6:      # a signature under the letter
        _scribble(sheet.layer(rng.choice(BLUE_INKS)), np.random.default_rng(rng.randrange(2**31)),
                  mm_to_px(120), H - mm_to_px(rng.uniform(25, 40)), mm_to_px(45), mm_to_px(10), 5)
    return lines


def _handwritten(sheet: Sheet, rng: random.Random, boxes: list[list[Box]]) -> list[str]:
    ink = rng.choice(BLUE_INKS + BLACK_INKS[:1])
    draw = sheet.layer(ink)
    english = rng.random() < 0.35
    font = _font(DKG if english else rng.choice(HAND_UK_FONTS), rng.uniform(13, 16))
    top = mm_to_px(rng.uniform(32, 45))
    box = (mm_to_px(rng.uniform(15, 25)), top, W - mm_to_px(15), H - mm_to_px(rng.uniform(40, 90)))
    lines = _set_text(draw, rng, font, box, rng.uniform(1.5, 1.9), 1.0 if english else 0.0, wobble=4.0, boxes=boxes)
    _scribble(draw, np.random.default_rng(rng.randrange(2**31)), mm_to_px(110), H - mm_to_px(35), mm_to_px(50),
              mm_to_px(12), 5)
    return lines


def _pencil(sheet: Sheet, rng: random.Random, boxes: list[list[Box]]) -> list[str]:
    """A form's black printed heading and the resident's writing under it in pencil or a pale pen
    (25-50 % darkness): two writings of very different weight on one page."""
    f_head = _font(rng.choice([DEJAVU / "DejaVuSans-Bold.ttf", LIBERATION / "LiberationSans-Bold.ttf"]), rng.uniform(11, 13))
    lines = _set_text(sheet.layer(BLACK_INKS[0]), rng, f_head, (mm_to_px(20), mm_to_px(36), W - mm_to_px(20), mm_to_px(52)),
                      1.2, 0.0, max_lines=2, boxes=boxes)
    english = rng.random() < 0.35
    font = _font(DKG if english else rng.choice(HAND_UK_FONTS), rng.uniform(13, 16))
    box = (mm_to_px(rng.uniform(15, 25)), mm_to_px(60), W - mm_to_px(15), H - mm_to_px(rng.uniform(60, 120)))
    return lines + _set_text(sheet.layer(rng.choice(PALE_INKS)), rng, font, box, rng.uniform(1.5, 1.9),
                             1.0 if english else 0.0, wobble=4.0, boxes=boxes)


def _form(sheet: Sheet, rng: random.Random, boxes: list[list[Box]]) -> list[str]:
    black = sheet.layer(BLACK_INKS[0])
    hand = sheet.layer(rng.choice(BLUE_INKS))
    shade = sheet.layer((215, 215, 215))
    f_title = _font(DEJAVU / "DejaVuSans-Bold.ttf", 13)
    f_cell = _font(rng.choice(PRINT_FONTS[:5]), rng.uniform(9.5, 11))
    f_hand = _font(rng.choice(HAND_UK_FONTS), 12)
    lines = ["ЗАЯВА / APPLICATION"]
    black.text((mm_to_px(20), mm_to_px(36)), lines[0], fill=255, font=f_title)
    boxes.append([black.textbbox((mm_to_px(20), mm_to_px(36)), lines[0], font=f_title)])
    x0, x1, xm = mm_to_px(20), W - mm_to_px(20), mm_to_px(85)
    y = mm_to_px(50)
    row_h = mm_to_px(rng.uniform(10, 13))
    fields = ["Прізвище, ім'я", "Адреса", "Телефон", "Дата", "Суть звернення", "Підпис", "Кількість аркушів",
              "Email", "Район", "Відповідь надіслати"]
    rng.shuffle(fields)
    shade.rectangle([x0, y, x1, y + row_h], fill=255)
    black.text((x0 + 20, y + row_h // 2), "Поле / Field", fill=255, font=f_cell, anchor="lm")
    black.text((xm + 20, y + row_h // 2), "Значення / Value", fill=255, font=f_cell, anchor="lm")
    boxes.append([black.textbbox((x0 + 20, y + row_h // 2), "Поле / Field", font=f_cell, anchor="lm"),
                  black.textbbox((xm + 20, y + row_h // 2), "Значення / Value", font=f_cell, anchor="lm")])
    lines.append("Поле / Field Значення / Value")
    rows = rng.randint(6, 10)
    for i in range(rows + 1):
        black.line([x0, y + i * row_h, x1, y + i * row_h], fill=255, width=4)
    for x in (x0, xm, x1):
        black.line([x, y, x, y + rows * row_h], fill=255, width=4)
    for i in range(1, rows):
        cy = y + i * row_h + row_h // 2
        name = fields[(i - 1) % len(fields)]
        black.text((x0 + 20, cy), name, fill=255, font=f_cell, anchor="lm")
        value = " ".join(rng.choice(UK) for _ in range(rng.randint(1, 4)))
        vy = cy + rng.randint(-6, 6)
        hand.text((xm + 30, vy), value, fill=255, font=f_hand, anchor="lm")
        lines.append(f"{name} {value}")
        boxes.append([black.textbbox((x0 + 20, cy), name, font=f_cell, anchor="lm"),
                      hand.textbbox((xm + 30, vy), value, font=f_hand, anchor="lm")])
    y_after = y + rows * row_h + mm_to_px(10)
    lines += _set_text(black, rng, f_cell, (x0, y_after, x1, H - mm_to_px(45)), 1.3, 0.2, max_lines=rng.randint(4, 12),
                       boxes=boxes)
    _stamp(sheet, rng, mm_to_px(rng.uniform(50, 150)), H - mm_to_px(rng.uniform(35, 60)))
    if rng.random() < 0.6:
        _bill_codes(black, rng)
    return lines


def _bill_codes(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """A bill's own codes, top left: a Code128 of an account number and a QR code (payment
    details), none of them ours; the label read-back must pick the intake's label among them."""
    from barcode import Code128

    bars = Code128(f"{rng.randrange(10**11, 10**12)}").build()[0]
    x0, y0, module = mm_to_px(18), mm_to_px(12), 3
    for i, bit in enumerate(bars):
        if bit == "1":
            draw.rectangle([x0 + i * module, y0, x0 + i * module + module - 1, y0 + mm_to_px(10)], fill=255)
    qr = qrcode.QRCode(border=0, box_size=1)
    qr.add_data(f"ST00012|Name=Міськводоканал|PersonalAcc=UA{rng.randrange(10**20, 10**21)}|Sum={rng.randint(100, 9999)}")
    qr.make()
    cell, qx, qy = 9, mm_to_px(105), mm_to_px(8)
    for r, row in enumerate(qr.get_matrix()):
        for c, on in enumerate(row):
            if on:
                draw.rectangle([qx + c * cell, qy + r * cell, qx + c * cell + cell - 1, qy + r * cell + cell - 1], fill=255)


def _photo(rng: random.Random, full: bool) -> tuple[np.ndarray, tuple[int, int]]:
    """A photograph-like RGB picture: sky gradient, sun, hills, houses with windows, texture."""
    g = np.random.default_rng(rng.randrange(2**31))
    w = W - mm_to_px(30) if full else mm_to_px(rng.uniform(120, 170))
    h = H - mm_to_px(80) if full else mm_to_px(rng.uniform(90, 130))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    sky = np.array(rng.choice([(120, 160, 220), (200, 170, 140), (150, 150, 160)]), np.float32)
    img = sky * (0.55 + 0.45 * (yy / h))[..., None]
    cx, cy, r = g.uniform(0.2, 0.8) * w, g.uniform(0.1, 0.3) * h, g.uniform(0.04, 0.08) * w
    img[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = (250, 235, 180)
    for k in range(3):
        ridge = h * (0.45 + 0.12 * k) + h * 0.06 * np.sin(xx[0] / w * g.uniform(3, 9) + g.uniform(0, 6))
        colour = np.array([(70, 110, 60), (90, 80, 50), (50, 80, 45)][k], np.float32) * g.uniform(0.8, 1.2)
        below = yy > ridge[None, :]
        img[below] = colour * (0.7 + 0.5 * (yy[below] / h))[:, None]
    for _ in range(g.integers(2, 6)):
        bx, bw, bh = int(g.uniform(0, 0.85) * w), int(g.uniform(0.08, 0.18) * w), int(g.uniform(0.15, 0.35) * h)
        by = int(h * 0.75) - bh
        img[by:by + bh, bx:bx + bw] = g.uniform(90, 200, 3)
        for wy in range(by + 30, by + bh - 40, 70):
            for wx in range(bx + 20, bx + bw - 40, 60):
                img[wy:wy + 35, wx:wx + 28] = g.uniform(20, 90)
    texture = cv2.GaussianBlur(g.normal(0, 22, (h, w)).astype(np.float32), (0, 0), 2.0)
    img += texture[..., None]
    img = cv2.GaussianBlur(img, (0, 0), 1.5)
    return np.clip(img, 0, 255), (w, h)


def _drawing(rng: random.Random) -> np.ndarray:
    """A shaded drawing (a plan with filled, graded areas and pencil hatching), RGB on white."""
    g = np.random.default_rng(rng.randrange(2**31))
    img = np.full((H, W, 3), 250, np.float32)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    for _ in range(g.integers(5, 9)):
        x0, y0 = g.uniform(0.05, 0.6) * W, g.uniform(0.1, 0.65) * H
        x1, y1 = x0 + g.uniform(0.2, 0.4) * W, y0 + g.uniform(0.12, 0.3) * H
        inside = (xx > x0) & (xx < x1) & (yy > y0) & (yy < y1)
        if g.random() < 0.5:
            inside &= ((xx - (x0 + x1) / 2) / ((x1 - x0) / 2)) ** 2 + ((yy - (y0 + y1) / 2) / ((y1 - y0) / 2)) ** 2 < 1
        tone = g.uniform(90, 190) + g.uniform(-60, 60) * (xx[inside] - x0) / (x1 - x0)
        img[inside] = np.clip(tone, 30, 240)[:, None]
    pencil = np.zeros((H, W), np.uint8)
    for _ in range(g.integers(150, 300)):
        x, y = int(g.uniform(0, W)), int(g.uniform(0, H))
        dx = int(g.uniform(40, 160))
        cv2.line(pencil, (x, y), (x + dx, y - dx), 255, 2, cv2.LINE_AA)
    for _ in range(g.integers(6, 14)):
        pts = np.column_stack([g.uniform(0, W, 4), g.uniform(0, H, 4)]).astype(np.int32)
        cv2.polylines(pencil, [pts], True, 255, 5, cv2.LINE_AA)
    img *= (1 - 0.75 * pencil.astype(np.float32)[..., None] / 255.0)
    img[H - mm_to_px(32):] = 250                       # the caption's band stays clear
    img += cv2.GaussianBlur(g.normal(0, 10, (H, W)).astype(np.float32), (0, 0), 1.5)[..., None]
    return np.clip(img, 0, 255)


# -- the resident's paper, the label, the scanner ------------------------------------------------
def _speckle(grey: np.ndarray, g: np.random.Generator, count: int, *, max_radius: float) -> None:
    """Toner specks: small dark dots, most smaller than a full stop, a few larger."""
    ys, xs = g.integers(0, H, count), g.integers(0, W, count)
    radii = np.minimum(g.exponential(0.6, count) + 0.3, max_radius)
    for x, y, r in zip(xs.tolist(), ys.tolist(), radii.tolist(), strict=True):
        cv2.circle(grey, (x, y), round(r), float(g.uniform(10, 70)), -1, cv2.LINE_AA if r > 1 else cv2.LINE_8)


def _shade(g: np.random.Generator, strength: float) -> np.ndarray:
    """Uneven lighting: a smooth multiplicative field (1 = as printed), darker towards an edge."""
    yy, xx = np.mgrid[0:H:8, 0:W:8].astype(np.float32)
    ax, ay = g.uniform(-1, 1, 2)
    field_ = 1.0 - strength * np.clip(0.5 + 0.5 * (ax * (xx / W - 0.5) + ay * (yy / H - 0.5)) * 2, 0, 1)
    edge = g.integers(0, 4)
    d = [xx / W, 1 - xx / W, yy / H, 1 - yy / H][edge]
    field_ *= 1.0 - strength * 0.8 * np.exp(-d / 0.06)
    return cv2.resize(field_, (W, H), interpolation=cv2.INTER_LINEAR)


def _fold(grey: np.ndarray, g: np.random.Generator) -> None:
    """A fold: a crease with a shadow on one side and a highlight on the other."""
    y = int(g.uniform(0.3, 0.7) * H)
    tilt = g.uniform(-0.02, 0.02)
    yy, xx = np.mgrid[0:H, 0:W:16].astype(np.float32)
    dist = yy - (y + tilt * xx)
    prof = 1.0 - 0.16 * np.exp(-np.maximum(dist, 0) / 25.0) * (dist >= 0) + 0.03 * np.exp(dist / 40.0) * (dist < 0)
    grey *= cv2.resize(prof.astype(np.float32), (W, H), interpolation=cv2.INTER_LINEAR)


def label_and_scan(grey: np.ndarray, payload: str, d: sg.Degradation, seed: int) -> tuple[np.ndarray, str]:
    """The sheet (greyscale as the scanner sees it, float or uint8) labelled by the simulated
    labeller where the intake labels, then scanned with ``d``. Returns the scan and the label's
    caption."""
    page = Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8), "L")
    page.info["dpi"] = (300, 300)
    number, nn = payload.split("-")
    caption = f"№ {number[:3]}-{number[3:9]}-{number[9]} · арк. {int(nn)}"
    path = PaperPath(ScanNoise(max_skew_deg=0, noise_sigma=0))
    path.feed_image(page)
    path.take_from_tray()
    labelled = path.print_label(caption, payload, sg.LABEL_X_MM, sg.LABEL_Y_MM).image
    return sg.degrade(labelled, d, seed=seed), caption


def luma(rgb: np.ndarray) -> np.ndarray:
    return (rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114).astype(np.float32)


def make_page(kind: str, index: int, seed: int, duplex: bool = False) -> Page:
    """The page ``index`` of ``kind`` for ``seed``; with ``duplex``, also the scan of its other side
    (``Page.back``: the back's print when it shows through, else blank paper), turned over the
    way a duplex scanner's second sensor sees it, and moved by up to 2 mm (the sensors' offset).
    The front is the same with or without it."""
    rng = random.Random(f"{seed}:{kind}:{index}")
    g = np.random.default_rng(rng.randrange(2**31))
    paper_kind = {"grey": "grey", "coloured": "coloured", "photocopy": "white"}.get(kind, "white")
    if kind in ("form", "handwriting", "dense") and rng.random() < 0.4:
        paper_kind = rng.choice(["grey", "coloured"])
    sheet = Sheet(rng.choice(PAPERS[paper_kind]))
    meta: dict[str, Any] = {"paper": paper_kind, "paper_rgb": sheet.paper}
    expected = "bitonal"
    picture = None
    boxes: list[list[Box]] = []
    if kind == "form":
        lines = _form(sheet, rng, boxes)
    elif kind == "handwriting":
        lines = _handwritten(sheet, rng, boxes)
    elif kind == "pencil":
        lines = _pencil(sheet, rng, boxes)
    elif kind == "photo":
        expected = "grey"
        full = rng.random() < 0.5
        picture, (pw, ph) = _photo(rng, full)
        px, py = (W - pw) // 2, mm_to_px(35)
        caption_font = _font(rng.choice(PRINT_FONTS), rng.uniform(10, 12))
        caption_box = (mm_to_px(20), py + ph + mm_to_px(6), W - mm_to_px(20), H - mm_to_px(12))
        lines = _set_text(sheet.layer(BLACK_INKS[0]), rng, caption_font, caption_box, 1.2, 0.3,
                          max_lines=2 if full else rng.randint(6, 12), boxes=boxes)
        meta["text_box"] = caption_box
        picture = (picture, px, py)
    elif kind == "drawing":
        expected = "grey"
        caption_box = (mm_to_px(20), H - mm_to_px(28), W - mm_to_px(20), H - mm_to_px(8))
        lines = _set_text(sheet.layer(BLACK_INKS[0]), rng, _font(rng.choice(PRINT_FONTS), rng.uniform(10, 12)),
                          caption_box, 1.2, 0.3, max_lines=2, boxes=boxes)
        meta["text_box"] = caption_box
    else:
        lines = _printed(sheet, rng, dense=kind == "dense" or rng.random() < 0.25,
                         english_share=rng.choice([0.0, 0.15, 0.5]), boxes=boxes)
    rgb = sheet.compose()
    if picture is not None:
        img, px, py = picture
        rgb[py:py + img.shape[0], px:px + img.shape[1]] = img
    if kind == "drawing":
        rgb = np.minimum(rgb, _drawing(rng) * (np.array(sheet.paper, np.float32) / 250.0))
    # the scanner sees luma
    grey = luma(rgb)
    back_side = np.full(grey.shape, float(luma(np.array([[sheet.paper]], np.float32))[0, 0]), np.float32)
    if kind == "show-through" or (kind in ("white", "grey", "coloured") and rng.random() < 0.2) or (
            kind == "pencil" and rng.random() < 0.5):
        back = Sheet((255, 255, 255))
        _printed(back, random.Random(rng.randrange(2**31)), dense=rng.random() < 0.5, english_share=0.2)
        composed = back.compose()
        back_side = luma(composed)
        ghost = cv2.GaussianBlur(255 - composed[..., 0], (0, 0), rng.uniform(1.5, 3.0))[:, ::-1]
        depth = rng.uniform(0.12, 0.3)
        grey *= 1.0 - depth * ghost / 255.0
        meta["show_through"] = round(depth, 3)
    if kind == "photocopy":
        dark = rng.uniform(0.7, 0.82)
        grey = cv2.erode(grey, np.ones((3, 3), np.uint8)) if rng.random() < 0.5 else grey   # toner spreads
        grey = grey * dark
        _speckle(grey, g, int(g.integers(3000, 9000)), max_radius=2.5)
        meta["darkness"] = round(dark, 3)
    elif rng.random() < 0.3:
        _speckle(grey, g, int(g.integers(100, 800)), max_radius=1.5)
    if rng.random() < 0.5 or kind == "photocopy":
        shading = rng.uniform(0.08, 0.25)
        grey *= _shade(g, shading)
        meta["shading"] = round(shading, 3)
    if rng.random() < 0.35:
        _fold(grey, g)
        meta["fold"] = True
    payload = f"{sg.compact_number(20000 + (KINDS + DUPLEX_KINDS).index(kind) * 100 + index + seed * 1000)}-{index % 12 + 1:02d}"
    d = sg.Degradation(skew_deg=rng.uniform(-5, 5), noise_sigma=rng.choice([3, 4, 6, 8]),
                       blur_sigma=rng.choice([0, 0, 0.6, 0.9]), upside_down=rng.random() < 0.1)
    scan, caption = label_and_scan(grey, payload, d, rng.randrange(2**31))
    meta.update(d.as_dict())
    text = "\n".join(lines)
    assert len(boxes) == len(lines)
    meta["label_caption"] = caption
    meta["line_boxes"] = boxes
    back_scan = None
    if duplex:
        brng = random.Random(f"{seed}:{kind}:{index}:back")
        turned = sg.Degradation(skew_deg=-d.skew_deg, noise_sigma=d.noise_sigma, blur_sigma=d.blur_sigma,
                                upside_down=d.upside_down)
        back_scan = sg.degrade(Image.fromarray(np.clip(back_side, 0, 255).astype(np.uint8), "L"), turned,
                               seed=brng.randrange(2**31))
        offset = [brng.uniform(-2, 2) / 25.4 * 300 for _ in range(2)]
        back_scan = cv2.warpAffine(back_scan, np.float32([[1, 0, offset[0]], [0, 1, offset[1]]]),
                                   (back_scan.shape[1], back_scan.shape[0]), borderValue=255)
        meta["back_offset_px"] = [round(v) for v in offset]
    return Page(kind, expected, text, scan, payload, meta, back_scan)


def corpus(per_kind: int, seed: int = 1, kinds: list[str] | None = None) -> list[tuple[str, int, int]]:
    """The page specifications (kind, index, seed) of a corpus; ``make_page(*spec)`` makes each."""
    return [(k, i, seed) for k in (kinds or KINDS) for i in range(per_kind)]


__all__ = ["DUPLEX_KINDS", "KINDS", "TEXT_KINDS", "Page", "Sheet", "corpus", "label_and_scan", "label_zone", "luma", "make_page"]
