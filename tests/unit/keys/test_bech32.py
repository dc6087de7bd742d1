from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.reference import VECTORS

from tanglehub.keys import (
    ALIAS,
    ED25519,
    NFT,
    Bech32CharacterError,
    Bech32ChecksumError,
    Bech32HrpError,
    Bech32LengthError,
    Bech32MixedCaseError,
    UnknownAddressKindError,
    WrongNetworkError,
    decode_address,
    encode_address,
    encode_many,
)
from tanglehub.keys.bech32 import _polymod


def load(relative: str) -> Any:
    return json.loads((VECTORS / relative).read_text())


BECH32 = load("extracted_vectors.json")["bech32"]["vectors"]
SMR = "smr1qrhacyfwlcnzkvzteumekfkrrwks98mpdm37cj4xx3drvmjvnep6xhcazjh"
CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _with_checksum(hrp: str, data: str, const: int = 1) -> str:
    values = [CHARSET.index(c) for c in data]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    polymod = _polymod([*expanded, *values, 0, 0, 0, 0, 0, 0]) ^ const
    return hrp + "1" + data + "".join(CHARSET[(polymod >> 5 * (5 - i)) & 31] for i in range(6))


@pytest.mark.parametrize("case", BECH32, ids=lambda c: c["bech32"][:12])
def test_tip31_vectors(case: dict[str, str]) -> None:
    payload = bytes.fromhex(case["serialized_address_hex"])
    assert encode_address(case["hrp"], payload[0], payload[1:]) == case["bech32"]
    assert decode_address(case["bech32"]) == (case["hrp"], payload[0], payload[1:])
    assert decode_address(case["bech32"].upper()) == (case["hrp"], payload[0], payload[1:])


def test_first_data_character_shows_the_address_kind() -> None:
    body = bytes(range(32))
    assert [encode_address("smr", kind, body)[4] for kind in (ED25519, ALIAS, NFT)] == ["q", "p", "z"]


@settings(max_examples=300, deadline=None)
@given(
    hrp=st.text(
        st.characters(min_codepoint=33, max_codepoint=126).filter(lambda c: not c.isupper()),
        min_size=1,
        max_size=83,
    ),
    kind=st.sampled_from([ED25519, ALIAS, NFT]),
    body=st.binary(min_size=32, max_size=32),
)
def test_round_trip_and_batch_encoding_agree(hrp: str, kind: int, body: bytes) -> None:
    address = encode_address(hrp, kind, body)
    assert decode_address(address, expected_hrp=hrp) == (hrp, kind, body)
    assert encode_many(hrp, kind, [body, bytes(32)]) == [address, encode_address(hrp, kind, bytes(32))]


def test_wrong_network_is_named() -> None:
    with pytest.raises(WrongNetworkError, match="address is for network 'smr' but 'rms' is expected here"):
        decode_address(SMR, expected_hrp="rms")


def test_mixed_case_is_rejected() -> None:
    with pytest.raises(Bech32MixedCaseError):
        decode_address(SMR[:10] + SMR[10:].upper())


def test_one_changed_character_breaks_the_checksum() -> None:
    changed = SMR[:20] + ("q" if SMR[20] != "q" else "p") + SMR[21:]
    with pytest.raises(Bech32ChecksumError, match="checksum"):
        decode_address(changed)


def test_bech32m_checksum_is_called_out() -> None:
    data = SMR[4:-6]
    with pytest.raises(Bech32ChecksumError, match="bech32m"):
        decode_address(_with_checksum("smr", data, const=0x2BC830A3))


@pytest.mark.parametrize(
    ("text", "where"), [(SMR[:30] + "b" + SMR[31:], "position 31"), ("smr1" + "i" * 60, "'i'")]
)
def test_invalid_character_is_named_with_its_position(text: str, where: str) -> None:
    with pytest.raises(Bech32CharacterError, match=where):
        decode_address(text)


def test_missing_separator() -> None:
    with pytest.raises(Bech32CharacterError, match="separator"):
        decode_address("smrqqqqqq")


def test_wrong_length_with_valid_checksum() -> None:
    with pytest.raises(Bech32LengthError, match="holds 31 bytes"):
        decode_address(_with_checksum("smr", SMR[4:-6][:-2]))
    with pytest.raises(Bech32LengthError):
        decode_address(_with_checksum("smr", ""))


def test_unknown_address_kind() -> None:
    # type byte 0x01 followed by 32 zero bytes: valid checksum, 33 bytes, but no such address type
    data = "".join(CHARSET[((1 << 257) >> 5 * (52 - i)) & 31] for i in range(53))
    with pytest.raises(UnknownAddressKindError, match="type 1"):
        decode_address(_with_checksum("smr", data))
    with pytest.raises(UnknownAddressKindError):
        encode_address("smr", 1, bytes(32))


def test_nonzero_padding_bits_are_rejected() -> None:
    data = SMR[4:-7] + CHARSET[CHARSET.index(SMR[-7]) | 1]
    with pytest.raises(Bech32LengthError, match="padding"):
        decode_address(_with_checksum("smr", data))


@pytest.mark.parametrize("hrp", ["", "a" * 84, "SMR", "sm r", "smr\u00e9"])
def test_bad_hrp_is_rejected_on_encode(hrp: str) -> None:
    with pytest.raises(Bech32HrpError):
        encode_address(hrp, ED25519, bytes(32))


def test_body_must_be_32_bytes() -> None:
    with pytest.raises(Bech32LengthError):
        encode_address("smr", ED25519, bytes(31))
    with pytest.raises(Bech32LengthError):
        encode_many("smr", ED25519, [bytes(32), bytes(33)])


@pytest.mark.parametrize("kind", [False, True, [0], 0.0, "0"])
def test_encode_rejects_kinds_that_are_not_address_type_integers(kind: object) -> None:
    # False == 0 used to encode an Ed25519 address; a list escaped as TypeError.
    with pytest.raises(UnknownAddressKindError):
        encode_address("smr", kind, bytes(32))  # type: ignore[arg-type]
    with pytest.raises(UnknownAddressKindError):
        encode_many("smr", kind, [bytes(32)])  # type: ignore[arg-type]
