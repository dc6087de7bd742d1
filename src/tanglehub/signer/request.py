"""The signing request: a prepared transaction plus its justification, as the hub sends it (JSON).

Shape (``POST /v1/transactions/sign``)::

    {"requestId": "<1..128 chars, unique per decision; a retry reuses it>",
     "essence": <TransactionEssence node JSON>,
     "inputs": [{"outputId": "0x..", "output": <Output JSON>,
                 "chain": {"coinType", "account", "change", "addressIndex"}}, ...],   # essence input order
               # (legacy Hub key scheme: "seedUuid": "<uuid>" in place of "chain")
     "remainderIndex": <index of the remainder output, optional>,
     "timestamp": <unix seconds the transaction is built for, optional>,
     "justification": {"kind": "withdrawals" | "sweep" | "treasury" | "recovery",
                       "withdrawals": [{"userId", "address", "amount": "<decimal>", "idempotencyKey",
                                        "authorization": "0x<64-byte Ed25519 signature>"?}],
                       "recoveries": [{"address", "amount": "<decimal>", "depositOutputId": "0x.."}]}}

This is the wallet's ``PreparedTransaction.to_json()`` plus ``requestId`` and ``justification``, so either side
can build it. Parsing errors raise :class:`SignerRequestError` naming the JSON path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tanglehub.errors import TanglehubError
from tanglehub.keys.slip10 import Bip44
from tanglehub.protocol.ids import blake2b256
from tanglehub.protocol.jsonutil import get_field, hex_to_bytes, require_int, require_list, require_object
from tanglehub.protocol.output import Output, output_from_json
from tanglehub.protocol.payload.essence import TransactionEssence
from tanglehub.signer.errors import SignerRequestError
from tanglehub.signer.legacy import check_uuid

__all__ = ["InputToSign", "Justification", "JustificationKind", "RecoveryClaim", "SignRequest", "WithdrawalClaim"]

JustificationKind = Literal["withdrawals", "sweep", "treasury", "recovery"]
_KINDS: tuple[JustificationKind, ...] = ("withdrawals", "sweep", "treasury", "recovery")
_U64 = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class InputToSign:
    """One input: the consumed output, its id and the chain of the key that must unlock it."""

    output_id: bytes
    output: Output
    chain: Bip44 | None
    seed_uuid: str | None = None

    @property
    def key_ref(self) -> Bip44 | str:
        """The key that unlocks this input: its BIP44 chain, or its seed UUID (legacy Hub scheme)."""
        if self.chain is not None:
            return self.chain
        assert self.seed_uuid is not None  # one of the two is always set by the parser
        return self.seed_uuid


@dataclass(frozen=True, slots=True)
class WithdrawalClaim:
    """One withdrawal a transaction pays: who asked, where to, how much (smallest unit), and its key."""

    user_id: str
    address: str
    amount: int
    idempotency_key: str
    authorization: bytes | None = None

    @property
    def key(self) -> str:
        """The withdrawal's identity across transactions: user id and idempotency key."""
        return json.dumps([self.user_id, self.idempotency_key])


@dataclass(frozen=True, slots=True)
class RecoveryClaim:
    """An uncreditable deposit sent back: destination, amount and the deposit output it returns."""

    address: str
    amount: int
    deposit_output_id: str


@dataclass(frozen=True, slots=True)
class Justification:
    """What a transaction carries, by kind, with the withdrawals or recoveries it pays."""

    kind: JustificationKind
    withdrawals: tuple[WithdrawalClaim, ...] = ()
    recoveries: tuple[RecoveryClaim, ...] = ()


@dataclass(frozen=True, slots=True)
class SignRequest:
    """A parsed signing request; :attr:`body_hash` identifies its content for idempotent retries."""

    request_id: str
    essence: TransactionEssence
    inputs: tuple[InputToSign, ...]
    remainder_index: int | None
    timestamp: int | None
    justification: Justification
    body_hash: bytes

    @classmethod
    def from_json(cls, body: object) -> SignRequest:
        """Parse the request (see the module docstring); :class:`SignerRequestError` on any shape error."""
        try:
            return _parse(body)
        except SignerRequestError:
            raise
        except TanglehubError as exc:
            raise SignerRequestError(f"the signing request does not parse: {exc.message}") from exc


