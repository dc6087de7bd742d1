"""The devnet's UTXO indexer (TIP-26): every unspent output, queried with the indexer API's filters.

Each unspent output becomes an :class:`IndexEntry` of precomputed filter fields. Entries are kept in
insertion-ordered dicts per output kind and per related address (address UC, storage deposit return address,
expiration return address, state controller, governor, immutable alias address). Outputs are inserted in
(booked milestone timestamp, output id) order, which is the order the API pages in, so a query walks only the
candidates of its most selective address and stops after one page; no full scan for address filters.

Cursor format (as inx-indexer): ``<8 hex booked timestamp><68 hex output id>.<pageSize>``; the returned cursor
names the first item of the next page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from tanglehub.devnet.errors import DevnetBadRequest, DevnetNotFound
from tanglehub.devnet.index_entry import KIND_ALIAS, KIND_BASIC, KIND_FOUNDRY, KIND_NFT, IndexEntry

__all__ = ["IndexPage", "Indexer", "QueryParams"]

QueryParams = Mapping[str, str]
"""Raw query-string parameters of one indexer request."""

_COMMON = ("hasNativeTokens", "minNativeTokenCount", "maxNativeTokenCount", "createdBefore", "createdAfter")
_BASIC = (
    "address",
    "unlockableByAddress",
    "hasStorageDepositReturn",
    "storageDepositReturnAddress",
    "hasTimelock",
    "timelockedBefore",
    "timelockedAfter",
    "hasExpiration",
    "expiresBefore",
    "expiresAfter",
    "expirationReturnAddress",
    "sender",
    "tag",
)
_FILTERS: dict[int | None, frozenset[str]] = {
    None: frozenset((*_COMMON, "unlockableByAddress")),
    KIND_BASIC: frozenset((*_COMMON, *_BASIC)),
    KIND_NFT: frozenset((*_COMMON, *_BASIC, "issuer")),
    KIND_ALIAS: frozenset((*_COMMON, "stateController", "governor", "unlockableByAddress", "issuer", "sender")),
    KIND_FOUNDRY: frozenset((*_COMMON, "aliasAddress")),
}
_ADDRESS_PARAMS = frozenset(
    {
        "address",
        "unlockableByAddress",
        "storageDepositReturnAddress",
        "expirationReturnAddress",
        "sender",
        "issuer",
        "stateController",
        "governor",
        "aliasAddress",
    }
)
# Address filters whose matches are always in the per-address candidate set of that address.
_RELATED_PARAMS = (
    "address",
    "unlockableByAddress",
    "stateController",
    "governor",
    "aliasAddress",
    "storageDepositReturnAddress",
    "expirationReturnAddress",
)


@dataclass(frozen=True, slots=True)
class IndexPage:
    """One page of an indexer answer."""

    ledger_index: int
    page_size: int
    items: tuple[bytes, ...]
    cursor: str | None

    def to_json(self) -> dict[str, object]:
        """The answer in inx-indexer's JSON shape (``cursor`` omitted on the last page)."""
        body: dict[str, object] = {
            "ledgerIndex": self.ledger_index,
            "pageSize": self.page_size,
            "items": ["0x" + oid.hex() for oid in self.items],
        }
        if self.cursor is not None:
            body["cursor"] = self.cursor
        return body


def _parse_bool(name: str, value: str) -> bool:
    low = value.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    raise DevnetBadRequest(f"query parameter {name} must be true or false, got {value!r}")


def _parse_uint(name: str, value: str, limit: int = 2**32 - 1) -> int:
    if not value.isdigit() or int(value) > limit:
        raise DevnetBadRequest(f"query parameter {name} must be an integer between 0 and {limit}, got {value!r}")
    return int(value)


def _parse_tag(value: str) -> bytes:
    if not value.startswith("0x"):
        raise DevnetBadRequest("query parameter tag must be 0x-prefixed hex")
    try:
        tag = bytes.fromhex(value[2:])
    except ValueError:
        raise DevnetBadRequest("query parameter tag must be 0x-prefixed hex") from None
    if not 1 <= len(tag) <= 64:
        raise DevnetBadRequest("query parameter tag must be 1..64 bytes")
    return tag


