"""The device error tree, shared by every driver.

    DeviceError                      base of everything a driver raises
    ├── DeviceConfigError            bad or unknown configuration (names the choices)
    ├── DeviceNotFound               nothing answers where the device should be
    ├── DeviceTimeout                the device did not answer within the phase's timeout
    ├── DeviceProtocolError          the device answered something we cannot parse
    └── DeviceFault                  the device reports a physical condition
        ├── PaperOut, PaperJam, CoverOpen, DeviceOffline, DoubleFeed, FeederEmpty,
        ├── StaplesOut, BinFull, DoorOpen, Unplugged
        └── ModemError (NoSim, PinLocked, NoNetwork, WeakSignal, SmsRejected)

Third-party exceptions are translated at the driver boundary with ``raise ... from err``.
Every error carries ``device`` (the device kind) and a ``code`` (a stable machine name, also
used by the UI to pick the words a resident reads).
"""

from __future__ import annotations


class DeviceError(Exception):
    """Base of every error a device driver raises."""

    code = "device_error"

    def __init__(self, message: str, *, device: str = "") -> None:
        super().__init__(message)
        self.device = device

    def as_dict(self) -> dict[str, str]:
        return {"device": self.device, "code": self.code, "message": str(self)}


class DeviceConfigError(DeviceError):
    code = "config"


class DeviceNotFound(DeviceError):
    code = "not_found"


class DeviceTimeout(DeviceError):
    code = "timeout"


class DeviceProtocolError(DeviceError):
    code = "protocol"


class DeviceFault(DeviceError):
    """A physical condition reported by the device itself."""

    code = "fault"


class PaperOut(DeviceFault):
    code = "paper_out"


class PaperJam(DeviceFault):
    code = "jam"


class CoverOpen(DeviceFault):
    code = "cover_open"


class DeviceOffline(DeviceFault):
    code = "offline"


class DoubleFeed(DeviceFault):
    code = "double_feed"


class FeederEmpty(DeviceFault):
    code = "feeder_empty"


class StaplesOut(DeviceFault):
    code = "staples_out"


class BinFull(DeviceFault):
    code = "bin_full"


class DoorOpen(DeviceFault):
    code = "door_open"


class Unplugged(DeviceFault):
    code = "unplugged"


class ModemError(DeviceFault):
    code = "modem"


class NoSim(ModemError):
    code = "no_sim"


class PinLocked(ModemError):
    code = "pin_locked"


class NoNetwork(ModemError):
    code = "no_network"


class WeakSignal(ModemError):
    code = "weak_signal"


class SmsRejected(ModemError):
    code = "sms_rejected"
