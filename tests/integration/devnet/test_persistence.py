"""With a data folder the devnet's ledger, blocks, milestones and indexer survive a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.errors import DevnetConfigError, DevnetStoreError
from tanglehub.devnet.genesis import MNEMONIC_FILE
from tanglehub.devnet.node import DevnetNode


def _snapshot(node: DevnetNode) -> dict[str, object]:
    faucet = node.faucet.address.to_bech32("tst")
    return {
        "outputs": dict(node.ledger.outputs),
        "diffs": dict(node.ledger.diffs),
        "included": dict(node.ledger.included),
        "milestones": dict(node.milestones),
        "latest": (node.latest_index, node.latest_timestamp, node.latest_id),
        "blocks": {bid: node.block_metadata(bid) for bid in node.tangle.blocks},
        "index_all": node.index_query(None, {}),
        "index_faucet": node.index_query(3, {"address": faucet}),
    }


def test_restart_restores_identical_state(tmp_path: Path) -> None:
    config = DevnetConfig(data_dir=tmp_path, milestone_interval=0)
    first = DevnetNode(config)
    assert first.new_mnemonic is not None
    assert (tmp_path / MNEMONIC_FILE).stat().st_mode & 0o777 == 0o600
    target = first.faucet.address
    first.faucet.pay(target)
    first.issue_milestone()
    first.faucet.pay(target)
    first.issue_milestone()
    first.issue_milestone()
    before = _snapshot(first)
    first.close()

    second = DevnetNode(config)
    assert second.new_mnemonic is None
    assert second.keys == first.keys
    assert _snapshot(second) == before
    # the restarted devnet keeps working: the faucet spends its confirmed remainder
    block_id = second.faucet.pay(target)
    second.issue_milestone()
    assert second.block_metadata(block_id)["ledgerInclusionState"] == "included"
    assert second.ledger.total_unspent() == second.params.token_supply
    second.close()


def test_restart_with_other_network_settings_is_refused(tmp_path: Path) -> None:
    DevnetNode(DevnetConfig(data_dir=tmp_path, milestone_interval=0)).close()
    with pytest.raises(DevnetStoreError, match="network"):
        DevnetNode(DevnetConfig(data_dir=tmp_path, milestone_interval=0, hrp="rms"))


def test_a_different_mnemonic_for_an_existing_folder_is_refused(tmp_path: Path) -> None:
    DevnetNode(DevnetConfig(data_dir=tmp_path, milestone_interval=0)).close()
    other = "abandon " * 23 + "art"
    with pytest.raises(DevnetConfigError, match="another faucet mnemonic"):
        DevnetNode(DevnetConfig(data_dir=tmp_path, milestone_interval=0, faucet_mnemonic=other))


def test_in_memory_devnets_start_fresh() -> None:
    a = DevnetNode(DevnetConfig(milestone_interval=0))
    b = DevnetNode(DevnetConfig(milestone_interval=0))
    assert a.keys.faucet_address != b.keys.faucet_address
    assert a.ledger.total_unspent() == a.params.token_supply
