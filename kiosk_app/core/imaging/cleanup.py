"""Cleaning a scanned sheet: borders, blank test, deskew, orientation, binarisation.

All measures are taken on two cheap views of the 300 dpi page, and only one full-resolution
resampling is done (deskew and half-turn together, one ``cv2.warpAffine``):

* ``small``: the page area-averaged 4 x 4 (75 dpi). Averaging over 1.35 mm cells is the noise
  removal: scanner noise drops to a quarter of its sigma and isolated specks smaller than about
  half a millimetre vanish into their cell. Borders, blank test, skew and orientation use it.
* ``sample``: every 4th pixel of every 4th row, not averaged, so grey levels stay as scanned
  (antialiased text edges stay thin). The threshold and the photo measure use it.

Documented measures (the record keeps them, so a dropped or greyscale page can say why):

* ``coverage``: share of the page (3 mm margins excluded, dark scanner borders whitened) whose
  75 dpi cell is at least ``INK_DELTA`` grey levels darker than the paper (the 90th percentile
  of the page). Below ``BLANK_COVERAGE`` (0.01 %, about 6 mm²; one short written word such as
  "Підпис" in 4 mm letters measures about 0.03 %) the page is blank: typically the empty back of
  a duplex scan. Noise and show-through from the other side stay fainter than ``INK_DELTA`` and
  do not count.
* ``photo_blocks``: the page cut into 10.8 mm square blocks; a block is photo-like when more than
  30 % of its pixels are *smooth mid-tones*: between the ink and the paper level AT THEIR PLACE
  (so grey or coloured paper, shading and folds are paper) and in a flat 1 mm neighbourhood
  (so the soft edges of strokes are not); see ``restore.photo_blocks``. Print, however dense,
  bold or small, and handwriting stay far below that; a photograph or a shaded drawing is mostly
  such pixels. ``PHOTO_MIN_BLOCKS`` such blocks (about 4.7 cm²) keep the whole page greyscale
  (JPEG) instead of bitonal (CCITT G4). Our own label and 10 mm around it do not count: its white
  on grey or dark paper would make the paper beside it look like a mid-tone.
* ``skew_deg``: the angle (degrees, counter-clockwise as the page appears, the Pillow
  ``rotate`` convention) that maximises the sharpness of the horizontal projection profile of
  the ink (sum of squared differences of the row histogram of the rotated ink pixels); coarse
  search over ±``MAX_SKEW_DEG`` then a fine one. The page is turned back by that angle. A
  picture's own lines (a drawing's hatching) can outscore a page's writing: on a greyscale page,
  or when the peak is weak (``SKEW_CLEAR_RATIO``), an angle more than ``LABEL_SKEW_DIFF`` away
  from our label's (measured on its bars, ``_label_skew``) is searched again near the label's.
* orientation: a label read upside down (zxing reports 180°) means the whole sheet was scanned
  a half-turn round; without a label the text decides: left-aligned writing has a straight left
  edge and a ragged right edge, a page upside down shows the opposite (needs 4 text lines and a
  clear difference, else the page is left as it is and ``orientation_source`` is "none").
* ``threshold`` (bitonal pages): each place is cut halfway between its own paper level and the
  ink (``restore.local_threshold``: background normalisation for grey and coloured paper,
  shading and folds; moved past show-through when there is some; with the sheet's other side
  (``other_side``, a duplex scan) show-through is looked for only behind its ink
  (``restore.behind_ink``), and a second, lighter writing elsewhere is cut at half its own
  darkness); the page is smoothed 3 x 3
  first; a page whose paper noise would still reach the cut keeps it ``NOISE_MARGIN`` smoothed
  sigmas from the paper. Then specks smaller than a full stop are removed (``restore.despeckle``)
  and one-pixel bumps and notches on the edges smoothed (``restore.smooth_edges``).
  The record's ``threshold`` is the cut at the median paper level.
* greyscale pages are smoothed lightly and their paper mapped to white (levels), which removes
  the scanner noise that makes a JPEG large and keeps the picture's greys.

``notes`` (the page record's free-form field) says for each step why it acted: ``class:``,
``background:``, ``other side:``, ``show-through:``, ``lighter writing:``, ``noisy scan``, ``despeckle:``,
``edges:``, ``greyscale:``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from kiosk_app.core.imaging import restore
from kiosk_app.core.imaging._util import DPI, GrayInput, as_gray_array
from kiosk_app.core.imaging.labels import LabelRead

log = logging.getLogger(__name__)

SCALE = 4                     # small view = 1/SCALE of the page (75 dpi at 300 dpi)
INK_DELTA = 40                # grey levels below paper that count as ink in the small view
BLANK_COVERAGE = 0.0001       # below this ink share a page is blank (0.01 %)
MARGIN_MM = 3.0               # ignored at each edge for the blank test (feeder shadows, dust)
MAX_SKEW_DEG = 5.0
PHOTO_BLOCK = 32              # block side in the sample view (= 128 px = 10.8 mm at 300 dpi)
PHOTO_MIN_BLOCKS = 4
NOISE_MARGIN = 4.5            # paper-to-threshold distance, in paper noise sigmas
BORDER_LEVEL = 0.35            # a scanner border is darker than this share of the paper level (a shadow is not)
MIN_SKEW_TO_ROTATE = 0.15     # degrees; below the estimate's precision (one 75-dpi pixel across A4 is 0.09°): left as scanned
SKEW_CLEAR_RATIO = 2.5        # a profile peak this sharp is text lines (measured: writing 2.8-42, pictures 1.2-3.1)
LABEL_SKEW_DIFF = 1.0         # degrees between the profile's angle and the label's that count as a disagreement
LABEL_SKEW_REACH = 1.0        # degrees around the label's angle searched again


@dataclass
class Cleaned:
    """A cleaned page. ``image`` is uint8, 0/255 only when ``bitonal``; upright and deskewed."""

    image: np.ndarray
    bitonal: bool
    is_blank: bool
    coverage: float
    skew_deg: float
    rotated_180: bool
    orientation_source: str            # "label", "text" or "none"
    border_fraction: float             # share of the page whitened as scanner border
    photo_blocks: int
    threshold: int | None
    paper_level: int
    dpi: int = DPI
    notes: list[str] = field(default_factory=list)

    @property
    def mode(self) -> str:
        return "bitonal" if self.bitonal else "grey"

    def as_record(self) -> dict[str, Any]:
        """The measures, JSON-able, for the page record (why a page is grey, blank, rotated)."""
        return {"mode": self.mode, "is_blank": self.is_blank, "coverage": round(self.coverage, 6),
                "blank_threshold": BLANK_COVERAGE, "skew_deg": round(self.skew_deg, 3),
                "rotated_180": self.rotated_180, "orientation_source": self.orientation_source,
                "border_fraction": round(self.border_fraction, 5), "photo_blocks": self.photo_blocks,
                "photo_min_blocks": PHOTO_MIN_BLOCKS, "threshold": self.threshold,
                "paper_level": self.paper_level, "width": int(self.image.shape[1]),
                "height": int(self.image.shape[0]), "dpi": self.dpi, "notes": list(self.notes)}


# -- measures ------------------------------------------------------------------------------
def _percentile(img: np.ndarray, q: float) -> int:
    hist = cv2.calcHist([img], [0], None, [256], [0, 256]).ravel()
    cum = np.cumsum(hist)
    return int(np.searchsorted(cum, q / 100.0 * cum[-1]))


def _whiten_borders(small: np.ndarray, paper: int) -> np.ndarray | None:
    """Mask (small view) of dark regions touching the frame and running along it: the scanner
    lid or background seen beside the paper. None when the frame is clean (the usual case)."""
    dark = (small < paper // 2).astype(np.uint8)
    if not (dark[0].any() or dark[-1].any() or dark[:, 0].any() or dark[:, -1].any()):
        return None
    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    h, w = small.shape
    # a scanner's lid or background is nearly black; a shadow on the paper (a photocopier's dark
    # edge, a book's gutter) is paper still, with writing on it, and must not be whitened
    level = np.bincount(labels.ravel(), weights=small.ravel(), minlength=n) / np.maximum(stats[:, cv2.CC_STAT_AREA], 1)
    keep = np.zeros(n, dtype=bool)
    for i in range(1, n):
        x, y, bw, bh, _area = stats[i]
        touches = x == 0 or y == 0 or x + bw == w or y + bh == h
        along = (bw >= 0.1 * w and (y == 0 or y + bh == h)) or (bh >= 0.1 * h and (x == 0 or x + bw == w))
        keep[i] = touches and along and level[i] < BORDER_LEVEL * paper
    if not keep.any():
        return None
    # grow by two cells: the border's edge is a row of half-dark cells that must not count as ink
    return cv2.dilate(keep[labels].astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)


def _split_histogram(pos: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Histogram of ``pos`` (non-negative), each position split linearly between its two nearest
    bins, so a score made of it is smooth in the angle (no aliasing at whole-pixel angles)."""
    i = pos.astype(np.int32)
    f = pos - i
    lo, hi = (1 - f, f) if weights is None else (weights * (1 - f), weights * f)
    n = int(i.max()) + 2
    return np.bincount(i, lo, minlength=n) + np.bincount(i + 1, hi, minlength=n)


