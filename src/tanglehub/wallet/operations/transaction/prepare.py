"""Prepare a transaction: choose and reserve inputs, build the outputs and the essence.

The selection runs inside one ``BEGIN IMMEDIATE`` database transaction that also reserves the chosen
inputs (keyed by the essence hash until the transaction is signed), so two concurrent sends can never pick
the same outputs. The result, :class:`PreparedTransaction`, is plain data with a JSON form: it can be
signed in another process (:func:`tanglehub.wallet.operations.transaction.sign.sign_transaction`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

from tanglehub.errors import CodecError, ProtocolValidationError, WalletError
from tanglehub.keys.slip10 import Bip44
from tanglehub.protocol.address import Address, Ed25519Address
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.jsonutil import (
    JsonObject,
    get_field,
    hex_from_bytes,
    hex_to_bytes,
    require_int,
    require_list,
    require_object,
)
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    Output,
    StorageDepositReturnUnlockCondition,
    output_from_json,
)
from tanglehub.protocol.params import ProtocolParameters, RentStructure
from tanglehub.protocol.payload import MAX_OUTPUTS, TransactionEssence, inputs_commitment
from tanglehub.protocol.rent import min_deposit_basic, storage_deposit
from tanglehub.protocol.spendable import unlocker_hashes
from tanglehub.protocol.validation_errors import InsufficientStorageDepositError
from tanglehub.wallet.errors import AddressNotFoundError
from tanglehub.wallet.events import ProgressStep, TransactionProgress
from tanglehub.wallet.operations.transaction.context import (
    AccountContext,
    NodeView,
    node_view,
    recent_node_view,
)
from tanglehub.wallet.operations.transaction.errors import (
    AmountBelowStorageDepositError,
    InputNotUsableError,
    InsufficientFundsError,
    TransactionOptionsError,
)
from tanglehub.wallet.operations.transaction.options import (
    ChangeAddress,
    CustomAddress,
    TransactionOptions,
)
from tanglehub.wallet.operations.transaction.select_inputs import (
    Candidate,
    Selection,
    candidate_for,
    plain_owner,
    select_inputs,
    usable_candidates,
)
from tanglehub.wallet.storage_batch import InputRow
from tanglehub.wallet.storage_queries import StoreTx
from tanglehub.wallet.storage_schema import AddressRecord

__all__ = [
    "InputSigningData",
    "PreparedTransaction",
    "change_address",
    "in_flight",
    "prepare_transaction",
    "recipient_output",
]

_IN_FLIGHT: set[bytes] = set()
"""Essence hashes prepared in this process and not yet signed or released (recovery leaves them alone)."""


def in_flight() -> frozenset[bytes]:
    """Reservation keys of transactions this process is preparing or signing right now."""
    return frozenset(_IN_FLIGHT)


def _chain_json(chain: Bip44) -> JsonObject:
    return {
        "coinType": chain.coin_type,
        "account": chain.account,
        "change": chain.change,
        "addressIndex": chain.address_index,
    }


def _chain_from_json(d: object, path: str) -> Bip44:
    obj = require_object(d, path)
    values = [
        require_int(get_field(obj, key, path), f"{path}.{key}", 0, 0x7FFF_FFFF)
        for key in ("coinType", "account", "change", "addressIndex")
    ]
    return Bip44(*values)


@dataclass(frozen=True, slots=True)
class InputSigningData:
    """One input: the consumed output, its id, and the BIP44 chain of the key that unlocks it."""

    output_id: bytes
    output: Output
    chain: Bip44

    def to_json(self) -> JsonObject:
        """``{"outputId", "output", "chain": {"coinType", "account", "change", "addressIndex"}}``."""
        return {
            "outputId": hex_from_bytes(self.output_id),
            "output": self.output.to_json(),
            "chain": _chain_json(self.chain),
        }

    @classmethod
    def from_json(cls, d: object, path: str = "") -> Self:
        """Parse :meth:`to_json`'s shape."""
        obj = require_object(d, path)
        return cls(
            hex_to_bytes(get_field(obj, "outputId", path), f"{path}.outputId", 34),
            output_from_json(get_field(obj, "output", path), f"{path}.output"),
            _chain_from_json(get_field(obj, "chain", path), f"{path}.chain"),
        )


