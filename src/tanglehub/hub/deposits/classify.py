"""Classify an output paid to a deposit address, from its unlock conditions, features and native tokens.

Pure functions over :mod:`tanglehub.protocol` types (no database, no node): the scanner calls them for each
created output whose address is a hub deposit address. Classes (visible in the API):

* ``plain``: a Basic output with an address unlock only (a timelock already passed counts as none) -> credited;
* ``storage_return``: a storage deposit return and/or an expiration -> ``left_to_expire`` (policy ``leave``)
  or ``awaiting_claim`` (policy ``claim``; the claim itself is part 2's job);
* ``timelocked``: a timelock still in the future at the confirming milestone -> ``locked``, credited at the
  first milestone whose timestamp reaches the timelock (TIP-18: unlockable when timestamp >= unix time);
* ``uncreditable``: native tokens, or an Alias/Foundry/NFT output -> ``held`` for part 2's recovery flow;
* ``below_minimum``: less than the configured minimum deposit -> ``recorded``, not credited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    GovernorAddressUnlockCondition,
    MetadataFeature,
    Output,
    SenderFeature,
    StateControllerAddressUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TagFeature,
    TimelockUnlockCondition,
)

__all__ = ["Classification", "classify", "owner_hashes"]

_OWNER_CONDITIONS = (AddressUnlockCondition, StateControllerAddressUnlockCondition, GovernorAddressUnlockCondition)


@dataclass(frozen=True, slots=True)
class Classification:
    """What to record for one matched output: class, status, amount to credit now (0 if none), unlock time,
    a human reason when nothing is credited, and the output's sender/tag/metadata/native tokens (hex/JSON)."""

    deposit_class: str
    status: str
    credit: int
    unlock_at: int | None
    reason: str | None
    sender: str | None
    tag: str | None
    metadata_hex: str | None
    native_tokens: str | None


def owner_hashes(output: Output) -> list[bytes]:
    """The Ed25519 address hashes that own ``output`` through an address-type unlock condition."""
    hashes: list[bytes] = []
    for uc in getattr(output, "unlock_conditions", ()):
        if isinstance(uc, _OWNER_CONDITIONS) and isinstance(uc.address, Ed25519Address):
            hashes.append(uc.address.pub_key_hash)
    return hashes


def _features(output: Output, hrp: str) -> tuple[str | None, str | None, str | None]:
    sender = tag = metadata = None
    for feature in getattr(output, "features", ()):
        if isinstance(feature, SenderFeature):
            sender = feature.address.to_bech32(hrp)
        elif isinstance(feature, TagFeature):
            tag = "0x" + feature.tag.hex()
        elif isinstance(feature, MetadataFeature):
            metadata = "0x" + feature.data.hex()
    return sender, tag, metadata


def classify(
    output: Output, milestone_timestamp: int, *, min_deposit: int, sdruc_policy: str, hrp: str
) -> Classification:
    """Classify ``output``, confirmed by a milestone with Unix time ``milestone_timestamp`` (see the module)."""
    sender, tag, metadata = _features(output, hrp)
    tokens = getattr(output, "native_tokens", ())
    token_json = (
        json.dumps([{"id": "0x" + t.token_id.hex(), "amount": str(t.amount)} for t in tokens]) if tokens else None
    )

    def made(cls: str, status: str, credit: int, unlock_at: int | None, reason: str | None) -> Classification:
        return Classification(cls, status, credit, unlock_at, reason, sender, tag, metadata, token_json)

    if not isinstance(output, BasicOutput):
        kind = type(output).__name__.removesuffix("Output")
        return made("uncreditable", "held", 0, None, f"a {kind} output is never credited; held for recovery")
    if tokens:
        return made("uncreditable", "held", 0, None, "carries native tokens; held for recovery")
    sdruc = next((u for u in output.unlock_conditions if isinstance(u, StorageDepositReturnUnlockCondition)), None)
    expiration = next((u for u in output.unlock_conditions if isinstance(u, ExpirationUnlockCondition)), None)
    if sdruc is not None or expiration is not None:
        when = expiration.unix_time if expiration is not None else None
        if sdruc_policy == "claim":
            return made("storage_return", "awaiting_claim", 0, when, "credited once its claim confirms")
        return made("storage_return", "left_to_expire", 0, when, "left to expire back to its sender (policy)")
    if output.amount < min_deposit:
        return made("below_minimum", "recorded", 0, None, f"below the minimum deposit of {min_deposit}")
    timelock = next((u for u in output.unlock_conditions if isinstance(u, TimelockUnlockCondition)), None)
    if timelock is not None and milestone_timestamp < timelock.unix_time:
        return made("timelocked", "locked", 0, timelock.unix_time, None)
    cls = "timelocked" if timelock is not None else "plain"
    return made(cls, "credited", output.amount, timelock.unix_time if timelock else None, None)