def parse_cursor(cursor: str) -> tuple[tuple[int, bytes], int]:
    """Split a cursor into its (timestamp, output id) position and page size; malformed -> 400."""
    head, dot, size = cursor.partition(".")
    if not dot or len(head) != 76 or not size.isdigit():
        raise DevnetBadRequest("cursor must look like <8 hex timestamp><68 hex output id>.<page size>")
    try:
        ts = int(head[:8], 16)
        oid = bytes.fromhex(head[8:])
    except ValueError:
        raise DevnetBadRequest("cursor must be lower-case hex followed by .<page size>") from None
    return (ts, oid), int(size)


def format_cursor(entry: IndexEntry, page_size: int) -> str:
    """The cursor that starts the next page at ``entry``."""
    return f"{entry.booked_ts:08x}{entry.oid.hex()}.{page_size}"


class Indexer:
    """In-memory TIP-26 index of the unspent outputs, ordered by (booked timestamp, output id)."""

    def __init__(self, address_parser: Callable[[str, str], bytes], page_size_max: int = 1000) -> None:
        self._parse_address = address_parser
        self.page_size_max = page_size_max
        self._entries: dict[bytes, IndexEntry] = {}
        self._by_kind: dict[int, dict[bytes, None]] = {
            k: {} for k in (KIND_BASIC, KIND_ALIAS, KIND_FOUNDRY, KIND_NFT)
        }
        self._by_address: dict[bytes, dict[bytes, None]] = {}
        self._by_chain_id: dict[tuple[int, bytes], bytes] = {}
        self._last_key: tuple[int, bytes] = (0, b"")
        self._ordered = True

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, oid: object) -> bool:
        return oid in self._entries

    def add(self, entries: Iterable[IndexEntry]) -> None:
        """Index newly booked unspent outputs (sorted here by timestamp and id)."""
        for entry in sorted(entries, key=IndexEntry.sort_key):
            key = entry.sort_key()
            if key < self._last_key:
                self._ordered = False
            self._last_key = max(key, self._last_key)
            self._entries[entry.oid] = entry
            self._by_kind[entry.kind][entry.oid] = None
            for addr in entry.related:
                self._by_address.setdefault(addr, {})[entry.oid] = None
            if entry.chain_id is not None:
                self._by_chain_id[(entry.kind, entry.chain_id)] = entry.oid

    def remove(self, oids: Iterable[bytes]) -> None:
        """Drop spent outputs from the index."""
        for oid in oids:
            entry = self._entries.pop(oid, None)
            if entry is None:
                continue
            self._by_kind[entry.kind].pop(oid, None)
            for addr in entry.related:
                bucket = self._by_address.get(addr)
                if bucket is not None:
                    bucket.pop(oid, None)
                    if not bucket:
                        del self._by_address[addr]
            if entry.chain_id is not None and self._by_chain_id.get((entry.kind, entry.chain_id)) == oid:
                del self._by_chain_id[(entry.kind, entry.chain_id)]

    def oids_for_address(self, key: bytes) -> list[bytes]:
        """Unspent output ids filed under a 33-byte address key (any role)."""
        return list(self._by_address.get(key, {}))

    def entry(self, oid: bytes) -> IndexEntry | None:
        """The index entry of an unspent output, or None."""
        return self._entries.get(oid)

    def chain_output(self, kind: int, chain_id: bytes, ledger_index: int) -> IndexPage:
        """The current unspent output of an alias, NFT or foundry id (404 when there is none)."""
        oid = self._by_chain_id.get((kind, chain_id))
        if oid is None:
            raise DevnetNotFound(f"no unspent output for id 0x{chain_id.hex()}")
        return IndexPage(ledger_index, 1, (oid,), None)

    def query(self, kind: int | None, params: QueryParams, ledger_index: int, hrp: str) -> IndexPage:
        """Answer one indexer list query; ``kind`` None means every output type (``/outputs``)."""
        allowed = _FILTERS[kind]
        predicates: list[Callable[[IndexEntry], bool]] = []
        addresses: dict[str, bytes] = {}
        page_size = self.page_size_max
        start: tuple[int, bytes] | None = None
        for name, value in params.items():
            if name == "pageSize":
                page_size = _parse_uint(name, value)
            elif name == "cursor":
                start, page_size = parse_cursor(value)
            elif name in _ADDRESS_PARAMS and name in allowed:
                addresses[name] = self._parse_address(value, hrp)
            elif name in allowed:
                predicates.append(_predicate(name, value))
        if page_size == 0 or page_size > self.page_size_max:
            page_size = self.page_size_max
        for name, addr in addresses.items():
            predicates.append(_address_predicate(name, addr))
        candidates = self._candidates(kind, addresses)
        items: list[bytes] = []
        next_cursor: str | None = None
        for entry in self._ordered_entries(candidates):
            if start is not None and entry.sort_key() < start:
                continue
            if kind is not None and entry.kind != kind:
                continue
            if not all(p(entry) for p in predicates):
                continue
            if len(items) == page_size:
                next_cursor = format_cursor(entry, page_size)
                break
            items.append(entry.oid)
        return IndexPage(ledger_index, page_size, tuple(items), next_cursor)

    def _candidates(self, kind: int | None, addresses: dict[str, bytes]) -> Iterable[bytes]:
        best: dict[bytes, None] | None = None
        for name in _RELATED_PARAMS:
            addr = addresses.get(name)
            if addr is None:
                continue
            bucket = self._by_address.get(addr, {})
            if best is None or len(bucket) < len(best):
                best = bucket
        if best is not None:
            return best
        if kind is None:
            return self._entries
        return self._by_kind[kind]

    def _ordered_entries(self, oids: Iterable[bytes]) -> Iterator[IndexEntry]:
        entries = (self._entries[oid] for oid in oids)
        if self._ordered:
            return entries
        return iter(sorted(entries, key=IndexEntry.sort_key))


