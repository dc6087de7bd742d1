"""What a recovery transaction pays (pure): the deposit back to its destination, honouring its storage deposit
return and carrying its native tokens or its NFT.

Outputs of :func:`recovery_outputs` for a deposit output of ``amount`` A:

* a storage deposit return of R to its return address: a plain Basic output of exactly R (TIP-19);
* the recovered output to the destination: a Basic output (or, for an NFT deposit, the same NFT with its
  immutable features) of ``A - R`` base tokens with the deposit's native tokens and no other features or
  conditions; when ``A - R`` is below that output's own storage deposit, the hub adds the difference
  (``topup``) from hot funds.

Alias and foundry outputs, timelocks still running and expirations too close to spend safely are refused
with :class:`~tanglehub.hub.recoveries.errors.RecoveryNotPossible`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tanglehub.hub.recoveries.errors import RecoveryNotPossible
from tanglehub.protocol.address import Address
from tanglehub.protocol.ids import nft_id_from_output_id
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    NftOutput,
    Output,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)
from tanglehub.protocol.params import RentStructure
from tanglehub.protocol.rent import storage_deposit
from tanglehub.wallet.operations.transaction.select_inputs import EXPIRATION_MARGIN

__all__ = ["RecoveryOutputs", "recovery_outputs", "return_address"]


@dataclass(frozen=True, slots=True)
class RecoveryOutputs:
    """The outputs a recovery pays: the storage deposit return (if any) and the recovered output."""

    return_output: BasicOutput | None
    recovered: BasicOutput | NftOutput
    topup: int

    @property
    def outputs(self) -> list[Output]:
        """Essence order: the return first, then the recovered output."""
        out: list[Output] = [] if self.return_output is None else [self.return_output]
        return [*out, self.recovered]


def return_address(output: Output) -> Address | None:
    """The storage deposit return address of ``output`` (None if it has none)."""
    sdr = (
        output.unlock_condition(StorageDepositReturnUnlockCondition)
        if isinstance(output, BasicOutput | NftOutput)
        else None
    )
    return None if sdr is None else sdr.return_address


def recovery_outputs(
    output_id: bytes, output: Output, destination: Address, rent: RentStructure, now: int
) -> RecoveryOutputs:
    """The outputs that send ``output`` (id ``output_id``) back to ``destination`` at Unix time ``now``.

    Raises :class:`RecoveryNotPossible` for alias/foundry outputs, a running timelock or an expiration within
    the safety margin (it goes back to its sender by itself then)."""
    if not isinstance(output, BasicOutput | NftOutput):
        raise RecoveryNotPossible(f"a {output.NAME} cannot be recovered by the hub (only Basic and NFT outputs)")
    timelock = output.unlock_condition(TimelockUnlockCondition)
    if timelock is not None and now < timelock.unix_time:
        raise RecoveryNotPossible(f"the deposit is timelocked until Unix time {timelock.unix_time}")
    expiration = output.unlock_condition(ExpirationUnlockCondition)
    if expiration is not None and now + EXPIRATION_MARGIN >= expiration.unix_time:
        raise RecoveryNotPossible(
            f"the deposit expires at Unix time {expiration.unix_time}: it returns to "
            "its sender by itself, the hub can no longer spend it safely"
        )
    sdr = output.unlock_condition(StorageDepositReturnUnlockCondition)
    returned = 0 if sdr is None else sdr.amount
    ret = None if sdr is None else BasicOutput(sdr.amount, (AddressUnlockCondition(sdr.return_address),))
    left = output.amount - returned
    owner = (AddressUnlockCondition(destination),)
    recovered: BasicOutput | NftOutput
    if isinstance(output, NftOutput):
        nft_id = output.nft_id if any(output.nft_id) else nft_id_from_output_id(output_id)
        recovered = NftOutput(max(left, 1), owner, nft_id, output.native_tokens, (), output.immutable_features)
    else:
        recovered = BasicOutput(max(left, 1), owner, output.native_tokens)
    need = storage_deposit(recovered, rent)
    topup = max(0, need - left)
    if topup:
        if isinstance(recovered, NftOutput):
            recovered = NftOutput(
                left + topup, owner, recovered.nft_id, recovered.native_tokens, (), recovered.immutable_features
            )
        else:
            recovered = BasicOutput(left + topup, owner, recovered.native_tokens)
    return RecoveryOutputs(ret, recovered, topup)
