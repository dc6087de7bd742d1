"""Progress of long work reaches the caller's callback: indexer sync, the first ledger sync's bootstrap,
ledger milestones, bulk address generation and account recovery (issue 12, section 4)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from tests.wallet_fixtures import MNEMONIC, Devnet, WalletFactory

from tanglehub.wallet import Progress, ProgressStage, SyncMode, SyncOptions, WalletArgumentError


def _by_stage(seen: list[Progress], stage: ProgressStage) -> list[Progress]:
    return [p for p in seen if p.stage is stage]


async def test_indexer_sync_reports_every_address(wallet_factory: WalletFactory) -> None:
    wallet = await wallet_factory()
    account = await wallet.get_account("main")
    await account.generate_addresses(29)  # 30 public addresses in all
    seen: list[Progress] = []
    await wallet.sync(SyncOptions(internal=False), progress=seen.append)
    steps = _by_stage(seen, ProgressStage.INDEXER_SYNC)
    assert [p.done for p in steps] == list(range(31))
    assert {p.total for p in steps} == {30}
    assert {p.detail for p in steps} == {"main"}
    assert steps[-1].fraction == 1.0


async def test_without_a_callback_nothing_is_reported_and_a_failing_callback_does_not_break_sync(
    wallet_factory: WalletFactory, devnet: Devnet
) -> None:
    wallet = await wallet_factory()
    account = await wallet.get_account("main")
    await devnet.fund((await account.addresses())[0].bech32)

    def broken(_: Progress) -> None:
        raise RuntimeError("display gone")

    result = await account.sync(progress=broken)
    assert len(result.new_output_ids) == 1
    with pytest.raises(WalletArgumentError, match="progress must be a callable"):
        await account.sync(progress="yes")  # type: ignore[arg-type]


async def test_first_ledger_sync_reports_its_bootstrap_then_milestones(
    wallet_factory: WalletFactory, devnet: Devnet
) -> None:
    wallet = await wallet_factory()
    seen: list[Progress] = []
    await wallet.sync(SyncOptions(SyncMode.LEDGER), progress=seen.append)
    bootstrap = _by_stage(seen, ProgressStage.LEDGER_BOOTSTRAP)
    assert bootstrap[-1].done == bootstrap[-1].total == 1  # the account's one address
    assert not _by_stage(seen, ProgressStage.INDEXER_SYNC)
    await devnet.milestone()
    await devnet.milestone()
    seen.clear()
    await wallet.sync(SyncOptions(SyncMode.LEDGER), progress=seen.append)
    assert [p.done for p in _by_stage(seen, ProgressStage.LEDGER_SYNC)] == [1, 2]


async def test_bulk_address_generation_reports_in_steps(wallet_factory: WalletFactory) -> None:
    wallet = await wallet_factory()
    account = await wallet.get_account("main")
    seen: list[Progress] = []
    records = await account.generate_addresses(2_000, progress=seen.append)
    steps = _by_stage(seen, ProgressStage.ADDRESS_GENERATION)
    assert steps[0].done == 0
    assert steps[-1].done == 2_000 == len(records)
    assert len(steps) >= 4  # more than one report: a bar moves while the batch is derived
    assert all(a.done < b.done for a, b in itertools.pairwise(steps))
    assert steps[-1].detail == "main (public)"
    assert [r.key_index for r in records] == list(range(1, 2_001))


async def test_account_recovery_reports_addresses_checked(
    wallet_factory: WalletFactory, devnet: Devnet, tmp_path: Path
) -> None:
    source = await wallet_factory("source", mnemonic=MNEMONIC)
    used = (await (await source.get_account("main")).generate_addresses(3))[-1]
    await devnet.fund(used.bech32)
    restored = await wallet_factory("restored", mnemonic=MNEMONIC, alias=None)
    seen: list[Progress] = []
    accounts = await restored.recover_accounts(1, 5, progress=seen.append)
    assert [a.index for a in accounts] == [0]
    recovery = _by_stage(seen, ProgressStage.ACCOUNT_RECOVERY)
    assert {p.detail for p in recovery} >= {"account 0, public addresses", "account 1, public addresses"}
    assert max(p.done for p in recovery if p.detail == "account 0, public addresses") == 10
    assert _by_stage(seen, ProgressStage.INDEXER_SYNC)  # the recovered account is synced afterwards
