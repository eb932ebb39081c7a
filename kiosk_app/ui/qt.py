"""The one place the front end chooses its Qt binding: every other UI module imports Qt from here."""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import (
    QEvent,
    QEventLoop,
    QLocale,
    QObject,
    QPoint,
    QRect,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QPainter,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyleOptionButton,
    QVBoxLayout,
    QWidget,
)

# PySide6 6.12 (shiboken) returns None from every void method without taking a reference to it.
# From Python 3.12 None is immortal and that is harmless; on Python 3.11 each call (setText,
# setStyleSheet, ...) takes one reference from None, and after some thousand calls the interpreter
# aborts ("Fatal Python error: none_dealloc"): the kiosk would die within a day. Until the binding
# is fixed, None gets references enough for ever (tests/ui/test_units.py::test_none_survives_qt_calls).
if sys.version_info < (3, 12):
    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40

__all__ = [
    "QApplication", "QEvent", "QEventLoop", "QFont", "QFontMetrics", "QFrame", "QGridLayout", "QGuiApplication", "QHBoxLayout", "QImage",
    "QKeyEvent", "QLabel", "QLineEdit", "QLocale", "QObject", "QPainter", "QPixmap", "QPoint", "QProgressBar", "QPushButton",
    "QRect", "QResizeEvent", "QRunnable", "QScrollArea", "QSize", "QSizePolicy", "QStackedWidget", "QStyle", "QStyleOptionButton", "QThreadPool", "QTimer", "QVBoxLayout",
    "QWidget", "Qt", "Signal", "Slot", "mouse_click", "text_to_speech",
]


def mouse_click(widget: QWidget, button: Qt.MouseButton, pos: QPoint) -> None:
    """A real press and release on ``widget`` (QtTest, imported on first use: scripts only)."""
    from PySide6.QtTest import QTest

    QTest.mouseClick(widget, button, Qt.KeyboardModifier.NoModifier, pos)


def text_to_speech() -> type:
    """QTextToSpeech, imported on first use (it is an add-on module and slows the cold start)."""
    from PySide6.QtTextToSpeech import QTextToSpeech

    return QTextToSpeech
