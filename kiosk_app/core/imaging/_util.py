"""Small helpers shared by the imaging modules: input normalisation and page geometry."""

from __future__ import annotations

from typing import Union

import numpy as np
from PIL import Image

DPI = 300
A4_PX = (2480, 3508)  # width, height of A4 at 300 dpi

GrayInput = Union[Image.Image, np.ndarray]  # noqa: UP007 - a runtime alias, kept readable


def as_gray_array(img: GrayInput) -> np.ndarray:
    """A 2-D uint8 array for a PIL image (converted to "L" if needed) or an array (not copied)."""
    if isinstance(img, Image.Image):
        if img.mode != "L":
            img = img.convert("L")
        return np.asarray(img)
    arr = np.asarray(img)
    if arr.ndim == 3 and arr.shape[2] in (3, 4):
        # RGB(A) -> luma, the way Pillow does it
        arr = (arr[..., 0] * 299 + arr[..., 1] * 587 + arr[..., 2] * 114) // 1000
    if arr.ndim != 2:
        raise ValueError(f"expected a greyscale image, got an array of shape {arr.shape}")
    if arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    return arr


def mm_to_px(mm: float, dpi: int = DPI) -> int:
    return round(mm / 25.4 * dpi)
