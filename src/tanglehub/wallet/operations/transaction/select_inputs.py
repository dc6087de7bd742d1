"""Input selection: which of the account's outputs pay for a transaction, and what is left over.

Pure functions over stored outputs (no node, no database), so they run inside the database transaction that
reserves the chosen inputs (see :mod:`tanglehub.wallet.operations.transaction.prepare`).

Rules:

* only Basic outputs whose owner at ``now`` is one of the account's Ed25519 addresses are candidates;
  outputs that are timelocked, that carry a storage deposit return or an expiration that has not passed
  (those are *claimed*, see :mod:`tanglehub.wallet.operations.claim`), or that expire within
  :data:`EXPIRATION_MARGIN` seconds, are never picked unless claiming;
* larger outputs first (ties by output id), so the fewest inputs pay; at most 128 inputs;
* native tokens the outputs send are picked first, the rest of every consumed token goes to the remainder;
* the remainder (base tokens and native tokens left over) must cover its own storage deposit; if it would
  not, more inputs are added, and if there are none the error says how much more is needed.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass

from tanglehub.protocol.address import Address, Ed25519Address
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    Output,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
)
from tanglehub.protocol.params import RentStructure
from tanglehub.protocol.payload import MAX_INPUTS
from tanglehub.protocol.rent import storage_deposit
from tanglehub.wallet.operations.transaction.errors import (
    InsufficientFundsError,
    InsufficientNativeTokensError,
    TooManyInputsError,
)
from tanglehub.wallet.storage_schema import OutputRecord

__all__ = [
    "EXPIRATION_MARGIN",
    "Candidate",
    "Selection",
    "owner_at",
    "select_inputs",
    "token_sums",
    "unusable_reason",
    "usable_candidates",
]

EXPIRATION_MARGIN = 120
"""Seconds before its expiration from which an output is no longer spent by its owner (it could expire
before the transaction is confirmed, which would make the transaction conflict)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """An output the account can consume: its id, the output, and the Ed25519 address that must sign."""

    output_id: bytes
    output: Output
    signer_hash: bytes

    @property
    def amount(self) -> int:
        """The output's base-token amount."""
        return self.output.amount


@dataclass(frozen=True, slots=True)
class Selection:
    """The chosen inputs (in essence order) and the remainder output, if one is needed."""

    inputs: tuple[Candidate, ...]
    remainder: BasicOutput | None

    @property
    def input_amount(self) -> int:
        """Base tokens the inputs hold."""
        return sum(c.amount for c in self.inputs)


def owner_at(output: Output, now: int) -> Address | None:
    """The address that unlocks a Basic output at ``now`` (the expiration return address once expired)."""
    if not isinstance(output, BasicOutput):
        return None
    owner: Address | None = None
    for uc in output.unlock_conditions:
        if isinstance(uc, AddressUnlockCondition):
            owner = uc.address
        elif isinstance(uc, ExpirationUnlockCondition) and now >= uc.unix_time:
            return uc.return_address
    return owner


def unusable_reason(output: Output, now: int, own_hashes: Container[bytes], claiming: bool) -> str | None:
    """Why ``output`` may not be an input now (``None`` when it may); ``claiming`` admits outputs with a
    storage deposit return or a pending expiration that the account owns. ``own_hashes`` is anything that
    answers ``hash in own_hashes`` (a set, or a lazy lookup); it is not copied."""
    if not isinstance(output, BasicOutput):
        return "alias, foundry and NFT outputs are never spent by input selection"
    timelock = output.unlock_condition(TimelockUnlockCondition)
    if timelock is not None and now < timelock.unix_time:
        return f"timelocked until unix time {timelock.unix_time}"
    expiration = output.unlock_condition(ExpirationUnlockCondition)
    expired = expiration is not None and now >= expiration.unix_time
    owner = owner_at(output, now)
    if not isinstance(owner, Ed25519Address) or owner.pub_key_hash not in own_hashes:
        return "owned by an address outside this account" + (
            " (expired, returned to the sender)" if expired else ""
        )
    if expiration is not None and not expired:
        if now + EXPIRATION_MARGIN >= expiration.unix_time:
            return f"expires at unix time {expiration.unix_time}, too soon to spend safely"
        if not claiming:
            return f"has an expiration (unix time {expiration.unix_time}); claim it first"
    sdruc = output.unlock_condition(StorageDepositReturnUnlockCondition)
    if sdruc is not None and not expired and not claiming:
        return f"must return {sdruc.amount} to its sender; claim it first"
    return None


