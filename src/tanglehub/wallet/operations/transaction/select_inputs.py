"""Input selection: which of the account's outputs pay for a transaction, and what is left over.

Pure functions over stored outputs (no node, no database), so they run inside the database transaction that
reserves the chosen inputs (see :mod:`tanglehub.wallet.operations.transaction.prepare`).

Which outputs may be inputs is :func:`tanglehub.protocol.spendable.spendability`, the same definition the
balance uses: only Basic outputs the account can spend now (``SPENDABLE``); outputs with an expiration that
has not passed (``CLAIMABLE``) only when claiming, and never within :data:`EXPIRATION_MARGIN` seconds of
it. An input with a storage deposit return (TIP-19) makes the transaction pay the return back: one plain
output per return address, added by the selection.

A selection is *valid* when every protocol limit holds (TIP-20): at most 128 inputs and 128 outputs; at
most 64 distinct native tokens over the inputs and outputs together; the native tokens the outputs send are
covered; everything left over (base tokens, every other native token of the inputs) goes to one remainder
output holding its own storage deposit (TIP-19); no remainder is made when nothing is left. The search:

1. two greedy passes over the candidates, each adding inputs until the selection is valid: largest first,
   and one that avoids inputs carrying native tokens the outputs do not send; of the two the one leaving
   the fewest token kinds to the remainder wins (then the fewest inputs), so airdropped token kinds cannot
   block a payment;
2. when both fail, an exhaustive depth-first search with pruning (complete for pools of up to 14
   candidates, bounded by :data:`SEARCH_BUDGET` steps beyond that);
3. when nothing is found, the error says why: not enough base tokens or native tokens, the remainder's
   storage deposit, too many kinds of native tokens, the 128-input or the 128-output limit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass

from tanglehub.protocol.address import Address, Ed25519Address
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    Output,
)
from tanglehub.protocol.params import RentStructure
from tanglehub.protocol.payload import MAX_INPUTS, MAX_OUTPUTS
from tanglehub.protocol.rent import storage_deposit
from tanglehub.protocol.spendable import SpendState, spendability
from tanglehub.protocol.syntax import MAX_DISTINCT_NATIVE_TOKENS
from tanglehub.wallet.operations.transaction.errors import (
    InputSelectionError,
    InsufficientFundsError,
    InsufficientNativeTokensError,
    TooManyInputsError,
)
from tanglehub.wallet.storage_schema import OutputRecord

__all__ = [
    "EXPIRATION_MARGIN",
    "SEARCH_BUDGET",
    "Candidate",
    "Selection",
    "candidate_for",
    "owner_at",
    "plain_owner",
    "select_inputs",
    "token_sums",
    "unusable_reason",
    "usable_candidates",
]

EXPIRATION_MARGIN = 120
"""Seconds before its expiration from which an output is no longer spent by its owner (it could expire
before the transaction is confirmed, which would make the transaction conflict)."""

SEARCH_BUDGET = 50_000
"""Most steps the exhaustive search takes before it gives up (enough for every subset of 14 candidates)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """An output the account can consume: its id, the output, the Ed25519 address that must sign, and the
    storage deposit return (address, amount) a transaction consuming it must pay back (None when none)."""

    output_id: bytes
    output: Output
    signer_hash: bytes
    owed: tuple[Address, int] | None = None

    @property
    def amount(self) -> int:
        """The output's base-token amount."""
        return self.output.amount


@dataclass(frozen=True, slots=True)
class Selection:
    """The chosen inputs (in essence order), the storage deposit returns they owe, and the remainder (a
    tuple of zero or one output: a transaction holds at most 64 native token kinds, so one always does)."""

    inputs: tuple[Candidate, ...]
    remainders: tuple[BasicOutput, ...] = ()
    returns: tuple[BasicOutput, ...] = ()

    @property
    def remainder(self) -> BasicOutput | None:
        """The remainder output, if any."""
        return self.remainders[0] if self.remainders else None

    @property
    def input_amount(self) -> int:
        """Base tokens the inputs hold."""
        return sum(c.amount for c in self.inputs)

    @property
    def extra_outputs(self) -> tuple[BasicOutput, ...]:
        """The outputs the selection adds after the caller's: returns, then remainders."""
        return self.returns + self.remainders


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


