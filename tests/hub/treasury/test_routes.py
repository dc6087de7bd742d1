"""The treasury, sweep and recovery routes through the app (SQLite and PostgreSQL): shapes, scopes, problem+json
codes, and a recovery requested over HTTP and paid by the batcher."""

from __future__ import annotations

import httpx
from tests.hub.conftest import plain
from tests.hub.helpers import new_user_address, scan_all
from tests.hub.payouts.conftest import PayoutHub

from tanglehub.hub.api.app import create_app
from tanglehub.hub.api.auth import create_api_key
from tanglehub.hub.workers.pool import fill_pool
from tanglehub.hub.workers.treasurer import Treasurer


def _client(ph: PayoutHub) -> tuple[httpx.AsyncClient, dict[str, str], dict[str, str]]:
    with ph.ctx.sessionmaker() as session:
        admin, _ = create_api_key(session, "admin", ["admin"])
        reader, _ = create_api_key(session, "reader", ["read"])
    app = create_app(ph.ctx, with_workers=False)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://hub.test")
    return client, {"Authorization": f"Bearer {admin}"}, {"Authorization": f"Bearer {reader}"}


async def test_treasury_sweeps_and_recoveries_over_http(payout_hub: PayoutHub) -> None:
    ph = payout_hub
    await fill_pool(ph.ctx)
    alice = new_user_address(ph.ctx, "alice")
    ph.chain.fund_payer(2)
    tx = ph.chain.pay([plain(3_000_000, alice), plain(60_000, alice)])  # the second is below the minimum
    await scan_all(ph.ctx)
    await ph.batcher.round()
    client, admin, reader = _client(ph)
    async with client:
        r = await client.get("/v1/treasury", headers=reader)
        assert r.status_code == 200
        body = r.json()
        assert (body["hot"], body["hotDeposits"], body["coldSent"], body["liabilities"]) == (
            "3000000",
            "3000000",
            "0",
            "3000000",
        )
        assert body["ceiling"] is None
        assert body["belowFloor"] is False
        assert (await client.get("/v1/treasury")).status_code == 401

        ph.ctx.settings.sweep_min_outputs = 1
        Treasurer(ph.ctx, ph.batcher.params).round()
        await ph.run(rounds=2)
        r = await client.get("/v1/sweeps", headers=reader)
        (sweep,) = r.json()["items"]
        assert (sweep["state"], sweep["amount"], len(sweep["outputs"])) == ("confirmed", "3000000", 1)
        assert sweep["transactionId"]
        stats = (await client.get("/v1/stats", headers=reader)).json()["part2"]
        assert (stats["sweptOutputs"], stats["hot"], stats["coldSent"], stats["withdrawalsPaid"]) == (
            "1",
            "3000000",
            "0",
            "0",
        )

        small = "0x" + tx.hex() + (1).to_bytes(2, "little").hex()
        credited = "0x" + tx.hex() + (0).to_bytes(2, "little").hex()
        r = await client.post("/v1/recoveries", headers=reader, json={"depositOutputId": small})
        assert r.status_code == 403
        r = await client.post("/v1/recoveries", headers=admin, json={"depositOutputId": "0x12"})
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
        r = await client.post("/v1/recoveries", headers=admin, json={"depositOutputId": "0x" + "ab" * 34})
        assert (r.status_code, r.json()["code"]) == (404, "HUB_DEPOSIT_NOT_FOUND")
        r = await client.post("/v1/recoveries", headers=admin, json={"depositOutputId": credited})
        assert (r.status_code, r.json()["code"]) == (409, "HUB_RECOVERY_NOT_POSSIBLE")
        r = await client.post("/v1/recoveries", headers=admin, json={"depositOutputId": small})
        assert r.status_code == 201, r.text
        made = r.json()
        assert (made["state"], made["amount"], made["addressSource"]) == ("pending", "60000", "input")
        again = await client.post("/v1/recoveries", headers=admin, json={"depositOutputId": small})
        assert (again.status_code, again.json()["recoveryId"]) == (200, made["recoveryId"])
        await ph.run(rounds=2)
        r = await client.get(f"/v1/recoveries/{made['recoveryId']}", headers=admin)
        got = r.json()
        assert (got["state"], got["address"]) == ("confirmed", ph.chain.payer.to_bech32("tst"))
        assert got["transactionId"]
        assert got["milestone"]
        listed = await client.get("/v1/recoveries", headers=admin, params={"state": "confirmed"})
        assert [i["recoveryId"] for i in listed.json()["items"]] == [made["recoveryId"]]
        r = await client.get("/v1/recoveries/999", headers=admin)
        assert (r.status_code, r.json()["code"]) == (404, "HUB_RECOVERY_NOT_FOUND")
