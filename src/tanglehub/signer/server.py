"""Serve the signer over HTTPS with mutual TLS only: a client must present a certificate of the signer's CA.

There is no plain-HTTP mode: :func:`tls_config` refuses to start without the server certificate, its key and
the CA that client certificates must chain to (:class:`SignerConfigError` names the missing file). A plain
HTTP request to the port fails in the TLS handshake; a client without a certificate, or with one from another
CA, is refused there too, before any route runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from tanglehub.signer.app import create_app
from tanglehub.signer.errors import SignerConfigError
from tanglehub.signer.service import SigningService

__all__ = ["BackgroundSigner", "TlsFiles", "make_server", "serve_until_signalled", "tls_files"]


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """The server's certificate and key, and the CA its clients' certificates must chain to (PEM files)."""

    cert: Path
    key: Path
    client_ca: Path


def tls_files(cert: Path, key: Path, client_ca: Path) -> TlsFiles:
    """Check that the files exist and load as a server TLS configuration; :class:`SignerConfigError` if not."""
    for what, path in (("server certificate", cert), ("server key", key), ("client CA certificate", client_ca)):
        if not path.is_file():
            raise SignerConfigError(
                f"the {what} {path} does not exist; the signer serves mutual TLS only "
                "('tanglehub signer certs' makes a local CA and certificates)"
            )
    try:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(client_ca))
        ctx.load_cert_chain(str(cert), str(key))
    except (ssl.SSLError, OSError) as exc:
        raise SignerConfigError(f"the signer's TLS files do not load: {exc}") from exc
    return TlsFiles(cert, key, client_ca)


def make_server(
    service: SigningService, host: str, port: int, tls: TlsFiles, log_level: str = "warning"
) -> uvicorn.Server:
    """A uvicorn server for the signer API requiring a client certificate (``CERT_REQUIRED``)."""
    config = uvicorn.Config(
        create_app(service),
        host=host,
        port=port,
        log_level=log_level,
        ssl_certfile=str(tls.cert),
        ssl_keyfile=str(tls.key),
        ssl_ca_certs=str(tls.client_ca),
        ssl_cert_reqs=ssl.CERT_REQUIRED,
        access_log=False,
        lifespan="off",
    )
    return uvicorn.Server(config)


@contextlib.contextmanager
def _no_capture() -> Iterator[None]:
    yield


async def serve_until_signalled(server: uvicorn.Server) -> None:
    """Serve until SIGINT or SIGTERM, then shut down cleanly (both signals mean the same: finish in-flight
    requests, close, exit 0), instead of uvicorn re-raising the signal after shutdown."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.handle_exit, sig, None)
    server.capture_signals = _no_capture  # type: ignore[method-assign]
    await server.serve()


class BackgroundSigner:
    """The signer served in a daemon thread on 127.0.0.1 (tests and benchmarks)."""

    def __init__(self, service: SigningService, tls: TlsFiles, port: int) -> None:
        self.port = port
        self.url = f"https://127.0.0.1:{port}"
        self._server = make_server(service, "127.0.0.1", port, tls)
        self._thread = threading.Thread(target=lambda: asyncio.run(self._server.serve()), daemon=True)

    def __enter__(self) -> BackgroundSigner:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise SignerConfigError(f"the signer did not start on port {self.port}")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)
