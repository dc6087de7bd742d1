"""The signing server's HTTP API (FastAPI), served only over mutual TLS by :mod:`tanglehub.signer.server`.

Routes:

- ``GET /health``: ``{"status": "ok", "networkName", "coinType", "accounts"}``.
- ``POST /v1/addresses/derive`` ``{"account", "change", "start", "count"}``: ``{"addresses": ["0x<hash>", ...]}``
  (32-byte Ed25519 address hashes; at most 10,000 per call).
- ``POST /v1/addresses/derive-legacy`` ``{"seedUuids": [...]}`` (legacy Hub key scheme, when the policy enables
  it): ``{"addresses": [...]}``.
- ``POST /v1/transactions/sign`` (:mod:`tanglehub.signer.request`): ``{"transactionId", "payload", "auditSeq"}``.

No route returns a seed, a mnemonic or a private key. Errors are RFC 9457 problem+json with the stable
``code``; a refusal is 403 with ``code = "SIGNER_REFUSED"`` and ``reason`` (a
:class:`~tanglehub.signer.errors.RefusalReason`).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from tanglehub.errors import TanglehubError
from tanglehub.protocol.jsonutil import hex_from_bytes
from tanglehub.signer.errors import SignerRequestError, SigningRefused
from tanglehub.signer.service import MAX_DERIVE, SigningService

__all__ = ["DeriveLegacyRequest", "DeriveRequest", "create_app"]

_PROBLEM = "application/problem+json"


class DeriveLegacyRequest(BaseModel):
    """Legacy Hub key scheme: the seed UUIDs whose address hashes to derive (1..100)."""

    seedUuids: list[str] = Field(min_length=1, max_length=100)


class DeriveRequest(BaseModel):
    """Which addresses to derive: ``account``/``change`` chain, indexes ``start .. start+count-1``."""

    account: int = Field(ge=0, lt=2**31)
    change: int = Field(ge=0, le=1)
    start: int = Field(ge=0, lt=2**31)
    count: int = Field(ge=1, le=MAX_DERIVE)


def _problem(status: int, code: str, detail: str, **extra: object) -> JSONResponse:
    body: dict[str, object] = {
        "type": "about:blank",
        "title": code,
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=_PROBLEM)


def create_app(service: SigningService) -> FastAPI:
    """The signer API around ``service``."""
    app = FastAPI(title="tanglehub signer", version="1", docs_url=None, redoc_url=None)

    @app.exception_handler(SigningRefused)
    async def _refused(_: Request, exc: SigningRefused) -> JSONResponse:
        return _problem(403, exc.code, exc.detail, reason=exc.reason.value)

    @app.exception_handler(TanglehubError)
    async def _error(_: Request, exc: TanglehubError) -> JSONResponse:
        return _problem(exc.http_status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return _problem(
            422, SignerRequestError.code, f"{where}: {first.get('msg')}" if where else str(first["msg"])
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _problem(exc.status_code, "SIGNER_HTTP_ERROR", str(exc.detail))

    @app.get("/health")
    async def health() -> dict[str, object]:
        p = service.policy
        return {
            "status": "ok",
            "networkName": p.network_name,
            "coinType": p.coin_type,
            "accounts": list(p.accounts),
        }

    @app.post("/v1/addresses/derive")
    async def derive(body: DeriveRequest) -> dict[str, object]:
        hashes = await service.derive(body.account, body.change, body.start, body.count)
        return {"addresses": [hex_from_bytes(h) for h in hashes]}

    @app.post("/v1/addresses/derive-legacy")
    async def derive_legacy(body: DeriveLegacyRequest) -> dict[str, object]:
        hashes = await service.derive_legacy(body.seedUuids)
        return {"addresses": [hex_from_bytes(h) for h in hashes]}

    @app.post("/v1/transactions/sign")
    async def sign(request: Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError as exc:
            raise SignerRequestError("the request body is not JSON") from exc
        return await service.sign(body)

    return app
