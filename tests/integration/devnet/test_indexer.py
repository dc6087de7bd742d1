"""The indexer API: every basic-output filter, ordering, pageSize and the cursor format."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tanglehub.devnet.index_entry import IndexEntry
from tanglehub.devnet.indexer import Indexer
from tanglehub.devnet.node import DevnetNode, parse_address_key
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    BasicOutput,
    ExpirationUnlockCondition,
    SenderFeature,
    StorageDepositReturnUnlockCondition,
    TagFeature,
    TimelockUnlockCondition,
)

BASIC = "/api/indexer/v1/outputs/basic"


async def _ids(client: httpx.AsyncClient, path: str, **params: Any) -> list[str]:
    r = await client.get(path, params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["ledgerIndex"], int)
    return list(body["items"])


@pytest.fixture
async def outputs(client: httpx.AsyncClient, node: DevnetNode, actor) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    alice, bob = actor(0), actor(1)
    await client.post("/api/plugins/faucet/v1/enqueue", json={"address": alice.bech32})
    await client.post("/api/devnet/v1/milestones")
    oid = node.indexer.oids_for_address(bytes(alice.address.to_bytes()))[0]
    t = 2_000_000_000
    made = {
        "plain": BasicOutput(amount=1_000_000, unlock_conditions=(AddressUnlockCondition(bob.address),)),
        "sdr": BasicOutput(
            amount=1_000_000,
            unlock_conditions=(
                AddressUnlockCondition(bob.address),
                StorageDepositReturnUnlockCondition(alice.address, 100_000),
            ),
        ),
        "timelock": BasicOutput(
            amount=1_000_000, unlock_conditions=(AddressUnlockCondition(bob.address), TimelockUnlockCondition(t))
        ),
        "expiration": BasicOutput(
            amount=1_000_000,
            unlock_conditions=(AddressUnlockCondition(bob.address), ExpirationUnlockCondition(alice.address, t)),
        ),
        "tagged": BasicOutput(
            amount=1_000_000,
            unlock_conditions=(AddressUnlockCondition(bob.address),),
            features=(SenderFeature(alice.address), TagFeature(b"deposit")),
        ),
    }
    rest = alice.simple(10_000_000 - 5_000_000)
    payload = alice.transaction([oid], [*made.values(), rest])
    await client.post("/api/core/v2/blocks", json=alice.block(payload).to_json())
    await client.post("/api/devnet/v1/milestones")
    txid = "0x" + payload.transaction_id().hex()
    ids = {name: f"{txid}{i:02x}00" for i, name in enumerate(made)}
    return {"alice": alice, "bob": bob, "ids": ids, "t": t}


async def test_basic_filters(client: httpx.AsyncClient, outputs: dict[str, Any]) -> None:
    alice, bob, ids, t = outputs["alice"], outputs["bob"], outputs["ids"], outputs["t"]
    assert sorted(await _ids(client, BASIC, address=bob.bech32)) == sorted(ids.values())
    assert await _ids(client, BASIC, address=bob.bech32, hasStorageDepositReturn="true") == [ids["sdr"]]
    assert await _ids(client, BASIC, storageDepositReturnAddress=alice.bech32) == [ids["sdr"]]
    assert await _ids(client, BASIC, address=bob.bech32, hasTimelock="true") == [ids["timelock"]]
    assert await _ids(client, BASIC, timelockedBefore=str(t + 1)) == [ids["timelock"]]
    assert await _ids(client, BASIC, timelockedAfter=str(t)) == []
    assert await _ids(client, BASIC, hasExpiration="true") == [ids["expiration"]]
    assert await _ids(client, BASIC, expirationReturnAddress=alice.bech32, expiresBefore=str(t + 1)) == [
        ids["expiration"]
    ]
    assert await _ids(client, BASIC, expiresAfter=str(t)) == []
    assert await _ids(client, BASIC, sender=alice.bech32) == [ids["tagged"]]
    assert await _ids(client, BASIC, tag="0x" + b"deposit".hex()) == [ids["tagged"]]
    assert await _ids(client, BASIC, tag="0x" + b"other".hex()) == []
    plain_only = await _ids(
        client,
        BASIC,
        address=bob.bech32,
        hasStorageDepositReturn="false",
        hasTimelock="false",
        hasExpiration="false",
    )
    assert sorted(plain_only) == sorted([ids["plain"], ids["tagged"]])
    assert await _ids(client, BASIC, address=bob.bech32, hasNativeTokens="true") == []
    assert len(await _ids(client, BASIC, address=bob.bech32, maxNativeTokenCount="0")) == 5
    assert await _ids(client, BASIC, address=bob.bech32, createdBefore="1") == []
    assert len(await _ids(client, BASIC, address=bob.bech32, createdAfter="1")) == 5


async def test_unlockable_by_address_includes_return_addresses(
    client: httpx.AsyncClient, outputs: dict[str, Any]
) -> None:
    alice, ids = outputs["alice"], outputs["ids"]
    unlockable = await _ids(client, "/api/indexer/v1/outputs", unlockableByAddress=alice.bech32)
    assert ids["sdr"] in unlockable
    assert ids["expiration"] in unlockable
    assert ids["plain"] not in unlockable


async def test_pagination_with_cursor(client: httpx.AsyncClient, outputs: dict[str, Any]) -> None:
    bob = outputs["bob"]
    everything = await _ids(client, BASIC, address=bob.bech32)
    seen: list[str] = []
    params: dict[str, str] = {"address": bob.bech32, "pageSize": "2"}
    for _ in range(5):
        body = (await client.get(BASIC, params=params)).json()
        assert body["pageSize"] == 2
        seen += body["items"]
        cursor = body.get("cursor")
        if cursor is None:
            break
        assert cursor.endswith(".2")
        assert len(cursor.split(".")[0]) == 76
        params = {"address": bob.bech32, "cursor": cursor}
    assert seen == everything
    assert len(seen) == 5


def _entry(i: int, ts: int, addr: bytes) -> IndexEntry:
    return IndexEntry(oid=i.to_bytes(34, "big"), kind=3, booked_ts=ts, address=addr)


def test_indexer_orders_by_timestamp_then_id_and_caps_page_size() -> None:
    idx = Indexer(lambda text, hrp: bytes.fromhex(text), page_size_max=3)
    a = b"\x00" + b"\x01" * 32
    idx.add([_entry(5, 20, a), _entry(3, 10, a), _entry(4, 10, a), _entry(1, 30, a)])
    page = idx.query(3, {"address": a.hex(), "pageSize": "0"}, 7, "tst")
    assert page.page_size == 3
    assert [int.from_bytes(o, "big") for o in page.items] == [3, 4, 5]
    assert page.cursor is not None
    assert page.cursor.startswith(f"{30:08x}")
    rest = idx.query(3, {"address": a.hex(), "cursor": page.cursor}, 7, "tst")
    assert [int.from_bytes(o, "big") for o in rest.items] == [1]
    assert rest.cursor is None
    idx.remove([(3).to_bytes(34, "big")])
    assert len(idx.query(3, {"address": a.hex()}, 7, "tst").items) == 3
    # a late out-of-order insertion is still served in order
    idx.add([_entry(2, 5, a)])
    assert [int.from_bytes(o, "big") for o in idx.query(None, {}, 7, "tst").items] == [2, 4, 5]


def test_address_parser_rejects_other_networks() -> None:
    from tanglehub.devnet.errors import DevnetBadRequest

    with pytest.raises(DevnetBadRequest):
        parse_address_key("rms1qqdx35xj7tf9wgv5tnz3qzlgkdrsgce6x73kf0029sacfmxgf5gegttk4he", "tst")