def _search_angle(score: Callable[[float], float], coarse: np.ndarray, half: float, step: float) -> tuple[float, float]:
    """The angle that maximises ``score``: the best of ``coarse``, then every ``step`` within
    ``half`` of it. Returns it and its score over the median coarse score (how clear the peak is)."""
    scores = [score(a) for a in coarse]
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - half, best + half + 1e-6, step)
    fscores = [score(a) for a in fine]
    return float(fine[int(np.argmax(fscores))]), max(fscores) / (float(np.median(scores)) + 1e-9)


def _label_skew(arr: np.ndarray, read: LabelRead) -> float | None:
    """The sheet's skew (degrees, as ``skew_deg``) from our label's bars: the shear that stacks
    every bar edge in the fewest columns (the sharpest column profile of the horizontal
    gradient). The bars are a centimetre tall and fifty of them are measured together: 0.015°
    mean and 0.11° worst error on 60 corpus pages. None when the symbol is too short to say."""
    xs, ys = [x for x, _ in read.corners], [y for _, y in read.corners]
    h, w = arr.shape
    y0, y1 = max(min(ys), 0), min(max(ys), h)
    x0, x1 = max(min(xs) - 20, 0), min(max(xs) + 20, w)
    if y1 - y0 < 40 or x1 - x0 < 100:
        return None
    crop = arr[y0:y1, x0:x1].astype(np.float32)
    # the bars' edges, weighted by their horizontal gradient: the grey levels across an edge place
    # it to a fraction of a pixel, which a thresholded bar cannot (it pulls small angles to 0)
    grad = np.abs(cv2.Sobel(crop, cv2.CV_32F, 1, 0, ksize=3))
    yb, xb = np.nonzero(grad > 0.25 * float(grad.max()))
    if yb.size < 500:
        return None
    wt = grad[yb, xb]
    yc = yb.astype(np.float32) - (y1 - y0) / 2
    # dithered, as in _estimate_skew: else the angle 0, where no weight is split, wins
    x = xb.astype(np.float32) + (y1 - y0) + np.random.default_rng(0).random(xb.size, dtype=np.float32)

    def score(angle: float) -> float:
        return float(np.sum(_split_histogram(x - yc * np.float32(np.tan(np.radians(angle))), wt) ** 2))

    coarse = np.arange(-MAX_SKEW_DEG - 0.5, MAX_SKEW_DEG + 0.5 + 1e-6, 0.25)
    return _search_angle(score, coarse, 0.25, 0.02)[0]


