"""Signers against the official SDK: the same mnemonic and chain give the same addresses and signatures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from iota_sdk import Bip44 as SdkBip44
from iota_sdk import MnemonicSecretManager, SecretManager, Utils

from tanglehub.keys.bech32 import ED25519, encode_address
from tanglehub.keys.ed25519 import verify
from tanglehub.keys.slip10 import IOTA_COIN_TYPE, SHIMMER_COIN_TYPE, Bip44
from tanglehub.vault import (
    InvalidSigningRequestError,
    MnemonicSigner,
    Signer,
    VaultLockedError,
    VaultSigner,
    VaultStore,
)

from .conftest import MNEMONIC, PASSWORD

pytestmark = pytest.mark.interop

ESSENCE_HASH = bytes.fromhex("a11b1ded60b37c12a0b43f2ce2ff88004445272497cca5b0fd4e5fa856479fbb")


@pytest.fixture(scope="module")
def sdk() -> SecretManager:
    return SecretManager(MnemonicSecretManager(MNEMONIC))


@pytest.fixture
async def vault_signer(filled_store: VaultStore) -> VaultSigner:
    return VaultSigner(filled_store)


def test_both_signers_satisfy_the_protocol(filled_store: VaultStore) -> None:
    assert isinstance(VaultSigner(filled_store), Signer)
    assert isinstance(MnemonicSigner(MNEMONIC), Signer)


@pytest.mark.parametrize(
    ("coin", "hrp", "account", "internal", "start", "count"),
    [
        (SHIMMER_COIN_TYPE, "rms", 0, False, 0, 3),
        (SHIMMER_COIN_TYPE, "smr", 2, True, 7, 5),
        (IOTA_COIN_TYPE, "iota", 1, False, 100, 20),
        (IOTA_COIN_TYPE, "atoi", 0, True, 2**31 - 3, 2),
    ],
)
async def test_addresses_equal_the_sdk(
    vault_signer: VaultSigner,
    sdk: SecretManager,
    coin: int,
    hrp: str,
    account: int,
    internal: bool,
    start: int,
    count: int,
) -> None:
    expected = sdk.generate_ed25519_addresses(
        account_index=account, start=start, end=start + count, internal=internal, coin_type=coin, bech32_hrp=hrp
    )
    for signer in (vault_signer, MnemonicSigner(MNEMONIC)):
        hashes = await signer.ed25519_address_hashes(coin, account, internal, start, count)
        assert all(len(h) == 32 for h in hashes)
        assert [encode_address(hrp, ED25519, h) for h in hashes] == expected


@pytest.mark.parametrize(
    "chain",
    [Bip44(SHIMMER_COIN_TYPE), Bip44(SHIMMER_COIN_TYPE, 2, 1, 7), Bip44(IOTA_COIN_TYPE, 0, 0, 2**31 - 1)],
)
async def test_signatures_equal_the_sdk(vault_signer: VaultSigner, sdk: SecretManager, chain: Bip44) -> None:
    theirs = sdk.sign_ed25519(
        "0x" + ESSENCE_HASH.hex(), SdkBip44(chain.coin_type, chain.account, chain.change, chain.address_index)
    )
    for signer in (vault_signer, MnemonicSigner(MNEMONIC)):
        public, signature = await signer.sign_ed25519(ESSENCE_HASH, chain)
        assert "0x" + public.hex() == theirs.publicKey
        assert "0x" + signature.hex() == theirs.signature
        assert verify(public, ESSENCE_HASH, signature)
        assert not verify(public, ESSENCE_HASH[:-1] + b"\x00", signature)
        assert Utils.verify_ed25519_signature(theirs, "0x" + ESSENCE_HASH.hex())


async def test_sign_many_matches_single_signatures(vault_signer: VaultSigner) -> None:
    chains = [Bip44(SHIMMER_COIN_TYPE, a, c, i) for a in range(2) for c in range(2) for i in range(3)]
    many = await vault_signer.sign_ed25519_many(ESSENCE_HASH, chains)  # 12 chains: runs in a worker thread
    assert many == [await vault_signer.sign_ed25519(ESSENCE_HASH, c) for c in chains]
    assert len({public for public, _ in many}) == len(chains)
    hashes = await vault_signer.ed25519_address_hashes(SHIMMER_COIN_TYPE, 1, True, 0, 3)
    from tanglehub.keys.address import ed25519_address_hash

    assert [ed25519_address_hash(p) for p, _ in many[9:12]] == hashes
    assert await vault_signer.sign_ed25519_many(ESSENCE_HASH, []) == []


async def test_range_ending_at_the_last_address_index(vault_signer: VaultSigner, sdk: SecretManager) -> None:
    expected = sdk.generate_ed25519_addresses(
        start=2**31 - 2, end=2**31, coin_type=IOTA_COIN_TYPE, bech32_hrp="iota"
    )
    hashes = await vault_signer.ed25519_address_hashes(IOTA_COIN_TYPE, 0, False, 2**31 - 2, 2)
    assert [encode_address("iota", ED25519, h) for h in hashes] == expected


async def test_event_loop_keeps_running_during_batch_derivation(vault_signer: VaultSigner) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    hashes = await vault_signer.ed25519_address_hashes(SHIMMER_COIN_TYPE, 0, False, 0, 3000)
    task.cancel()
    assert len(hashes) == 3000
    assert ticks > 1  # the loop ran other work while the batch was derived in a thread


async def test_locked_vault_signer_refuses(vault_signer: VaultSigner) -> None:
    vault_signer.lock()
    with pytest.raises(VaultLockedError):
        await vault_signer.sign_ed25519_many(ESSENCE_HASH, [Bip44(SHIMMER_COIN_TYPE)] * 10)
    await vault_signer.unlock(PASSWORD)
    assert await vault_signer.sign_ed25519(ESSENCE_HASH, Bip44(SHIMMER_COIN_TYPE))


async def test_closed_mnemonic_signer_refuses() -> None:
    signer = MnemonicSigner(MNEMONIC)
    signer.close()
    with pytest.raises(VaultLockedError):
        await signer.sign_ed25519(ESSENCE_HASH, Bip44(SHIMMER_COIN_TYPE))


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.ed25519_address_hashes(SHIMMER_COIN_TYPE, 0, False, -1, 1),
        lambda s: s.ed25519_address_hashes(SHIMMER_COIN_TYPE, 0, False, 2**31 - 1, 2),
        lambda s: s.ed25519_address_hashes(SHIMMER_COIN_TYPE, 2**31, False, 0, 1),
        lambda s: s.ed25519_address_hashes(SHIMMER_COIN_TYPE, 0, False, 0, 10**9),
        lambda s: s.sign_ed25519("not bytes", Bip44(SHIMMER_COIN_TYPE)),
        lambda s: s.sign_ed25519_many(b"m", [(4219, 0, 0, 0)]),
    ],
)
async def test_bad_requests_raise_a_clear_error(
    vault_signer: VaultSigner, call: Callable[[VaultSigner], object]
) -> None:
    with pytest.raises(InvalidSigningRequestError):
        await call(vault_signer)  # type: ignore[misc]
