"""One process per wallet directory: a second open (here or in another process) fails at once with the
holder's pid; closing or killing the holder frees the directory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tests.wallet_fixtures import PASSWORD, Devnet, open_again

from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.vault import KdfParams
from tanglehub.wallet import Wallet, WalletExistsError, WalletInUseError
from tanglehub.wallet.lock import LOCK_FILE_NAME

ROOT = Path(__file__).resolve().parents[3]
CHILD = Path(__file__).with_name("wallet_child.py")


def start_child(mode: str, directory: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(CHILD), mode, str(directory)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def stop(child: subprocess.Popen[str]) -> None:
    child.kill()
    child.wait()
    for stream in (child.stdin, child.stdout):
        if stream is not None and not stream.closed:
            stream.close()


async def test_a_second_open_in_this_process_fails_until_the_first_closes(
    wallet_factory, devnet: Devnet, tmp_path: Path
) -> None:
    wallet = await wallet_factory("w")
    with pytest.raises(WalletInUseError, match="already open in this process") as caught:
        await open_again(devnet, tmp_path / "w")
    assert "another process" not in str(caught.value)  # issue 12: it used to blame "another process (our pid)"
    with pytest.raises(WalletExistsError):
        await Wallet.create(
            tmp_path / "w",
            password=PASSWORD,
            coin_type=SHIMMER_COIN_TYPE,
            pool=devnet.pool(),
            kdf=KdfParams.MINIMUM,
        )
    await wallet.close()
    again = await open_again(devnet, tmp_path / "w")
    await again.close()
    assert (tmp_path / "w" / LOCK_FILE_NAME).stat().st_mode & 0o777 == 0o600


async def test_another_process_holding_the_wallet_blocks_open(
    wallet_factory, devnet: Devnet, tmp_path: Path
) -> None:
    await (await wallet_factory("w")).close()
    child = start_child("hold", tmp_path / "w")
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "open"
        with pytest.raises(WalletInUseError, match=rf"in {tmp_path / 'w'} is already open .*\(pid {child.pid}\)"):
            await open_again(devnet, tmp_path / "w")
        assert child.stdin is not None
        child.stdin.close()  # the child closes the wallet and exits
        assert child.wait(timeout=30) == 0
    finally:
        stop(child)
    wallet = await open_again(devnet, tmp_path / "w")
    await wallet.close()


async def test_a_killed_holder_leaves_the_wallet_openable(wallet_factory, devnet: Devnet, tmp_path: Path) -> None:
    await (await wallet_factory("w")).close()
    child = start_child("hold", tmp_path / "w")
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "open"
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        stop(child)
    wallet = await open_again(devnet, tmp_path / "w")
    await wallet.close()
