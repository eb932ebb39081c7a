"""The simulator's HTTP servers (the control API and the IPP form printer) speak HTTP/1.1 with
kept-alive connections and write an answer's body after its headers: their connections have
Nagle's algorithm off, or every answer after a connection's first waits 40 ms for the client's
delayed ACK. Checked on the server's side of a real connection, two requests on it."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator
from pathlib import Path
from socketserver import BaseServer

import pytest

from hardware_sim.bench import Bench
from hardware_sim.control import ControlServer
from hardware_sim.ipp_printer import IppPrinterSim
from hardware_sim.paper import ScanNoise


def nodelay_of_connections(server: BaseServer, port: int, path: str) -> list[int]:
    """TCP_NODELAY of the server's socket for each request of one kept-alive connection."""
    seen: list[int] = []

    class Spy(server.RequestHandlerClass):  # type: ignore[name-defined,misc]
        def handle_one_request(self) -> None:
            seen.append(self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            super().handle_one_request()

    server.RequestHandlerClass = Spy
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for _ in range(2):
            conn.request("GET", path)
            answer = conn.getresponse()
            answer.read()
            assert answer.status == 200 and not answer.will_close
    finally:
        conn.close()
    return seen[:2]


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Bench]:
    b = Bench(tmp_path / "sim", receipt_port=0, ipp_port=0, saned_port=0, noise=ScanNoise(0, 0))
    b.start()
    yield b
    b.stop()


def test_control_api_connections_have_nagle_off(bench: Bench) -> None:
    server = ControlServer(bench, "127.0.0.1", 0)
    server.start()
    try:
        assert nodelay_of_connections(server.httpd, server.port, "/api/state") == [1, 1]
    finally:
        server.stop()


def test_form_printer_connections_have_nagle_off(tmp_path: Path) -> None:
    printer = IppPrinterSim(tmp_path / "ipp", port=0, render=False)
    printer.start()
    try:
        assert printer._server is not None
        assert nodelay_of_connections(printer._server, printer.port, "/") == [1, 1]
    finally:
        printer.stop()
