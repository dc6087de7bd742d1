"""The common deposit (one Address condition on an Ed25519 address, nothing else) has short decoding paths
from JSON and from bytes; they give exactly what the general decoders give, and every other shape, valid or
not, goes through the general decoders (same output, same errors)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tanglehub.errors import CodecError
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.codec import Reader
from tanglehub.protocol.errors import JsonShapeError
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    TimelockUnlockCondition,
    output_from_bytes,
    output_from_json,
    read_output,
)
from tanglehub.protocol.output.features import TagFeature

PLAIN = BasicOutput(123_456_789, (AddressUnlockCondition(Ed25519Address(bytes(range(32)))),))


def general_from_bytes(data: bytes) -> object:
    r = Reader(data)
    output = read_output(r)
    r.expect_end("output")
    return output


@pytest.mark.parametrize(
    "output",
    [
        PLAIN,
        BasicOutput(1, (AddressUnlockCondition(Ed25519Address(b"\xff" * 32)),)),
        BasicOutput(2**64 - 1, (AddressUnlockCondition(Ed25519Address(b"\x01" * 32)),)),
        BasicOutput(5, (AddressUnlockCondition(Ed25519Address(b"\x01" * 32)), TimelockUnlockCondition(7))),
        BasicOutput(5, (AddressUnlockCondition(Ed25519Address(b"\x01" * 32)),), features=(TagFeature(b"t"),)),
    ],
)
def test_both_paths_give_the_general_decoders_output(output: BasicOutput) -> None:
    data = output.to_bytes()
    fast = output_from_bytes(data)
    assert fast == general_from_bytes(data)
    assert fast.to_bytes() == data
    assert output_from_json(output.to_json()) == BasicOutput.from_json(output.to_json()) == output


def json_with(path: list[str | int], value: Any) -> dict[str, Any]:
    d: Any = copy.deepcopy(PLAIN.to_json())
    target = d
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return dict(d)


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (["amount"], "-5", "output.amount"),
        (["amount"], 5.5, "output.amount"),
        (["amount"], str(2**64), "output.amount"),
        (["unlockConditions", 0, "type"], False, "output.unlockConditions[0].type"),
        (["unlockConditions", 0, "address", "type"], True, "output.unlockConditions[0].address"),
        (["unlockConditions", 0, "address", "pubKeyHash"], "0x" + "ab" * 31, "pubKeyHash"),
        (["unlockConditions", 0, "address", "pubKeyHash"], "0x" + "zz" * 32, "pubKeyHash"),
        (["type"], True, "output.type"),
    ],
)
def test_a_malformed_deposit_json_is_refused_naming_the_field(
    path: list[str | int], value: Any, where: str
) -> None:
    with pytest.raises(JsonShapeError, match=where.replace("[", r"\[").replace("]", r"\]")):
        output_from_json(json_with(path, value), "output")


@pytest.mark.parametrize("cut", [1, 45])
def test_truncated_or_padded_deposit_bytes_are_refused(cut: int) -> None:
    data = PLAIN.to_bytes()
    with pytest.raises(CodecError):
        output_from_bytes(data[:cut])
    with pytest.raises(CodecError):
        output_from_bytes(data + b"\x00")
