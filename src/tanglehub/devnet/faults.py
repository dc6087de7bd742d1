"""Fault injection for tests and drills, switchable at runtime (``POST /api/devnet/v1/faults``) and by CLI flags.

Faults never touch the admin routes under ``/api/devnet/`` (so a drill can always switch them off again):

* ``latency`` (seconds): every API request waits this long before it is handled.
* ``errorRate`` (0..1): this share of API requests is answered ``503`` with the node's error JSON
  (``errorStatus`` picks another 5xx status).
* ``dropRate`` (0..1): this share of API requests gets its connection dropped: the response headers promise
  a body that never comes and the connection is closed, as a crashing or overloaded node would. The node logs
  one warning line per dropped request (no traceback: :class:`ConnectionDroppedOnPurpose` is filtered out of
  uvicorn's error log by :class:`DroppedConnectionLogFilter`).
* ``loseBlockRate`` (0..1) and ``loseNextBlocks`` (count): submitted blocks are answered ``201`` with their
  real block id but silently discarded; clients see a block id that never appears (metadata ``404``).
* ``holdNextBlocks`` (count): the next submitted blocks are stored but kept out of the tip pool and of every
  milestone; their metadata says ``shouldReattach: true`` at once, so a wallet must reattach.
* ``milestonesPaused`` (bool): no milestone is issued (neither by the timer nor manually) until unpaused;
  blocks stay pending and ``info`` keeps the last milestone.
* ``seed``: seed of the random source that decides which request or block is hit (reproducible drills).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import random
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from tanglehub.devnet.errors import DevnetBadRequest

__all__ = [
    "ADMIN_PREFIX",
    "ConnectionDroppedOnPurpose",
    "DroppedConnectionLogFilter",
    "FaultMiddleware",
    "FaultSettings",
    "Faults",
    "quiet_dropped_connections",
]

ADMIN_PREFIX = "/api/devnet/"
"""Routes under this prefix are never affected by faults."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_JSON_NAMES = {
    "latency": "latency",
    "errorRate": "error_rate",
    "errorStatus": "error_status",
    "dropRate": "drop_rate",
    "loseBlockRate": "lose_block_rate",
    "loseNextBlocks": "lose_next_blocks",
    "holdNextBlocks": "hold_next_blocks",
    "milestonesPaused": "milestones_paused",
    "seed": "seed",
}


@dataclass(frozen=True, slots=True)
class FaultSettings:
    """One complete set of fault switches (all off by default)."""

    latency: float = 0.0
    error_rate: float = 0.0
    error_status: int = 503
    drop_rate: float = 0.0
    lose_block_rate: float = 0.0
    lose_next_blocks: int = 0
    hold_next_blocks: int = 0
    milestones_paused: bool = False
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("errorRate", "dropRate", "loseBlockRate"):
            value = getattr(self, _JSON_NAMES[name])
            if not 0.0 <= value <= 1.0:
                raise DevnetBadRequest(f"fault {name} must be between 0 and 1, got {value}")
        if self.latency < 0 or self.latency > 60:
            raise DevnetBadRequest(f"fault latency must be between 0 and 60 seconds, got {self.latency}")
        if not 500 <= self.error_status <= 599:
            raise DevnetBadRequest(f"fault errorStatus must be a 5xx status, got {self.error_status}")
        if self.lose_next_blocks < 0 or self.hold_next_blocks < 0:
            raise DevnetBadRequest("fault loseNextBlocks and holdNextBlocks must not be negative")

    def to_json(self) -> dict[str, Any]:
        """The settings in the admin route's JSON shape (camelCase keys)."""
        return {key: getattr(self, attr) for key, attr in _JSON_NAMES.items()}

    def updated(self, changes: dict[str, Any]) -> FaultSettings:
        """A copy with the given camelCase JSON keys changed; unknown keys or wrong types -> 400."""
        if not isinstance(changes, dict):
            raise DevnetBadRequest("fault settings must be a JSON object")
        values: dict[str, Any] = {}
        for key, value in changes.items():
            attr = _JSON_NAMES.get(key)
            if attr is None:
                raise DevnetBadRequest(f"unknown fault {key!r}; known: {', '.join(sorted(_JSON_NAMES))}")
            values[attr] = _coerce(key, attr, value)
        return dataclasses.replace(self, **values)