def _address_predicate(name: str, addr: bytes) -> Callable[[IndexEntry], bool]:
    if name == "address":
        return lambda e: e.address == addr
    if name == "unlockableByAddress":
        return lambda e: addr in e.unlockable
    if name == "storageDepositReturnAddress":
        return lambda e: e.sdr_address == addr
    if name == "expirationReturnAddress":
        return lambda e: e.expiration_address == addr
    if name == "sender":
        return lambda e: e.sender == addr
    if name == "issuer":
        return lambda e: e.issuer == addr
    if name == "stateController":
        return lambda e: e.state_controller == addr
    if name == "governor":
        return lambda e: e.governor == addr
    return lambda e: e.alias_address == addr  # aliasAddress


def _predicate(name: str, value: str) -> Callable[[IndexEntry], bool]:
    if name == "hasNativeTokens":
        want = _parse_bool(name, value)
        return lambda e: (e.native_token_count > 0) == want
    if name == "minNativeTokenCount":
        n = _parse_uint(name, value, 64)
        return lambda e: e.native_token_count >= n
    if name == "maxNativeTokenCount":
        n = _parse_uint(name, value, 64)
        return lambda e: e.native_token_count <= n
    if name == "createdBefore":
        t = _parse_uint(name, value)
        return lambda e: e.booked_ts < t
    if name == "createdAfter":
        t = _parse_uint(name, value)
        return lambda e: e.booked_ts > t
    if name == "hasStorageDepositReturn":
        want = _parse_bool(name, value)
        return lambda e: (e.sdr_address is not None) == want
    if name == "hasTimelock":
        want = _parse_bool(name, value)
        return lambda e: (e.timelock is not None) == want
    if name == "timelockedBefore":
        t = _parse_uint(name, value)
        return lambda e: e.timelock is not None and e.timelock < t
    if name == "timelockedAfter":
        t = _parse_uint(name, value)
        return lambda e: e.timelock is not None and e.timelock > t
    if name == "hasExpiration":
        want = _parse_bool(name, value)
        return lambda e: (e.expiration is not None) == want
    if name == "expiresBefore":
        t = _parse_uint(name, value)
        return lambda e: e.expiration is not None and e.expiration < t
    if name == "expiresAfter":
        t = _parse_uint(name, value)
        return lambda e: e.expiration is not None and e.expiration > t
    tag = _parse_tag(value)  # "tag"
    return lambda e: e.tag == tag