def usable_candidates(
    records: Iterable[OutputRecord],
    *,
    own_hashes: Container[bytes],
    reserved: Container[bytes],
    now: int,
    claiming: bool = False,
) -> tuple[list[Candidate], dict[bytes, str]]:
    """Split unspent stored outputs into candidates and the others (output id -> why not)."""
    usable: list[Candidate] = []
    refused: dict[bytes, str] = {}
    for rec in records:
        if rec.spent:
            refused[rec.output_id] = "already spent"
            continue
        if rec.output_id in reserved:
            refused[rec.output_id] = "reserved by another unfinished transaction"
            continue
        reason = unusable_reason(rec.output, now, own_hashes, claiming)
        if reason is not None:
            refused[rec.output_id] = reason
            continue
        owner = owner_at(rec.output, now)
        assert isinstance(owner, Ed25519Address)
        usable.append(Candidate(rec.output_id, rec.output, owner.pub_key_hash))
    return usable, refused


def token_sums(outputs: Iterable[Output]) -> dict[bytes, int]:
    """Native token amounts summed over ``outputs``, by token id."""
    sums: dict[bytes, int] = {}
    for o in outputs:
        for t in o.native_tokens:
            sums[t.token_id] = sums.get(t.token_id, 0) + t.amount
    return sums


def _remainder(address: Address, amount: int, tokens: dict[bytes, int]) -> BasicOutput:
    natives = tuple(NativeToken(tid, n) for tid, n in sorted(tokens.items()) if n > 0)
    return BasicOutput(max(amount, 1), (AddressUnlockCondition(address),), natives)


def select_inputs(
    candidates: Sequence[Candidate],
    outputs: Sequence[Output],
    rent: RentStructure,
    *,
    remainder_address: Address | None,
    mandatory: Sequence[Candidate] = (),
    exact: bool = False,
    max_inputs: int = MAX_INPUTS,
) -> Selection:
    """Choose inputs paying for ``outputs`` (see the module docstring).

    ``mandatory`` inputs are always used, first; with ``exact`` nothing else is. ``remainder_address``
    ``None`` sends the remainder to the address of the first input.
    """
    need_amount = sum(o.amount for o in outputs)
    need_tokens = token_sums(outputs)
    selected: list[Candidate] = []
    seen: set[bytes] = set()
    for c in mandatory:
        if c.output_id not in seen:
            selected.append(c)
            seen.add(c.output_id)
    pool = [] if exact else sorted((c for c in candidates if c.output_id not in seen), key=_largest_first)
    available = sum(c.amount for c in selected) + sum(c.amount for c in pool)
    if available < need_amount:
        raise InsufficientFundsError(need_amount, available)
    if len(selected) > max_inputs:
        raise TooManyInputsError(max_inputs, max_inputs)

    def take(c: Candidate) -> None:
        if len(selected) >= max_inputs:
            raise TooManyInputsError(max_inputs, max_inputs)
        selected.append(c)
        seen.add(c.output_id)
        pool.remove(c)

    # Native tokens the outputs send: inputs holding the most of each token first.
    for token_id in sorted(need_tokens):
        need = need_tokens[token_id]
        have = token_sums(c.output for c in selected).get(token_id, 0)
        while have < need:
            holders = [c for c in pool if any(t.token_id == token_id for t in c.output.native_tokens)]
            if not holders:
                raise InsufficientNativeTokensError(token_id, need, have)
            best = max(holders, key=lambda c: (_token_amount(c, token_id), c.amount, c.output_id))
            take(best)
            have += _token_amount(best, token_id)

    # Base tokens, and a remainder that covers its own storage deposit.
    while True:
        have_amount = sum(c.amount for c in selected)
        deposit = 0
        if have_amount >= need_amount and selected:
            left = have_amount - need_amount
            tokens = token_sums(c.output for c in selected)
            for tid, n in need_tokens.items():
                tokens[tid] = tokens.get(tid, 0) - n
            leftover_tokens = {tid: n for tid, n in tokens.items() if n > 0}
            if left == 0 and not leftover_tokens:
                return Selection(tuple(selected), None)
            address = remainder_address if remainder_address is not None else _first_owner(selected)
            remainder = _remainder(address, left, leftover_tokens)
            deposit = storage_deposit(remainder, rent)
            if left >= deposit:
                return Selection(tuple(selected), remainder)
        if not pool:
            required = need_amount + deposit
            what = (
                f"{need_amount} for the outputs and {deposit} storage deposit for the remainder" if deposit else ""
            )
            raise InsufficientFundsError(required, available, what)
        take(pool[0])


def _largest_first(c: Candidate) -> tuple[int, bytes]:
    return (-c.amount, c.output_id)


def _token_amount(c: Candidate, token_id: bytes) -> int:
    return sum(t.amount for t in c.output.native_tokens if t.token_id == token_id)


def _first_owner(selected: Sequence[Candidate]) -> Address:
    return Ed25519Address(selected[0].signer_hash)