@dataclass(frozen=True, slots=True)
class PreparedTransaction:
    """An unsigned transaction with everything a signer needs; its inputs are reserved in the wallet."""

    essence: TransactionEssence
    inputs: tuple[InputSigningData, ...]
    account_index: int
    params: ProtocolParameters
    timestamp: int
    remainder_index: int | None = None
    note: str | None = None

    def essence_hash(self) -> bytes:
        """The message every signature signs (also the reservation key until signing)."""
        return self.essence.hash()

    def to_json(self) -> JsonObject:
        """A JSON object to hand to another process for signing."""
        d: JsonObject = {
            "essence": self.essence.to_json(),
            "inputs": [i.to_json() for i in self.inputs],
            "accountIndex": self.account_index,
            "protocolParameters": self.params.to_json(),
            "timestamp": self.timestamp,
        }
        if self.remainder_index is not None:
            d["remainderIndex"] = self.remainder_index
        if self.note is not None:
            d["note"] = self.note
        return d

    @classmethod
    def from_json(cls, d: Mapping[str, Any], path: str = "") -> Self:
        """Parse :meth:`to_json`'s shape; the inputs must match the essence's inputs."""
        obj = require_object(d, path)
        p = f"{path}." if path else ""
        essence = TransactionEssence.from_json(get_field(obj, "essence", path), f"{p}essence")
        raw_inputs = require_list(get_field(obj, "inputs", path), f"{p}inputs")
        inputs = tuple(InputSigningData.from_json(v, f"{p}inputs[{i}]") for i, v in enumerate(raw_inputs))
        if tuple(i.output_id for i in inputs) != tuple(u.output_id for u in essence.inputs):
            raise TransactionOptionsError("the prepared transaction's inputs do not match its essence's inputs")
        params = ProtocolParameters.from_json(get_field(obj, "protocolParameters", path))
        rem = obj.get("remainderIndex")
        note = obj.get("note")
        if note is not None and not isinstance(note, str):
            raise TransactionOptionsError(f"{p}note must be a string")
        return cls(
            essence=essence,
            inputs=inputs,
            account_index=require_int(get_field(obj, "accountIndex", path), f"{p}accountIndex", 0, 0x7FFF_FFFF),
            params=params,
            timestamp=require_int(get_field(obj, "timestamp", path), f"{p}timestamp", 0, 2**32 - 1),
            remainder_index=None if rem is None else require_int(rem, f"{p}remainderIndex", 0, MAX_OUTPUTS - 1),
            note=note,
        )


