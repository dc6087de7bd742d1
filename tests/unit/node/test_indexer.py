"""Indexer routes: query encoding for every filter, cursor pagination, single lookups, bulk output fetch."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tanglehub.node import (
    AliasOutputQuery,
    BasicOutputQuery,
    FoundryOutputQuery,
    NftOutputQuery,
    NodeArgumentError,
    NodeBadResponse,
    NodeClient,
    NodeNotFound,
    OutputQuery,
)

ADDR = "rms1qqdx35xj7tf9wgv5tnz3qzlgkdrsgce6x73kf0029sacfmxgf5gegttk4he"
CURSOR = "61fa44a1" + "ab" * 34 + ".10"

COMMON = {
    "has_native_tokens": (True, "hasNativeTokens", "true"),
    "min_native_token_count": (2, "minNativeTokenCount", "2"),
    "max_native_token_count": (64, "maxNativeTokenCount", "64"),
    "created_before": (1643383242, "createdBefore", "1643383242"),
    "created_after": (1643383000, "createdAfter", "1643383000"),
    "page_size": (10, "pageSize", "10"),
    "cursor": (CURSOR, "cursor", CURSOR),
}
BASIC = {
    "address": (ADDR, "address", ADDR),
    "unlockable_by_address": (ADDR, "unlockableByAddress", ADDR),
    "has_storage_deposit_return": (False, "hasStorageDepositReturn", "false"),
    "storage_deposit_return_address": (ADDR, "storageDepositReturnAddress", ADDR),
    "has_timelock": (False, "hasTimelock", "false"),
    "timelocked_before": (1, "timelockedBefore", "1"),
    "timelocked_after": (2, "timelockedAfter", "2"),
    "has_expiration": (True, "hasExpiration", "true"),
    "expires_before": (3, "expiresBefore", "3"),
    "expires_after": (4, "expiresAfter", "4"),
    "expiration_return_address": (ADDR, "expirationReturnAddress", ADDR),
    "sender": (ADDR, "sender", ADDR),
    "tag": (b"\x01\xff", "tag", "0x01ff"),
}
ROUTES: list[tuple[type[Any], str, str, dict[str, Any]]] = [
    (
        OutputQuery,
        "output_ids",
        "/api/indexer/v1/outputs",
        {"unlockable_by_address": BASIC["unlockable_by_address"]},
    ),
    (BasicOutputQuery, "basic_output_ids", "/api/indexer/v1/outputs/basic", BASIC),
    (NftOutputQuery, "nft_output_ids", "/api/indexer/v1/outputs/nft", {**BASIC, "issuer": (ADDR, "issuer", ADDR)}),
    (
        AliasOutputQuery,
        "alias_output_ids",
        "/api/indexer/v1/outputs/alias",
        {
            "state_controller": (ADDR, "stateController", ADDR),
            "governor": (ADDR, "governor", ADDR),
            "unlockable_by_address": (ADDR, "unlockableByAddress", ADDR),
            "issuer": (ADDR, "issuer", ADDR),
            "sender": (ADDR, "sender", ADDR),
        },
    ),
    (
        FoundryOutputQuery,
        "foundry_output_ids",
        "/api/indexer/v1/outputs/foundry",
        {"alias_address": (ADDR, "aliasAddress", ADDR)},
    ),
]


def oid(n: int) -> str:
    return "0x" + n.to_bytes(32, "big").hex() + "0000"


def page(items: list[str], cursor: str | None = None, ledger: int = 77) -> dict[str, Any]:
    body: dict[str, Any] = {"ledgerIndex": ledger, "pageSize": 1000, "items": items}
    if cursor is not None:
        body["cursor"] = cursor
    return body


@pytest.mark.parametrize(("query_cls", "method", "path", "specific"), ROUTES)
async def test_every_filter_is_encoded_with_the_node_name(
    fake: Any, query_cls: type[Any], method: str, path: str, specific: dict[str, Any]
) -> None:
    filters = {**COMMON, **specific}
    query = query_cls(**{name: value for name, (value, _, _) in filters.items()})
    fake.routes[("GET", path)] = page([oid(1)], ledger=5)
    result = await getattr(NodeClient("http://n.test", transport=fake.transport()), method)(query)
    assert result.items == (bytes.fromhex(oid(1)[2:]),)
    assert result.ledger_index == 5
    sent = fake.requests[0].url.params
    assert dict(sent.multi_items()) == {node_name: text for _, node_name, text in filters.values()}
    assert len(sent.multi_items()) == len(filters)


def test_unset_filters_are_left_out() -> None:
    assert BasicOutputQuery().to_params() == []
    assert BasicOutputQuery(address=ADDR, has_expiration=False).to_params() == [
        ("address", ADDR),
        ("hasExpiration", "false"),
    ]


def test_query_classes_only_accept_their_own_filters() -> None:
    with pytest.raises(TypeError):
        FoundryOutputQuery(address=ADDR)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        BasicOutputQuery(issuer=ADDR)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        OutputQuery(sender=ADDR)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"address": "rms1notanaddress"}, "address"),
        ({"address": ADDR[:-1] + "q"}, "checksum"),
        ({"sender": 5}, "sender"),
        ({"has_timelock": "false"}, "hasTimelock"),
        ({"max_native_token_count": 65}, "maxNativeTokenCount"),
        ({"page_size": -1}, "pageSize"),
        ({"expires_before": 2**32}, "expiresBefore"),
        ({"tag": b""}, "tag"),
        ({"tag": "0x01"}, "tag"),
        ({"cursor": "has space"}, "cursor"),
    ],
)
def test_malformed_filters_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(NodeArgumentError, match=message):
        BasicOutputQuery(**kwargs)


async def test_wrong_query_class_for_route_is_refused(fake: Any) -> None:
    node = NodeClient("http://n.test", transport=fake.transport())
    with pytest.raises(NodeArgumentError, match="BasicOutputQuery"):
        await node.basic_output_ids(NftOutputQuery())  # type: ignore[arg-type]
    assert fake.requests == []


def paged_handler(pages: dict[str | None, dict[str, Any]], log: list[str | None]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        log.append(cursor)
        return httpx.Response(200, json=pages[cursor])

    return handler


async def test_iteration_follows_the_cursor_until_absent(fake: Any) -> None:
    c1, c2 = "00000001" + "11" * 34 + ".2", "00000002" + "22" * 34 + ".2"
    pages = {None: page([oid(1), oid(2)], c1), c1: page([oid(3), oid(4)], c2), c2: page([oid(5)])}
    log: list[str | None] = []
    fake.routes[("GET", "/api/indexer/v1/outputs/basic")] = paged_handler(pages, log)
    node = NodeClient("http://n.test", transport=fake.transport())
    query = BasicOutputQuery(address=ADDR, page_size=2)
    got = [p.items async for p in node.iter_basic_output_ids(query)]
    assert [len(items) for items in got] == [2, 2, 1]
    assert log == [None, c1, c2]
    assert all(r.url.params["address"] == ADDR for r in fake.requests)
    assert all(r.url.params["pageSize"] == "2" for r in fake.requests)
    ids = await node.all_basic_output_ids(query)
    assert ids == [bytes.fromhex(oid(i)[2:]) for i in range(1, 6)]


@pytest.mark.parametrize(
    ("method", "path", "query"),
    [
        ("all_output_ids", "/api/indexer/v1/outputs", OutputQuery(unlockable_by_address=ADDR)),
        ("all_alias_output_ids", "/api/indexer/v1/outputs/alias", AliasOutputQuery(governor=ADDR)),
        ("all_foundry_output_ids", "/api/indexer/v1/outputs/foundry", FoundryOutputQuery(alias_address=ADDR)),
        ("all_nft_output_ids", "/api/indexer/v1/outputs/nft", NftOutputQuery(issuer=ADDR)),
    ],
)
async def test_all_helpers_for_every_route(fake: Any, method: str, path: str, query: Any) -> None:
    c1 = "00000001" + "11" * 34 + ".1"
    log: list[str | None] = []
    fake.routes[("GET", path)] = paged_handler({None: page([oid(1)], c1), c1: page([oid(2)])}, log)
    node = NodeClient("http://n.test", transport=fake.transport())
    assert len(await getattr(node, method)(query)) == 2
    assert log == [None, c1]


async def test_empty_string_cursor_ends_iteration(fake: Any) -> None:
    fake.routes[("GET", "/api/indexer/v1/outputs")] = page([oid(1)], cursor="")
    node = NodeClient("http://n.test", transport=fake.transport())
    assert await node.all_output_ids(OutputQuery(unlockable_by_address=ADDR)) == [bytes.fromhex(oid(1)[2:])]
    assert len(fake.requests) == 1


async def test_a_node_repeating_a_cursor_does_not_loop_forever(fake: Any) -> None:
    c1 = "00000001" + "11" * 34 + ".1"
    fake.routes[("GET", "/api/indexer/v1/outputs")] = page([oid(1)], cursor=c1)
    node = NodeClient("http://n.test", transport=fake.transport())
    with pytest.raises(NodeBadResponse, match="repeated cursor"):
        await node.all_output_ids(OutputQuery())
    assert len(fake.requests) == 2


async def test_single_lookups_by_chain_id(fake: Any) -> None:
    alias_id, nft_id, foundry_id = "0x" + "11" * 32, "0x" + "22" * 32, "0x08" + "11" * 32 + "0100000000"
    fake.routes[("GET", f"/api/indexer/v1/outputs/alias/{alias_id}")] = page([oid(1)])
    fake.routes[("GET", f"/api/indexer/v1/outputs/nft/{nft_id}")] = page([oid(2)])
    fake.routes[("GET", f"/api/indexer/v1/outputs/foundry/{foundry_id}")] = page([oid(3)])
    node = NodeClient("http://n.test", transport=fake.transport())
    assert await node.alias_output_id(alias_id) == bytes.fromhex(oid(1)[2:])
    assert await node.nft_output_id(bytes.fromhex(nft_id[2:])) == bytes.fromhex(oid(2)[2:])
    assert await node.foundry_output_id(foundry_id) == bytes.fromhex(oid(3)[2:])
    with pytest.raises(NodeNotFound):
        await node.alias_output_id("0x" + "99" * 32)
    with pytest.raises(NodeArgumentError, match="foundry id"):
        await node.foundry_output_id(alias_id)


async def test_get_outputs_bounds_concurrency_and_keeps_order(nd: Any) -> None:
    in_flight = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        for _ in range(5):
            await asyncio.sleep(0)
        in_flight -= 1
        requested = request.url.path.rsplit("/", 1)[1]
        body = dict(nd.OUTPUT_RESPONSE)
        meta = dict(body["metadata"])
        meta["transactionId"] = requested[:66]
        meta["outputIndex"] = int.from_bytes(bytes.fromhex(requested[66:]), "little")
        body["metadata"] = meta
        return httpx.Response(200, json=body)

    node = NodeClient("http://n.test", transport=httpx.MockTransport(handler))
    ids = [nd.TX_ID + i.to_bytes(2, "little").hex() for i in range(40)]
    results = await node.get_outputs(ids, concurrency=4)
    assert [r.metadata.output_index for r in results] == list(range(40))
    assert peak == 4


async def test_get_outputs_raises_the_first_error_itself(fake: Any, nd: Any) -> None:
    fake.routes[("GET", f"/api/core/v2/outputs/{nd.OUTPUT_ID}")] = nd.OUTPUT_RESPONSE
    node = NodeClient("http://n.test", transport=fake.transport())
    with pytest.raises(NodeNotFound):
        await node.get_outputs([nd.OUTPUT_ID, nd.TX_ID + "0100"])
    with pytest.raises(NodeArgumentError):
        await node.get_outputs([nd.OUTPUT_ID, "0x12"])


_addresses = st.sampled_from([ADDR, "tst1qqqqzqsrqszsvpcgpy9qkrqdpc83qygjzv2p29shrqv35xcur50p7drgcam"])
_queries = st.builds(
    NftOutputQuery,
    has_native_tokens=st.none() | st.booleans(),
    min_native_token_count=st.none() | st.integers(0, 64),
    created_after=st.none() | st.integers(0, 2**32 - 1),
    page_size=st.none() | st.integers(0, 1000),
    address=st.none() | _addresses,
    has_timelock=st.none() | st.booleans(),
    tag=st.none() | st.binary(min_size=1, max_size=64),
    issuer=st.none() | _addresses,
)


@settings(max_examples=300, deadline=None)
@given(_queries)
def test_query_params_survive_url_encoding(query: NftOutputQuery) -> None:
    request = httpx.Request("GET", "http://n.test/api/indexer/v1/outputs/nft", params=query.to_params())
    assert list(request.url.params.multi_items()) == query.to_params()
    decoded = dict(request.url.params.multi_items())
    if query.tag is not None:
        assert bytes.fromhex(decoded["tag"][2:]) == query.tag


def test_trusted_query_sends_the_same_parameters_as_a_checked_one(nd: Any) -> None:
    from tanglehub.node import OutputQuery

    checked = OutputQuery(unlockable_by_address=nd.ADDRESS, created_after=5)
    trusted = OutputQuery.trusted(unlockable_by_address=nd.ADDRESS, created_after=5)
    assert trusted == checked
    assert trusted.to_params() == [("createdAfter", "5"), ("unlockableByAddress", nd.ADDRESS)]


def test_trusted_query_refuses_an_unknown_filter() -> None:
    from tanglehub.node import NodeArgumentError, OutputQuery

    with pytest.raises(NodeArgumentError, match="no filter 'adress'"):
        OutputQuery.trusted(adress="x")


def test_query_values_are_percent_encoded_only_when_needed() -> None:
    from tanglehub.node.transport import encode_target

    target = encode_target("/p", [("cursor", "0a1b.1000"), ("tag", "0x00ff"), ("x", "a b&c")])
    assert target == "/p?cursor=0a1b.1000&tag=0x00ff&x=a%20b%26c"
