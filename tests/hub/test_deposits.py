"""The scanner and the deposit path on a real (in-process) devnet: classes, crediting exactly once in the
cursor's transaction, timelocks credited when their time comes, confirmation depth, concurrent scanners."""

from __future__ import annotations

import asyncio

from tests.hub.conftest import Chain, plain
from tests.hub.helpers import balance, deposits, events, in_session, new_user_address, scan_all

from tanglehub.hub.context import HubContext
from tanglehub.hub.deposits.service import read_cursor
from tanglehub.hub.ledger.service import book_differences
from tanglehub.hub.workers.pool import fill_pool
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.output import (
    ExpirationUnlockCondition,
    MetadataFeature,
    NftOutput,
    SenderFeature,
    StorageDepositReturnUnlockCondition,
    TagFeature,
    TimelockUnlockCondition,
)


def _oid(tx_id: bytes, index: int) -> str:
    return "0x" + tx_id.hex() + index.to_bytes(2, "little").hex()


async def test_every_class_is_recorded_and_only_plain_outputs_are_credited(hub: HubContext, chain: Chain) -> None:
    await fill_pool(hub)
    alice = new_user_address(hub, "alice")
    bob = new_user_address(hub, "bob")
    carol = new_user_address(hub, "carol")
    chain.fund_payer()
    now = int(chain.now[0])
    tx = chain.pay(
        [
            plain(1_000_000, alice, features=(SenderFeature(chain.payer), TagFeature(b"order-1"))),
            plain(
                1_000_000,
                alice,
                StorageDepositReturnUnlockCondition(chain.payer, 42_600),
                ExpirationUnlockCondition(chain.payer, now + 3600),
            ),
            plain(2_000_000, bob, TimelockUnlockCondition(now + 100), features=(MetadataFeature(b"\x01\x02"),)),
            plain(50_000, bob),
            NftOutput(amount=100_000, unlock_conditions=plain(1, carol).unlock_conditions),
        ]
    )
    await scan_all(hub)
    recorded = deposits(hub)
    got = {oid: (d.deposit_class, d.status, d.credited_amount) for oid, d in recorded.items()}
    assert got == {
        _oid(tx, 0): ("plain", "credited", 1_000_000),
        _oid(tx, 1): ("storage_return", "left_to_expire", 0),
        _oid(tx, 2): ("timelocked", "locked", 0),
        _oid(tx, 3): ("below_minimum", "recorded", 0),
        _oid(tx, 4): ("uncreditable", "held", 0),
    }
    first = recorded[_oid(tx, 0)]
    assert first.sender == chain.payer.to_bech32("tst")
    assert first.tag == "0x" + b"order-1".hex()
    assert recorded[_oid(tx, 2)].metadata_hex == "0x0102"
    assert (balance(hub, "alice"), balance(hub, "bob"), balance(hub, "carol")) == (1_000_000, 0, 0)

    # the timelock passes: the next milestone after it credits bob, once
    chain.advance(150)
    chain.milestone()
    await scan_all(hub)
    chain.milestone()
    await scan_all(hub)
    assert balance(hub, "bob") == 2_000_000
    assert deposits(hub)[_oid(tx, 2)].status == "credited"
    credited = [e.data["outputId"] for e in events(hub, ["deposit.credited"])]
    assert sorted(credited) == sorted([_oid(tx, 0), _oid(tx, 2)])
    assert in_session(hub, book_differences) == []


async def test_the_cursor_and_the_credit_commit_together(hub: HubContext, chain: Chain) -> None:
    await fill_pool(hub)
    alice = new_user_address(hub, "alice")
    chain.fund_payer()
    start = in_session(hub, read_cursor)
    chain.pay([plain(1_000_000, alice)])
    progress = await scan_all(hub)
    assert progress.next_index == chain.node.latest_index + 1
    assert in_session(hub, read_cursor) == chain.node.latest_index + 1 > start
    assert balance(hub, "alice") == 1_000_000
    # scanning again (nothing new) changes nothing
    await scan_all(hub)
    assert balance(hub, "alice") == 1_000_000


async def test_two_scanners_racing_on_the_same_milestones_credit_once(hub: HubContext, chain: Chain) -> None:
    await fill_pool(hub)
    users = [new_user_address(hub, f"u{i}") for i in range(4)]
    chain.fund_payer()
    for _ in range(3):
        chain.pay([plain(1_000_000 + i, a) for i, a in enumerate(users)])
    from tanglehub.hub.workers.scanner import scan_once

    for _ in range(10):
        await asyncio.gather(scan_once(hub), scan_once(hub), scan_once(hub))
    assert [balance(hub, f"u{i}") for i in range(4)] == [3 * (1_000_000 + i) for i in range(4)]
    assert len(events(hub, ["deposit.credited"])) == 12
    assert in_session(hub, book_differences) == []


async def test_confirmation_depth_waits_for_later_milestones(hub: HubContext, chain: Chain) -> None:
    hub.settings.confirmation_depth = 2
    await fill_pool(hub)
    alice = new_user_address(hub, "alice")
    chain.fund_payer()
    chain.pay([plain(1_000_000, alice)])
    await scan_all(hub)
    assert balance(hub, "alice") == 0
    chain.milestone()
    await scan_all(hub)
    assert balance(hub, "alice") == 0
    chain.milestone()
    await scan_all(hub)
    assert balance(hub, "alice") == 1_000_000


async def test_a_payment_to_an_unassigned_pool_address_is_held(hub: HubContext, chain: Chain) -> None:
    await fill_pool(hub)
    from tanglehub.hub.addresses.repository import by_hashes  # noqa: F401 - the pool's rows
    from tanglehub.hub.models.address import DepositAddress

    with hub.sessionmaker() as session:
        spare = session.query(DepositAddress).filter(DepositAddress.user_id.is_(None)).first()
        assert spare is not None
        address = Ed25519Address(spare.address_hash)
    chain.fund_payer()
    chain.pay([plain(1_000_000, address)])
    await scan_all(hub)
    [row] = deposits(hub).values()
    assert (row.status, row.user_id, row.credited_amount) == ("held", None, 0)
    assert in_session(hub, book_differences) == []


async def test_every_event_is_numbered_strictly_in_order(hub: HubContext, chain: Chain) -> None:
    await fill_pool(hub)
    alice = new_user_address(hub, "alice")
    chain.fund_payer()
    chain.pay([plain(1_000_000, alice), plain(2_000_000, alice)])
    await scan_all(hub)
    log = events(hub)
    assert [e.seq for e in log] == list(range(1, len(log) + 1))
    kinds = [e.kind for e in log]
    assert kinds[:2] == ["user.created", "address.assigned"]
    assert kinds.count("deposit.seen") == 2
    assert kinds.count("deposit.credited") == 2