def recipient_output(
    address: Address,
    amount: int,
    rent: RentStructure,
    *,
    allow_micro_amount: bool = False,
    return_address: Address | None = None,
    expiration_time: int | None = None,
) -> BasicOutput:
    """A Basic output paying ``amount`` to ``address``.

    Below the storage deposit, with ``allow_micro_amount``, the output also holds the deposit and carries a
    Storage Deposit Return condition (the deposit goes back to ``return_address`` when the receiver claims)
    and an Expiration at ``expiration_time`` (after which the whole output belongs to ``return_address``).
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise TransactionOptionsError(f"an amount must be a positive integer of the smallest unit, got {amount!r}")
    plain = BasicOutput(amount, (AddressUnlockCondition(address),))
    minimum = storage_deposit(plain, rent)
    if amount >= minimum:
        return plain
    if not allow_micro_amount:
        raise AmountBelowStorageDepositError(amount, minimum)
    if return_address is None or expiration_time is None:
        raise TransactionOptionsError("a micro amount needs a return address and an expiration time")
    ucs = (
        AddressUnlockCondition(address),
        StorageDepositReturnUnlockCondition(return_address, 1),
        ExpirationUnlockCondition(return_address, expiration_time),
    )
    deposit = storage_deposit(BasicOutput(1, ucs), rent)
    returned = max(min_deposit_basic(rent), deposit - amount)
    ucs = (ucs[0], StorageDepositReturnUnlockCondition(return_address, returned), ucs[2])
    return BasicOutput(amount + returned, ucs)


async def change_address(account: AccountContext, hrp: str) -> Ed25519Address:
    """The account's first unused internal (change) address; a new one is derived when none is left.

    An account object with ``latest_unused_address(internal=...)`` (the wallet's :class:`Account`) does
    this itself, so its address cache and lock stay in charge; otherwise the store is used directly.
    """
    latest = getattr(account, "latest_unused_address", None)
    if latest is not None:
        rec = await latest(internal=True)
        return Ed25519Address(bytes(rec.hash))
    store = account.wallet.store
    found = await store.read(lambda tx: tx.first_unused_address(account.index, True))
    if found is not None:
        return Ed25519Address(found.hash)
    start = await store.read(lambda tx: tx.next_key_index(account.index, True))
    (h,) = await account.wallet.signer.ed25519_address_hashes(
        account.wallet.coin_type, account.index, True, start, 1
    )
    rec = AddressRecord(account.index, True, start, h, Ed25519Address(h).to_bech32(hrp), False)

    def put(tx: StoreTx) -> None:
        if tx.address_by_hash(h) is None:
            tx.insert_addresses([rec])

    await store.write(put)
    return Ed25519Address(h)


def _check_outputs(outputs: Sequence[Output], params: ProtocolParameters) -> None:
    if not outputs:
        return
    if len(outputs) > MAX_OUTPUTS:
        raise TransactionOptionsError(f"{len(outputs)} outputs: a transaction has at most {MAX_OUTPUTS}")
    for i, o in enumerate(outputs):
        try:
            o.validate(params)
        except InsufficientStorageDepositError as exc:
            raise AmountBelowStorageDepositError(o.amount, exc.required) from exc
        except ProtocolValidationError as exc:
            raise TransactionOptionsError(f"output {i} is not valid: {exc}") from exc


SELECTION_BATCH = 256
"""Unspent outputs input selection reads (largest first) before it tries to pay; it doubles the batch and
reads on only when those cannot pay."""


_CHAINS: dict[tuple[int, int, int, int], Bip44] = {}
"""Signing chains made so far (immutable, validated once; at most :data:`_CHAINS_KEPT`)."""
_CHAINS_KEPT = 65_536


def _chain(coin_type: int, account: int, change: int, index: int) -> Bip44:
    """The BIP44 chain of an input's address (one object per address, reused by later sends)."""
    key = (coin_type, account, change, index)
    chain = _CHAINS.get(key)
    if chain is None:
        if len(_CHAINS) >= _CHAINS_KEPT:
            _CHAINS.clear()
        chain = _CHAINS[key] = Bip44(coin_type, account, change, index)
    return chain


class _OwnAddresses:
    """The account's addresses, as the BIP44 chain of each one's key, looked up in the store by hash (and
    remembered; a hash that is not the account's maps to None)."""

    __slots__ = ("_account", "_coin_type", "_found", "_tx")

    def __init__(self, tx: StoreTx, coin_type: int, account: int) -> None:
        self._tx = tx
        self._coin_type = coin_type
        self._account = account
        self._found: dict[bytes, Bip44 | None] = {}

    def chain(self, pub_key_hash: bytes) -> Bip44 | None:
        """The signing chain of the account's address with this hash, or None when it is not the account's."""
        if pub_key_hash not in self._found:
            rec = self._tx.account_address(self._account, pub_key_hash)
            self._found[pub_key_hash] = None if rec is None else self._chain_of(rec.internal, rec.key_index)
        return self._found[pub_key_hash]

    def __contains__(self, pub_key_hash: object) -> bool:
        return isinstance(pub_key_hash, bytes) and self.chain(pub_key_hash) is not None

    def _chain_of(self, internal: bool, key_index: int) -> Bip44:
        return _chain(self._coin_type, self._account, int(internal), key_index)

    def know(self, rows: Iterable[InputRow]) -> None:
        """Remember the addresses the ``rows`` were stored under (another account's count as not the
        account's; a row whose address is not stored tells nothing)."""
        found = self._found
        for row in rows:
            if row.owner_account is not None and row.address_hash not in found:
                mine = row.owner_account == self._account
                found[row.address_hash] = self._chain_of(row.owner_internal, row.owner_key_index) if mine else None

    def preload(self, hashes: Iterable[bytes]) -> None:
        """Look up many hashes with one query (the account's addresses among them are remembered)."""
        wanted = [h for h in hashes if h not in self._found]
        if not wanted:
            return
        found = self._tx.account_addresses(self._account, wanted)
        for h in wanted:
            rec = found.get(h)
            self._found[h] = None if rec is None else self._chain_of(rec.internal, rec.key_index)


def _pending(tx: StoreTx, account: int) -> dict[bytes, int]:
    """Base tokens held by each unfinished transaction's reserved inputs (by transaction id)."""
    held: dict[bytes, int] = {}
    for r in tx.reservations(account):
        rec = tx.output(r.output_id)
        if rec is not None and not rec.spent:
            held[r.tx_id] = held.get(r.tx_id, 0) + rec.amount
    return held


def _select(
    tx: StoreTx,
    *,
    account: int,
    outputs: Sequence[Output],
    rent: RentStructure,
    remainder_address: Address | None,
    mandatory: Sequence[Candidate],
    exact: bool,
    own: _OwnAddresses,
    now: int,
) -> Selection:
    """Run :func:`select_inputs` on the fewest stored outputs that can decide it.

    Unspent basic outputs are read largest first in growing batches (SQL orders them the way selection
    does); outputs of another account of the wallet that this account can unlock (an expired micro payment
    that came back) are read with the first batch; outputs that send native tokens read them all, since a
    token holder can be anywhere in the order. When no batch can pay, the error names the account's pending
    transactions and what they hold.
    """
    try:
        if exact:
            return select_inputs(
                [], outputs, rent, remainder_address=remainder_address, mandatory=mandatory, exact=True
            )
        everything = any(o.native_tokens for o in outputs)
        reserved = tx.reserved_output_ids()
        candidates, _ = usable_candidates(
            tx.shared_unspent(account, 3), own_hashes=own, reserved=reserved, now=now
        )
        offset = 0
        batch = SELECTION_BATCH
        while True:
            limit = -1 if everything else batch
            rows = tx.unspent_by_amount(account, limit=limit, offset=offset)
            offset += len(rows)
            usable, _ = usable_candidates(rows, own_hashes=own, reserved=reserved, now=now)
            candidates += usable
            done = everything or len(rows) < limit
            try:
                return select_inputs(
                    candidates, outputs, rent, remainder_address=remainder_address, mandatory=mandatory
                )
            except WalletError:
                if done:
                    raise
            batch *= 2
    except InsufficientFundsError as exc:
        pending = _pending(tx, account)
        if not pending:
            raise
        raise InsufficientFundsError(exc.required, exc.available, exc.detail, pending) from exc


def _resolve(
    tx: StoreTx, *, account: int, ids: Sequence[bytes], own: _OwnAddresses, now: int, claiming: bool
) -> list[Candidate]:
    """The stored outputs ``ids`` as selection candidates (one query for them, their reservation marks and
    the addresses they were stored under, one more only for other unlocking addresses, such as an expired
    output's return address); raises :class:`InputNotUsableError` naming the first one that cannot be spent."""
    if not ids:
        return []
    records = tx.inputs_by_id(ids)
    own.know(records.values())
    # an output whose only unlocker is the address it was stored under needs no other address looked up
    own.preload(
        {
            h
            for rec in records.values()
            if plain_owner(rec.output) != rec.address_hash
            for h in unlocker_hashes(rec.output)
        }
    )
    out: list[Candidate] = []
    for oid in ids:
        rec = records.get(oid)
        if rec is None:
            raise InputNotUsableError(
                f"output 0x{oid.hex()} is not a known output of this account; sync the account first"
            )
        if rec.spent:
            raise InputNotUsableError(f"output 0x{oid.hex()} is already spent")
        if rec.reserved:
            raise InputNotUsableError(f"output 0x{oid.hex()} is reserved by another unfinished transaction")
        found = candidate_for(oid, rec.output, now, own, claiming)
        if isinstance(found, str):
            if rec.account_index != account and "outside this account" in found:
                raise InputNotUsableError(
                    f"output 0x{oid.hex()} is not a known output of this account; sync the account first"
                )
            raise InputNotUsableError(f"output 0x{oid.hex()} cannot be spent now: {found}")
        out.append(found)
    return out


_NOT_DERIVED_YET = Ed25519Address(bytes(32))
"""Stands in for a change address that does not exist yet while selection finds out whether a remainder is
needed at all (an Ed25519 address: the remainder's storage deposit is the same for every one of them)."""


class _ChangeAddressNeeded(Exception):
    """Selection needs a remainder but the change address is still :data:`_NOT_DERIVED_YET` (rolls back)."""


_IN_THE_TRANSACTION = Ed25519Address(b"\x01" * 32)
"""Stands in for the change address until the selecting database transaction reads it (no read of its own)."""


async def _view_and_remainder(
    account: AccountContext, options: TransactionOptions, view: NodeView | None, claiming: bool
) -> tuple[NodeView, Address | None]:
    """The node view and the remainder address. The change address (the default) is looked up by the
    selecting database transaction itself (:data:`_IN_THE_TRANSACTION` until then): when none is stored,
    selection runs with :data:`_NOT_DERIVED_YET` and one is derived only if a remainder needs it. Without a
    ``view``, a send takes the node's recent one (:func:`recent_node_view`), a claim a fresh one."""
    if view is None:
        node = account.wallet.node
        view = await (node_view(node) if claiming else recent_node_view(node))
    if isinstance(options.remainder, CustomAddress):
        return view, options.remainder.for_network(view.params.bech32_hrp)
    if not isinstance(options.remainder, ChangeAddress):
        return view, None
    return view, _IN_THE_TRANSACTION


async def prepare_transaction(
    account: AccountContext,
    outputs: Sequence[Output],
    options: TransactionOptions | None = None,
    *,
    claiming: bool = False,
    view: NodeView | None = None,
) -> PreparedTransaction:
    """Select and reserve inputs paying for ``outputs`` and build the essence (see the module docstring).

    ``claiming`` lets the custom/mandatory inputs carry storage deposit returns and pending expirations
    (used by :func:`tanglehub.wallet.operations.claim.claim_outputs`).
    """
    options = options or TransactionOptions()
    view, remainder_address = await _view_and_remainder(account, options, view, claiming)
    params = view.params
    outputs = tuple(outputs)
    _check_outputs(outputs, params)
    if not outputs and not options.custom_inputs and not options.mandatory_inputs:
        raise TransactionOptionsError("nothing to send: give outputs or inputs to consolidate")
    now = view.now
    forced = options.custom_inputs or options.mandatory_inputs

    def select_and_reserve(tx: StoreTx) -> PreparedTransaction:
        remainder = remainder_address
        if remainder is _IN_THE_TRANSACTION:
            found = tx.first_unused_address(account.index, True)
            remainder = _NOT_DERIVED_YET if found is None else Ed25519Address(found.hash)
        own = _OwnAddresses(tx, account.wallet.coin_type, account.index)
        mandatory = _resolve(tx, account=account.index, ids=forced, own=own, now=now, claiming=claiming)
        selection = _select(
            tx,
            account=account.index,
            outputs=outputs,
            rent=params.rent_structure,
            remainder_address=remainder,
            mandatory=mandatory,
            exact=bool(options.custom_inputs),
            own=own,
            now=now,
        )
        if selection.remainders and remainder is _NOT_DERIVED_YET:
            raise _ChangeAddressNeeded
        all_outputs = outputs + selection.extra_outputs
        consumed = [c.output for c in selection.inputs]
        essence = TransactionEssence(
            params.network_id,
            tuple(UtxoInput.from_output_id(c.output_id) for c in selection.inputs),
            inputs_commitment(consumed),
            all_outputs,
            options.tagged_data,
        )
        inputs = []
        for c in selection.inputs:
            chain = own.chain(c.signer_hash)
            if chain is None:  # pragma: no cover - candidates are filtered to the account's addresses
                raise AddressNotFoundError(f"no key for the owner of output 0x{c.output_id.hex()}")
            inputs.append(InputSigningData(c.output_id, c.output, chain))
        key = essence.hash()
        tx.reserve_outputs([c.output_id for c in selection.inputs], key, account.index)
        tx.add_event(
            TransactionProgress(
                account.index,
                ProgressStep.SELECTING_INPUTS,
                detail=f"{len(selection.inputs)} input(s) selected and reserved",
                essence_hash=key,
            )
        )
        tx.add_event(
            TransactionProgress(
                account.index,
                ProgressStep.PREPARED_TRANSACTION,
                detail=f"{len(selection.inputs)} input(s), {len(all_outputs)} output(s)",
                essence_hash=key,
            )
        )
        _IN_FLIGHT.add(key)
        return PreparedTransaction(
            essence=essence,
            inputs=tuple(inputs),
            account_index=account.index,
            params=params,
            timestamp=now,
            remainder_index=len(outputs) + len(selection.returns) if selection.remainders else None,
            note=options.note,
        )

    try:
        try:
            return await account.wallet.store.write(select_and_reserve)
        except _ChangeAddressNeeded:  # nothing was written; derive the change address and select again
            remainder_address = await change_address(account, params.bech32_hrp)
            return await account.wallet.store.write(select_and_reserve)
    except CodecError as exc:  # pragma: no cover - a stored output that no longer decodes
        raise InputNotUsableError(f"a stored output cannot be read: {exc}") from exc
    except ProtocolValidationError as exc:
        raise TransactionOptionsError(f"the transaction would not be valid: {exc}") from exc


def release_in_flight(key: bytes) -> None:
    """Forget that this process is working on the reservation ``key``."""
    _IN_FLIGHT.discard(key)
