from __future__ import annotations

import json
from typing import Any

import pytest
from tests.reference import VECTORS

from tanglehub.keys import (
    ChecksumMismatchError,
    MnemonicLengthError,
    UnknownWordError,
    generate_mnemonic,
    mnemonic_to_seed,
    validate_mnemonic,
)


def load(relative: str) -> Any:
    return json.loads((VECTORS / relative).read_text())


ENGLISH = next(group for group in load("iota-crypto-demo/bip39_TestBIP39.json") if group["language"] == "english")
VALID = (
    "acoustic trophy damage hint search taste love bicycle foster cradle brown govern endless depend situate"
    " athlete pudding blame question genius transfer van random vast"
)


@pytest.mark.parametrize("case", ENGLISH["tests"], ids=lambda c: c["entropy"][:12])
def test_trezor_vectors_give_the_published_seed(case: dict[str, str]) -> None:
    assert validate_mnemonic(case["mnemonic"]) == case["mnemonic"]
    assert mnemonic_to_seed(case["mnemonic"], case["passphrase"]).hex() == case["seed"]


def test_generated_mnemonic_has_24_valid_words_and_differs_each_time() -> None:
    first, second = generate_mnemonic(), generate_mnemonic()
    assert len(first.split()) == 24
    assert validate_mnemonic(first) == first
    assert first != second


@pytest.mark.parametrize("words", [12, 15, 18, 21])
def test_shorter_mnemonics_can_be_generated(words: int) -> None:
    assert len(validate_mnemonic(generate_mnemonic(words)).split()) == words


def test_generate_rejects_an_unsupported_word_count() -> None:
    with pytest.raises(MnemonicLengthError):
        generate_mnemonic(13)


def test_validation_normalizes_case_and_spacing() -> None:
    messy = "  " + VALID.upper().replace(" ", " \n\t ", 3) + "\n"
    assert validate_mnemonic(messy) == VALID
    assert mnemonic_to_seed(messy) == mnemonic_to_seed(VALID)


def test_wrong_word_count_is_a_length_error() -> None:
    with pytest.raises(MnemonicLengthError, match="this one has 23"):
        validate_mnemonic(" ".join(VALID.split()[:23]))


def test_unknown_word_names_its_position_but_not_the_word() -> None:
    words = VALID.split()
    words[6] = "lovee"
    with pytest.raises(UnknownWordError) as info:
        validate_mnemonic(" ".join(words))
    assert info.value.position == 7
    assert "word 7" in str(info.value)
    assert "lovee" not in str(info.value)
    assert info.value.code == "MNEMONIC_UNKNOWN_WORD"


def test_swapped_words_fail_the_checksum_without_echoing_the_mnemonic() -> None:
    words = VALID.split()
    words[0], words[1] = words[1], words[0]
    with pytest.raises(ChecksumMismatchError) as info:
        validate_mnemonic(" ".join(words))
    assert not any(word in str(info.value).split() for word in words if len(word) > 3)


def test_empty_passphrase_is_the_iota_default() -> None:
    assert mnemonic_to_seed(VALID) == mnemonic_to_seed(VALID, "")
    assert mnemonic_to_seed(VALID) != mnemonic_to_seed(VALID, "TREZOR")
