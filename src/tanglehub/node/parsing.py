"""The seam between node JSON/bytes and protocol objects: one small function per protocol type.

Everything the node returns goes through :func:`decoding`, which turns codec and rule errors into
:class:`~tanglehub.node.errors.NodeBadResponse` naming the route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from tanglehub.errors import CodecError, KeysError, ProtocolValidationError
from tanglehub.node.errors import NodeBadResponse
from tanglehub.protocol.block import Block
from tanglehub.protocol.jsonutil import require_object
from tanglehub.protocol.output import Output, output_from_json
from tanglehub.protocol.payload import MilestonePayload

__all__ = [
    "decoding",
    "parse_block",
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


def parse_block(data: Any) -> Block:
    """A block from its node JSON."""
    return Block.from_json(require_object(data, ""))


def parse_output(data: Any, path: str = "output") -> Output:
    """An output from its node JSON."""
    return output_from_json(data, path)


def parse_milestone(data: Any) -> MilestonePayload:
    """A milestone payload from its node JSON."""
    return MilestonePayload.from_json(require_object(data, ""))
