"""The 50-user scenario over real HTTP: a devnet and the hub as child processes, an ``iota-sdk`` wallet paying
plain deposits, a storage-deposit-return + expiration output, a timelocked output, a native token, an NFT and
one below the minimum; internal transfers among the users; then every balance, every deposit's class and the
reconciliation are checked. Runs on SQLite and (with ``TANGLEHUB_TEST_POSTGRES_URL``) on PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

iota_sdk = pytest.importorskip("iota_sdk")

from iota_sdk import (  # noqa: E402
    AddressUnlockCondition,
    Client,
    ClientOptions,
    CoinType,
    CreateNativeTokenParams,
    Ed25519Address,
    ExpirationUnlockCondition,
    MintNftParams,
    MnemonicSecretManager,
    SendNativeTokensParams,
    SendParams,
    StorageDepositReturnUnlockCondition,
    TimelockUnlockCondition,
    Utils,
    Wallet,
)
from tests.devnet_process import Devnet, devnet_in  # noqa: E402
from tests.hub.process import HubProcess  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.interop]

USERS = 50
MIN_DEPOSIT = 1_000_000


def wait_for(what: str, check: Callable[[], Any], attempts: int = 600, pause: float = 0.2) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` after ``attempts`` tries."""
    for _ in range(attempts):
        got = check()
        if got:
            return got
        time.sleep(pause)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture
def devnet(tmp_path: Path) -> Iterator[Devnet]:
    yield from devnet_in(tmp_path)


def _included(account: Any, tx: Any) -> None:
    account.retry_transaction_until_included(tx.transactionId, 1, 60)
    account.sync()


def test_fifty_users_deposits_transfers_and_reconciliation(
    devnet: Devnet, tmp_path: Path, database_url: str | None
) -> None:
    hub = HubProcess(tmp_path / "hub", devnet.url, database_url=database_url, min_deposit=MIN_DEPOSIT)
    try:
        with hub.client() as api:
            _run(api, devnet, tmp_path)
    finally:
        hub.stop()


def _post_retry(api: httpx.Client, path: str, body: object = None) -> httpx.Response:
    """POST, retrying 503 (the address pool is still being filled at start)."""
    return wait_for(path, lambda: (r := api.post(path, json=body)).status_code != 503 and r)


def _run(api: httpx.Client, devnet: Devnet, tmp: Path) -> None:
    names = [f"user-{i:02}" for i in range(USERS)]
    address: dict[str, str] = {}
    for name in names:
        assert api.post("/v1/users", json={"userId": name}).status_code == 201
        address[name] = _post_retry(api, f"/v1/users/{name}/deposit-addresses").json()["address"]

    wallet = Wallet(
        str(tmp / "sdk"),
        ClientOptions(nodes=[devnet.url]),
        CoinType.SHIMMER,
        MnemonicSecretManager(Utils.generate_mnemonic()),
    )
    account = wallet.create_account("payer")
    payer = account.addresses()[0].address
    client = Client(nodes=[devnet.url])
    for _ in range(3):
        client.request_funds_from_faucet(f"{devnet.url}/api/plugins/faucet/v1/enqueue", payer)
    wait_for("faucet funds", lambda: int(account.sync().baseCoin.available) >= 3 * devnet.faucet_amount)

    plain = {name: 10_000_000 + i for i, name in enumerate(names)}
    _included(account, account.send_with_params([SendParams(address[n], str(a)) for n, a in plain.items()]))
    sdruc_user, timelock_user, below_user, token_user, nft_user = names[:5]
    back = Ed25519Address(Utils.bech32_to_hex(payer))
    with_return = client.build_basic_output(
        unlock_conditions=[
            AddressUnlockCondition(Ed25519Address(Utils.bech32_to_hex(address[sdruc_user]))),
            StorageDepositReturnUnlockCondition(amount="1000000", returnAddress=back),
            ExpirationUnlockCondition(unixTime=int(time.time()) + 86400, returnAddress=back),
        ],
        amount=2_000_000,
    )
    _included(account, account.send_outputs([with_return]))
    unlock_at = int(time.time()) + 6
    timelocked = client.build_basic_output(
        unlock_conditions=[
            AddressUnlockCondition(Ed25519Address(Utils.bech32_to_hex(address[timelock_user]))),
            TimelockUnlockCondition(unlock_at),
        ],
        amount=3_000_000,
    )
    _included(account, account.send_outputs([timelocked]))
    _included(account, account.send_with_params([SendParams(address[below_user], str(MIN_DEPOSIT // 2))]))
    _included(account, account.mint_nfts([MintNftParams(address=address[nft_user])]))
    _included(account, account.create_alias_output())
    _included(account, account.create_native_token(CreateNativeTokenParams(1000, 1000)))
    token_id = account.sync().nativeTokens[0].tokenId
    tokens = [(token_id, hex(10))]  # the SDK wants (token id, hex amount) pairs here
    _included(account, account.send_native_tokens([SendNativeTokensParams(address[token_user], tokens)]))  # type: ignore[list-item]

    def deposits() -> list[dict[str, Any]]:
        return api.get("/v1/deposits", params={"limit": 1000}).json()["items"]

    wait_for("every deposit recorded", lambda: len(deposits()) == USERS + 5)

    transfers = [(names[i], names[i + 1]) for i in range(USERS - 1)]
    for i, (src, dst) in enumerate(transfers):
        body = {
            "idempotencyKey": f"ring-{i}",
            "legs": [{"userId": src, "amount": "-1000"}, {"userId": dst, "amount": "1000"}],
        }
        assert api.post("/v1/transfers", json=body).status_code == 201
        if i == 0:
            assert api.post("/v1/transfers", json=body).status_code == 200  # a retry applies nothing

    wait_for(
        "the timelocked deposit to be credited",
        lambda: any(d["status"] == "credited" and d["depositClass"] == "timelocked" for d in deposits()),
    )
    by_user: dict[str, list[tuple[str, str]]] = {}
    for d in deposits():
        by_user.setdefault(d["userId"], []).append((d["depositClass"], d["status"]))
    assert sorted(by_user[sdruc_user]) == [("plain", "credited"), ("storage_return", "left_to_expire")]
    assert sorted(by_user[timelock_user]) == [("plain", "credited"), ("timelocked", "credited")]
    assert sorted(by_user[below_user]) == [("below_minimum", "recorded"), ("plain", "credited")]
    assert sorted(by_user[token_user]) == [("plain", "credited"), ("uncreditable", "held")]
    assert sorted(by_user[nft_user]) == [("plain", "credited"), ("uncreditable", "held")]
    assert all(by_user[n] == [("plain", "credited")] for n in names[5:])

    for i, name in enumerate(names):
        expected = plain[name] - (1000 if i < USERS - 1 else 0) + (1000 if i > 0 else 0)
        expected += 3_000_000 if name == timelock_user else 0
        assert api.get(f"/v1/users/{name}/balance").json()["available"] == str(expected), name

    report = api.get("/v1/reconciliation").json()
    assert report["differences"] == []
    assert report["ok"] is True
    stats = api.get("/v1/stats").json()
    assert stats["depositsByClass"] == {
        "plain": USERS,
        "storage_return": 1,
        "timelocked": 1,
        "below_minimum": 1,
        "uncreditable": 2,
    }
    kinds = [e["kind"] for e in api.get("/v1/events", params={"limit": 1000}).json()["items"]]
    assert kinds.count("deposit.credited") == USERS + 1
    assert kinds.count("transfer.applied") == USERS - 1
