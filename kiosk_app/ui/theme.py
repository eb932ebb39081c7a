"""Sizes and colours: touch targets in millimetres (from the screen's physical DPI), large type,
a calm default theme, a high-contrast theme and a large-text mode."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .qt import QGuiApplication

TARGET_MM = 15.0
FOCUS_EXTRA = 3                         # px a side: the focused control's border is this much thicker
ASSUMED_PANEL = (15.6, 1920, 1080)      # inches diagonal, pixels: used when the screen's size is unknown


def assumed_dpi() -> float:
    inches, w, h = ASSUMED_PANEL
    return math.hypot(w, h) / inches


def screen_dpi() -> float:
    """Physical DPI of the primary screen; the assumed 15.6" 1920x1080 panel when unknown."""
    app = QGuiApplication.instance()
    screen = QGuiApplication.primaryScreen() if app else None
    if screen is None or QGuiApplication.platformName() in ("offscreen", "minimal"):
        return assumed_dpi()
    size = screen.physicalSize()
    if size.width() < 50 or size.height() < 30:      # EDID missing or bogus
        return assumed_dpi()
    dpi = screen.physicalDotsPerInch()
    return dpi if 50 <= dpi <= 400 else assumed_dpi()


def mm_to_px(mm: float, dpi: float | None = None) -> int:
    return math.ceil(mm * (dpi or screen_dpi()) / 25.4)


@dataclass
class Theme:
    high_contrast: bool = False
    large_text: bool = False
    text_scale: float = 1.0          # the panel's text size (2.0: 200 %, WCAG 1.4.4); large text adds 30 %

    @property
    def scale(self) -> float:
        return self.text_scale * (1.3 if self.large_text else 1.0)

    def font_px(self, role: str = "body") -> int:
        if role == "field":           # typed text: the title's size, at large text the body's (never smaller)
            return max(self.font_px("body"), round(58 * min(self.scale, 1.0)))
        base = {"title": 58, "body": 38, "button": 38, "number": 120, "code": 92, "small": 32, "key": 36}[role]
        return round(base * self.scale)

    def target_px(self) -> int:
        return mm_to_px(TARGET_MM)

    def colours(self) -> dict[str, str]:
        if self.high_contrast:
            return {"bg": "#000000", "fg": "#FFFFFF", "btn": "#000000", "btn_fg": "#FFFF00", "border": "#FFFF00",
                    "primary": "#FFFF00", "primary_fg": "#000000", "focus": "#00FFFF", "error": "#FF8080",
                    "panel": "#000000", "muted": "#FFFFFF", "warn_bg": "#FFFF00", "warn_fg": "#000000"}
        return {"bg": "#F4F1EA", "fg": "#1B1B1B", "btn": "#FFFFFF", "btn_fg": "#0B3D6B", "border": "#0B3D6B",
                "primary": "#0B5CAD", "primary_fg": "#FFFFFF", "focus": "#E07B00", "error": "#A30000",
                "panel": "#FFFFFF", "muted": "#3A3A3A", "warn_bg": "#FFF3C4", "warn_fg": "#1B1B1B"}

    def stylesheet(self) -> str:
        c = self.colours()
        t = self.target_px()
        border = 4 if self.high_contrast else 3
        return f"""
QWidget#root, QWidget#page {{ background: {c['bg']}; color: {c['fg']}; }}
QLabel {{ color: {c['fg']}; font-size: {self.font_px('body')}px; }}
QLabel#title {{ font-size: {self.font_px('title')}px; font-weight: bold; }}
QLabel#small, QLabel#step {{ font-size: {self.font_px('small')}px; color: {c['muted']}; }}
QLabel#error {{ color: {c['error']}; font-weight: bold; }}
QLabel#number {{ font-size: {self.font_px('number')}px; font-weight: bold; letter-spacing: 4px; }}
QLabel#code {{ font-size: {self.font_px('code')}px; font-weight: bold; letter-spacing: 4px; }}
QLabel#fault {{ background: {c['warn_bg']}; color: {c['warn_fg']}; padding: 16px; border: {border}px solid {c['border']}; }}
QLabel#service_info {{ font-size: {round(self.font_px('small') * 0.8)}px; background: {c['panel']}; padding: 4px;
  border: 2px solid {c['border']}; }}
QLabel#summary {{ background: {c['panel']}; padding: 12px; border: 2px solid {c['border']}; }}
QPushButton {{ min-height: {t}px; min-width: {t}px; font-size: {self.font_px('button')}px; color: {c['btn_fg']};
  background: {c['btn']}; border: {border}px solid {c['border']}; border-radius: 10px; padding: 4px 18px; }}
QPushButton#primary {{ background: {c['primary']}; color: {c['primary_fg']}; font-weight: bold; }}
QPushButton#key {{ font-size: {self.font_px('key')}px; padding: 0px; border-radius: 6px; min-height: {round(t * 0.8)}px;
  min-width: {round(t * 0.8)}px; }}
QPushButton#padkey {{ font-size: {self.font_px('key')}px; padding: 0px; border-radius: 6px; min-height: {t}px; }}
QPushButton:focus {{ border: {border + FOCUS_EXTRA}px solid {c['focus']}; }}
QPushButton:checked {{ background: {c['primary']}; color: {c['primary_fg']}; }}
QPushButton:disabled {{ color: {c['muted']}; border-style: dashed; }}
QLineEdit {{ min-height: {t}px; font-size: {self.font_px('field')}px; background: {c['panel']}; color: {c['fg']};
  border: {border}px solid {c['border']}; border-radius: 8px; padding: 0 12px; }}
QLineEdit:focus {{ border: {border + 3}px solid {c['focus']}; }}
QProgressBar {{ min-height: {t // 2}px; font-size: {self.font_px('small')}px; border: 2px solid {c['border']};
  background: {c['panel']}; color: {c['fg']}; text-align: center; }}
QProgressBar::chunk {{ background: {c['primary']}; }}
QScrollArea#page_scroll, QScrollArea#page_scroll > QWidget, QWidget#scrolled {{ background: transparent; border: none; }}
QScrollBar:vertical {{ width: {t // 3}px; background: {c['panel']}; border: 2px solid {c['border']}; }}
QScrollBar::handle:vertical {{ background: {c['primary']}; min-height: {t}px; }}
QFrame#banner {{ background: {c['warn_bg']}; border: {border}px solid {c['border']}; }}
QFrame#banner QLabel {{ color: {c['warn_fg']}; font-size: {self.font_px('small')}px; font-weight: bold; }}
"""
