"""Readable ``repr`` for the wallet's records and events: ids as ``0x`` hex (as the node API and explorers
print them), never raw bytes, and a transaction payload or output as a one-line summary."""

from __future__ import annotations

import dataclasses
from typing import Any

from tanglehub.protocol.output import AliasOutput, BasicOutput, FoundryOutput, NftOutput
from tanglehub.protocol.payload import TransactionPayload

__all__ = ["hex_repr", "show_value"]


def show_value(value: Any) -> str:
    """One field's value as ``hex_repr`` shows it."""
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, TransactionPayload):
        essence = value.essence
        return (
            f"<transaction 0x{value.transaction_id().hex()}: {len(essence.inputs)} input(s), "
            f"{len(essence.outputs)} output(s)>"
        )
    if isinstance(value, BasicOutput | AliasOutput | FoundryOutput | NftOutput):
        return f"<{type(value).__name__} amount={value.amount}>"
    return repr(value)


def hex_repr(obj: Any) -> str:
    """``ClassName(field=value, ...)`` of a dataclass instance, bytes shown as 0x hex."""
    fields = ", ".join(f"{f.name}={show_value(getattr(obj, f.name))}" for f in dataclasses.fields(obj) if f.repr)
    return f"{type(obj).__name__}({fields})"