def plain_owner(output: Output) -> bytes | None:
    """The Ed25519 hash of a Basic output whose only unlock condition is an Address condition on an Ed25519
    address (the common deposit: no time, no return), else None. Such an output is ``SPENDABLE`` by that
    address's owner at every time, with nothing owed (what :func:`spendability` answers, without its steps)."""
    if type(output) is not BasicOutput:
        return None
    ucs = output.unlock_conditions
    if len(ucs) != 1 or type(ucs[0]) is not AddressUnlockCondition:
        return None
    address = ucs[0].address
    return address.pub_key_hash if type(address) is Ed25519Address else None


def candidate_for(
    output_id: bytes, output: Output, now: int, own_hashes: Container[bytes], claiming: bool
) -> Candidate | str:
    """``output`` as a :class:`Candidate`, or why it may not be an input now; ``claiming`` admits outputs
    with an expiration that has not passed. ``own_hashes`` answers ``hash in own_hashes``."""
    signer = plain_owner(output)
    if signer is not None and signer in own_hashes:  # only an Ed25519 Address condition: spendable, nothing owed
        return Candidate(output_id, output, signer)
    if not isinstance(output, BasicOutput):
        return "alias, foundry and NFT outputs are never spent by input selection"
    status = spendability(output, own_hashes, now)
    if status.state is SpendState.SPENDABLE and status.signer is not None:
        return Candidate(output_id, output, status.signer, status.owed)
    if status.state is SpendState.CLAIMABLE and status.signer is not None:
        expires = status.changes_at or 0
        if now + EXPIRATION_MARGIN >= expires:
            return f"expires at unix time {expires}, too soon to spend safely"
        if not claiming:
            back = " returns to its sender" if status.returns_to_sender else " changes owner"
            return f"has an expiration (unix time {expires}) after which it{back}; claim it first"
        return Candidate(output_id, output, status.signer, status.owed)
    if status.state is SpendState.LOCKED:
        owner = owner_at(output, now)
        if isinstance(owner, Ed25519Address) and owner.pub_key_hash in own_hashes:
            return f"timelocked until unix time {status.changes_at}"
        return f"belongs to its receiver until unix time {status.changes_at} (it comes back if not claimed)"
    expiration = output.unlock_condition(ExpirationUnlockCondition)
    expired = expiration is not None and now >= expiration.unix_time
    return "owned by an address outside this account" + (" (expired, returned to the sender)" if expired else "")


def unusable_reason(output: Output, now: int, own_hashes: Container[bytes], claiming: bool) -> str | None:
    """Why ``output`` may not be an input now (``None`` when it may); see :func:`candidate_for`."""
    found = candidate_for(b"", output, now, own_hashes, claiming)
    return found if isinstance(found, str) else None


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
        found = candidate_for(rec.output_id, rec.output, now, own_hashes, claiming)
        if isinstance(found, str):
            refused[rec.output_id] = found
        else:
            usable.append(found)
    return usable, refused


def token_sums(outputs: Iterable[Output]) -> dict[bytes, int]:
    """Native token amounts summed over ``outputs``, by token id."""
    sums: dict[bytes, int] = {}
    for o in outputs:
        for t in o.native_tokens:
            sums[t.token_id] = sums.get(t.token_id, 0) + t.amount
    return sums


@dataclass(frozen=True, slots=True)
class _Goal:
    """What the caller's outputs need, and the limits and deposits a selection must respect."""

    amount: int
    tokens: dict[bytes, int]
    n_outputs: int
    plain_deposit: int
    per_token: int
    rent: RentStructure
    remainder_address: Address | None
    max_inputs: int
    max_outputs: int


