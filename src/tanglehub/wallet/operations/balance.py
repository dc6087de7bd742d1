"""An account's balance, computed from its stored unspent outputs at the node's latest milestone time.

Rules (in the spirit of the official SDK's ``Account.get_balance``):

* An output counts toward ``base_coin.total`` when one of the account's addresses can unlock it *now*
  (timelock passed; before expiration as owner, after it as return address). For an output with a storage
  deposit return condition only ``amount - return amount`` counts: the rest goes back to the sender.
* ``required_storage_deposit`` is the deposit that must stay in alias, NFT and foundry outputs and in basic
  outputs carrying native tokens; ``base_coin.available`` is the total minus that, minus outputs reserved by
  unfinished transactions.
* Outputs with a timelock, expiration or storage deposit return condition are listed in
  ``potentially_locked_outputs`` with the reasons, whether they can be unlocked now, and the unix time the
  situation changes (timelock end or expiration), whether or not they count toward the total.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tanglehub.protocol.output import (
    AliasOutput,
    BasicOutput,
    ExpirationUnlockCondition,
    FoundryOutput,
    NftOutput,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)
from tanglehub.protocol.rent import storage_deposit
from tanglehub.wallet.operations.outputs import chain_id_of, unlockable_now
from tanglehub.wallet.storage_schema import OutputRecord

if TYPE_CHECKING:
    from tanglehub.protocol.params import RentStructure
    from tanglehub.wallet.account import Account

__all__ = [
    "Balance",
    "BaseCoinBalance",
    "LockedOutput",
    "NativeTokenBalance",
    "RequiredStorageDeposit",
    "compute_balance",
    "get_balance",
]


@dataclass(frozen=True, slots=True)
class BaseCoinBalance:
    """Base-coin amounts: everything the account can unlock now, and what it can spend."""

    total: int
    available: int


@dataclass(frozen=True, slots=True)
class RequiredStorageDeposit:
    """Deposits bound in outputs that must keep them, per output kind."""

    alias: int = 0
    basic: int = 0
    foundry: int = 0
    nft: int = 0

    @property
    def total(self) -> int:
        """All required deposits together."""
        return self.alias + self.basic + self.foundry + self.nft


@dataclass(frozen=True, slots=True)
class NativeTokenBalance:
    """One native token's amounts (total unlockable now, and not reserved)."""

    token_id: bytes
    total: int
    available: int


@dataclass(frozen=True, slots=True)
class LockedOutput:
    """An output with conditions: why (``timelock``, ``expiration``, ``storage_deposit_return``), whether the
    account can unlock it now, and when that changes (unix seconds; None when no time applies)."""

    output_id: bytes
    amount: int
    reasons: tuple[str, ...]
    unlockable_now: bool
    changes_at: int | None
    return_amount: int = 0


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's balance at milestone time ``milestone_timestamp``."""

    base_coin: BaseCoinBalance
    required_storage_deposit: RequiredStorageDeposit
    native_tokens: tuple[NativeTokenBalance, ...]
    nfts: tuple[bytes, ...]
    aliases: tuple[bytes, ...]
    foundries: tuple[bytes, ...]
    potentially_locked_outputs: tuple[LockedOutput, ...]
    milestone_timestamp: int


def _locked_entry(rec: OutputRecord, can_unlock: bool, now: int) -> LockedOutput | None:
    output = rec.output
    reasons: list[str] = []
    times: list[int] = []
    timelock = output.unlock_condition(TimelockUnlockCondition)
    if timelock is not None:
        reasons.append("timelock")
        if now < timelock.unix_time:
            times.append(timelock.unix_time)
    expiration = output.unlock_condition(ExpirationUnlockCondition)
    if expiration is not None:
        reasons.append("expiration")
        if now < expiration.unix_time:
            times.append(expiration.unix_time)
    sdr = output.unlock_condition(StorageDepositReturnUnlockCondition)
    if sdr is not None:
        reasons.append("storage_deposit_return")
    if not reasons:
        return None
    return LockedOutput(
        rec.output_id,
        rec.amount,
        tuple(reasons),
        can_unlock,
        min(times) if times else None,
        sdr.amount if sdr else 0,
    )


def compute_balance(
    records: list[OutputRecord], ours: set[bytes], reserved: set[bytes], rent: RentStructure, now: int
) -> Balance:
    """The balance of ``records`` (unspent outputs) for addresses ``ours`` at time ``now`` (pure)."""
    total = locked = 0
    deposit = {"alias": 0, "basic": 0, "foundry": 0, "nft": 0}
    tokens: dict[bytes, list[int]] = {}
    nfts: list[bytes] = []
    aliases: list[bytes] = []
    foundries: list[bytes] = []
    potentially: list[LockedOutput] = []
    for rec in records:
        output = rec.output
        can_unlock = unlockable_now(output, ours, now)
        entry = _locked_entry(rec, can_unlock, now)
        if entry is not None:
            potentially.append(entry)
        if not can_unlock:
            continue
        sdr = output.unlock_condition(StorageDepositReturnUnlockCondition)
        amount = output.amount - (sdr.amount if sdr is not None else 0)
        is_reserved = rec.output_id in reserved
        total += amount
        if is_reserved:
            locked += amount
        chain_id = rec.chain_id or chain_id_of(output, rec.output_id)
        bound = 0
        if isinstance(output, AliasOutput):
            bound = storage_deposit(output, rent)
            deposit["alias"] += bound
            aliases.append(chain_id or b"")
        elif isinstance(output, NftOutput):
            bound = storage_deposit(output, rent)
            deposit["nft"] += bound
            nfts.append(chain_id or b"")
        elif isinstance(output, FoundryOutput):
            bound = storage_deposit(output, rent)
            deposit["foundry"] += bound
            foundries.append(chain_id or b"")
        elif isinstance(output, BasicOutput) and output.native_tokens and sdr is None:
            bound = storage_deposit(output, rent)
            deposit["basic"] += bound
        if not is_reserved:
            locked += min(bound, amount)
        for token in output.native_tokens:
            sums = tokens.setdefault(token.token_id, [0, 0])
            sums[0] += token.amount
            if not is_reserved:
                sums[1] += token.amount
    return Balance(
        base_coin=BaseCoinBalance(total, max(0, total - locked)),
        required_storage_deposit=RequiredStorageDeposit(**deposit),
        native_tokens=tuple(NativeTokenBalance(t, s[0], s[1]) for t, s in sorted(tokens.items())),
        nfts=tuple(nfts),
        aliases=tuple(aliases),
        foundries=tuple(foundries),
        potentially_locked_outputs=tuple(potentially),
        milestone_timestamp=now,
    )


async def get_balance(account: Account, *, now: int | None = None) -> Balance:
    """The account's balance at ``now`` (default: the node's latest milestone timestamp)."""
    wallet = account.wallet
    if now is None:
        info = await wallet.node.get_info()
        stamp = info.status.latest_milestone.timestamp
        now = int(time.time()) if stamp is None else stamp
    index = account.index
    records, ours, reserved = await wallet.store.read(
        lambda tx: (
            tx.outputs(index, spent=False),
            set(tx.address_hashes(index)),
            tx.reserved_output_ids(index),
        )
    )
    return compute_balance(records, ours, reserved, wallet.protocol_parameters.rent_structure, now)
