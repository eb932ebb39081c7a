"""Shared fixtures for the imaging tests: realistic sheets made by benchmarks/_sheetgen.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_benchmark_module(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def sg() -> ModuleType:
    """The sheet generator module (labelled A4 pages, degradations)."""
    return _load_benchmark_module("_sheetgen")


@pytest.fixture(scope="session")
def lc(sg: ModuleType) -> ModuleType:
    """The legibility corpus module (pages of every kind of paper, with their true text)."""
    return _load_benchmark_module("_legibility_corpus")


CASES = {
    # name: Degradation keyword arguments
    "clean": {"noise_sigma": 4},
    "skew+4.8": {"skew_deg": 4.8, "noise_sigma": 4},
    "skew-4.9": {"skew_deg": -4.9, "noise_sigma": 4},
    "noise12": {"skew_deg": 1.5, "noise_sigma": 12},
    "blur": {"skew_deg": -2.0, "blur_sigma": 1.6, "noise_sigma": 4},
    "low-contrast": {"skew_deg": 2.5, "contrast": 0.4, "noise_sigma": 8},
    "upside-down": {"skew_deg": 3.0, "upside_down": True, "noise_sigma": 4},
    "upside-down-faint": {"skew_deg": -1.2, "upside_down": True, "contrast": 0.5, "blur_sigma": 1.2,
                          "noise_sigma": 6},
    "border": {"skew_deg": -3.5, "border_px": 60, "noise_sigma": 4},
    "worst": {"skew_deg": -4.5, "upside_down": True, "contrast": 0.4, "blur_sigma": 1.6, "noise_sigma": 12},
}


@pytest.fixture(scope="session")
def degraded(sg: ModuleType) -> dict:
    """One labelled, 20-line sheet per degradation case: name -> TestSheet (payload, degradation,
    image as scanned)."""
    import random

    rng = random.Random(42)
    out = {}
    for i, (name, kw) in enumerate(CASES.items()):
        payload = f"{sg.compact_number(5000 + i)}-{i + 1:02d}"
        page = sg.labelled_page(payload, sg.text_lines(rng, 20))
        d = sg.Degradation(**kw)
        out[name] = sg.TestSheet(payload, d, sg.degrade(page, d, seed=i), 20)
    return out