def _text(obj: Mapping[str, Any], key: str, path: str, limit: int = 1024) -> str:
    value = get_field(obj, key, path)
    if not isinstance(value, str) or not 1 <= len(value) <= limit:
        raise SignerRequestError(f"{path}.{key} must be text of 1..{limit} characters")
    return value


def _amount(obj: Mapping[str, Any], path: str) -> int:
    value = get_field(obj, "amount", path)
    if not isinstance(value, str) or not value.isdigit() or not 0 < int(value) <= _U64:
        raise SignerRequestError(f"{path}.amount must be a positive decimal string of the smallest unit")
    return int(value)


def _chain(value: object, path: str) -> Bip44:
    obj = require_object(value, path)
    parts = [
        require_int(get_field(obj, k, path), f"{path}.{k}", 0, 0x7FFF_FFFF)
        for k in ("coinType", "account", "change", "addressIndex")
    ]
    return Bip44(*parts)


def _withdrawal(value: object, path: str) -> WithdrawalClaim:
    obj = require_object(value, path)
    auth = obj.get("authorization")
    authorization = None if auth is None else hex_to_bytes(auth, f"{path}.authorization", 64)
    return WithdrawalClaim(
        _text(obj, "userId", path),
        _text(obj, "address", path, 128),
        _amount(obj, path),
        _text(obj, "idempotencyKey", path),
        authorization,
    )


def _recovery(value: object, path: str) -> RecoveryClaim:
    obj = require_object(value, path)
    return RecoveryClaim(_text(obj, "address", path, 128), _amount(obj, path), _text(obj, "depositOutputId", path))


def _justification(value: object) -> Justification:
    path = "justification"
    obj = require_object(value, path)
    kind = get_field(obj, "kind", path)
    if kind not in _KINDS:
        raise SignerRequestError(f"justification.kind must be one of {', '.join(_KINDS)}, got {kind!r}")
    withdrawals = tuple(
        _withdrawal(v, f"{path}.withdrawals[{i}]")
        for i, v in enumerate(require_list(obj.get("withdrawals", []), path))
    )
    recoveries = tuple(
        _recovery(v, f"{path}.recoveries[{i}]")
        for i, v in enumerate(require_list(obj.get("recoveries", []), path))
    )
    if len({w.key for w in withdrawals}) != len(withdrawals):
        raise SignerRequestError("justification.withdrawals lists the same withdrawal twice")
    return Justification(kind, withdrawals, recoveries)


def _parse(body: object) -> SignRequest:
    obj = require_object(body, "")
    request_id = _text(obj, "requestId", "", 128)
    essence = TransactionEssence.from_json(get_field(obj, "essence", ""), "essence")
    raw_inputs = require_list(get_field(obj, "inputs", ""), "inputs")
    inputs: list[InputToSign] = []
    for i, v in enumerate(raw_inputs):
        p = f"inputs[{i}]"
        item = require_object(v, p)
        output_id = hex_to_bytes(get_field(item, "outputId", p), f"{p}.outputId", 34)
        output = output_from_json(get_field(item, "output", p), f"{p}.output")
        if ("chain" in item) == ("seedUuid" in item):
            raise SignerRequestError(f"{p} must name its key by exactly one of chain or seedUuid")
        if "chain" in item:
            inputs.append(InputToSign(output_id, output, _chain(item["chain"], f"{p}.chain")))
        else:
            inputs.append(InputToSign(output_id, output, None, check_uuid(item["seedUuid"])))
    remainder = obj.get("remainderIndex")
    if remainder is not None:
        remainder = require_int(remainder, "remainderIndex", 0, len(essence.outputs) - 1)
    timestamp = obj.get("timestamp")
    if timestamp is not None:
        timestamp = require_int(timestamp, "timestamp", 0, 0xFFFF_FFFF)
    canonical = json.dumps(
        {k: v for k, v in obj.items() if k != "requestId"}, sort_keys=True, separators=(",", ":")
    ).encode()
    return SignRequest(
        request_id,
        essence,
        tuple(inputs),
        remainder,
        timestamp,
        _justification(get_field(obj, "justification", "")),
        blake2b256(canonical),
    )