def _estimate_skew(ink: np.ndarray, around: float | None = None) -> tuple[float, float]:
    """Skew (degrees, CCW as displayed) of the ink mask's text lines, and the peak's score ratio.
    ``around``: search only within ``LABEL_SKEW_REACH`` of this angle (the label's)."""
    ys, xs = np.nonzero(ink)
    if ys.size < 200:
        return 0.0, 0.0
    if ys.size > 30000:                     # plenty of ink: a regular subsample is as good
        step = ys.size // 30000 + 1
        ys, xs = ys[::step], xs[::step]
    # a fixed sub-pixel dither on each row: without it the angle 0 (where every pixel falls
    # exactly on a row and nothing is split) scores higher than the true small skew
    y = ys.astype(np.float32) + np.random.default_rng(0).random(ys.size, dtype=np.float32)
    x = xs.astype(np.float32)
    offset = float(x.max()) * np.tan(np.radians(MAX_SKEW_DEG)) + 2

    def score(angle: float) -> float:
        rows = y + x * np.float32(np.tan(np.radians(angle))) + np.float32(offset)   # each pixel's row, turned
        return float(np.sum(np.diff(_split_histogram(rows)) ** 2))

    if around is None:
        coarse = np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 1e-6, 0.4)
    else:
        coarse = np.clip(np.arange(around - LABEL_SKEW_REACH, around + LABEL_SKEW_REACH + 1e-6, 0.2),
                         -MAX_SKEW_DEG, MAX_SKEW_DEG)
    return _search_angle(score, coarse, 0.4, 0.05)


