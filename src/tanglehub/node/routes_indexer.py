"""UTXO indexer API v1 (TIP-26) routes: one page per call, plus helpers that follow the cursor."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from tanglehub.node.args import ALIAS_ID_LENGTH, FOUNDRY_ID_LENGTH, NFT_ID_LENGTH, OUTPUT_ID_LENGTH, hex_id
from tanglehub.node.errors import NodeArgumentError, NodeBadResponse
from tanglehub.node.models import OutputIdsPage, OutputResponse
from tanglehub.node.parsing import parse_with
from tanglehub.node.query import (
    AliasOutputQuery,
    BasicOutputQuery,
    FoundryOutputQuery,
    NftOutputQuery,
    OutputQuery,
)
from tanglehub.node.transport import HttpBase

__all__ = [
    "DEFAULT_OUTPUT_CONCURRENCY",
    "IndexerHelpers",
    "IndexerRoutes",
    "MAX_PAGES",
    "all_pages",
    "all_pages_at",
    "fetch_concurrently",
    "iter_pages",
]

_INDEXER = "/api/indexer/v1"
DEFAULT_OUTPUT_CONCURRENCY = 16
"""How many ``GET /outputs/{id}`` requests ``get_outputs`` keeps in flight by default."""
MAX_PAGES = 100_000
"""Safety bound on pages followed in one iteration (a node repeating a cursor would loop forever)."""

Q = TypeVar("Q", OutputQuery, BasicOutputQuery, AliasOutputQuery, FoundryOutputQuery, NftOutputQuery)
T = TypeVar("T")
R = TypeVar("R")


async def iter_pages(fetch: Callable[[Q], Awaitable[OutputIdsPage]], query: Q) -> AsyncIterator[OutputIdsPage]:
    """Yield every page of ``query``, following ``cursor`` until the node sends none."""
    seen: set[str] = set()
    current = query
    for _ in range(MAX_PAGES):
        page = await fetch(current)
        yield page
        if page.cursor is None:
            return
        if page.cursor in seen:
            raise NodeBadResponse(f"indexer repeated cursor {page.cursor!r}; stopping instead of looping")
        seen.add(page.cursor)
        current = current.with_cursor(page.cursor)
    raise NodeBadResponse(f"indexer query did not end after {MAX_PAGES} pages")


async def all_pages(fetch: Callable[[Q], Awaitable[OutputIdsPage]], query: Q) -> list[bytes]:
    """Every output id matching ``query``, all pages concatenated (duplicates across pages dropped)."""
    return (await all_pages_at(fetch, query))[0]


async def all_pages_at(fetch: Callable[[Q], Awaitable[OutputIdsPage]], query: Q) -> tuple[list[bytes], int]:
    """(every output id matching ``query``, the lowest ``ledgerIndex`` its pages were answered at): the
    ledger index says which confirmed milestone the answer is at least as recent as."""
    ids: dict[bytes, None] = {}
    cursors: set[str] = set()
    current = query
    ledger_index: int | None = None
    for _ in range(MAX_PAGES):  # iter_pages' loop, without an async generator per query
        page = await fetch(current)
        ids.update(dict.fromkeys(page.items))
        ledger_index = page.ledger_index if ledger_index is None else min(ledger_index, page.ledger_index)
        if page.cursor is None:
            return list(ids), ledger_index
        if page.cursor in cursors:
            raise NodeBadResponse(f"indexer repeated cursor {page.cursor!r}; stopping instead of looping")
        cursors.add(page.cursor)
        current = current.with_cursor(page.cursor)
    raise NodeBadResponse(f"indexer query did not end after {MAX_PAGES} pages")


async def fetch_concurrently(fetch: Callable[[T], Awaitable[R]], keys: Iterable[T], limit: int) -> list[R]:
    """``fetch`` every key with at most ``limit`` calls in flight; results keep the order of ``keys``.

    ``limit`` workers take the next key as they finish (no task or lock per key); the first error cancels
    the rest and is raised.
    """
    if limit < 1:
        raise NodeArgumentError("concurrency limit must be at least 1")
    items = list(keys)
    results: list[Any] = [None] * len(items)
    if not items:
        return []
    upcoming = iter(range(len(items)))

    async def worker() -> None:
        for i in upcoming:
            results[i] = await fetch(items[i])

    workers = [asyncio.ensure_future(worker()) for _ in range(min(limit, len(items)))]
    try:
        await asyncio.gather(*workers)
    except BaseException:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        raise
    return results


class IndexerHelpers(ABC):
    """Cursor-following and bulk helpers built only on the page routes and ``get_output``.

    Shared by :class:`~tanglehub.node.client.NodeClient` and :class:`~tanglehub.node.pool.NodePool`, so
    each page (and each output) of a pool's iteration is one failover-protected call.
    """

    @abstractmethod
    async def output_ids(self, query: OutputQuery) -> OutputIdsPage:
        """One page of ``/outputs``."""

    @abstractmethod
    async def basic_output_ids(self, query: BasicOutputQuery) -> OutputIdsPage:
        """One page of ``/outputs/basic``."""

    @abstractmethod
    async def alias_output_ids(self, query: AliasOutputQuery) -> OutputIdsPage:
        """One page of ``/outputs/alias``."""

    @abstractmethod
    async def foundry_output_ids(self, query: FoundryOutputQuery) -> OutputIdsPage:
        """One page of ``/outputs/foundry``."""

    @abstractmethod
    async def nft_output_ids(self, query: NftOutputQuery) -> OutputIdsPage:
        """One page of ``/outputs/nft``."""

    @abstractmethod
    async def get_output(self, output_id: bytes | str) -> OutputResponse:
        """One output with its metadata."""

    def iter_output_ids(self, query: OutputQuery) -> AsyncIterator[OutputIdsPage]:
        """Every page of :meth:`output_ids`."""
        return iter_pages(self.output_ids, query)

    def iter_basic_output_ids(self, query: BasicOutputQuery) -> AsyncIterator[OutputIdsPage]:
        """Every page of :meth:`basic_output_ids`."""
        return iter_pages(self.basic_output_ids, query)

    def iter_alias_output_ids(self, query: AliasOutputQuery) -> AsyncIterator[OutputIdsPage]:
        """Every page of :meth:`alias_output_ids`."""
        return iter_pages(self.alias_output_ids, query)

    def iter_foundry_output_ids(self, query: FoundryOutputQuery) -> AsyncIterator[OutputIdsPage]:
        """Every page of :meth:`foundry_output_ids`."""
        return iter_pages(self.foundry_output_ids, query)

    def iter_nft_output_ids(self, query: NftOutputQuery) -> AsyncIterator[OutputIdsPage]:
        """Every page of :meth:`nft_output_ids`."""
        return iter_pages(self.nft_output_ids, query)

    async def all_output_ids(self, query: OutputQuery) -> list[bytes]:
        """All ids of :meth:`output_ids` across pages."""
        return await all_pages(self.output_ids, query)

    async def all_output_ids_at(self, query: OutputQuery) -> tuple[list[bytes], int]:
        """All ids of :meth:`output_ids` across pages, and the lowest ledger index the pages were answered at."""
        return await all_pages_at(self.output_ids, query)

    async def all_basic_output_ids(self, query: BasicOutputQuery) -> list[bytes]:
        """All ids of :meth:`basic_output_ids` across pages."""
        return await all_pages(self.basic_output_ids, query)

    async def all_alias_output_ids(self, query: AliasOutputQuery) -> list[bytes]:
        """All ids of :meth:`alias_output_ids` across pages."""
        return await all_pages(self.alias_output_ids, query)

    async def all_foundry_output_ids(self, query: FoundryOutputQuery) -> list[bytes]:
        """All ids of :meth:`foundry_output_ids` across pages."""
        return await all_pages(self.foundry_output_ids, query)

    async def all_nft_output_ids(self, query: NftOutputQuery) -> list[bytes]:
        """All ids of :meth:`nft_output_ids` across pages."""
        return await all_pages(self.nft_output_ids, query)

    async def get_outputs(
        self, output_ids: Sequence[bytes | str], *, concurrency: int = DEFAULT_OUTPUT_CONCURRENCY
    ) -> list[OutputResponse]:
        """Fetch many outputs with at most ``concurrency`` requests in flight, in the order given."""
        for oid in output_ids:
            hex_id(oid, OUTPUT_ID_LENGTH, "output id")
        return await fetch_concurrently(self.get_output, output_ids, concurrency)


def _page(data: Any) -> OutputIdsPage:
    return parse_with("indexer page", OutputIdsPage.from_json, data)


def _single(page: OutputIdsPage, what: str) -> bytes:
    if len(page.items) != 1:
        raise NodeBadResponse(f"indexer answered the {what} lookup with {len(page.items)} output ids, not 1")
    return page.items[0]


def _check_query(query: object, kind: type) -> None:
    if type(query) is not kind:
        raise NodeArgumentError(f"expected a {kind.__name__}, got {type(query).__name__}")


class IndexerRoutes(HttpBase, IndexerHelpers):
    """The node's indexer plugin routes; mixed into :class:`~tanglehub.node.client.NodeClient`."""

    async def output_ids(self, query: OutputQuery) -> OutputIdsPage:
        """``GET /api/indexer/v1/outputs``: one page of ids of all output types (``unlockableByAddress``)."""
        _check_query(query, OutputQuery)
        return _page(await self._get_json(f"{_INDEXER}/outputs", query.to_params()))

    async def basic_output_ids(self, query: BasicOutputQuery) -> OutputIdsPage:
        """``GET /api/indexer/v1/outputs/basic``: one page of basic output ids."""
        _check_query(query, BasicOutputQuery)
        return _page(await self._get_json(f"{_INDEXER}/outputs/basic", query.to_params()))

    async def alias_output_ids(self, query: AliasOutputQuery) -> OutputIdsPage:
        """``GET /api/indexer/v1/outputs/alias``: one page of alias output ids."""
        _check_query(query, AliasOutputQuery)
        return _page(await self._get_json(f"{_INDEXER}/outputs/alias", query.to_params()))

    async def foundry_output_ids(self, query: FoundryOutputQuery) -> OutputIdsPage:
        """``GET /api/indexer/v1/outputs/foundry``: one page of foundry output ids."""
        _check_query(query, FoundryOutputQuery)
        return _page(await self._get_json(f"{_INDEXER}/outputs/foundry", query.to_params()))

    async def nft_output_ids(self, query: NftOutputQuery) -> OutputIdsPage:
        """``GET /api/indexer/v1/outputs/nft``: one page of NFT output ids."""
        _check_query(query, NftOutputQuery)
        return _page(await self._get_json(f"{_INDEXER}/outputs/nft", query.to_params()))

    async def alias_output_id(self, alias_id: bytes | str) -> bytes:
        """``GET /api/indexer/v1/outputs/alias/{aliasId}``: the current output id of an alias."""
        aid = hex_id(alias_id, ALIAS_ID_LENGTH, "alias id")
        return _single(_page(await self._get_json(f"{_INDEXER}/outputs/alias/{aid}")), "alias")

    async def foundry_output_id(self, foundry_id: bytes | str) -> bytes:
        """``GET /api/indexer/v1/outputs/foundry/{foundryId}``: the current output id of a foundry."""
        fid = hex_id(foundry_id, FOUNDRY_ID_LENGTH, "foundry id")
        return _single(_page(await self._get_json(f"{_INDEXER}/outputs/foundry/{fid}")), "foundry")

    async def nft_output_id(self, nft_id: bytes | str) -> bytes:
        """``GET /api/indexer/v1/outputs/nft/{nftId}``: the current output id of an NFT."""
        nid = hex_id(nft_id, NFT_ID_LENGTH, "NFT id")
        return _single(_page(await self._get_json(f"{_INDEXER}/outputs/nft/{nid}")), "NFT")
