"""The listening socket the devnet (and ``hub serve``) binds before starting is a TCP socket with TCP_NODELAY:
asyncio only sets TCP_NODELAY on sockets whose proto says TCP, and without it every response on a keep-alive
connection waited ~40 ms for the client's delayed ACK (Nagle), which made every node request 44 ms."""

from __future__ import annotations

import socket

from tanglehub.devnet.server import bind_port


def test_the_bound_socket_is_tcp_with_nodelay() -> None:
    sock = bind_port("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        sock.close()
