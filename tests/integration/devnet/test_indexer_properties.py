"""Property: paging through any indexer query with any page size yields exactly the sorted matches, once each."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tanglehub.devnet.index_entry import IndexEntry
from tanglehub.devnet.indexer import Indexer

ADDRS = [bytes([0]) + bytes([i]) * 32 for i in range(3)]

entries = st.lists(
    st.tuples(st.integers(0, 50), st.integers(0, 2**16), st.sampled_from(ADDRS), st.booleans()),
    max_size=60,
    unique_by=lambda t: t[1],
)


@settings(max_examples=300, deadline=None)
@given(entries, st.integers(1, 7), st.sampled_from([None, *ADDRS]), st.lists(st.integers(0, 2**16), max_size=10))
def test_pages_cover_the_sorted_matches_exactly(
    rows: list[tuple[int, int, bytes, bool]], page_size: int, address: bytes | None, spent: list[int]
) -> None:
    idx = Indexer(lambda text, hrp: bytes.fromhex(text), page_size_max=1000)
    made = [
        IndexEntry(oid=oid.to_bytes(34, "big"), kind=3, booked_ts=ts, address=addr, timelock=1 if locked else None)
        for ts, oid, addr, locked in rows
    ]
    # book in several batches, as milestones would (timestamps may arrive out of order here)
    idx.add(made[: len(made) // 2])
    idx.add(made[len(made) // 2 :])
    gone = {s.to_bytes(34, "big") for s in spent}
    idx.remove(gone)
    want = sorted(
        (
            e
            for e in made
            if e.oid not in gone and (address is None or e.address == address) and e.timelock is None
        ),
        key=IndexEntry.sort_key,
    )
    params = {"pageSize": str(page_size), "hasTimelock": "false"}
    if address is not None:
        params["address"] = address.hex()
    got: list[bytes] = []
    for _ in range(len(want) + 2):
        page = idx.query(3, params, 1, "tst")
        assert len(page.items) <= page_size
        got += page.items
        if page.cursor is None:
            break
        params = {"cursor": page.cursor, "hasTimelock": "false"} | (
            {"address": address.hex()} if address is not None else {}
        )
    assert got == [e.oid for e in want]
