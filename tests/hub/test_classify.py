"""Deposit classification at its boundaries (pure: protocol outputs in, class/status/credit out)."""

from __future__ import annotations

import pytest

from tanglehub.hub.deposits.classify import classify, owner_hashes
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)

OWNER = Ed25519Address(bytes(range(32)))
OTHER = Ed25519Address(bytes(32))


def _basic(amount: int = 1_000_000, *extra: object, **kw: object) -> BasicOutput:
    return BasicOutput(amount=amount, unlock_conditions=(AddressUnlockCondition(OWNER), *extra), **kw)  # type: ignore[arg-type]


def _classes(output: BasicOutput, ts: int = 1000, **kw: object) -> tuple[str, str, int]:
    options: dict[str, object] = {"min_deposit": 500, "sdruc_policy": "leave", "hrp": "tst", **kw}
    c = classify(output, ts, **options)  # type: ignore[arg-type]
    return c.deposit_class, c.status, c.credit


@pytest.mark.parametrize(
    ("unix_time", "expected"),
    [
        (999, ("timelocked", "credited", 1_000_000)),
        (1000, ("timelocked", "credited", 1_000_000)),
        (1001, ("timelocked", "locked", 0)),
    ],
)
def test_a_timelock_is_passed_when_the_milestone_reaches_it(
    unix_time: int, expected: tuple[str, str, int]
) -> None:
    assert _classes(_basic(1_000_000, TimelockUnlockCondition(unix_time))) == expected


def test_the_minimum_is_inclusive_and_applies_before_crediting() -> None:
    assert _classes(_basic(500)) == ("plain", "credited", 500)
    assert _classes(_basic(499)) == ("below_minimum", "recorded", 0)


def test_return_conditions_follow_the_policy() -> None:
    out = _basic(
        1_000_000, StorageDepositReturnUnlockCondition(OTHER, 50_000), ExpirationUnlockCondition(OTHER, 5000)
    )
    assert _classes(out) == ("storage_return", "left_to_expire", 0)
    assert _classes(out, sdruc_policy="claim") == ("storage_return", "awaiting_claim", 0)
    assert classify(out, 1000, min_deposit=0, sdruc_policy="leave", hrp="tst").unlock_at == 5000


def test_native_tokens_are_never_credited() -> None:
    out = _basic(1_000_000, native_tokens=(NativeToken(bytes(38), 5),))
    assert _classes(out) == ("uncreditable", "held", 0)
    assert owner_hashes(out) == [OWNER.pub_key_hash]
