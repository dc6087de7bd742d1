"""What a send may be told: where the remainder goes, tagged data, which inputs, a note, micro amounts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tanglehub.errors import TanglehubError
from tanglehub.keys.bech32 import decode_address
from tanglehub.protocol.address import Address, AliasAddress, Ed25519Address, NftAddress, address_from_bech32
from tanglehub.protocol.input import OUTPUT_ID_LENGTH
from tanglehub.protocol.payload import TaggedDataPayload
from tanglehub.wallet.operations.transaction.errors import TransactionOptionsError

__all__ = [
    "DEFAULT_MICRO_EXPIRATION",
    "MAX_NOTE_LENGTH",
    "ChangeAddress",
    "CustomAddress",
    "RemainderStrategy",
    "ReuseAddress",
    "TransactionOptions",
]

DEFAULT_MICRO_EXPIRATION = 86_400
"""Seconds a micro amount waits for its receiver to claim it before it returns to the sender (one day)."""
MAX_NOTE_LENGTH = 1000
"""Longest local note, in characters (notes stay in the wallet; they are never sent)."""


@dataclass(frozen=True, slots=True)
class ChangeAddress:
    """Send the remainder to an internal (change) address of the account: the default."""


@dataclass(frozen=True, slots=True)
class ReuseAddress:
    """Send the remainder back to the address of the first input."""


@dataclass(frozen=True, slots=True, init=False)
class CustomAddress:
    """Send the remainder to ``address`` (any address, e.g. a cold wallet): an Address object or bech32 text.

    Bech32 text is parsed here; its network prefix is kept in ``bech32_hrp`` and must be the wallet's
    (checked by :meth:`for_network` when the transaction is prepared).
    """

    address: Address
    bech32_hrp: str | None = field(default=None, compare=False)

    def __init__(self, address: Address | str, bech32_hrp: str | None = None) -> None:
        hrp = bech32_hrp
        if isinstance(address, str):
            try:
                hrp = decode_address(address)[0]
                address = address_from_bech32(address)
            except TanglehubError as exc:
                raise TransactionOptionsError(f"invalid custom remainder address {address!r}: {exc}") from None
        if not isinstance(address, Ed25519Address | AliasAddress | NftAddress):
            raise TransactionOptionsError(
                "a custom remainder address must be bech32 text or an Address object, got "
                f"{type(address).__name__}"
            )
        object.__setattr__(self, "address", address)
        object.__setattr__(self, "bech32_hrp", hrp)

    def for_network(self, hrp: str) -> Address:
        """The address, after checking that bech32 text it came from belongs to network ``hrp``."""
        if self.bech32_hrp is not None and self.bech32_hrp != hrp:
            raise TransactionOptionsError(
                f"the custom remainder address is for network prefix {self.bech32_hrp!r}, but this wallet's "
                f"network uses {hrp!r}"
            )
        return self.address


RemainderStrategy = ChangeAddress | ReuseAddress | CustomAddress
"""Where the remainder of the inputs goes."""


def _output_ids(value: object, name: str) -> tuple[bytes, ...]:
    if isinstance(value, bytes | bytearray | str):
        raise TransactionOptionsError(f"{name} must be a list of 34-byte output ids, not a single value")
    if not isinstance(value, Iterable):
        raise TransactionOptionsError(f"{name} must be a list of 34-byte output ids")
    items = tuple(value)
    out: list[bytes] = []
    for i, oid in enumerate(items):
        if not isinstance(oid, bytes | bytearray) or len(oid) != OUTPUT_ID_LENGTH:
            raise TransactionOptionsError(f"{name}[{i}] is not a {OUTPUT_ID_LENGTH}-byte output id")
        out.append(bytes(oid))
    if len(set(out)) != len(out):
        raise TransactionOptionsError(f"{name} lists the same output twice")
    return tuple(out)


@dataclass(frozen=True, slots=True)
class TransactionOptions:
    """Options of a send.

    * ``remainder``: :class:`ChangeAddress` (default), :class:`ReuseAddress` or :class:`CustomAddress`.
    * ``tagged_data``: a tagged data payload carried inside the transaction.
    * ``custom_inputs``: spend exactly these outputs (and nothing else).
    * ``mandatory_inputs``: spend these outputs, plus more if they are not enough.
    * ``note``: a local note stored with the transaction (never sent).
    * ``allow_micro_amount``: an amount below the storage deposit is sent with a storage deposit return
      condition (the deposit comes back when the receiver claims) and an expiration ``expiration``
      seconds later (after which the whole output returns to the sender).
    """

    remainder: RemainderStrategy = ChangeAddress()
    tagged_data: TaggedDataPayload | None = None
    custom_inputs: tuple[bytes, ...] = ()
    mandatory_inputs: tuple[bytes, ...] = ()
    note: str | None = None
    allow_micro_amount: bool = False
    expiration: int = DEFAULT_MICRO_EXPIRATION

    def __post_init__(self) -> None:
        if not isinstance(self.remainder, ChangeAddress | ReuseAddress | CustomAddress):
            raise TransactionOptionsError(
                "remainder must be ChangeAddress(), ReuseAddress() or CustomAddress(address)"
            )
        if self.tagged_data is not None and not isinstance(self.tagged_data, TaggedDataPayload):
            raise TransactionOptionsError("tagged_data must be a TaggedDataPayload(tag, data)")
        object.__setattr__(self, "custom_inputs", _output_ids(self.custom_inputs, "custom_inputs"))
        object.__setattr__(self, "mandatory_inputs", _output_ids(self.mandatory_inputs, "mandatory_inputs"))
        if self.custom_inputs and self.mandatory_inputs:
            raise TransactionOptionsError(
                "give either custom_inputs (exactly these) or mandatory_inputs (at least these), not both"
            )
        if self.note is not None and (not isinstance(self.note, str) or len(self.note) > MAX_NOTE_LENGTH):
            raise TransactionOptionsError(f"note must be a string of at most {MAX_NOTE_LENGTH} characters")
        if isinstance(self.expiration, bool) or not isinstance(self.expiration, int) or self.expiration <= 0:
            raise TransactionOptionsError(
                f"expiration must be a positive number of seconds, got {self.expiration!r}"
            )
