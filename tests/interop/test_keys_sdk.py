"""Our key layer against the official iota-sdk 1.1.4 (Rust core) as an offline oracle."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tanglehub.keys import (
    ALIAS,
    ED25519,
    NFT,
    Bech32Error,
    MnemonicError,
    decode_address,
    derive_addresses,
    encode_address,
    generate_mnemonic,
    mnemonic_to_seed,
    validate_mnemonic,
)

iota_sdk = pytest.importorskip("iota_sdk")
pytestmark = pytest.mark.interop

Utils = iota_sdk.Utils
_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

indexes = st.one_of(st.integers(0, 100), st.integers(0, 2**31 - 4))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    use_sdk_generator=st.booleans(),
    network=st.sampled_from([(4218, "iota"), (4218, "atoi"), (4219, "smr"), (4219, "rms"), (4219, "tst")]),
    account=indexes,
    internal=st.booleans(),
    start=indexes,
)
def test_addresses_equal_the_sdk(
    use_sdk_generator: bool, network: tuple[int, str], account: int, internal: bool, start: int
) -> None:
    mnemonic = Utils.generate_mnemonic() if use_sdk_generator else generate_mnemonic()
    coin_type, hrp = network
    ours = derive_addresses(mnemonic_to_seed(mnemonic), coin_type, account, internal, start, 3, hrp)
    manager = iota_sdk.SecretManager(iota_sdk.MnemonicSecretManager(mnemonic))
    theirs = manager.generate_ed25519_addresses(
        coin_type=coin_type, account_index=account, start=start, end=start + 3, internal=internal, bech32_hrp=hrp
    )
    assert ours == theirs


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_our_mnemonics_are_accepted_and_seeded_identically_by_the_sdk(data: st.DataObject) -> None:
    mnemonic = generate_mnemonic()
    assert Utils.mnemonic_to_hex_seed(mnemonic) == "0x" + mnemonic_to_seed(mnemonic).hex()
    sdk_mnemonic = Utils.generate_mnemonic()
    assert validate_mnemonic(sdk_mnemonic) == sdk_mnemonic
    words = sdk_mnemonic.split()
    i, j = data.draw(st.integers(0, 23)), data.draw(st.integers(0, 23))
    words[i], words[j] = words[j], words[i]
    mutated = " ".join(words)
    sdk_ok = True
    try:
        iota_sdk.utils._call_method("verifyMnemonic", {"mnemonic": mutated})
    except Exception:
        sdk_ok = False
    try:
        validate_mnemonic(mutated)
        ours_ok = True
    except MnemonicError:
        ours_ok = False
    assert ours_ok is sdk_ok


@settings(max_examples=300, deadline=None)
@given(
    hrp=st.sampled_from(["iota", "atoi", "smr", "rms", "tst", "x", "a" * 83]),
    kind=st.sampled_from([ED25519, ALIAS, NFT]),
    body=st.binary(min_size=32, max_size=32),
)
def test_bech32_round_trip_matches_the_sdk(hrp: str, kind: int, body: bytes) -> None:
    address = encode_address(hrp, kind, body)
    if kind == ED25519:
        assert Utils.hex_to_bech32("0x" + body.hex(), hrp) == address
        assert Utils.bech32_to_hex(address) == "0x" + body.hex()
    elif kind == ALIAS:
        assert Utils.alias_id_to_bech32("0x" + body.hex(), hrp) == address
    else:
        assert Utils.nft_id_to_bech32("0x" + body.hex(), hrp) == address
    assert Utils.is_address_valid(address)


@settings(max_examples=300, deadline=None)
@given(
    body=st.binary(min_size=32, max_size=32),
    position=st.integers(4, 62),
    replacement=st.sampled_from(_CHARSET + "1bio"),
    drop=st.booleans(),
)
def test_mutated_addresses_are_rejected_where_the_sdk_rejects_them(
    body: bytes, position: int, replacement: str, drop: bool
) -> None:
    address = encode_address("smr", ED25519, body)
    mutated = address[:position] + ("" if drop else replacement) + address[position + 1 :]
    try:
        decode_address(mutated)
        ours = True
    except Bech32Error:
        ours = False
    assert ours is Utils.is_address_valid(mutated)
