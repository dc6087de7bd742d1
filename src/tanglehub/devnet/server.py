"""Run the devnet app on uvicorn: in the foreground (CLI, clean Ctrl-C) or in a background thread (tests)."""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
import time

import uvicorn

from tanglehub.devnet.app import create_app
from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.errors import DevnetConfigError, DevnetPortInUse, DevnetUnavailable
from tanglehub.devnet.node import DevnetNode

__all__ = ["BackgroundServer", "bind_port", "free_port", "serve"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def bind_port(host: str, port: int) -> socket.socket:
    """Bind the API's listening socket now (``SO_REUSEADDR``, as uvicorn does); 0 picks a free port.

    The CLI calls this before anything else, so a taken port is one clear error and nothing has been printed
    or created yet; the bound socket is then handed to :func:`serve` (no window for another process to take
    the port in between). Raises DevnetPortInUse when the address is taken or cannot be bound,
    DevnetConfigError for a port outside 0..65535 or a host name that does not resolve.
    """
    if not 0 <= port <= 65535:
        raise DevnetConfigError(f"port {port} is outside 0..65535")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and without it
    # every keep-alive response waits ~40 ms for the client's delayed ACK (Nagle); accepted sockets inherit both.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except socket.gaierror as exc:
        sock.close()
        raise DevnetConfigError(f"cannot listen on host {host!r}: {exc.strerror or exc}; check --host") from None
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        if exc.errno == errno.EADDRINUSE:
            advice = "stop the process using it or pass another --port"
        elif exc.errno == errno.EADDRNOTAVAIL:
            advice = (
                f"{host} is not an address of this machine; pass --host with one of its addresses "
                "(127.0.0.1 for this machine only, 0.0.0.0 for every interface)"
            )
        elif exc.errno == errno.EACCES:
            advice = "ports below 1024 need administrator rights; pass --port 1024 or above"
        else:
            advice = "check --host and --port"
        raise DevnetPortInUse(f"cannot listen on {host} port {port}: {reason}; {advice}") from None
    return sock


def _uvicorn_config(node: DevnetNode, host: str, port: int, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(node=node), host=host, port=port, log_level=log_level, access_log=False, lifespan="on"
    )


def serve(node: DevnetNode, log_level: str = "warning", sock: socket.socket | None = None) -> None:
    """Serve ``node`` until Ctrl-C / SIGTERM; the store is flushed and closed on the way out.

    ``sock``: a socket from :func:`bind_port` to listen on (default: bind ``node.config``'s host and port).
    uvicorn re-raises the stopping signal once it has shut down: SIGINT arrives as KeyboardInterrupt, SIGTERM
    too inside :func:`tanglehub.cli.signals.sigterm_as_interrupt`.
    """
    server = uvicorn.Server(_uvicorn_config(node, node.config.host, node.config.port, log_level))
    server.run(sockets=[sock] if sock is not None else None)


class BackgroundServer:
    """A devnet served by uvicorn in a daemon thread on 127.0.0.1 (for tests and scripts)."""

    def __init__(self, config: DevnetConfig | None = None, node: DevnetNode | None = None) -> None:
        self.node = node or DevnetNode(config or DevnetConfig(port=0))
        self.port = self.node.config.port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(_uvicorn_config(self.node, "127.0.0.1", self.port, "warning"))
        self._thread = threading.Thread(target=self._run, name="devnet-server", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve())

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        """Start serving and wait until the port accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise DevnetUnavailable(f"the devnet server did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving (the node's store is closed by the app's shutdown)."""
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
