"""The signer's policy check: rebuild what the essence says and justify every input and output (pure).

A request passes only if:

- the essence's network id is the policy's own (:attr:`RefusalReason.WRONG_NETWORK`);
- the inputs given are the essence's inputs in order, and the inputs commitment is BLAKE2b-256 over their
  outputs' hashes (TIP-20) (``INPUTS_MISMATCH``, ``INPUT_COMMITMENT_MISMATCH``);
- each input is a Basic or NFT output owned by the Ed25519 key of its chain, on an allowed coin type and
  account (``INPUT_NOT_OWNED``);
- each output is a Basic output (NFT outputs only in a recovery) with no timelock or expiration, and it goes to
  one of: an address the signer derived itself (remainders, sweeps), the policy's cold address, the return
  address of an input's storage deposit return (exactly the amount due), a withdrawal of the justification
  (address and amount match, no native tokens), or, in a recovery, a recovery claim (``FOREIGN_OUTPUT``,
  ``FOREIGN_REMAINDER``, ``UNSUPPORTED_OUTPUT``, ``WRONG_KIND``);
- every withdrawal and recovery of the justification is paid by an output (``UNMATCHED_JUSTIFICATION``), none
  is above the per-withdrawal limit (``WITHDRAWAL_LIMIT``), and authorizations verify
  (``AUTHORIZATION_MISSING``, ``AUTHORIZATION_INVALID``).

Rolling-window limits and replays need the signer's durable state; :mod:`tanglehub.signer.service` checks them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tanglehub.errors import TanglehubError
from tanglehub.keys.slip10 import Bip44
from tanglehub.protocol.address import Address, Ed25519Address, address_from_bech32
from tanglehub.protocol.output import BasicOutput, NftOutput, Output
from tanglehub.protocol.output.unlock_conditions import (
    ExpirationUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)
from tanglehub.protocol.payload.essence import inputs_commitment
from tanglehub.signer.authorization import verify_authorization
from tanglehub.signer.errors import RefusalReason, SigningRefused
from tanglehub.signer.policy import Policy
from tanglehub.signer.request import RecoveryClaim, SignRequest, WithdrawalClaim

__all__ = ["Approval", "check_request"]


@dataclass(frozen=True, slots=True)
class Approval:
    """What a request that passed the check pays out (the service counts these against the window limits)."""

    withdrawals: tuple[WithdrawalClaim, ...]
    recoveries: tuple[RecoveryClaim, ...]

    def payouts(self) -> list[tuple[str, str, int]]:
        """(identity, bech32 address, amount) of every withdrawal and recovery, for the limit counters."""
        out = [(w.key, w.address.lower(), w.amount) for w in self.withdrawals]
        out += [(f'["recovery",{r.deposit_output_id!r}]', r.address.lower(), r.amount) for r in self.recoveries]
        return out


def _refuse(reason: RefusalReason, message: str) -> SigningRefused:
    return SigningRefused(reason, message)


def _parse_address(text: str, hrp: str, what: str) -> Address:
    try:
        return address_from_bech32(text, expected_hrp=hrp)
    except TanglehubError as exc:
        raise _refuse(
            RefusalReason.FOREIGN_OUTPUT, f"{what} is not an address of this network: {exc.message}"
        ) from exc


def _check_inputs(
    req: SignRequest, policy: Policy, key_hash: Callable[[Bip44 | str], bytes]
) -> dict[Address, int]:
    essence = req.essence
    if [i.output_id for i in req.inputs] != [u.output_id for u in essence.inputs]:
        raise _refuse(RefusalReason.INPUTS_MISMATCH, "the inputs given are not the essence's inputs in order")
    if inputs_commitment([i.output for i in req.inputs]) != essence.inputs_commitment:
        raise _refuse(
            RefusalReason.INPUT_COMMITMENT_MISMATCH, "the inputs commitment does not match the consumed outputs"
        )
    returns: dict[Address, int] = {}
    for n, item in enumerate(req.inputs):
        chain = item.chain
        if chain is None:
            if not policy.legacy_deposits:
                raise _refuse(
                    RefusalReason.INPUT_NOT_OWNED, f"input {n} names a seed UUID; this signer is HD only"
                )
        elif chain.coin_type != policy.coin_type or chain.account not in policy.accounts:
            raise _refuse(
                RefusalReason.INPUT_NOT_OWNED,
                f"input {n} names coin type {chain.coin_type}, account {chain.account}: "
                "not one this signer signs for",
            )
        output = item.output
        owner = output.address if isinstance(output, BasicOutput | NftOutput) else None
        if not isinstance(owner, Ed25519Address) or owner.pub_key_hash != key_hash(item.key_ref):
            raise _refuse(
                RefusalReason.INPUT_NOT_OWNED, f"input {n} is not owned by the key of the chain given for it"
            )
        sdr = output.unlock_condition(StorageDepositReturnUnlockCondition)
        if sdr is not None:
            returns[sdr.return_address] = returns.get(sdr.return_address, 0) + sdr.amount
    return returns


def _check_claims(req: SignRequest, policy: Policy) -> None:
    j = req.justification
    if j.withdrawals and j.kind != "withdrawals":
        raise _refuse(RefusalReason.WRONG_KIND, f"a {j.kind} transaction cannot carry withdrawals")
    if j.recoveries and j.kind != "recovery":
        raise _refuse(RefusalReason.WRONG_KIND, f"a {j.kind} transaction cannot carry recoveries")
    limits = policy.limits
    claims: list[tuple[str, str, int, str, bytes | None]] = [
        (w.user_id, w.address, w.amount, w.idempotency_key, w.authorization) for w in j.withdrawals
    ]
    claims += [("recovery", r.address, r.amount, r.deposit_output_id, None) for r in j.recoveries]
    for user, address, amount, key, authorization in claims:
        if amount > limits.max_per_withdrawal:
            raise _refuse(
                RefusalReason.WITHDRAWAL_LIMIT,
                f"{amount} to {address} is above the per-withdrawal limit of {limits.max_per_withdrawal}",
            )
        if authorization is None:
            if limits.require_authorization and user != "recovery":
                raise _refuse(
                    RefusalReason.AUTHORIZATION_MISSING, f"the withdrawal {key!r} carries no authorization"
                )
        elif not verify_authorization(limits.authorization_keys, authorization, user, address, amount, key):
            raise _refuse(
                RefusalReason.AUTHORIZATION_INVALID,
                f"the authorization of withdrawal {key!r} does not verify under any configured key",
            )


def _justify_output(  # noqa: PLR0917 - one output and the check's running state
    n: int,
    output: Output,
    req: SignRequest,
    policy: Policy,
    is_own: Callable[[bytes], bool],
    due: dict[Address, int],
    open_claims: list[tuple[Address, int, WithdrawalClaim | RecoveryClaim]],
) -> None:
    recovery = req.justification.kind == "recovery"
    if not isinstance(output, BasicOutput) and not (recovery and isinstance(output, NftOutput)):
        raise _refuse(
            RefusalReason.UNSUPPORTED_OUTPUT, f"output {n} is a {output.NAME}, which this policy never signs"
        )
    if output.unlock_condition(TimelockUnlockCondition) or output.unlock_condition(ExpirationUnlockCondition):
        raise _refuse(RefusalReason.UNSUPPORTED_OUTPUT, f"output {n} carries a timelock or an expiration")
    if output.unlock_condition(StorageDepositReturnUnlockCondition) is not None:
        raise _refuse(RefusalReason.UNSUPPORTED_OUTPUT, f"output {n} carries a storage deposit return")
    owner = output.address
    if isinstance(owner, Ed25519Address) and is_own(owner.pub_key_hash):
        return
    if policy.cold_address is not None and owner == policy.cold_address and not output.native_tokens:
        return
    if due.get(owner) == output.amount and isinstance(output, BasicOutput) and output.is_simple:
        del due[owner]
        return
    for k, (address, amount, claim) in enumerate(open_claims):
        plain = isinstance(output, BasicOutput) and not output.native_tokens
        if address == owner and amount == output.amount and (plain or isinstance(claim, RecoveryClaim)):
            del open_claims[k]
            return
    if n == req.remainder_index:
        raise _refuse(RefusalReason.FOREIGN_REMAINDER, f"the remainder (output {n}) goes to a foreign address")
    raise _refuse(
        RefusalReason.FOREIGN_OUTPUT,
        f"output {n} pays {output.amount} to {owner.to_bech32(policy.bech32_hrp)}, which nothing justifies",
    )


def check_request(
    req: SignRequest, policy: Policy, key_hash: Callable[[Bip44 | str], bytes], is_own: Callable[[bytes], bool]
) -> Approval:
    """Check ``req`` against ``policy``; ``key_hash(ref)`` is the Ed25519 address hash of a key (a BIP44 chain
    or a legacy seed UUID) and ``is_own(hash)`` tells whether the signer derived an address. Raises
    :class:`SigningRefused`."""
    if req.essence.network_id != policy.network_id:
        raise _refuse(
            RefusalReason.WRONG_NETWORK,
            f"the essence is for network id {req.essence.network_id}, this signer signs for "
            f"{policy.network_name!r} ({policy.network_id})",
        )
    due = _check_inputs(req, policy, key_hash)
    _check_claims(req, policy)
    j = req.justification
    open_claims: list[tuple[Address, int, WithdrawalClaim | RecoveryClaim]] = [
        (_parse_address(w.address, policy.bech32_hrp, "a withdrawal address"), w.amount, w) for w in j.withdrawals
    ]
    open_claims += [
        (_parse_address(r.address, policy.bech32_hrp, "a recovery address"), r.amount, r) for r in j.recoveries
    ]
    for n, output in enumerate(req.essence.outputs):
        _justify_output(n, output, req, policy, is_own, due, open_claims)
    if open_claims:
        claim = open_claims[0][2]
        raise _refuse(
            RefusalReason.UNMATCHED_JUSTIFICATION,
            f"no output pays {claim.amount} to {claim.address} as the justification claims",
        )
    return Approval(j.withdrawals, j.recoveries)