@dataclass(frozen=True, slots=True)
class _Failure:
    """Why a set of inputs is not valid: ``funds``, ``tokens``, ``deposit``, ``outputs`` or ``inputs``."""

    kind: str
    required: int = 0
    have: int = 0
    token_id: bytes = b""


def _returns(selected: Sequence[Candidate]) -> list[BasicOutput]:
    owed: dict[bytes, tuple[Address, int]] = {}
    for c in selected:
        if c.owed is None:
            continue
        address, amount = c.owed
        key = address.to_bytes()
        prev = owed.get(key)
        owed[key] = (address, amount + (prev[1] if prev else 0))
    return [BasicOutput(n, (AddressUnlockCondition(a),)) for _, (a, n) in sorted(owed.items())]


def _evaluate(selected: Sequence[Candidate], goal: _Goal) -> Selection | _Failure:
    """The selection ``selected`` makes, or why it is not valid."""
    if len(selected) > goal.max_inputs:
        return _Failure("inputs", goal.max_inputs, len(selected))
    have = sum(c.amount for c in selected)
    tokens = token_sums(c.output for c in selected)
    kinds = len(tokens.keys() | goal.tokens.keys())
    if kinds > MAX_DISTINCT_NATIVE_TOKENS:
        return _Failure("kinds", MAX_DISTINCT_NATIVE_TOKENS, kinds)
    for tid, need in sorted(goal.tokens.items()):
        if tokens.get(tid, 0) < need:
            return _Failure("tokens", need, tokens.get(tid, 0), tid)
        tokens[tid] -= need
    leftover = {tid: n for tid, n in tokens.items() if n > 0}
    returns = _returns(selected)
    required = goal.amount + sum(r.amount for r in returns)
    left = have - required
    if left < 0:
        return _Failure("funds", required, have)
    count = 0 if left == 0 and not leftover else 1
    if count:
        deposit = goal.plain_deposit + len(leftover) * goal.per_token
        if left < deposit:
            return _Failure("deposit", required + deposit, have)
    if goal.n_outputs + len(returns) + count > goal.max_outputs:
        return _Failure("outputs", goal.n_outputs + len(returns) + count, goal.max_outputs)
    if not count:
        return Selection(tuple(selected), (), tuple(returns))
    address = goal.remainder_address or Ed25519Address(selected[0].signer_hash)
    natives = tuple(NativeToken(tid, n) for tid, n in sorted(leftover.items()))
    remainder = BasicOutput(left, (AddressUnlockCondition(address),), natives)
    if left < storage_deposit(remainder, goal.rent):  # pragma: no cover - the deposit is linear in the tokens
        return _Failure("deposit", required + storage_deposit(remainder, goal.rent), have)
    return Selection(tuple(selected), (remainder,), tuple(returns))


_Key = tuple[int | bool | bytes, ...]


def _foreign_kinds(c: Candidate, goal: _Goal) -> int:
    return sum(1 for t in c.output.native_tokens if t.token_id not in goal.tokens)


def _grow(
    fixed: Sequence[Candidate],
    pool: Sequence[Candidate],
    goal: _Goal,
    key: Callable[[Candidate], tuple[object, ...]],
) -> Selection | _Failure:
    """Greedy: holders of the tokens still missing first, then ``pool`` in ``key`` order, until valid."""
    selected = list(fixed)
    rest = sorted(pool, key=key)
    taken: set[bytes] = set()
    for tid in sorted(goal.tokens):
        have = token_sums(c.output for c in selected).get(tid, 0)
        holders = [c for c in rest if any(t.token_id == tid for t in c.output.native_tokens)]
        holders.sort(key=lambda c: (_foreign_kinds(c, goal), -_token_amount(c, tid), key(c)))
        for c in holders:
            if have >= goal.tokens[tid]:
                break
            if c.output_id not in taken:
                selected.append(c)
                taken.add(c.output_id)
                have += _token_amount(c, tid)
    result = _evaluate(selected, goal)
    for c in rest:
        if isinstance(result, Selection) or len(selected) >= goal.max_inputs:
            break
        if result.kind in ("kinds", "outputs"):
            break  # more inputs only add token kinds and outputs
        if c.output_id in taken:
            continue
        selected.append(c)
        taken.add(c.output_id)
        result = _evaluate(selected, goal)
    return result


