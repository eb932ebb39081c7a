"""Identity and settings commands of the simulated modem (V.250 / 3GPP TS 27.007 / 27.005):
``+CGMI +CGMM +CGMR +CGSN`` (and ``+GMI``...), ``+GCAP``, ``+CIMI``, ``+CMEE``, ``+CMGF``, ``+CFUN``,
``+CSCS``, ``+CSCA``, ``+CSMP``, ``+CSMS``, ``+CNMI``, ``+CNMA``, ``+CLIP``, ``+CRC``. Mixed into
:class:`hardware_sim.modem_engine.ModemEngine`, which holds the state."""

from __future__ import annotations

from hardware_sim.modem_lines import CommandError


class SettingCommands:
    manufacturer: str
    model: str
    revision: str
    imei: str
    imsi: str
    smsc: str
    cmee: int
    cmgf: int
    cfun: int
    cscs: str
    csmp: list[int]
    cnmi: list[int]

    def _need_sim(self, kind: str = "CME") -> None: ...            # provided by the engine

    # -- identity ------------------------------------------------------------------------------------------
    def _x_cgmi(self, mode: str, a: list[str], raw: str) -> list[str]:
        return [] if mode == "test" else [self.manufacturer]

    def _x_cgmm(self, mode: str, a: list[str], raw: str) -> list[str]:
        return [] if mode == "test" else [self.model]

    def _x_cgmr(self, mode: str, a: list[str], raw: str) -> list[str]:
        return [] if mode == "test" else [self.revision]

    def _x_cgsn(self, mode: str, a: list[str], raw: str) -> list[str]:
        return [] if mode == "test" else [self.imei]

    _x_gmi, _x_gmm, _x_gmr, _x_gsn = _x_cgmi, _x_cgmm, _x_cgmr, _x_cgsn

    def _x_gcap(self, mode: str, a: list[str], raw: str) -> list[str]:
        return ["+GCAP: +CGSM"]

    def _x_cimi(self, mode: str, a: list[str], raw: str) -> list[str]:
        if mode == "test":
            return []
        self._need_sim()
        return [self.imsi]

    # -- settings ------------------------------------------------------------------------------------------
    def _int_setting(self, attr: str, mode: str, a: list[str], allowed: range, label: str) -> list[str]:
        if mode == "test":
            return [f"+{label}: ({allowed.start}-{allowed.stop - 1})"]
        if mode == "read":
            return [f"+{label}: {getattr(self, attr)}"]
        if mode == "set" and a and a[0].isdigit() and int(a[0]) in allowed:
            setattr(self, attr, int(a[0]))
            return []
        raise CommandError("CME", 3)

    def _x_cmee(self, mode: str, a: list[str], raw: str) -> list[str]:
        return self._int_setting("cmee", mode, a, range(3), "CMEE")

    def _x_cmgf(self, mode: str, a: list[str], raw: str) -> list[str]:
        return self._int_setting("cmgf", mode, a, range(2), "CMGF")

    def _x_cfun(self, mode: str, a: list[str], raw: str) -> list[str]:
        if mode == "test":
            return ["+CFUN: (0,1,4),(0-1)"]
        if mode == "read":
            return [f"+CFUN: {self.cfun}"]
        if mode == "set" and a and a[0] in ("0", "1", "4"):
            self.cfun = int(a[0])
            return []
        raise CommandError("CME", 3)

    def _x_cscs(self, mode: str, a: list[str], raw: str) -> list[str]:
        if mode == "test":
            return ['+CSCS: ("GSM","IRA","UCS2","UTF-8")']
        if mode == "read":
            return [f'+CSCS: "{self.cscs}"']
        if mode == "set" and a and a[0].upper() in ("GSM", "IRA", "UCS2", "UTF-8", "8859-1"):
            self.cscs = a[0].upper()
            return []
        raise CommandError("CME", 3)

    def _x_csca(self, mode: str, a: list[str], raw: str) -> list[str]:
        if mode == "read":
            return [f'+CSCA: "{self.smsc}",145']
        if mode == "set" and a:
            self.smsc = a[0]
        return []

    @staticmethod
    def _numbers(name: str, values: list[int], mode: str, a: list[str]) -> list[str]:
        """A setting that is a list of numbers: read it, or set the ones given (empty keeps one)."""
        if mode == "read":
            return [f"+{name}: " + ",".join(str(x) for x in values)]
        if mode == "set":
            for i, v in enumerate(a[:len(values)]):
                if v.isdigit():
                    values[i] = int(v)
        return []

    def _x_csmp(self, mode: str, a: list[str], raw: str) -> list[str]:
        return self._numbers("CSMP", self.csmp, mode, a)

    def _x_csms(self, mode: str, a: list[str], raw: str) -> list[str]:
        if mode == "test":
            return ["+CSMS: (0,1)"]
        if mode == "read":
            return ["+CSMS: 0,1,1,1"]
        return ["+CSMS: 1,1,1"] if mode == "set" else []

    def _x_cnmi(self, mode: str, a: list[str], raw: str) -> list[str]:
        if mode == "test":
            return ["+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"]
        return self._numbers("CNMI", self.cnmi, mode, a)

    def _x_cnma(self, mode: str, a: list[str], raw: str) -> list[str]:
        return []

    def _x_clip(self, mode: str, a: list[str], raw: str) -> list[str]:
        return ["+CLIP: 0,2"] if mode == "read" else ["+CLIP: (0,1)"] if mode == "test" else []
