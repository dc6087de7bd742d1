"""The listening socket the devnet and ``hub serve`` bind before starting is a TCP socket with TCP_NODELAY:
asyncio only sets TCP_NODELAY on sockets whose proto says TCP, and without it every response on a keep-alive
connection waited ~40 ms for the client's delayed ACK (Nagle), which made every node request 44 ms. Both
servers bind through :func:`tanglehub.listen.bind_port`, each with its own error types."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from tanglehub.cli.hub import _bind_api_port
from tanglehub.devnet.errors import DevnetPortInUse
from tanglehub.devnet.server import bind_port
from tanglehub.errors import ConfigError

BINDERS: list[tuple[str, Callable[[str, int], socket.socket], type[Exception]]] = [
    ("devnet", bind_port, DevnetPortInUse),
    ("hub serve", _bind_api_port, ConfigError),
]


@pytest.mark.parametrize(("name", "binder", "taken_error"), BINDERS, ids=[b[0] for b in BINDERS])
def test_the_bound_socket_is_tcp_with_nodelay(
    name: str, binder: Callable[[str, int], socket.socket], taken_error: type[Exception]
) -> None:
    sock = binder("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(taken_error, match=f"cannot listen on 127.0.0.1 port {port}.*pass another --port"):
            binder("127.0.0.1", port)
    finally:
        sock.close()
