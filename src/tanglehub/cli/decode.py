"""``tanglehub decode``: turn the hex of a block, transaction payload or output into the node's JSON.

HEX may carry a ``0x`` prefix or be ``-`` to read it from stdin. The result is printed as JSON on stdout;
input that does not decode becomes one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from tanglehub.protocol.block import Block
from tanglehub.protocol.errors import DecodeError
from tanglehub.protocol.jsonutil import hex_from_bytes
from tanglehub.protocol.output import output_from_bytes
from tanglehub.protocol.payload import TransactionPayload

__all__ = ["app", "parse_hex_argument"]

app = typer.Typer(
    name="decode",
    help="Decode the hex of a block, transaction payload or output into the node API's JSON.",
    no_args_is_help=True,
)

HexArg = Annotated[str, typer.Argument(help="Hex bytes (0x prefix optional), or '-' to read them from stdin.")]
CompactOpt = Annotated[bool, typer.Option("--compact", help="Print the JSON on one line.")]


def parse_hex_argument(text: str) -> bytes:
    """Turn a command-line HEX argument (``-`` = stdin) into bytes, with a clear error when it is not hex."""
    if text == "-":
        text = sys.stdin.read()
    cleaned = "".join(text.split())
    if cleaned[:2].lower() == "0x":
        cleaned = cleaned[2:]
    if not cleaned:
        raise DecodeError("no input: give the bytes as hex (or '-' to read them from stdin)")
    if len(cleaned) % 2:
        raise DecodeError(f"the input has an odd number of hex digits ({len(cleaned)})")
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        bad = next((i for i, c in enumerate(cleaned) if c not in "0123456789abcdefABCDEF"), 0)
        raise DecodeError(
            f"the input is not hex: unexpected character {cleaned[bad]!r} at position {bad}"
        ) from None


def _emit(obj: dict[str, Any], compact: bool) -> None:
    typer.echo(json.dumps(obj, separators=(",", ":")) if compact else json.dumps(obj, indent=2))


@app.command("block")
def decode_block(hex_bytes: HexArg, compact: CompactOpt = False) -> None:
    """Decode a block; prints its id and its JSON."""
    block = Block.from_bytes(parse_hex_argument(hex_bytes))
    _emit({"blockId": hex_from_bytes(block.block_id()), "block": block.to_json()}, compact)


@app.command("transaction")
def decode_transaction(hex_bytes: HexArg, compact: CompactOpt = False) -> None:
    """Decode a transaction payload (starting with its type 6); prints its id and its JSON."""
    tx = TransactionPayload.from_bytes(parse_hex_argument(hex_bytes))
    _emit({"transactionId": hex_from_bytes(tx.transaction_id()), "transaction": tx.to_json()}, compact)


@app.command("output")
def decode_output(hex_bytes: HexArg, compact: CompactOpt = False) -> None:
    """Decode one output (starting with its type byte); prints its JSON."""
    output = output_from_bytes(parse_hex_argument(hex_bytes))
    _emit({"output": output.to_json()}, compact)
