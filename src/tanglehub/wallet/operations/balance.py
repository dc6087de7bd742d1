"""An account's balance, computed from its stored unspent outputs at the node's latest milestone time.

Rules (field by field those of the official SDK 1.1's ``Account::balance``); what the account can do with
each output is :func:`tanglehub.protocol.spendable.spendability`, the one definition input selection and
claiming use as well:

* ``base_coin.total`` sums the outputs the account can unlock now and keep (``SPENDABLE``): plain ones,
  passed timelocks, expirations that passed with the account as return address, and storage deposit returns
  without expiration (minus the amount owed back to another address). Outputs with an expiration that has
  not passed are *not* counted, even when the account may claim them: the sender can take them back.
* ``required_storage_deposit`` is the storage deposit of every counted output, by kind (every basic output,
  with or without native tokens, as the SDK reports it).
* ``base_coin.available`` is the total minus the outputs reserved by unfinished transactions, minus the
  deposit bound in outputs that cannot be emptied without burning something (alias, NFT, foundry, and basic
  outputs holding native tokens).
* ``potentially_locked_outputs`` lists the uncounted outputs that may become (or be claimed as) the
  account's: claimable now (``unlockable_now``) or locked for now, with the reasons and the unix time the
  situation changes. Expired outputs returned to another address are left out.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Container
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tanglehub.errors import NodeError
from tanglehub.protocol.output import (
    AliasOutput,
    ExpirationUnlockCondition,
    FoundryOutput,
    NftOutput,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)
from tanglehub.protocol.rent import storage_deposit
from tanglehub.protocol.spendable import Spendability, SpendState, spendability
from tanglehub.wallet.operations.outputs import chain_id_of
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


def _locked_entry(rec: OutputRecord, status: Spendability) -> LockedOutput:
    output = rec.output
    reasons: list[str] = []
    if output.unlock_condition(TimelockUnlockCondition) is not None:
        reasons.append("timelock")
    if output.unlock_condition(ExpirationUnlockCondition) is not None:
        reasons.append("expiration")
    sdr = output.unlock_condition(StorageDepositReturnUnlockCondition)
    if sdr is not None:
        reasons.append("storage_deposit_return")
    return LockedOutput(
        rec.output_id,
        rec.amount,
        tuple(reasons),
        status.state is SpendState.CLAIMABLE,
        status.changes_at,
        sdr.amount if sdr else 0,
    )


def compute_balance(
    records: list[OutputRecord], ours: Container[bytes], reserved: set[bytes], rent: RentStructure, now: int
) -> Balance:
    """The balance of ``records`` (unspent outputs) for addresses ``ours`` at time ``now`` (pure).

    Each output is judged by :func:`tanglehub.protocol.spendable.spendability`; the fields follow the
    official SDK 1.1's ``Account::balance`` (see the module docstring).
    """
    total = locked = 0
    deposit = {"alias": 0, "basic": 0, "foundry": 0, "nft": 0}
    tokens: dict[bytes, list[int]] = {}
    nfts: list[bytes] = []
    aliases: list[bytes] = []
    foundries: list[bytes] = []
    potentially: list[LockedOutput] = []
    seen: set[bytes] = set()
    for rec in records:
        if rec.output_id in seen:
            continue
        seen.add(rec.output_id)
        output = rec.output
        status = spendability(output, ours, now)
        is_reserved = rec.output_id in reserved
        if status.state is SpendState.CLAIMABLE and is_reserved:
            # the SDK never calls a reserved output claimable (it is being claimed): locked for now
            status = dataclasses.replace(status, state=SpendState.LOCKED)
        if status.potentially_locked:
            potentially.append(_locked_entry(rec, status))
        if not status.counted:
            continue
        total += status.value
        if is_reserved:
            locked += output.amount
        chain_id = rec.chain_id or chain_id_of(output, rec.output_id)
        rent_cost = storage_deposit(output, rent)
        bound = rent_cost
        if isinstance(output, AliasOutput):
            deposit["alias"] += rent_cost
            aliases.append(chain_id or b"")
        elif isinstance(output, NftOutput):
            deposit["nft"] += rent_cost
            nfts.append(chain_id or b"")
        elif isinstance(output, FoundryOutput):
            deposit["foundry"] += rent_cost
            foundries.append(chain_id or b"")
        else:
            deposit["basic"] += rent_cost
            if not output.native_tokens:
                bound = 0  # spendable without burning anything
        if not is_reserved:
            locked += bound
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
    """The account's balance at ``now`` (default: the node's latest milestone timestamp).

    Computed from stored data only: when no node answers, the local clock (UTC) stands in for the milestone
    time, so a balance never fails because the node is down. Outputs stored under another account of the
    wallet count here when this account can unlock them (an expired micro payment coming back).
    """
    wallet = account.wallet
    if now is None and getattr(wallet, "offline", False):
        now = int(time.time())
    if now is None:
        now = int(time.time())
        try:
            info = await wallet.node.get_info()
        except NodeError:
            pass
        else:
            stamp = info.status.latest_milestone.timestamp
            now = now if stamp is None else stamp
    index = account.index
    records, ours, reserved = await wallet.store.read(
        lambda tx: (
            tx.outputs(index, spent=False) + tx.shared_unspent(index),
            set(tx.address_hashes(index)),
            tx.reserved_output_ids(),
        )
    )
    return compute_balance(records, ours, reserved, wallet.protocol_parameters.rent_structure, now)
