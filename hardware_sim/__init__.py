"""The physical terminal in software: simulators that listen on the real transports (TCP 9100,
pseudo-terminals, the saned network protocol, IPP) behind one virtual paper path.

Never imports the code under test (``devices``, ``kiosk_app``, ``sync_agent``): a simulator
that shares code with the driver proves nothing.
"""
