"""What "spendable now" means: one answer, per output, for the balance, input selection and claiming.

:func:`spendability` looks at one output, the Ed25519 public-key hashes of its owner (an account, a set of
deposit addresses) and the milestone time, and says what the owner can do with it (TIP-18 unlock
conditions, TIP-19 storage deposit return, the official SDK's ``Account::balance`` grouping):

==============  ========================================================================================
``SPENDABLE``   one of the owner's addresses can unlock it now and nothing can take it away later: only an
                Address condition, or a timelock that has passed, or an expiration that has passed with the
                owner as return address, or a storage deposit return without an expiration (the return is
                paid back when it is consumed). It counts toward the balance's total.
``CLAIMABLE``   the owner can unlock it now, but an expiration that has not passed hands it back to the
                sender unless it is claimed first (consumed into a plain output). It is *potentially
                locked* and does not count toward the total.
``LOCKED``      the owner cannot unlock it now but may later: a timelock that has not passed, or an
                expiration whose return address is the owner's and which has not passed. Potentially
                locked, not counted.
``NOT_OURS``    none of the owner's addresses can unlock it now or later (an expiration passed and the
                return address is someone else's, or no address of the owner's is involved). Ignored.
==============  ========================================================================================

Alias outputs count when the owner is their state controller or governor; foundry outputs (controlled by an
alias) always count: a foundry is only ever stored because its alias is the owner's.
"""

from __future__ import annotations

import enum
from collections.abc import Container
from dataclasses import dataclass

from tanglehub.protocol.address import Address, Ed25519Address
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    AliasOutput,
    ExpirationUnlockCondition,
    FoundryOutput,
    GovernorAddressUnlockCondition,
    Output,
    StateControllerAddressUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)

__all__ = ["SpendState", "Spendability", "spendability", "unlocker_hashes"]


class SpendState(enum.Enum):
    """What the owner can do with an output now (see the module docstring)."""

    SPENDABLE = "spendable"
    CLAIMABLE = "claimable"
    LOCKED = "locked"
    NOT_OURS = "not_ours"


@dataclass(frozen=True, slots=True)
class Spendability:
    """The answer of :func:`spendability` for one output.

    ``signer``: the owner's Ed25519 hash that unlocks the output now (None when the owner cannot, and for
    foundries). ``value``: base tokens that are the owner's once it is consumed (the amount minus a storage
    deposit return owed to another address; 0 unless ``SPENDABLE``). ``owed``: the storage deposit return
    (address, amount) a transaction consuming it now must pay back, or None. ``changes_at``: unix time at
    which the state changes (timelock end or expiration), None when nothing is pending. ``returns_to_sender``:
    an expiration that has not passed gives it to another address.
    """

    state: SpendState
    signer: bytes | None = None
    value: int = 0
    owed: tuple[Address, int] | None = None
    changes_at: int | None = None
    returns_to_sender: bool = False

    @property
    def counted(self) -> bool:
        """True when the output counts toward the owner's total balance."""
        return self.state is SpendState.SPENDABLE

    @property
    def potentially_locked(self) -> bool:
        """True when the output is listed as potentially locked (claimable, or locked for now)."""
        return self.state in (SpendState.CLAIMABLE, SpendState.LOCKED)

    @property
    def unlockable_now(self) -> bool:
        """True when the owner can unlock it now (spendable, or claimable)."""
        return self.state in (SpendState.SPENDABLE, SpendState.CLAIMABLE)


_NOT_OURS = Spendability(SpendState.NOT_OURS)


def _hash_in(address: Address | None, ours: Container[bytes]) -> bytes | None:
    if isinstance(address, Ed25519Address) and address.pub_key_hash in ours:
        return address.pub_key_hash
    return None


def spendability(output: Output, ours: Container[bytes], now: int) -> Spendability:
    """What the owner of the Ed25519 hashes ``ours`` can do with ``output`` at milestone time ``now``.

    ``ours`` is only asked ``hash in ours`` (a set, a dict, or a lazy lookup); ``now`` is unix seconds.
    """
    if isinstance(output, FoundryOutput):
        return Spendability(SpendState.SPENDABLE, None, output.amount)
    if isinstance(output, AliasOutput):
        signer = _hash_in(output.state_controller, ours) or _hash_in(output.governor, ours)
        return Spendability(SpendState.SPENDABLE, signer, output.amount) if signer else _NOT_OURS
    addressee = output.unlock_condition(AddressUnlockCondition)
    owner = _hash_in(addressee.address if addressee else None, ours)
    timelock = output.unlock_condition(TimelockUnlockCondition)
    expiration = output.unlock_condition(ExpirationUnlockCondition)
    sdruc = output.unlock_condition(StorageDepositReturnUnlockCondition)
    if expiration is not None:
        returner = _hash_in(expiration.return_address, ours)
        if now >= expiration.unix_time:  # the return address owns it; the storage deposit return lapses
            if returner is None:
                return _NOT_OURS
            if timelock is not None and now < timelock.unix_time:
                return Spendability(SpendState.LOCKED, changes_at=timelock.unix_time)
            value = output.amount
            if sdruc is not None and _hash_in(sdruc.return_address, ours) is None:
                value -= sdruc.amount  # the official SDK's rule, although the return lapses
            return Spendability(SpendState.SPENDABLE, returner, value)
        if owner is None:
            if returner is None:
                return _NOT_OURS
            return Spendability(SpendState.LOCKED, changes_at=expiration.unix_time)
        pending = expiration.unix_time
        if timelock is not None and now < timelock.unix_time:
            return Spendability(
                SpendState.LOCKED, changes_at=min(timelock.unix_time, pending), returns_to_sender=returner is None
            )
        owed = (sdruc.return_address, sdruc.amount) if sdruc is not None else None
        return Spendability(
            SpendState.CLAIMABLE, owner, 0, owed, changes_at=pending, returns_to_sender=returner is None
        )
    if owner is None:
        return _NOT_OURS
    if timelock is not None and now < timelock.unix_time:
        return Spendability(SpendState.LOCKED, changes_at=timelock.unix_time)
    if sdruc is None:
        return Spendability(SpendState.SPENDABLE, owner, output.amount)
    ours_back = _hash_in(sdruc.return_address, ours) is not None
    value = output.amount if ours_back else output.amount - sdruc.amount
    return Spendability(SpendState.SPENDABLE, owner, value, (sdruc.return_address, sdruc.amount))


def unlocker_hashes(output: Output) -> list[bytes]:
    """Ed25519 public-key hashes that can unlock ``output`` under some condition, addressee first.

    Covers the Address unlock condition, the expiration return address, and an alias's state controller and
    governor (the same set the indexer's ``unlockableByAddress`` filter uses).
    """
    hashes: list[bytes] = []
    for uc in output.unlock_conditions:
        address = None
        if isinstance(
            uc, AddressUnlockCondition | StateControllerAddressUnlockCondition | GovernorAddressUnlockCondition
        ):
            address = uc.address
        elif isinstance(uc, ExpirationUnlockCondition):
            address = uc.return_address
        if isinstance(address, Ed25519Address) and address.pub_key_hash not in hashes:
            hashes.append(address.pub_key_hash)
    return hashes
