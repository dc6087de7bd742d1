"""Run the devnet app on uvicorn: in the foreground (CLI, clean Ctrl-C) or in a background thread (tests)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import uvicorn

from tanglehub import listen
from tanglehub.devnet.app import create_app
from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.errors import DevnetConfigError, DevnetPortInUse, DevnetUnavailable
from tanglehub.devnet.node import DevnetNode

__all__ = ["BackgroundServer", "bind_port", "free_port", "serve"]

free_port = listen.free_port


def bind_port(host: str, port: int) -> socket.socket:
    """Bind the devnet API's listening socket now (:func:`tanglehub.listen.bind_port`, TCP_NODELAY); 0 picks a
    free port.

    The CLI calls this before anything else, so a taken port is one clear error and nothing has been printed
    or created yet; the bound socket is then handed to :func:`serve`. Raises DevnetPortInUse when the address
    is taken or cannot be bound, DevnetConfigError for a port outside 0..65535 or a host name that does not
    resolve.
    """
    return listen.bind_port(host, port, bad_address=DevnetConfigError, unavailable=DevnetPortInUse)


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
