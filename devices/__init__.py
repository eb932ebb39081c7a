"""Terminal devices: one module per device kind, each with an interface, the real driver on the
real library (python-escpos, python-sane, pyserial, IPP), typed errors and a state.

This package imports only the standard library and the device libraries (see
ARCHITECTURE.md): nothing from ``kiosk_app``, ``sync_agent`` or ``hardware_sim``.
"""
