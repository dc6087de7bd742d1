"""Listening sockets for the project's servers (devnet, hub, and anything else that serves HTTP).

:func:`bind_port` binds a TCP socket before a server starts, so that a taken port is one clear error and
nothing has been printed or created yet; the bound socket is then handed to uvicorn (no window for another
process to take the port in between). :func:`free_port` finds a port that is free right now (tests, demos).
Each layer keeps its own error classes and wording: the caller passes the factories of the two errors (as
:mod:`tanglehub.dirlock` does).
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable

__all__ = ["bind_port", "free_port"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def bind_port(
    host: str,
    port: int,
    *,
    bad_address: Callable[[str], Exception],
    unavailable: Callable[[str], Exception],
    reuse_port: bool = False,
    in_use_hint: str = "",
) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (``SO_REUSEADDR``, as uvicorn does; 0 picks a free port), with
    ``TCP_NODELAY`` set and ``proto`` ``IPPROTO_TCP``.

    asyncio sets ``TCP_NODELAY`` only on sockets whose ``proto`` says TCP; without it every keep-alive response
    waited ~40 ms for the client's delayed ACK (Nagle). Accepted sockets inherit both. With ``reuse_port``
    (``SO_REUSEPORT``) several processes of one user may bind the same port and the kernel spreads new
    connections among them (Linux); without it a taken port is refused. A port taken by a process that does not
    share it (one bound without ``SO_REUSEPORT``, or another user's) is refused in both cases, and the message
    says which. ``in_use_hint`` (e.g. ``" (or --reuse-port if ...)"``) is appended to the advice for a port
    taken while ``reuse_port`` is off.

    Raises:
        bad_address(message): a port outside 0..65535 or a host name that does not resolve.
        unavailable(message): the address is taken, not this machine's, or needs privileges; the message says
            what to do (``--host`` / ``--port``).
    """
    if not 0 <= port <= 65535:
        raise bad_address(f"port {port} is outside 0..65535")
    if reuse_port and not hasattr(socket, "SO_REUSEPORT"):
        raise bad_address("this system cannot share a port between processes (no SO_REUSEPORT)")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except socket.gaierror as exc:
        sock.close()
        raise bad_address(f"cannot listen on host {host!r}: {exc.strerror or exc}; check --host") from None
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        if exc.errno == errno.EADDRINUSE and reuse_port:
            advice = (
                "the process holding it does not share it (only processes of the same user started with "
                "--reuse-port can); stop it or pass another --port"
            )
        elif exc.errno == errno.EADDRINUSE:
            advice = f"stop the process using it or pass another --port{in_use_hint}"
        elif exc.errno == errno.EADDRNOTAVAIL:
            advice = (
                f"{host} is not an address of this machine; pass --host with one of its addresses "
                "(127.0.0.1 for this machine only, 0.0.0.0 for every interface)"
            )
        elif exc.errno == errno.EACCES:
            advice = "ports below 1024 need administrator rights; pass --port 1024 or above"
        else:
            advice = "check --host and --port"
        raise unavailable(f"cannot listen on {host} port {port}: {reason}; {advice}") from None
    return sock
