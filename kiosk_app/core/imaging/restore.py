"""Making the stored page as legible as the paper: the page decision and the cleanup steps.

Measured on the legibility corpus (``benchmarks/legibility.py``: white, grey, coloured and
photocopied paper, dense print, show-through, forms, handwriting, photographs, drawings).

* :func:`paper_surface`: the paper's own level, place by place. A grey-level closing (a maximum
  then a minimum over a square window) of the 75 dpi view removes every stroke narrower than the
  window and keeps the paper between them; a box blur smooths the steps. Coloured and grey paper,
  uneven lighting, a darkened photocopy edge and a fold's shadow are all "paper" at their place.
* :func:`photo_blocks`: the page decision. A pixel is a *smooth mid-tone* when it lies well
  between the ink and the paper AT ITS PLACE (from ``PHOTO_MID_LOW`` to ``PHOTO_MID_HIGH`` of
  the way from the paper down to the ink) and its 1 mm neighbourhood in the 75 dpi view is flat
  (range below ``PHOTO_FLAT`` of the paper-to-ink span). A photograph or a shaded drawing is
  made of such pixels; print and handwriting are paper and ink with their mid-tones only on the
  strokes' edges (never flat), however dense, bold or small the text, and whatever the paper's
  colour: the paper level is the local one, so a grey or coloured sheet or a shadow is paper, not
  a mid-tone. Show-through and folds stay lighter than ``PHOTO_MID_HIGH``.
* :func:`local_threshold`: the threshold follows the paper: halfway between the local paper level
  and the ink, so text on a dark photocopy edge, in a grey-shaded form cell or on coloured paper
  is cut at the same place as on white paper (background normalisation). Show-through (the back's
  writing seen through thin paper, lighter than the ink) is kept white: the ink level is the
  median of the darker class of Otsu's split of everything darker than the paper (so a page full
  of show-through does not pass for faint ink), split again while that median is under half the
  darkest ink's (a dense back showing through a short letter outnumbers its ink); and when more
  than 1 % of the page lies in the lighter class away from any ink and reaches the threshold, the
  threshold is moved just past that show-through (its 97th percentile, plus 5 % of the paper
  level), never beyond halfway to the ink.

  With the sheet's other side (a duplex scan, :func:`behind_ink`: turned over, registered by
  phase correlation, 0.5 mm of reach) the threshold knows where show-through can be: only
  behind the other side's ink. A second, lighter writing (pencil, a pale pen: 30-50 % darkness)
  is what lies elsewhere, in strokes (a pixel with two more around it; toner dust stands alone)
  covering more than ``FAINT_MIN_SHARE`` of the page with their darkest quarter at least
  ``FAINT_MIN_DARKNESS``; it is cut at half its own darkness, and behind the other side's ink
  just past the show-through expected there (the other side's darkness times how much of it
  comes through).

  Known limit, a single side (simplex): that lighter writing beside black print is taken for
  show-through or falls under the cut at half the black ink, and is lost
  (``test_pencil_under_a_black_printed_header_is_kept``, expected to fail): without the other
  side, telling writing from a blurred mirror image needs a measure of sharpness that this
  module does not have (two were tried, docs/pdf-output.md). Paler writing than 25 % darkness is
  lost on a duplex scan too (toner haze reaches 23 %).
* :func:`despeckle`: removes black specks of at most ``SPECK_MAX_AREA_MM2`` (0.035 mm², 4 pixels
  at 300 dpi, of the page as thresholded after its 3 x 3 mean) standing apart from everything
  else (a white ring of one pixel): toner dust and scanner noise. The smallest full stop, comma
  or diacritic dot (і ї й) of 9 pt print measures 9 to 20 pixels on paper and keeps at least 5
  after the mean and the threshold (a 3 x 3 dot becomes a 5-pixel cross), so it stays; so does a
  speck touching a letter. Specks of 2 x 2 pixels and less vanish in the mean itself.

Every function returns what it did, so the page record can say why (``Cleaned.notes``).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

PAPER_WINDOW_MM = 5.0          # closing window for the local paper level (binarisation)
PAPER_WINDOW_COARSE_MM = 10.0  # the same, coarser, for the page decision
PHOTO_MID_LOW = 0.40           # a mid-tone is darker than 40 % of the way from the paper to the ink...
PHOTO_MID_HIGH = 0.75          # ...and lighter than 75 % of it
PHOTO_FLAT = 0.30              # and sits in a 1 mm neighbourhood whose range is below 30 % of the span
PAPER_FLOOR = 0.75             # the local paper for the page decision is at least 75 % of the page's
PHOTO_BLOCK_SHARE = 0.30       # a block is photo-like above this share of smooth mid-tones
SPECK_MAX_AREA_MM2 = 0.035     # specks up to this area are removed (4 px at 300 dpi)
SPECK_EVIDENCE = 60            # isolated ink samples before the despeckling pass runs
SHOW_THROUGH_MIN_SHARE = 0.01  # share of the page in the show-through range, away from ink, to act
BACK_INK = 0.35                # the other side's ink: darker than this share of its paper (its show-through is lighter)
BACK_REACH_MM = 0.5            # the other side's ink, widened by this much: the paper's blur, the registration's error
BACK_MAX_OFFSET_MM = 4.0       # the two sensors' offset searched for, at most
SHOW_THROUGH_MARGIN = 0.05     # the cut lies this far (a share of the paper) past the show-through
FAINT_MIN_SHARE = 0.005        # share of the page in a lighter writing's strokes (duplex) to act on it: a few lines
FAINT_MIN_DARKNESS = 0.25      # ... and how dark their darkest quarter is at least (measured: pencil and pale pens
                               # 0.33-0.38; toner haze, a stamp's edge, a fold 0.15-0.23)


def _window(mm: float, dpi_small: float) -> np.ndarray:
    n = max(3, round(mm / 25.4 * dpi_small) | 1)
    return np.ones((n, n), np.uint8)


def paper_surface(small: np.ndarray, dpi_small: float, window_mm: float = PAPER_WINDOW_MM) -> np.ndarray:
    """The paper's level at each place of the 75 dpi view (uint8, same shape): a closing that
    wipes out strokes narrower than ``window_mm``, then a box blur of the same size."""
    k = _window(window_mm, dpi_small)
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, k, borderType=cv2.BORDER_REPLICATE)
    return cv2.blur(closed, (k.shape[0], k.shape[0]), borderType=cv2.BORDER_REPLICATE)


@dataclass
class PhotoMeasure:
    blocks: int                # photo-like blocks
    share_max: float           # the largest block share of smooth mid-tones


def photo_blocks(sample: np.ndarray, small: np.ndarray, paper_coarse: np.ndarray, ink: int,
                 block: int, paper_floor: int = 0,
                 exclude: list[tuple[int, int, int, int]] | None = None) -> PhotoMeasure:
    """Blocks (``block`` samples square) whose share of smooth mid-tones exceeds
    ``PHOTO_BLOCK_SHARE``; see the module docstring. ``sample``, ``small`` and ``paper_coarse`` are
    views of the same page at the same scale (75 dpi); ``ink`` is the page's ink level.
    ``paper_floor``: the local paper level is taken no lower than this (``PAPER_FLOOR`` of the
    page's paper): inside a large photograph or a shaded area the closing follows the picture
    itself, and the picture must not pass for paper. ``exclude``: boxes (x0, y0, x1, y1, at the
    views' scale) of our labels: a white label is not the resident's paper, and its white, spread
    by the closing up to ``PAPER_WINDOW_COARSE_MM`` around it, would make grey or dark paper next
    to it look like a smooth mid-tone; the label and that band around it do not count."""
    h = min(sample.shape[0], small.shape[0], paper_coarse.shape[0])
    w = min(sample.shape[1], small.shape[1], paper_coarse.shape[1])
    s = sample[:h, :w].astype(np.int16)
    p = np.maximum(paper_coarse[:h, :w], np.uint8(min(paper_floor, 255))).astype(np.int16)
    span = np.maximum(p - ink, 24)
    dark = p - s                                            # darkness below the local paper
    mid = (dark * 100 > span * int(PHOTO_MID_LOW * 100)) & (dark * 100 < span * int(PHOTO_MID_HIGH * 100))
    k = np.ones((3, 3), np.uint8)
    sm = small[:h, :w]
    flat = (cv2.dilate(sm, k).astype(np.int16) - cv2.erode(sm, k)) * 100 < span * int(PHOTO_FLAT * 100)
    smooth_mid = (mid & flat).astype(np.float32)
    reach = _window(PAPER_WINDOW_COARSE_MM, 300 / 4).shape[0]
    for x0, y0, x1, y1 in exclude or []:
        smooth_mid[max(y0 - reach, 0):max(y1 + reach, 0), max(x0 - reach, 0):max(x1 + reach, 0)] = 0.0
    bh, bw = (h // block) * block, (w // block) * block
    if not bh or not bw:
        return PhotoMeasure(0, 0.0)
    shares = smooth_mid[:bh, :bw].reshape(bh // block, block, bw // block, block).mean(axis=(1, 3))
    return PhotoMeasure(int((shares > PHOTO_BLOCK_SHARE).sum()), float(shares.max()))


@dataclass
class Threshold:
    surface: np.ndarray        # uint8 threshold at the small scale (pixels at or below are ink)
    relative: float            # the cut, as a share of the paper-to-ink span below the paper
    faint: float | None        # where nothing lies behind (duplex): the lower cut for a lighter writing found
    ink_darkness: float        # the ink's median darkness, as a share of the paper level
    show_through: float | None  # darkness of the show-through found (share of the paper), if acted on
    paper_range: tuple[int, int]  # the lowest and highest local paper levels (1st, 99th percentile)


def _otsu(darkness: np.ndarray) -> float:
    """Otsu's split of darkness values (0-1), at 1/255 steps."""
    u8 = np.clip(darkness * 255, 0, 255).astype(np.uint8).reshape(-1, 1)
    return float(cv2.threshold(u8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0]) / 255


def local_threshold(sample: np.ndarray, paper_fine: np.ndarray, ink_delta: int,
                    exclude: list[tuple[int, int, int, int]] | None = None,
                    behind: np.ndarray | None = None) -> Threshold:
    """The threshold surface: for each place, halfway between its paper level and the ink
    (both measured as darkness relative to the local paper), moved up past show-through when
    the page has show-through clearly lighter than the ink. ``sample`` and ``paper_fine`` have
    the same scale; ``exclude`` are boxes (x0, y0, x1, y1) at that scale left out of the
    measures: our labels, whose black bars are not the resident's ink.

    ``behind`` (duplex: :func:`behind_ink`, the same scale) says where the other side has ink.
    Show-through is then looked for there only, and a lighter writing found where nothing lies
    behind it (pencil, a pale pen) is cut at half its own darkness there instead of half the
    black ink's."""
    # the measures on every other sample (37 dpi): as good for levels, half the cost
    h, w = min(sample.shape[0], paper_fine.shape[0]), min(sample.shape[1], paper_fine.shape[1])
    s = sample[:h:2, :w:2].astype(np.float32)
    p = np.maximum(paper_fine[:h:2, :w:2].astype(np.float32), 1.0)
    dark = 1.0 - s / p                                      # 0 on paper, ~0.9 on black ink
    for x0, y0, x1, y1 in exclude or []:
        dark[max(y0, 0) // 2:max(y1, 0) // 2, max(x0, 0) // 2:max(x1, 0) // 2] = 0.0
    hist = cv2.calcHist([paper_fine], [0], None, [256], [0, 256]).ravel()
    cum = np.cumsum(hist)
    p_lo, p_hi = int(np.searchsorted(cum, 0.01 * cum[-1])), int(np.searchsorted(cum, 0.99 * cum[-1]))
    ink_min = ink_delta / max(float(np.median(p)), 1.0)
    # Otsu's split of everything darker than the paper: ink cores above it; below it stroke
    # edges, noise and, when there is some, show-through
    marked = dark > 0.06
    d = dark[marked]
    split = _otsu(d) if d.size >= 50 else 1.0
    inky = d[d > max(split, ink_min)]
    if inky.size < max(50, 0.1 * d.size):       # no clear ink class: everything darker counts
        inky = d[d > ink_min]
    # a lighter image outnumbering the ink (a dense page showing through a sparse letter) pulls
    # Otsu's split, and the darker class's median, down into itself: split that class again
    # while its median is under half the darkest ink's (the 99.5th percentile)
    top = float(np.percentile(d, 99.5)) if d.size >= 50 else 1.0
    while inky.size >= 100 and float(np.median(inky)) < 0.5 * top:
        split2 = _otsu(inky)
        upper = inky[inky > split2]
        if upper.size < 50 or split2 <= split:
            break
        split, inky = split2, upper
    ink_d = float(np.median(inky)) if inky.size >= 50 else 2 * ink_min
    rel = 0.5 * ink_d
    show = None
    # show-through: below the split, darker than 8 %, and not within 1 mm of ink (so not the soft
    # edge of a stroke); with the other side scanned, only where it has ink
    near_ink = cv2.dilate((dark > split).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    lighter = (dark > 0.08) & (dark <= split) & ~near_ink
    back = behind[:h:2, :w:2] if behind is not None else None
    ghost = lighter & (back > BACK_INK) if back is not None else lighter
    keep: float | np.ndarray = 1.0 - rel              # the threshold as a share of the paper level
    faint = None
    if back is not None:
        # duplex: a lighter writing is what lies where the other side has no ink; it is cut at
        # half its own darkness, and, where the other side has ink, just past the show-through
        # expected there (the other side's darkness times how much of it comes through, measured
        # where it has ink)
        through = float(np.percentile(dark[ghost] / back[ghost], 90)) if np.count_nonzero(ghost) >= 50 else 0.0
        writing = lighter & (back < BACK_INK)
        # its strokes: pixels with two more of it around them (a speck, a noise pixel stands alone)
        strokes = writing & (cv2.filter2D(writing.astype(np.uint8), -1, np.ones((3, 3), np.float32),
                                          borderType=cv2.BORDER_CONSTANT) >= 3)
        if strokes.mean() > FAINT_MIN_SHARE:
            f = float(np.percentile(dark[strokes], 75))
            if f >= FAINT_MIN_DARKNESS and 0.5 * f < rel:
                faint = 0.5 * f
                expected = through * behind[:paper_fine.shape[0], :paper_fine.shape[1]]
                cut = np.clip(expected + SHOW_THROUGH_MARGIN, faint, max(rel, faint))
                keep = np.ones(paper_fine.shape, np.float32)
                keep[:cut.shape[0], :cut.shape[1]] = 1.0 - cut
    if faint is None and ghost.mean() > SHOW_THROUGH_MIN_SHARE:
        g = float(np.percentile(dark[ghost], 97))
        if g > rel - 0.05 and ink_d > g + 0.15:
            rel = min(g + SHOW_THROUGH_MARGIN, (g + ink_d) / 2)
            keep = 1.0 - rel
            show = g
    surface = np.clip(paper_fine.astype(np.float32) * keep, 0, 255).astype(np.uint8)
    return Threshold(surface, rel, faint, ink_d, show, (p_lo, p_hi))


def behind_ink(small: np.ndarray, paper: np.ndarray, other: np.ndarray, other_paper: np.ndarray,
               dpi_small: float) -> tuple[np.ndarray, tuple[int, int]]:
    """The darkness of the sheet's other side behind each place of this side (duplex), in the 75
    dpi view (float, 0 on paper): ``small`` and ``paper`` are this side's view and paper level,
    ``other`` and ``other_paper`` the other side's, as the scanner gave it. The other side is
    turned over (mirrored left to right, as the two sensors see one sheet), moved by the sensors'
    offset, and each place takes the darkest within ``BACK_REACH_MM`` (the paper's blur, the
    registration's error). The offset is the phase correlation of this side's lighter image
    with the other side's ink, within ``BACK_MAX_OFFSET_MM`` (else none). Returns the map and the
    offset (x, y) in pixels of the view."""
    h, w = min(small.shape[0], other.shape[0]), min(small.shape[1], other.shape[1])
    dark = np.clip(1.0 - small[:h, :w].astype(np.float32) / np.maximum(paper[:h, :w], 1), 0, 1)
    back = np.clip(1.0 - other[:h, :w].astype(np.float32) / np.maximum(other_paper[:h, :w], 1), 0, 1)
    back = np.ascontiguousarray(back[:, ::-1])
    ink = (back > BACK_INK).astype(np.float32)
    light = np.where(dark < BACK_INK, dark, 0).astype(np.float32)  # this side's own ink left out
    (dx, dy), response = cv2.phaseCorrelate(ink, light, cv2.createHanningWindow((w, h), cv2.CV_32F))
    reach = BACK_MAX_OFFSET_MM / 25.4 * dpi_small
    if not (abs(dx) <= reach and abs(dy) <= reach and response > 0.02):
        dx = dy = 0.0
    ox, oy = round(dx), round(dy)
    moved = cv2.warpAffine(back, np.float32([[1, 0, ox], [0, 1, oy]]), (w, h), flags=cv2.INTER_NEAREST)
    k = 2 * max(1, round(BACK_REACH_MM / 25.4 * dpi_small)) + 1
    out = np.zeros(small.shape, np.float32)
    out[:h, :w] = cv2.dilate(moved, np.ones((k, k), np.uint8))
    return out, (ox, oy)


def speck_max_area(dpi: int) -> int:
    return max(1, int(SPECK_MAX_AREA_MM2 * (dpi / 25.4) ** 2))


def speck_evidence(sample: np.ndarray, surface: np.ndarray) -> int:
    """Ink samples (every 4th pixel) with no ink among their 8 neighbours (4 px away): specks,
    dots and punctuation seen through the sample grid. Under ``SPECK_EVIDENCE`` the page has too
    few specks to be worth the full-resolution pass (a clean scan measures 20-60)."""
    h, w = min(sample.shape[0], surface.shape[0]), min(sample.shape[1], surface.shape[1])
    ink = cv2.compare(sample[:h, :w], surface[:h, :w], cv2.CMP_LE) // 255
    n8 = cv2.boxFilter(ink, -1, (3, 3), normalize=False, borderType=cv2.BORDER_CONSTANT)
    return int(cv2.countNonZero(cv2.bitwise_and(ink, cv2.compare(n8, 1, cv2.CMP_EQ) // 255)))


def despeckle(bw: np.ndarray, dpi: int) -> tuple[np.ndarray, int]:
    """Whiten the specks of a 0/255 page: black components of at most :func:`speck_max_area`
    pixels that fit in a 5 x 5 window with a white ring around it (so nothing that touches a
    letter, and nothing larger than the smallest full stop). Two box sums (5 x 5 and 7 x 7) find
    them without labelling the whole page. Returns the page (a new array when anything was
    removed) and the number of black pixels whitened."""
    ink = cv2.compare(bw, 128, cv2.CMP_LT)                 # 255 where black
    ones = cv2.threshold(ink, 0, 1, cv2.THRESH_BINARY)[1]
    c5 = cv2.boxFilter(ones, -1, (5, 5), normalize=False, borderType=cv2.BORDER_CONSTANT)
    c7 = cv2.boxFilter(ones, -1, (7, 7), normalize=False, borderType=cv2.BORDER_CONSTANT)
    centre = cv2.bitwise_and(cv2.compare(c7, c5, cv2.CMP_EQ), cv2.compare(c5, speck_max_area(dpi), cv2.CMP_LE))
    centre = cv2.bitwise_and(centre, ink)
    if not cv2.countNonZero(centre):
        return bw, 0
    specks = cv2.bitwise_and(cv2.dilate(centre, np.ones((5, 5), np.uint8)), ink)
    return cv2.bitwise_or(bw, specks), int(cv2.countNonZero(specks))


MARK_MAX_PX = 30                # ink in a 9 x 9 window above which a pixel belongs to a stroke, not a dot
_SIDES = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], np.float32)
_RING = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], np.float32)


def smooth_edges(bw: np.ndarray) -> tuple[np.ndarray, int]:
    """Remove single-pixel bumps and fill single-pixel notches on the strokes' edges of a 0/255
    page (see the module's notes). Returns the page and the number of pixels changed."""
    ink = cv2.compare(bw, 128, cv2.CMP_LT) // 255                      # 1 where black
    sides = cv2.filter2D(ink, -1, _SIDES, borderType=cv2.BORDER_CONSTANT)
    ring = cv2.filter2D(ink, -1, _RING, borderType=cv2.BORDER_CONSTANT)
    # only on strokes: a bump whose 9 x 9 neighbourhood holds less ink than the largest dot of
    # small print (a full stop, the dots of і ї: up to 20 px) is part of that dot and stays
    body = cv2.boxFilter(ink, -1, (9, 9), normalize=False, borderType=cv2.BORDER_CONSTANT) >= MARK_MAX_PX
    bump = (ink == 1) & (sides == 1) & (ring >= 3) & body
    notch = (ink == 0) & (sides >= 3)
    changed = int(np.count_nonzero(bump)) + int(np.count_nonzero(notch))
    if not changed:
        return bw, 0
    out = bw.copy()
    out[bump] = 255
    out[notch] = 0
    return out, changed


__all__ = [
    "PhotoMeasure",
    "Threshold",
    "behind_ink",
    "despeckle",
    "local_threshold",
    "paper_surface",
    "photo_blocks",
    "smooth_edges",
    "speck_evidence",
    "speck_max_area",
]