def _search(fixed: Sequence[Candidate], pool: Sequence[Candidate], goal: _Goal) -> Selection | None:
    """Depth-first search over subsets of ``pool`` (largest first), pruned by what the rest can still add."""
    order = sorted(pool, key=_largest_first)
    prefix = [0]
    for c in order:
        prefix.append(prefix[-1] + c.amount)
    suffix_tokens: list[dict[bytes, int]] = [{} for _ in range(len(order) + 1)]
    for i in range(len(order) - 1, -1, -1):
        sums = dict(suffix_tokens[i + 1])
        for t in order[i].output.native_tokens:
            if t.token_id in goal.tokens:
                sums[t.token_id] = sums.get(t.token_id, 0) + t.amount
        suffix_tokens[i] = sums
    steps = 0
    selected = list(fixed)

    def visit(i: int, amount: int, tokens: dict[bytes, int]) -> Selection | None:
        nonlocal steps
        steps += 1
        if steps > SEARCH_BUDGET or i == len(order) or len(selected) >= goal.max_inputs:
            return None
        slots = goal.max_inputs - len(selected)
        if amount + prefix[min(len(order), i + slots)] - prefix[i] < goal.amount:
            return None  # even the largest outputs that still fit cannot pay
        if any(tokens.get(t, 0) + suffix_tokens[i].get(t, 0) < n for t, n in goal.tokens.items()):
            return None
        c = order[i]
        selected.append(c)
        found = _evaluate(selected, goal)
        if isinstance(found, Selection):
            return found
        if found.kind == "kinds":  # more inputs only add token kinds
            selected.pop()
            return visit(i + 1, amount, tokens)
        with_c = dict(tokens)
        for t in c.output.native_tokens:
            if t.token_id in goal.tokens:
                with_c[t.token_id] = with_c.get(t.token_id, 0) + t.amount
        deeper = visit(i + 1, amount + c.amount, with_c)
        selected.pop()
        if deeper is not None:
            return deeper
        return visit(i + 1, amount, tokens)

    start_tokens = {t: n for t, n in token_sums(c.output for c in fixed).items() if t in goal.tokens}
    return visit(0, sum(c.amount for c in fixed), start_tokens)


