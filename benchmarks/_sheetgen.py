"""Realistic test sheets for the imaging tests and the sheet benchmark.

A sheet is made the way the terminal makes it: a white A4 page at 300 dpi with lines of
Ukrainian text (DejaVu Sans, as ``hardware_sim.paper.blank_page`` draws them), labelled by the
simulated labeller (``PaperPath.print_label``, the same Code128 drawing the simulator uses),
then degraded the way scans go wrong: skew, noise, blur, low contrast, a half-turn, dark
scanner borders. Every degradation is recorded so a test can compare what was measured with
what was done. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from stdnum.iso7064 import mod_11_2

from hardware_sim.paper import FONT_PATH, PaperPath, ScanNoise, blank_page, mm_to_px

WORDS = [
    "прошу", "розглянути", "звернення", "щодо", "ремонту", "дороги", "на", "вулиці", "Шевченка",
    "будинок", "мешканці", "нашого", "району", "просять", "встановити", "освітлення", "біля",
    "школи", "дитячий", "майданчик", "потребує", "огорожі", "зупинка", "громадського", "транспорту",
    "відсутня", "лавка", "та", "навіс", "з", "повагою", "депутату", "міської", "ради", "копію",
    "відповіді", "надіслати", "поштою", "квітня", "травня", "року", "Дніпро", "вода", "тепло",
    "ліфт", "під'їзд", "ґанок", "їжак", "єдність",
]

LABEL_X_MM, LABEL_Y_MM = 140.0, 8.0


def compact_number(serial: int, prefix: str = "017") -> str:
    """A valid compact appeal number: 9 digits + ISO 7064 Mod 11-2 check character."""
    body = f"{prefix}{serial % 10**6:06d}"
    return body + mod_11_2.calc_check_digit(body)


def text_lines(rng: random.Random, n: int) -> list[str]:
    lines = []
    for _ in range(n):
        k = rng.randint(3, 9)              # ragged right edge, like real writing
        line = " ".join(rng.choice(WORDS) for _ in range(k))
        lines.append(line[:1].upper() + line[1:] + ("." if rng.random() < 0.3 else ""))
    return lines


def labelled_page(payload: str, lines: list[str], *, photo: bool = False, seed: int = 0) -> Image.Image:
    """A clean labelled A4 page (PIL "L", 300 dpi), labelled through the simulated paper path."""
    page = blank_page(lines)
    if photo:
        _draw_photo(page, seed)
    number, nn = payload.split("-")
    pretty = f"№ {number[:3]}-{number[3:9]}-{number[9]} · арк. {int(nn)}"
    path = PaperPath(ScanNoise(max_skew_deg=0, noise_sigma=0))
    path.feed_image(page)
    path.take_from_tray()
    sheet = path.print_label(pretty, payload, LABEL_X_MM, LABEL_Y_MM)
    return sheet.image


def _draw_photo(page: Image.Image, seed: int) -> None:
    """A photograph-like patch (smooth shading plus texture), 90 x 60 mm, under the text."""
    rng = np.random.default_rng(seed)
    w, h = mm_to_px(90), mm_to_px(60)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = 128 + 60 * np.sin(xx / 97.0 + seed) * np.cos(yy / 71.0) + rng.normal(0, 18, (h, w))
    img = cv2.GaussianBlur(img.astype(np.float32), (0, 0), 3)
    patch = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "L")
    page.paste(patch, (mm_to_px(100), mm_to_px(200)))


@dataclass
class Degradation:
    skew_deg: float = 0.0          # counter-clockwise, as Pillow's rotate
    noise_sigma: float = 0.0
    blur_sigma: float = 0.0
    contrast: float = 1.0          # 1 = as printed; 0.4 = paper ~243, ink ~149
    upside_down: bool = False
    border_px: int = 0             # dark scanner border on the left and top edges

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def degrade(page: Image.Image, d: Degradation, seed: int = 0) -> np.ndarray:
    """The page as a scanner would return it, uint8 array (OpenCV, so a sheet takes ~0.1 s)."""
    arr = np.array(page, dtype=np.uint8)
    h, w = arr.shape
    if d.upside_down:
        arr = np.ascontiguousarray(arr[::-1, ::-1])
    if d.skew_deg:     # counter-clockwise about the centre, as Pillow's Image.rotate
        m = cv2.getRotationMatrix2D((w / 2, h / 2), d.skew_deg, 1.0)
        arr = cv2.warpAffine(arr, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    if d.blur_sigma:
        arr = cv2.GaussianBlur(arr, (0, 0), d.blur_sigma)
    if d.contrast != 1.0:   # compress the range towards a slightly grey paper: 235 - (235 - v) * c
        arr = cv2.convertScaleAbs(arr, alpha=d.contrast, beta=235 * (1 - d.contrast))
    if d.border_px:
        arr[:, : d.border_px] = 25
        arr[: d.border_px // 2, :] = 25
    if d.noise_sigma:
        noise = np.empty((h, w), np.int16)
        cv2.setRNGSeed(seed % 2**31)
        cv2.randn(noise, 0, d.noise_sigma)
        arr = cv2.add(arr.astype(np.int16), noise, dtype=cv2.CV_16S)
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    return arr


@dataclass
class TestSheet:
    payload: str
    degradation: Degradation
    image: np.ndarray
    lines: int
    photo: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


def random_degradation(rng: random.Random) -> Degradation:
    return Degradation(
        skew_deg=rng.uniform(-5, 5),
        noise_sigma=rng.choice([2, 4, 8, 12]),
        blur_sigma=rng.choice([0, 0, 0.8, 1.2, 1.6]),
        contrast=rng.choice([1.0, 1.0, 0.7, 0.5, 0.4]),
        upside_down=rng.random() < 0.2,
        border_px=rng.choice([0, 0, 0, 30, 60]),
    )


def moderate_degradation(rng: random.Random) -> Degradation:
    """What a working scanner returns day to day: a little skew and noise, sometimes a half-turn."""
    return Degradation(skew_deg=rng.uniform(-2, 2), noise_sigma=rng.choice([3, 4, 5]),
                       contrast=rng.choice([1.0, 1.0, 0.8]), upside_down=rng.random() < 0.1)


def sheet_set(n: int, seed: int = 1, *, degraded: bool = True, moderate: bool = False, min_lines: int = 5,
              max_lines: int = 28) -> list[TestSheet]:
    """``n`` labelled sheets with random text and random degradations (``moderate``: everyday
    ones; ``degraded=False``: noise only)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        payload = f"{compact_number(1000 + i * 7 + seed)}-{rng.randint(1, 12):02d}"
        nlines = rng.randint(min_lines, max_lines)
        page = labelled_page(payload, text_lines(rng, nlines))
        if not degraded:
            d = Degradation(noise_sigma=4)
        else:
            d = moderate_degradation(rng) if moderate else random_degradation(rng)
        out.append(TestSheet(payload, d, degrade(page, d, seed=seed * 100003 + i), nlines))
    return out


def handwriting_free_blank(noise_sigma: float = 6.0, seed: int = 0, show_through: bool = False) -> np.ndarray:
    """An empty back side: white paper, noise, optionally faint show-through of the front."""
    page = Image.new("L", (mm_to_px(210), mm_to_px(297)), 245)
    if show_through:
        draw = ImageDraw.Draw(page)
        font = ImageFont.truetype(FONT_PATH, mm_to_px(4))
        for i in range(20):
            draw.text((mm_to_px(20), mm_to_px(40) + i * mm_to_px(8)), "дзеркальний текст " * 4,
                      fill=228, font=font)
    return degrade(page, Degradation(noise_sigma=noise_sigma), seed)
