"""Issue 12 section 2, in process: one devnet per data folder, milestone block metadata as Hornet gives it,
and the faucet built from the node's parts (no import cycle between ``faucet`` and ``node``)."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import httpx
import pytest

import tanglehub.devnet.faucet as faucet_module
from tanglehub.devnet.config import DevnetConfig
from tanglehub.devnet.errors import DevnetDataDirInUse, DevnetStoreError
from tanglehub.devnet.node import DevnetNode
from tanglehub.devnet.store import LOCK_NAME


def test_a_second_node_on_the_same_data_folder_is_refused_until_the_first_closes(tmp_path: Path) -> None:
    first = DevnetNode(DevnetConfig(data_dir=tmp_path, milestone_interval=0))
    first.issue_milestone()
    with pytest.raises(DevnetDataDirInUse, match=rf"in use by this process \(pid {os.getpid()}\)") as info:
        DevnetNode(DevnetConfig(data_dir=tmp_path, milestone_interval=0))
    assert info.value.code == "DEVNET_DATA_DIR_IN_USE"
    assert "--data-dir" in str(info.value)
    # the refused node wrote nothing: the first one's milestone is the only one
    first.close()
    second = DevnetNode(DevnetConfig(data_dir=tmp_path, milestone_interval=0))
    try:
        assert second.latest_index == 1
        assert second.milestones[1] == first.milestones[1]
    finally:
        second.close()
    assert (tmp_path / LOCK_NAME).exists()


def test_a_node_that_fails_to_start_releases_the_data_folder(tmp_path: Path) -> None:
    DevnetNode(DevnetConfig(data_dir=tmp_path, milestone_interval=0)).close()
    with pytest.raises(DevnetStoreError, match="holds network"):
        DevnetNode(DevnetConfig(data_dir=tmp_path, milestone_interval=0, hrp="abc"))
    DevnetNode(DevnetConfig(data_dir=tmp_path, milestone_interval=0)).close()  # not "in use"


def test_close_is_idempotent_and_releases_the_lock(tmp_path: Path) -> None:
    node = DevnetNode(DevnetConfig(data_dir=tmp_path, milestone_interval=0))
    node.close()
    node.close()
    DevnetNode(DevnetConfig(data_dir=tmp_path, milestone_interval=0)).close()


async def test_the_newest_milestone_block_reports_its_milestone_index_at_once(
    client: httpx.AsyncClient, node: DevnetNode
) -> None:
    """The issue's steps: manual milestones, POST a milestone, take its block from the tips, read metadata."""
    r = await client.post("/api/devnet/v1/milestones")
    assert r.status_code == 200
    tips = (await client.get("/api/core/v2/tips")).json()["tips"]
    metas = {t: (await client.get(f"/api/core/v2/blocks/{t}/metadata")).json() for t in tips}
    (ms_block,) = [t for t, m in metas.items() if "milestoneIndex" in m]
    meta = (await client.get(f"/api/core/v2/blocks/{ms_block}/metadata")).json()
    assert meta["milestoneIndex"] == 1
    assert meta["isSolid"] is True
    # not referenced yet: a milestone's own block is in the next milestone's white-flag cone (TIP-2)
    assert "referencedByMilestoneIndex" not in meta
    assert "ledgerInclusionState" not in meta
    assert (meta["shouldPromote"], meta["shouldReattach"]) == (False, False)
    assert ms_block == "0x" + node.milestones[1][2].hex()

    await client.post("/api/devnet/v1/milestones")
    meta = (await client.get(f"/api/core/v2/blocks/{ms_block}/metadata")).json()
    assert meta["milestoneIndex"] == 1
    assert meta["referencedByMilestoneIndex"] == 2
    assert meta["ledgerInclusionState"] == "noTransaction"
    assert "shouldReattach" not in meta


def test_the_milestone_index_survives_a_restart(tmp_path: Path) -> None:
    node = DevnetNode(DevnetConfig(data_dir=tmp_path, milestone_interval=0))
    node.issue_milestone()
    block_id = node.milestones[1][2]
    node.close()
    again = DevnetNode(DevnetConfig(data_dir=tmp_path, milestone_interval=0))
    try:
        assert again.block_metadata(block_id)["milestoneIndex"] == 1
    finally:
        again.close()


def test_the_faucet_module_does_not_import_the_node_module() -> None:
    tree = ast.parse(Path(faucet_module.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert "tanglehub.devnet.node" not in imported