def select_inputs(
    candidates: Sequence[Candidate],
    outputs: Sequence[Output],
    rent: RentStructure,
    *,
    remainder_address: Address | None,
    mandatory: Sequence[Candidate] = (),
    exact: bool = False,
    max_inputs: int = MAX_INPUTS,
    max_outputs: int = MAX_OUTPUTS,
) -> Selection:
    """Choose inputs paying for ``outputs`` (see the module docstring).

    ``mandatory`` inputs are always used, first; with ``exact`` nothing else is. ``remainder_address``
    ``None`` sends the remainder to the address of the first input. Raises
    :class:`InsufficientFundsError`, :class:`InsufficientNativeTokensError`, :class:`TooManyInputsError` or
    :class:`InputSelectionError` (every one a ``WalletError``) when no valid selection exists.
    """
    unlock = (AddressUnlockCondition(remainder_address or Ed25519Address(bytes(32))),)
    plain = storage_deposit(BasicOutput(1, unlock), rent)
    one = storage_deposit(BasicOutput(1, unlock, (NativeToken(bytes(38), 1),)), rent)
    goal = _Goal(
        sum(o.amount for o in outputs),
        token_sums(outputs),
        len(outputs),
        plain,
        one - plain,
        rent,
        remainder_address,
        max_inputs,
        max_outputs,
    )
    fixed: list[Candidate] = []
    seen: set[bytes] = set()
    for c in mandatory:
        if c.output_id not in seen:
            fixed.append(c)
            seen.add(c.output_id)
    pool: list[Candidate] = []
    if not exact:
        for c in sorted(candidates, key=_largest_first):
            if c.output_id not in seen:
                pool.append(c)
                seen.add(c.output_id)
    everything = fixed + pool
    available = sum(c.amount for c in everything)
    if available < goal.amount:
        raise InsufficientFundsError(goal.amount, available)
    held = token_sums(c.output for c in everything)
    for tid, need in sorted(goal.tokens.items()):
        if held.get(tid, 0) < need:
            raise InsufficientNativeTokensError(tid, need, held.get(tid, 0))
    if len(fixed) > max_inputs:
        raise TooManyInputsError(max_inputs, max_inputs)
    first = _grow(fixed, pool, goal, _largest_first)
    # without a pool to choose from (custom inputs) both passes take the fixed inputs alone
    second = (
        _grow(fixed, pool, goal, lambda c: (_foreign_kinds(c, goal) > 0, _foreign_kinds(c, goal), -c.amount))
        if pool
        else first
    )
    made = [r for r in (first, second) if isinstance(r, Selection)]
    if made:  # the fewest token kinds left to the remainder, then the fewest inputs
        return min(made, key=lambda r: (_leftover_kinds(r), len(r.inputs)))
    found = _search(fixed, pool, goal)
    if found is not None:
        return found
    failures = [r for r in (first, second) if isinstance(r, _Failure)]
    raise _error(failures, goal, everything, available)


def _error(
    failures: Sequence[_Failure], goal: _Goal, everything: Sequence[Candidate], available: int
) -> InsufficientFundsError | TooManyInputsError | InputSelectionError:
    """The error for a payment no selection can make, judged from everything the account holds."""
    whole = _evaluate(everything, dataclasses.replace(goal, max_inputs=max(len(everything), goal.max_inputs)))
    if isinstance(whole, _Failure) and whole.kind in ("funds", "deposit"):
        extra = whole.required - goal.amount
        what = f"{goal.amount} for the outputs and {extra} for storage deposit returns and the remainder"
        return InsufficientFundsError(whole.required, available, what if extra else "")
    if isinstance(whole, _Failure) and whole.kind == "outputs":
        return InputSelectionError(
            f"the payment needs {whole.required} outputs with its storage deposit returns and remainder, "
            f"but a transaction holds at most {goal.max_outputs}; send to fewer recipients at once"
        )
    kinds = [f for f in failures if f.kind == "kinds"]
    if kinds:
        return InputSelectionError(
            f"every set of inputs that pays carries more than {MAX_DISTINCT_NATIVE_TOKENS} kinds of native "
            f"tokens (the most one transaction may hold, outputs included; {kinds[0].have} in the best one "
            "found); send the extra native tokens away in a transaction of their own first"
        )
    if len(everything) > goal.max_inputs or any(f.kind == "inputs" for f in failures):
        return TooManyInputsError(goal.max_inputs, goal.max_inputs)
    return InputSelectionError(
        f"no set of at most {goal.max_inputs} inputs pays {goal.amount} with a remainder that keeps its storage "
        f"deposit (the search stopped after {SEARCH_BUDGET} steps); consolidate the account's outputs first"
    )


def _leftover_kinds(sel: Selection) -> int:
    return sum(len(r.native_tokens) for r in sel.remainders)


def _largest_first(c: Candidate) -> tuple[int, bytes]:
    return (-c.amount, c.output_id)


def _token_amount(c: Candidate, token_id: bytes) -> int:
    return sum(t.amount for t in c.output.native_tokens if t.token_id == token_id)