def _coerce(key: str, attr: str, value: Any) -> Any:
    if attr == "milestones_paused":
        if not isinstance(value, bool):
            raise DevnetBadRequest(f"fault {key} must be true or false")
        return value
    if attr == "seed":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise DevnetBadRequest(f"fault {key} must be an integer or null")
        return value
    if attr in ("error_status", "lose_next_blocks", "hold_next_blocks"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise DevnetBadRequest(f"fault {key} must be an integer")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DevnetBadRequest(f"fault {key} must be a number")
    return float(value)


class Faults:
    """The live fault state of one devnet node; decisions use a seedable random source."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._settings = settings or FaultSettings()
        self._random = random.Random(self._settings.seed)  # noqa: S311 - fault dice, not cryptography

    @property
    def settings(self) -> FaultSettings:
        """The current switches."""
        return self._settings

    def replace(self, settings: FaultSettings) -> None:
        """Switch to a new set of faults (reseeding the dice when a seed is given)."""
        if settings.seed is not None and settings.seed != self._settings.seed:
            self._random = random.Random(settings.seed)  # noqa: S311
        self._settings = settings

    def _hit(self, rate: float) -> bool:
        return rate > 0 and self._random.random() < rate

    def should_error(self) -> bool:
        """Decide whether this request is answered with a 5xx."""
        return self._hit(self._settings.error_rate)

    def should_drop(self) -> bool:
        """Decide whether this request's connection is dropped."""
        return self._hit(self._settings.drop_rate)

    def take_lose_block(self) -> bool:
        """Decide whether a submitted block is silently lost (consumes one ``loseNextBlocks``)."""
        s = self._settings
        if s.lose_next_blocks > 0:
            self._settings = dataclasses.replace(s, lose_next_blocks=s.lose_next_blocks - 1)
            return True
        return self._hit(s.lose_block_rate)

    def take_hold_block(self) -> bool:
        """Decide whether a submitted block is held unreferenced (consumes one ``holdNextBlocks``)."""
        s = self._settings
        if s.hold_next_blocks > 0:
            self._settings = dataclasses.replace(s, hold_next_blocks=s.hold_next_blocks - 1)
            return True
        return False

    @property
    def milestones_paused(self) -> bool:
        """True while milestone issuing is paused."""
        return self._settings.milestones_paused


class ConnectionDroppedOnPurpose(ConnectionAbortedError):
    """Raised by :class:`FaultMiddleware` to make the server close a connection mid-response (a fault)."""


class DroppedConnectionLogFilter(logging.Filter):
    """Drops the server's "Exception in ASGI application" record (and its traceback) for a planned drop."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a record carrying :class:`ConnectionDroppedOnPurpose`; True for every other record."""
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDroppedOnPurpose)


def quiet_dropped_connections(logger_name: str = "uvicorn.error") -> None:
    """Install :class:`DroppedConnectionLogFilter` on the server's error logger once (idempotent)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, DroppedConnectionLogFilter) for f in logger.filters):
        logger.addFilter(DroppedConnectionLogFilter())


class FaultMiddleware:
    """ASGI middleware that applies latency, 5xx answers and dropped connections to API requests."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call, injecting the configured faults."""
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        settings = self.faults.settings
        if settings.latency > 0:
            await asyncio.sleep(settings.latency)
        if self.faults.should_drop():
            # Promise a body, send none, and end: the server closes the connection mid-response.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"1024")],
                }
            )
            await send({"type": "http.response.body", "body": b"{", "more_body": True})
            raise ConnectionDroppedOnPurpose("devnet fault: connection dropped on purpose")
        if self.faults.should_error():
            status = settings.error_status
            body = json.dumps(
                {"error": {"code": str(status), "message": "devnet fault injection: simulated node failure"}}
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
