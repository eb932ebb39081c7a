"""The socket ``city-server run`` listens on: the connections asyncio (under uvicorn) accepts from it
have Nagle's algorithm off. With it on, an answer's body on a kept-alive connection waited for the
client's delayed ACK: 40 ms on every request after a connection's first."""

from __future__ import annotations

import asyncio
import socket

from server_stub.cli import listen_socket


def test_accepted_connections_have_nagle_off() -> None:
    async def main() -> list[int]:
        seen: list[int] = []
        accepted = asyncio.Event()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                accepted.set()

        sock = listen_socket("127.0.0.1", 0)
        # as uvicorn serves the sockets it is handed: loop.create_server(..., sock=sock)
        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        async with server:
            _reader, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            await asyncio.wait_for(accepted.wait(), 10)
            writer.close()
        return seen

    assert asyncio.run(main()) == [1]
