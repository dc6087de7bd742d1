"""The listening socket the devnet and ``hub serve`` bind before starting is a TCP socket with TCP_NODELAY:
asyncio only sets TCP_NODELAY on sockets whose proto says TCP, and without it every response on a keep-alive
connection waited ~40 ms for the client's delayed ACK (Nagle), which made every node request 44 ms. Both
servers bind through :func:`tanglehub.listen.bind_port`, each with its own error types and wording: sharing a
port held by a process that does not share it says so, and the hub's hints never reach the devnet's message."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from tanglehub import listen
from tanglehub.cli.hub_serve import _bind_api_port
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


def _held(reuse_port: bool) -> socket.socket:
    """A listening socket on a free port, sharing it (SO_REUSEPORT) or not."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if reuse_port:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    return holder


def test_the_devnet_message_for_a_taken_port_stays_as_it_was() -> None:
    """The devnet binds without sharing; its wording is pinned (the hub's hints must not leak into it)."""
    with _held(reuse_port=False) as holder:
        port = holder.getsockname()[1]
        with pytest.raises(DevnetPortInUse) as raised:
            bind_port("127.0.0.1", port)
    assert str(raised.value) == (
        f"cannot listen on 127.0.0.1 port {port}: Address already in use; stop the process using it or pass "
        "another --port"
    )


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="needs SO_REUSEPORT")
def test_sharing_a_port_held_by_a_process_that_does_not_share_it_says_so() -> None:
    with _held(reuse_port=False) as holder:
        port = holder.getsockname()[1]
        with pytest.raises(ConfigError) as raised:
            listen.bind_port(
                "127.0.0.1",
                port,
                bad_address=ConfigError,
                unavailable=ConfigError,
                reuse_port=True,
                in_use_hint="!",
            )
    assert str(raised.value) == (
        f"cannot listen on 127.0.0.1 port {port}: Address already in use; the process holding it does not share "
        "it (only processes of the same user started with --reuse-port can); stop it or pass another --port"
    )
    with _held(reuse_port=True) as holder:  # a sharing holder: both listen
        port = holder.getsockname()[1]
        listen.bind_port(
            "127.0.0.1", port, bad_address=ConfigError, unavailable=ConfigError, reuse_port=True
        ).close()
        with pytest.raises(ConfigError, match=r"pass another --port \(or this\)$"):
            listen.bind_port(
                "127.0.0.1", port, bad_address=ConfigError, unavailable=ConfigError, in_use_hint=" (or this)"
            )
