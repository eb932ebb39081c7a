"""The privacy timer: any touch or key restarts it; for the last ``warning`` seconds a banner
counts down with a "Stay" button; at zero the session ends (``expired`` signal)."""

from __future__ import annotations

from .i18n import tr
from .qt import (
    QApplication,
    QEvent,
    QFrame,
    QHBoxLayout,
    QLabel,
    QObject,
    QSizePolicy,
    QTimer,
    QWidget,
    Signal,
)
from .widgets import BigButton

ACTIVITY = {QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin, QEvent.Type.Wheel}


class IdleBanner(QFrame):
    """The countdown strip. While it shows it takes the place of the screen's top row (step,
    language, speech), so that the bottom row keeps its room (``visible`` signal)."""

    visible = Signal(bool)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 2, 4, 2)
        self.label = QLabel(self)
        self.label.setObjectName("idle_text")
        self.label.setWordWrap(True)
        self.stay = BigButton("", self, primary=True)
        self.stay.setObjectName("primary")
        self.stay.set_policy(QSizePolicy.Policy.Preferred)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.stay)
        self.hide()

    def setVisible(self, on: bool) -> None:
        was = self.isVisible()
        super().setVisible(on)
        if on != was:
            self.visible.emit(on)


class IdleGuard(QObject):
    expired = Signal()
    tick = Signal(int)               # seconds left, while warning

    def __init__(self, timeout_s: float, warning_s: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeout_s, self.warning_s = timeout_s, warning_s
        self.left = timeout_s
        self.active = False
        self.paused = False          # a device works for the resident (the worker is busy)
        self.held = False            # the resident works on their phone (signing in with BankID)
        self.timer = QTimer(self)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self._tick)
        QApplication.instance().installEventFilter(self)

    def configure(self, timeout_s: float, warning_s: float) -> None:
        self.timeout_s, self.warning_s = timeout_s, warning_s
        self.reset()

    def start(self) -> None:
        self.active = True
        self.reset()
        self.timer.start()

    def stop(self) -> None:
        self.active = False
        self.timer.stop()
        self.tick.emit(-1)

    def reset(self) -> None:
        was_warning = self.left <= self.warning_s
        self.left = self.timeout_s
        if was_warning:
            self.tick.emit(-1)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if self.active and event.type() in ACTIVITY:
            self.reset()
        return False

    def _tick(self) -> None:
        if not self.active or self.paused or self.held:
            return
        self.left -= self.timer.interval() / 1000
        if self.left <= 0:
            self.stop()
            self.expired.emit()
        elif self.left <= self.warning_s:
            self.tick.emit(max(1, round(self.left + 0.49)))


def banner_text(lang: str, seconds: int) -> str:
    return tr("idle.warn", lang, s=seconds)
