"""The one place the front end chooses its Qt binding: every other UI module imports Qt from here."""

from __future__ import annotations

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
