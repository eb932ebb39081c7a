"""A recorded client session against SanedSim, byte for byte, over a real socket (port 0).

The requests are the bytes SANE's net backend sends (backend/net.c + sanei_wire); the replies
must be exactly what it expects to decode.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from hardware_sim.paper import PaperPath, ScanNoise, blank_page
from hardware_sim.saned import SanedSim
from hardware_sim.saned_device import INDEX, OPTIONS
from hardware_sim.saned_wire import option_descriptors_reply, string, word


def recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        assert chunk, f"connection closed after {len(buf)} of {n} bytes"
        buf += chunk
    return buf


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SanedSim]:
    s = SanedSim(tmp_path, PaperPath(ScanNoise(0, 0)), "127.0.0.1", 0)
    s.start()
    yield s
    s.stop()


@pytest.fixture
def ctl(sim: SanedSim) -> Iterator[socket.socket]:
    c = socket.create_connection(("127.0.0.1", sim.port), timeout=10)
    c.sendall(word(0) + word(0x01000003) + string("kiosk"))            # SANE_NET_INIT
    assert recv_exact(c, 8) == bytes.fromhex("00000000" "01000003")
    yield c
    c.close()


def control(c: socket.socket, option: int, action: int, vtype: int, size: int, value: bytes) -> None:
    count = size // 4 if vtype in (0, 1, 2) else size
    c.sendall(word(5) + word(0) + word(option) + word(action) + word(vtype) + word(size) + word(count) + value)


def test_devices_open_options_and_a_page(sim: SanedSim, ctl: socket.socket) -> None:
    c = ctl
    c.sendall(word(1))                                                    # GET_DEVICES
    expected = (word(0) + word(2) + word(0) + string("sim-adf") + string("Appeal Terminal")
                + string("Virtual ADF scanner") + string("sheetfed scanner") + word(1))
    assert recv_exact(c, len(expected)) == expected

    c.sendall(word(2) + string("sim-adf"))                                # OPEN
    assert recv_exact(c, 12) == bytes.fromhex("00000000" "00000000" "00000000")

    c.sendall(word(4) + word(0))                                          # GET_OPTION_DESCRIPTORS
    body = option_descriptors_reply(OPTIONS)
    assert recv_exact(c, len(body)) == body

    control(c, INDEX["source"], 0, 3, 32, b"\0" * 32)                     # GET source
    expected = word(0) + word(0) + word(3) + word(32) + word(32) + b"Flatbed".ljust(32, b"\0") + word(0)
    assert recv_exact(c, len(expected)) == expected

    control(c, INDEX["source"], 1, 3, 4, b"ADF\0")                        # SET source ADF
    expected = word(0) + word(4) + word(3) + word(4) + word(4) + b"ADF\0" + word(0)
    assert recv_exact(c, len(expected)) == expected

    c.sendall(word(7) + word(0))                                          # START, feeder empty
    assert recv_exact(c, 16) == word(7) + word(0) + word(0x1234) + word(0)

    sim.paper.feed_image(blank_page(["Прошу"]))
    sim.paper.take_from_tray()
    sim.paper.print_label("№ 017-000123-5 · арк. 1/1", "0170001235-01", 150, 8)
    sim.paper.pass_to_scanner()
    c.sendall(word(6) + word(0))                                          # GET_PARAMETERS
    assert recv_exact(c, 28) == b"".join(word(v) for v in (0, 0, 1, 2480, 2480, 3508, 8))

    c.sendall(word(7) + word(0))                                          # START
    reply = recv_exact(c, 16)
    assert reply[:4] == word(0) and reply[8:] == word(0x1234) + word(0)
    port = int.from_bytes(reply[4:8], "big")
    data = socket.create_connection(("127.0.0.1", port), timeout=10)
    pixels = b""
    while True:
        n = int.from_bytes(recv_exact(data, 4), "big")
        if n == 0xFFFFFFFF:
            assert recv_exact(data, 1) == b"\x05"                          # EOF: the page is whole
            break
        pixels += recv_exact(data, n)
    data.close()
    assert len(pixels) == 2480 * 3508
    page = Image.fromarray(np.frombuffer(pixels, np.uint8).reshape(3508, 2480), "L")
    assert [r.text for r in zxingcpp.read_barcodes(page)] == ["0170001235-01"]

    c.sendall(word(7) + word(0))                                          # START: nothing left
    assert recv_exact(c, 16)[:4] == word(7)
    c.sendall(word(3) + word(0))                                          # CLOSE
    assert recv_exact(c, 4) == word(0)


def test_double_feed_is_a_jam_plus_the_sensor(sim: SanedSim, ctl: socket.socket) -> None:
    c = ctl
    c.sendall(word(2) + string("sim-adf"))
    recv_exact(c, 12)
    control(c, INDEX["source"], 1, 3, 4, b"ADF\0")
    recv_exact(c, 28)
    sim.paper.feed_image(blank_page())
    sim.paper.take_from_tray()
    sim.paper.pass_to_scanner()
    control(c, INDEX["double-feed"], 0, 0, 4, word(0))
    assert recv_exact(c, 28) == word(0) + word(0) + word(0) + word(4) + word(1) + word(0) + word(0)
    sim.inject("double_feed")
    c.sendall(word(7) + word(0))
    assert recv_exact(c, 16)[:4] == word(6)                               # JAMMED
    control(c, INDEX["double-feed"], 0, 0, 4, word(0))
    assert recv_exact(c, 28) == word(0) + word(0) + word(0) + word(4) + word(1) + word(1) + word(0)
    assert sim.paper.scanner_has_paper()                                  # the sheets stay in the feeder


def test_unplugged_device_disappears_until_cleared(sim: SanedSim, ctl: socket.socket) -> None:
    sim.gone = True
    ctl.sendall(word(1))
    assert recv_exact(ctl, 12) == word(0) + word(1) + word(1)             # no devices
    ctl.sendall(word(2) + string("sim-adf"))
    assert recv_exact(ctl, 12)[:4] == word(4)                             # INVAL
    sim.inject("unplugged_mid_batch")
    sim.clear("unplugged_mid_batch")
    ctl.sendall(word(1))
    assert recv_exact(ctl, 4) == word(0)
    assert recv_exact(ctl, 4) == word(2)


def test_offline_refuses_connections_until_cleared(sim: SanedSim) -> None:
    sim.inject("offline")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", sim.port), timeout=2)
    sim.clear("offline")
    c = socket.create_connection(("127.0.0.1", sim.port), timeout=5)
    c.sendall(word(0) + word(0x01000003) + string(None))
    assert recv_exact(c, 8) == bytes.fromhex("00000000" "01000003")
    c.close()
