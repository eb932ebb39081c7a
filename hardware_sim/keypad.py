"""A tactile USB keypad of the ATM / EN 301 549 kind (§5.6 tactile or auditory status, the raised
dot on 5), and the headphone jack beside it.

The keypad is a USB HID keyboard: each key sends one HID usage (Keyboard/Keypad page 0x07, Consumer
page 0x0C for the volume keys); the Linux input stack and Qt turn it into a key event whose name is
``qt_name`` (as ``QKeySequence`` spells it). This module knows nothing of the kiosk: it is the
keypad as sold, the layout a blind resident finds with their fingers.

    4 x 3 digits (5 raised)   |  Cancel (red, X)    Help (?)
    1 2 3                     |  Clear (yellow, <)  Volume +
    4 5 6                     |  Enter (green, O)   Volume -
    7 8 9                     |  arrows: up, down, left, right
      0
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Key:
    name: str
    usage_page: int
    usage: int
    qt_name: str                # what Qt names the key event the keypad produces
    tactile: str = ""           # the mark the fingers find


KEYS: dict[str, Key] = {
    **{str(d): Key(str(d), 0x07, 0x62 if d == 0 else 0x58 + d, str(d), "raised dot" if d == 5 else "")
       for d in range(10)},
    "enter": Key("enter", 0x07, 0x58, "Enter", "green, circle"),
    "cancel": Key("cancel", 0x07, 0x29, "Esc", "red, cross"),
    "clear": Key("clear", 0x07, 0x2A, "Backspace", "yellow, bar"),
    "help": Key("help", 0x07, 0x3A, "F1", "question mark"),
    "volume_up": Key("volume_up", 0x0C, 0xE9, "Volume Up", "plus"),
    "volume_down": Key("volume_down", 0x0C, 0xEA, "Volume Down", "minus"),
    "up": Key("up", 0x07, 0x52, "Up", "arrow"),
    "down": Key("down", 0x07, 0x51, "Down", "arrow"),
    "left": Key("left", 0x07, 0x50, "Left", "arrow"),
    "right": Key("right", 0x07, 0x4F, "Right", "arrow"),
}


@dataclass
class HeadphoneJack:
    """The 3.5 mm jack: ``plug()``/``unplug()`` as a resident does; ``log`` what happened."""

    plugged: bool = False
    log: list[str] = field(default_factory=list)

    def plug(self) -> None:
        self.plugged = True
        self.log.append("plug")

    def unplug(self) -> None:
        self.plugged = False
        self.log.append("unplug")


@dataclass
class KeypadSim:
    """The keypad and the jack; ``press`` returns the key's Qt name and records the press."""

    jack: HeadphoneJack = field(default_factory=HeadphoneJack)
    pressed: list[str] = field(default_factory=list)

    def press(self, name: str) -> str:
        key = KEYS[name]
        self.pressed.append(name)
        return key.qt_name
