"""The smaller surprises a new user hit (issue 12, section 5), each pinned: aliases unique ignoring case,
one coin-type rule, ids and addresses accepted in the forms users have (hex, bech32), hex ids in reprs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.wallet_fixtures import PASSWORD, Devnet, WalletFactory

from tanglehub.cli.main import main as cli_main
from tanglehub.keys.bech32 import ED25519, encode_address
from tanglehub.vault import KdfParams
from tanglehub.wallet import (
    AccountAliasTakenError,
    CustomAddress,
    TransactionOptions,
    TransactionOptionsError,
    Wallet,
    WalletArgumentError,
)


async def test_aliases_are_unique_ignoring_case_and_found_in_any_case(wallet_factory: WalletFactory) -> None:
    wallet = await wallet_factory(alias="alice")
    for other in ("Alice", "ALICE", "aLiCe"):
        with pytest.raises(AccountAliasTakenError, match="case and accents are ignored"):
            await wallet.create_account(other)
    umlaut = await wallet.create_account("Ärger")
    with pytest.raises(AccountAliasTakenError):
        await wallet.create_account("äRGER")  # not ASCII: full Unicode case folding
    await wallet.create_account("straße")
    with pytest.raises(AccountAliasTakenError):
        await wallet.create_account("STRASSE")  # ß folds to ss
    assert (await wallet.get_account("ALICE")).index == 0
    assert (await wallet.get_account("ärger")).index == umlaut.index
    assert [a.alias for a in await wallet.accounts()] == ["alice", "Ärger", "straße"]


async def test_an_exact_alias_match_wins_over_a_case_insensitive_one(wallet_factory: WalletFactory) -> None:
    """Wallets made before the rule may hold both ``bob`` and ``Bob``: each still finds its own account."""
    wallet = await wallet_factory(alias="bob")
    await wallet.store.write(lambda tx: tx.connection.execute("INSERT INTO accounts VALUES (1, 'Bob', 0)"))
    assert (await wallet.get_account("Bob")).index == 1
    assert (await wallet.get_account("bob")).index == 0


async def test_coin_type_60_is_refused_by_the_same_rule_as_keys_derive(
    devnet: Devnet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(WalletArgumentError) as refused:
        await Wallet.create(
            tmp_path / "w", password=PASSWORD, coin_type=60, pool=devnet.pool(), kdf=KdfParams.MINIMUM
        )
    assert not (tmp_path / "w").exists()
    assert cli_main(["keys", "derive", "--coin-type", "60", "--hrp", "tst"]) == 2
    said = capsys.readouterr().err
    rule = "must be 4218 (IOTA) or 4219 (Shimmer), got 60"
    assert rule in str(refused.value)
    assert rule in said


async def test_ids_in_hex_and_a_bech32_remainder_address_are_accepted(
    wallet_factory: WalletFactory, devnet: Devnet
) -> None:
    alice = await (await wallet_factory("alice", funded=1)).get_account("main")
    cold = await (await wallet_factory("cold")).get_account("main")
    cold_bech32 = (await cold.addresses())[0].bech32
    bob = (await (await (await wallet_factory("bob")).get_account("main")).addresses())[0].bech32
    options = TransactionOptions(remainder=CustomAddress(cold_bech32))
    record = await alice.send(1_000_000, bob, options)
    await devnet.milestone()
    done = await alice.retry_until_included("0x" + record.tx_id.hex(), 0.05, 5)  # as printed everywhere
    assert done.state == "confirmed"
    assert (await alice.retry_until_included(record.tx_id.hex(), 0.05, 1)).state == "confirmed"  # no prefix
    await cold.sync()
    assert sum(o.amount for o in await cold.unspent_outputs()) == devnet.faucet_amount - 1_000_000
    with pytest.raises(TransactionOptionsError, match="32 bytes"):
        await alice.retry_until_included("0x1234")
    with pytest.raises(TransactionOptionsError, match="hex"):
        await alice.retry_until_included("0x" + "zz" * 32)


async def test_a_bech32_remainder_of_another_network_is_refused(wallet_factory: WalletFactory) -> None:
    alice = await (await wallet_factory("alice", funded=1)).get_account("main")
    bob = (await alice.addresses())[0].bech32
    mainnet = encode_address("smr", ED25519, bytes(32))
    with pytest.raises(TransactionOptionsError, match="'smr'"):
        await alice.send(1_000_000, bob, TransactionOptions(remainder=CustomAddress(mainnet)))
    with pytest.raises(TransactionOptionsError, match="invalid custom remainder address"):
        CustomAddress("tst1notbech32")
    assert CustomAddress(mainnet) == CustomAddress(CustomAddress(mainnet).address)  # same address, same value


async def test_records_and_events_print_hex_ids(wallet_factory: WalletFactory, devnet: Devnet) -> None:
    wallet = await wallet_factory("alice", funded=1)
    alice = await wallet.get_account("main")
    record = await alice.send(1_000_000, (await alice.addresses())[0].bech32)
    events = await wallet.events.history()
    assert events
    for shown in [repr(record), *(repr(e) for e in events), repr((await alice.unspent_outputs())[0])]:
        assert "b'" not in shown
        assert 'b"' not in shown
        assert "\\x" not in shown
    assert f"tx_id=0x{record.tx_id.hex()}" in repr(record)
    assert re.search(r"<transaction 0x[0-9a-f]{64}: 1 input\(s\), 2 output\(s\)>", repr(record))
    new_output = next(e for e in events if e.event.kind == "NewOutput")
    assert f"output_id=0x{new_output.event.output_id.hex()}" in repr(new_output)  # type: ignore[union-attr]
