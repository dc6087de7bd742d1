"""Public entry points refuse bad input with a WalletError that says what is wrong (never a raw
TypeError/ValueError/KeyError/AttributeError): aliases, counts, amounts, addresses, account lookups, options."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from tests.wallet_fixtures import PASSWORD, Devnet

from tanglehub.errors import WalletError
from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.protocol.address import Ed25519Address
from tanglehub.vault import KdfParams
from tanglehub.wallet import (
    Account,
    AccountNotFoundError,
    AddressNotFoundError,
    Wallet,
    WalletArgumentError,
)
from tanglehub.wallet.operations.transaction import TransactionOptionsError

SMR_ADDRESS = Ed25519Address(b"\x11" * 32).to_bech32("smr")
TST_ADDRESS = Ed25519Address(b"\x11" * 32).to_bech32("tst")


@pytest.mark.parametrize(
    ("alias", "match"),
    [
        ("", "must not be empty"),
        ("x" * 65, "at most 64 characters, this one has 65"),
        (" main", "whitespace"),
        ("main\t", "whitespace"),
        ("ma\x00in", "printable"),
        ("a\nb", "printable"),
        (7, "must be text, got int"),
        (None, "must be text"),
    ],
)
async def test_bad_aliases_are_refused(wallet_factory, alias: object, match: str) -> None:
    wallet = await wallet_factory("w", alias=None)
    with pytest.raises(WalletArgumentError, match=match):
        await wallet.create_account(alias)  # type: ignore[arg-type]
    assert await wallet.accounts() == []


async def test_good_aliases_up_to_64_characters(wallet_factory) -> None:
    wallet = await wallet_factory("w", alias=None)
    for alias in ("x" * 64, "user 42", "Ünïcode-ok"):
        assert (await wallet.create_account(alias)).alias == alias


async def test_account_lookups_name_what_was_missing(wallet_factory) -> None:
    wallet = await wallet_factory("w")
    with pytest.raises(AccountNotFoundError, match="no account with alias 'nobody'"):
        await wallet.get_account("nobody")
    with pytest.raises(AccountNotFoundError, match="no account with index 7"):
        await wallet.get_account(7)
    with pytest.raises(WalletArgumentError, match=r"alias .* or its index"):
        await wallet.get_account(None)  # type: ignore[arg-type]
    with pytest.raises(WalletArgumentError):
        await wallet.get_account(True)
    with pytest.raises(AccountNotFoundError, match="bech32 text"):
        await wallet.find_account_by_address(123)  # type: ignore[arg-type]
    with pytest.raises(AccountNotFoundError, match="smr"):
        await wallet.find_account_by_address(SMR_ADDRESS)


@pytest.mark.parametrize(
    ("count", "match"), [(0, "from 1 to"), (100_001, "from 1 to"), ("3", "from 1"), (True, "integer")]
)
async def test_bad_address_counts(wallet_factory, count: object, match: str) -> None:
    account = await (await wallet_factory("w")).get_account("main")
    with pytest.raises(WalletArgumentError, match=match):
        await account.generate_addresses(count)  # type: ignore[arg-type]


async def test_a_large_count_is_generated_in_batches(wallet_factory) -> None:
    account = await (await wallet_factory("w")).get_account("main")
    records = await account.generate_addresses(10_001, internal=True)
    assert [r.key_index for r in records] == list(range(10_001))
    assert len({r.bech32 for r in records}) == 10_001
    assert len(await account.addresses(internal=True)) == 10_001


async def amount_call(account: Account, amount: object) -> None:
    await account.send(amount, TST_ADDRESS)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "match"),
    [
        (0, "positive"),
        (-5, "positive"),
        (True, "integer"),
        ("1000000", "integer"),
        (1.5, "integer"),
        (2**64, "exceeds the network's total token supply"),
    ],
)
async def test_bad_amounts(wallet_factory, amount: object, match: str) -> None:
    account = await (await wallet_factory("w", funded=1)).get_account("main")
    with pytest.raises(TransactionOptionsError, match=match):
        await amount_call(account, amount)
    assert await account.wallet.store.read(lambda tx: tx.reservations()) == []


async def test_an_amount_above_the_supply_is_refused(wallet_factory) -> None:
    wallet = await wallet_factory("w", funded=1)
    account = await wallet.get_account("main")
    supply = wallet.protocol_parameters.token_supply
    with pytest.raises(TransactionOptionsError, match=f"amount {supply + 1} exceeds .* supply {supply}"):
        await account.send(supply + 1, TST_ADDRESS)


async def test_an_address_of_another_network_names_both_networks(wallet_factory) -> None:
    account = await (await wallet_factory("w", funded=1)).get_account("main")
    with pytest.raises(TransactionOptionsError, match=r"invalid recipient address .*smr.*tst"):
        await account.send(1_000_000, SMR_ADDRESS)
    with pytest.raises(AddressNotFoundError, match="not an address of this network"):
        await account.address_record(SMR_ADDRESS)


Call = Callable[[Account], Awaitable[Any]]
BAD_CALLS: list[tuple[str, Call, type[WalletError]]] = [
    ("send options", lambda a: a.send(1_000_000, TST_ADDRESS, "fast"), TransactionOptionsError),  # type: ignore[arg-type]
    ("send address", lambda a: a.send(1_000_000, 42), TransactionOptionsError),  # type: ignore[arg-type]
    ("send_many not a list", lambda a: a.send_many(5), TransactionOptionsError),  # type: ignore[arg-type]
    ("send_many bad pair", lambda a: a.send_many([(TST_ADDRESS,)]), TransactionOptionsError),  # type: ignore[list-item]
    ("send_outputs", lambda a: a.send_outputs(["x"]), TransactionOptionsError),  # type: ignore[list-item]
    ("prepare", lambda a: a.prepare_transaction("x"), TransactionOptionsError),  # type: ignore[arg-type]
    ("sign", lambda a: a.sign_transaction({}), TransactionOptionsError),  # type: ignore[arg-type]
    ("submit", lambda a: a.submit_transaction(None), TransactionOptionsError),  # type: ignore[arg-type]
    ("claim ids", lambda a: a.claim_outputs([b"short"]), TransactionOptionsError),
    ("consolidate", lambda a: a.consolidate_outputs(threshold="x"), TransactionOptionsError),  # type: ignore[arg-type]
    ("consolidate max", lambda a: a.consolidate_outputs(max_inputs=500), TransactionOptionsError),
    ("consolidate target", lambda a: a.consolidate_outputs(target="tst1"), TransactionOptionsError),  # type: ignore[arg-type]
    ("retry id", lambda a: a.retry_until_included("ab"), TransactionOptionsError),  # type: ignore[arg-type]
    ("retry attempts", lambda a: a.retry_until_included(b"\x00" * 32, max_attempts="3"), TransactionOptionsError),  # type: ignore[arg-type]
    (
        "retry interval",
        lambda a: a.retry_until_included(b"\x00" * 32, interval=float("nan")),
        TransactionOptionsError,
    ),
    ("addresses", lambda a: a.addresses(internal="yes"), WalletArgumentError),  # type: ignore[arg-type]
    ("latest unused", lambda a: a.latest_unused_address(internal=1), WalletArgumentError),  # type: ignore[arg-type]
    ("address record", lambda a: a.address_record(b"tst1"), AddressNotFoundError),  # type: ignore[arg-type]
    ("balance", lambda a: a.balance(now="now"), WalletArgumentError),  # type: ignore[arg-type]
    ("outputs", lambda a: a.outputs("spent"), WalletArgumentError),  # type: ignore[arg-type]
    ("unspent", lambda a: a.unspent_outputs({"spent": True}), WalletArgumentError),  # type: ignore[arg-type]
    ("transactions", lambda a: a.transactions(state="done"), WalletArgumentError),
    ("transactions time", lambda a: a.transactions(created_after="x"), WalletArgumentError),  # type: ignore[arg-type]
    ("sync", lambda a: a.sync("ledger"), WalletArgumentError),  # type: ignore[arg-type]
    ("wallet sync", lambda a: a.wallet.sync("ledger"), WalletArgumentError),  # type: ignore[arg-type, attr-defined]
]


@pytest.mark.parametrize(("name", "call", "error"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
async def test_bad_arguments_raise_wallet_errors(
    wallet_factory, name: str, call: Call, error: type[WalletError]
) -> None:
    account = await (await wallet_factory("w", funded=1)).get_account("main")
    with pytest.raises(error):
        await call(account)
    assert await account.wallet.store.read(lambda tx: tx.reservations()) == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"node_urls": "http://localhost:14265"}, "list of URLs"),
        ({"node_urls": 5}, "list of URLs"),
        ({"node_urls": []}, "needs node_urls"),
        ({"pool": "pool"}, "NodePool"),
        ({"password": ""}, "password"),
        ({"password": None}, "password"),
        ({"path": 42}, "file system path"),
        ({"coin_type": -1}, "coin type"),
    ],
)
async def test_create_and_open_check_their_arguments(
    devnet: Devnet, tmp_path: Path, kwargs: dict[str, object], match: str
) -> None:
    args: dict[str, object] = {"path": tmp_path / "w", "password": PASSWORD, "node_urls": None}
    args.update(kwargs)
    if "node_urls" not in kwargs and "pool" not in kwargs:
        args["pool"] = devnet.pool()
    create_args = {"coin_type": SHIMMER_COIN_TYPE, "kdf": KdfParams.MINIMUM, **args}
    with pytest.raises(WalletArgumentError, match=match):
        await Wallet.create(**create_args)  # type: ignore[arg-type]
    if "coin_type" not in kwargs:
        (tmp_path / "w").mkdir(exist_ok=True)
        (tmp_path / "w" / "wallet.vault").write_bytes(b"")
        with pytest.raises(WalletArgumentError, match=match):
            await Wallet.open(**args)  # type: ignore[arg-type]


async def test_backup_and_restore_check_their_arguments(wallet_factory, devnet: Devnet, tmp_path: Path) -> None:
    wallet = await wallet_factory("w")
    with pytest.raises(WalletArgumentError, match="path"):
        await wallet.backup(None, "pw")  # type: ignore[arg-type]
    with pytest.raises(WalletArgumentError, match="password"):
        await wallet.backup(tmp_path / "b", "")
    with pytest.raises(WalletArgumentError, match="coin type"):
        await Wallet.restore(tmp_path / "b", tmp_path / "r", "pw", coin_type="4219", pool=devnet.pool())  # type: ignore[arg-type]
