"""The seam between node JSON/bytes and protocol objects: one small function per protocol type.

Everything the node returns goes through :func:`decoding`, which turns codec and rule errors into
:class:`~tanglehub.node.errors.NodeBadResponse` naming the route.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from tanglehub.errors import CodecError, KeysError, ProtocolValidationError
from tanglehub.node.errors import NodeBadResponse

__all__ = [
    "decoding",
    "parse_block",
    "parse_block_bytes",
    "parse_milestone",
    "parse_output",
    "parse_with",
]

T = TypeVar("T")


@contextmanager
def decoding(what: str) -> Iterator[None]:
    """Re-raise a decoding or rule error in a node answer as :class:`NodeBadResponse`."""
    try:
        yield
    except (CodecError, ProtocolValidationError, KeysError) as exc:
        raise NodeBadResponse(f"node sent an invalid {what}: {exc}") from exc


def parse_with(what: str, parse: Callable[[Any], T], data: Any) -> T:
    """Apply ``parse`` to ``data`` inside :func:`decoding`."""
    with decoding(what):
        return parse(data)


def _cls(module: str, name: str) -> Any:
    return getattr(importlib.import_module(module), name)


def parse_block(data: Any) -> Any:
    """A block from its node JSON."""
    return _cls("tanglehub.protocol.block", "Block").from_json(data)


def parse_block_bytes(data: bytes) -> Any:
    """A block from its TIP-24 bytes."""
    return _cls("tanglehub.protocol.block", "Block").from_bytes(data)


def parse_output(data: Any, path: str = "output") -> Any:
    """An output from its node JSON."""
    return _cls("tanglehub.protocol.output", "output_from_json")(data, path)


def parse_milestone(data: Any) -> Any:
    """A milestone payload from its node JSON."""
    return _cls("tanglehub.protocol.payload", "MilestonePayload").from_json(data)
