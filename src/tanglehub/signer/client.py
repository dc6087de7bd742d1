"""The hub's client of the signing server: mutual TLS, typed answers, typed errors.

:class:`RemoteSigner` offers what the hub needs from the keys and nothing more: address hashes for the
deposit-address pool (:meth:`derive_addresses`, also under the :class:`~tanglehub.vault.Signer`-style name
:meth:`ed25519_address_hashes`) and signatures of justified transactions (:meth:`sign`). A policy refusal raises
:class:`SigningRefused` with the signer's reason code; an unreachable signer raises :class:`SignerUnavailable`.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import httpx

from tanglehub.protocol.jsonutil import hex_to_bytes
from tanglehub.signer.errors import (
    RefusalReason,
    SignerConfigError,
    SignerRequestError,
    SignerUnavailable,
    SigningRefused,
)

__all__ = ["RemoteSigner"]


def _context(ca_cert: Path, client_cert: Path, client_key: Path) -> ssl.SSLContext:
    for what, path in (
        ("CA certificate", ca_cert),
        ("client certificate", client_cert),
        ("client key", client_key),
    ):
        if not path.is_file():
            raise SignerConfigError(f"the signer {what} {path} does not exist")
    try:
        ctx = ssl.create_default_context(cafile=str(ca_cert))
        ctx.load_cert_chain(str(client_cert), str(client_key))
    except (ssl.SSLError, OSError) as exc:
        raise SignerConfigError(f"the hub's signer TLS files do not load: {exc}") from exc
    return ctx


class RemoteSigner:
    """A connection to ``https://`` signer ``url`` with the hub's client certificate."""

    def __init__(
        self, url: str, ca_cert: Path, client_cert: Path, client_key: Path, *, timeout: float = 30.0
    ) -> None:
        if not url.startswith("https://"):
            raise SignerConfigError(f"the signer URL must be https:// (mutual TLS only), got {url!r}")
        self.url = url.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=self.url, verify=_context(ca_cert, client_cert, client_key), timeout=timeout
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def _post(self, path: str, body: object) -> Any:
        try:
            r = await self._client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise SignerUnavailable(f"the signer at {self.url} is unreachable: {type(exc).__name__}") from exc
        return self._answer(r)

    def _answer(self, r: httpx.Response) -> Any:
        try:
            body = r.json()
        except ValueError as exc:
            raise SignerUnavailable(f"the signer at {self.url} answered {r.status_code} without JSON") from exc
        if r.status_code == 200:
            return body
        detail = str(body.get("detail", "")) if isinstance(body, dict) else ""
        if r.status_code == 403 and isinstance(body, dict) and body.get("reason") in RefusalReason.__members__:
            raise SigningRefused(RefusalReason(body["reason"]), detail)
        if r.status_code == 422:
            raise SignerRequestError(f"the signer refused the request's shape: {detail}")
        raise SignerUnavailable(f"the signer answered {r.status_code}: {detail}")

    async def health(self) -> dict[str, Any]:
        """``GET /health`` (network, coin type, accounts)."""
        try:
            r = await self._client.get("/health")
        except httpx.HTTPError as exc:
            raise SignerUnavailable(f"the signer at {self.url} is unreachable: {type(exc).__name__}") from exc
        result: dict[str, Any] = self._answer(r)
        return result

    async def derive_addresses(self, account: int, change: int, start: int, count: int) -> list[bytes]:
        """32-byte Ed25519 address hashes ``start .. start+count-1`` of ``account``/``change``."""
        body = await self._post(
            "/v1/addresses/derive", {"account": account, "change": change, "start": start, "count": count}
        )
        return [hex_to_bytes(h, f"addresses[{i}]", 32) for i, h in enumerate(body["addresses"])]

    async def derive_legacy_addresses(self, seed_uuids: list[str]) -> list[bytes]:
        """Address hashes of legacy-scheme seed UUIDs (the hub stores only the UUIDs)."""
        body = await self._post("/v1/addresses/derive-legacy", {"seedUuids": seed_uuids})
        return [hex_to_bytes(h, f"addresses[{i}]", 32) for i, h in enumerate(body["addresses"])]

    async def ed25519_address_hashes(
        self, coin_type: int, account: int, internal: bool, start: int, count: int
    ) -> list[bytes]:
        """:meth:`derive_addresses` under the vault ``Signer`` name (the coin type is the signer's own)."""
        del coin_type
        return await self.derive_addresses(account, 1 if internal else 0, start, count)

    async def sign(self, request: dict[str, Any]) -> dict[str, Any]:
        """Sign a request (:mod:`tanglehub.signer.request`).

        Returns ``{"transactionId", "payload", "auditSeq"}``."""
        result: dict[str, Any] = await self._post("/v1/transactions/sign", request)
        return result