def _text_upside_down(ink_upright: np.ndarray) -> bool | None:
    """Ragged-edge test on a deskewed ink mask: True/False when confident, None otherwise."""
    rows = ink_upright.sum(axis=1) > 1
    lines: list[tuple[int, int]] = []
    start = None
    for i, on in enumerate(np.append(rows, False)):
        if on and start is None:
            start = i
        elif not on and start is not None:
            if i - start >= 2:
                lines.append((start, i))
            start = None
    if len(lines) < 4:
        return None
    lefts, rights = [], []
    for a, b in lines:
        cols = np.nonzero(ink_upright[a:b].any(axis=0))[0]
        lefts.append(cols[0])
        rights.append(cols[-1])
    sl, sr = float(np.std(lefts)), float(np.std(rights))
    px_mm = DPI / SCALE / 25.4
    if sr > 3 * sl + 2 * px_mm:
        return False
    if sl > 3 * sr + 2 * px_mm:
        return True
    return None


def _binarise_local(page: np.ndarray, sample: np.ndarray, paper_fine: np.ndarray, turn: float | None, dpi: int,
                    notes: list[str], label_boxes: list[tuple[int, int, int, int]],
                    behind: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """Threshold ``page`` (already upright) against the local paper level (``restore``), then
    despeckle. ``turn`` is the rotation (degrees) the page went through since ``sample`` and
    ``paper_fine`` were taken (None: none); ``behind``, where the other side has ink (duplex).
    Returns the 0/255 page and the threshold at the median paper level (the record's
    ``threshold``)."""
    t = restore.local_threshold(sample, paper_fine, INK_DELTA, label_boxes, behind)
    surface = t.surface
    paper = int(np.median(paper_fine))
    if t.paper_range[1] - t.paper_range[0] > 16 or paper < 215:
        notes.append(f"background: paper level {t.paper_range[0]}-{t.paper_range[1]} across the page (grey or "
                     f"coloured paper, uneven light, a fold): each place thresholded against its own paper")
    if t.show_through is not None:
        notes.append(f"show-through: a lighter image ({t.show_through:.0%} below the paper, the ink "
                     f"{t.ink_darkness:.0%}) kept white: threshold at {t.relative:.0%} of the paper level instead "
                     f"of {t.ink_darkness / 2:.0%}{' (where the other side has ink)' if behind is not None else ''}")
    if t.faint is not None:
        notes.append(f"lighter writing: where the other side has no ink, a second, lighter writing (pencil, a pale "
                     f"pen) kept: threshold at {t.faint:.0%} of the paper level there instead of {t.relative:.0%}")
    # paper noise against the cut: smooth 3 x 3 first when the noise would reach it
    hs, ws = min(sample.shape[0], paper_fine.shape[0]), min(sample.shape[1], paper_fine.shape[1])
    resid = sample[:hs, :ws].astype(np.int16) - paper_fine[:hs, :ws].astype(np.int16)
    near = np.abs(resid) < INK_DELTA
    sigma = float(resid[near].std()) if near.any() else 0.0
    # a 3 x 3 mean first, always: a third of the noise, smoother edges (smaller G4, better OCR)
    page = cv2.blur(page, (3, 3))
    gap = t.relative * paper
    if sigma > 0 and gap < NOISE_MARGIN * sigma:
        note = f"noisy scan (paper sigma {sigma:.1f}): smoothed 3x3 before the threshold"
        if gap < NOISE_MARGIN * sigma / 3:      # even smoothed, the noise would reach the cut
            rel = NOISE_MARGIN * sigma / 3 / max(paper, 1)
            surface = np.clip(paper_fine.astype(np.float32) * (1.0 - rel), 0, 255).astype(np.uint8)
            note += f", threshold kept {rel:.0%} below the paper"
        notes.append(note)
    if turn is not None:
        sh, sw = surface.shape
        if abs(turn) == 180.0:
            surface = np.ascontiguousarray(surface[::-1, ::-1])
        else:
            ms = cv2.getRotationMatrix2D(((sw - 1) / 2, (sh - 1) / 2), turn, 1.0)
            surface = cv2.warpAffine(surface, ms, (sw, sh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    h, w = page.shape
    # the surface is smooth (a blurred closing): nearest-neighbour enlargement is as good and cheaper
    full = cv2.resize(surface, (w, h), interpolation=cv2.INTER_NEAREST)
    bw = cv2.compare(page, full, cv2.CMP_GT)
    specks = 0
    if restore.speck_evidence(sample, t.surface) >= restore.SPECK_EVIDENCE:
        bw, specks = restore.despeckle(bw, dpi)
    if specks:
        notes.append(f"despeckle: {specks} px of specks removed (each at most {restore.speck_max_area(dpi)} px, "
                     f"{restore.SPECK_MAX_AREA_MM2} mm², smaller than a full stop, apart from any letter)")
    bw, smoothed = restore.smooth_edges(bw)
    if smoothed:
        notes.append(f"edges: {smoothed} px of one-pixel bumps and notches smoothed (a smaller file, the same letters)")
    return bw, int(paper * (1.0 - t.relative))


def _whiten_paper(page: np.ndarray, sample: np.ndarray, notes: list[str]) -> np.ndarray:
    """For a greyscale page: a light smoothing (sigma 1.2 px = 0.1 mm; the JPEG of a full-page
    photograph is a quarter smaller than at 0.8 px, and 9-pt captions read as well) and a levels curve that
    maps the paper to white: the paper is the page's 95th percentile (a photograph covers most of
    its page, so the median would be the photograph's, and mapping that to white would wipe out
    its light half), less three noise sigmas of the pixels within ``INK_DELTA`` of it. Scanner
    noise on empty paper is what makes a greyscale JPEG big; this removes it there and keeps every
    grey of the picture (about a third smaller at q75). Returns a new array."""
    hist = cv2.calcHist([sample], [0], None, [256], [0, 256]).ravel()
    cum = np.cumsum(hist)
    paper = int(np.searchsorted(cum, 0.95 * cum[-1]))
    lo, hi = max(paper - INK_DELTA // 2, 0), min(paper + INK_DELTA // 2, 255)
    levels = np.arange(lo, hi + 1, dtype=np.float64)
    weights = hist[lo:hi + 1]
    sigma = float(np.sqrt(np.average((levels - paper) ** 2, weights=weights))) if weights.sum() else 0.0
    white = max(paper - 3.0 * sigma, 64.0)
    lut = np.clip(np.arange(256, dtype=np.float32) * (255.0 / white), 0, 255).astype(np.uint8)
    notes.append(f"greyscale: paper level {paper} (95th percentile) and above {white:.0f} mapped to white")
    return cv2.LUT(cv2.GaussianBlur(page, (0, 0), 1.2), lut)


def ink_coverage(gray: GrayInput, dpi: int = DPI) -> float:
    """The blank-page measure alone (``coverage`` of :func:`clean_sheet`, without the border
    whitening, so a dark border counts as ink): a few milliseconds, to skip work on empty pages."""
    arr = as_gray_array(gray)
    h, w = arr.shape
    small = cv2.resize(arr, (w // SCALE, h // SCALE), interpolation=cv2.INTER_AREA)
    paper = _percentile(small, 90)
    margin = round(MARGIN_MM / 25.4 * dpi / SCALE)
    inner = small[margin:-margin or None, margin:-margin or None] < max(paper - INK_DELTA, 1)
    return float(inner.mean()) if inner.size else 0.0


# -- the cleanup -----------------------------------------------------------------------------
def clean_sheet(gray: GrayInput, labels: Sequence[LabelRead] | None = None, *, dpi: int = DPI,
                force_grey: bool = False, other_side: GrayInput | None = None) -> Cleaned:
    """Clean one scanned page (greyscale, 300 dpi); see the module docstring for each measure.

    ``labels`` are the reads from :func:`read_labels` on the same image, if already done: an
    upside-down label decides the orientation. ``force_grey`` keeps greyscale regardless of the
    photo measure. ``other_side`` is the scan of the sheet's other side (duplex), as the
    scanner gave it: show-through is then looked for only behind its ink, and a lighter
    writing elsewhere is kept. The input is not modified.
    """
    arr = as_gray_array(gray)
    h, w = arr.shape
    small = cv2.resize(arr, (w // SCALE, h // SCALE), interpolation=cv2.INTER_AREA)
    paper = _percentile(small, 90)
    notes: list[str] = []

    border_fraction = 0.0
    border = _whiten_borders(small, paper)
    if border is not None:
        border_fraction = float(border.mean())
        small = small.copy()
        small[border] = 255
        big = cv2.resize(border.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
        big = cv2.dilate(big, np.ones((2 * SCALE + 1, 2 * SCALE + 1), np.uint8))
        arr = arr.copy()
        arr[big.astype(bool)] = 255
        notes.append("dark scanner border whitened")

    margin = round(MARGIN_MM / 25.4 * dpi / SCALE)
    ink_small = small < max(paper - INK_DELTA, 1)
    inner = ink_small[margin:-margin or None, margin:-margin or None]
    coverage = float(inner.mean()) if inner.size else 0.0
    if coverage < BLANK_COVERAGE:
        return Cleaned(arr, True, True, coverage, 0.0, False, "none", border_fraction, 0, None, paper, dpi,
                       [*notes, f"blank: ink coverage {coverage:.5%} < {BLANK_COVERAGE:.3%}"])

    skew, ratio = _estimate_skew(ink_small)

    # orientation: the label first, the text when there is no label
    rotated, source = False, "none"
    ours = [r for r in (labels or []) if r.number is not None]
    if ours:
        rotated, source = ours[0].upside_down, "label"
    else:
        centre = (small.shape[1] / 2, small.shape[0] / 2)
        m_small = cv2.getRotationMatrix2D(centre, -skew, 1.0)
        upright = cv2.warpAffine(ink_small.astype(np.uint8), m_small, (small.shape[1], small.shape[0]),
                                 flags=cv2.INTER_NEAREST, borderValue=0)
        verdict = _text_upside_down(upright)
        if verdict is not None:
            rotated, source = verdict, "text"

    sample = np.ascontiguousarray(arr[::SCALE, ::SCALE])
    ink_level = _percentile(sample, 1)
    small_dpi = dpi / SCALE
    paper_fine = restore.paper_surface(small, small_dpi)
    pad = round(8 / 25.4 * dpi)                 # the label's caption under the bars, and a margin
    boxes = [(int(min(x for x, _ in r.corners) - pad) // SCALE, int(min(y for _, y in r.corners) - pad) // SCALE,
              int(max(x for x, _ in r.corners) + pad) // SCALE, int(max(y for _, y in r.corners) + pad) // SCALE)
             for r in ours]
    measure = restore.photo_blocks(sample, small, restore.paper_surface(small, small_dpi, restore.PAPER_WINDOW_COARSE_MM),
                                   ink_level, PHOTO_BLOCK, int(restore.PAPER_FLOOR * _percentile(sample, 90)), boxes)
    photo = measure.blocks
    grey = force_grey or photo >= PHOTO_MIN_BLOCKS
    if force_grey:
        notes.append("class: greyscale, asked for by the caller")
    elif grey:
        notes.append(f"class: greyscale, {photo} blocks of 10.8 mm are photo-like (smooth mid-tones; "
                     f">= {PHOTO_MIN_BLOCKS}): a photograph or a shaded drawing")
    else:
        notes.append(f"class: bitonal, {photo} photo-like blocks (< {PHOTO_MIN_BLOCKS}; largest share of smooth "
                     f"mid-tones {measure.share_max:.0%}): writing")

    # a picture's own lines (a drawing's hatching, a photograph's horizon) can outscore the page's
    # writing in the profile: on a greyscale page, or a weak peak, our label's angle has the say
    label_skew = _label_skew(arr, ours[0]) if ours and (grey or ratio < SKEW_CLEAR_RATIO) else None
    if label_skew is not None and abs(skew - label_skew) > LABEL_SKEW_DIFF:
        profile = skew
        skew, ratio = _estimate_skew(ink_small, around=label_skew)
        notes.append(f"skew: the page's lines gave {profile:.2f}°, our label {label_skew:.2f}° ("
                     f"{'a picture' if grey else 'a weak peak'}): searched again near the label, {skew:.2f}°")

    # one resampling for deskew and half-turn together, bilinear, of the grey page before the
    # threshold: nearest-neighbour would copy a row or column twice or drop one along every
    # step of the turn, which breaks thin serif strokes and (2-8 of 1870) the dots of і ї and
    # full stops (tests/imaging/test_legibility.py); the legibility corpus reads better with
    # bilinear on every kind of paper (benchmarks/legibility.py). Angles under
    # MIN_SKEW_TO_ROTATE, below the estimate's precision, are left as scanned: no blur for nothing.
    turn = (180.0 if rotated else 0.0) - skew
    if abs(skew) >= MIN_SKEW_TO_ROTATE:
        m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), turn, 1.0)
        out = cv2.warpAffine(arr, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    elif rotated:
        out = np.ascontiguousarray(arr[::-1, ::-1])
    else:
        out = arr

    threshold = None
    if not grey:
        behind = None
        if other_side is not None:
            back = as_gray_array(other_side)
            if back.shape == arr.shape:
                back_small = cv2.resize(back, (w // SCALE, h // SCALE), interpolation=cv2.INTER_AREA)
                behind, offset = restore.behind_ink(small, paper_fine, back_small,
                                                    restore.paper_surface(back_small, small_dpi), small_dpi)
                notes.append(f"other side: its ink behind {(behind > restore.BACK_INK).mean():.1%} of the page, turned over and moved by "
                             f"({offset[0] * SCALE}, {offset[1] * SCALE}) px")
            else:
                notes.append(f"other side: {back.shape[1]} x {back.shape[0]} px, not this side's size: not used")
        out, threshold = _binarise_local(out, sample, paper_fine, turn if abs(skew) >= MIN_SKEW_TO_ROTATE else
                                         (180.0 if rotated else None), dpi, notes, boxes, behind)
    else:
        out = _whiten_paper(out, sample, notes)
    return Cleaned(out, not grey, False, coverage, skew, rotated, source, border_fraction, photo, threshold,
                   paper, dpi, notes)


__all__ = ["BLANK_COVERAGE", "PHOTO_MIN_BLOCKS", "Cleaned", "clean_sheet", "ink_coverage"]
