"""`tanglehub keys` and `tanglehub selfcheck` as a user runs them."""

from __future__ import annotations

import io

import pytest
import typer
from typer.testing import CliRunner

from tanglehub.cli.keys import app
from tanglehub.cli.selfcheck import selfcheck
from tanglehub.keys import decode_address, derive_addresses, mnemonic_to_seed, validate_mnemonic

MNEMONIC = (
    "acoustic trophy damage hint search taste love bicycle foster cradle brown govern endless depend situate"
    " athlete pudding blame question genius transfer van random vast"
)
runner = CliRunner()


def _derive(*args: str, stdin: str = MNEMONIC) -> tuple[int, str, str]:
    result = runner.invoke(app, ["derive", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_generate_prints_a_valid_24_word_mnemonic() -> None:
    result = runner.invoke(app, ["generate"])
    assert result.exit_code == 0
    words = result.stdout.strip()
    assert validate_mnemonic(words) == words
    assert len(words.split()) == 24


def test_derive_prints_the_sdk_vector_address() -> None:
    code, out, _ = _derive("--coin-type", "4218", "--hrp", "iota")
    assert code == 0
    assert out == "iota1qpg2xkj66wwgn8p2ggnp7p582gj8g6p79us5hve2tsudzpsr2ap4skprwjg\n"


def test_derive_internal_account_range_matches_the_library() -> None:
    args = ["--coin-type", "4219", "--hrp", "rms", "--account", "1", "--internal", "--start", "1", "--count", "3"]
    code, out, _ = _derive(*args)
    assert code == 0
    expected = derive_addresses(mnemonic_to_seed(MNEMONIC), 4219, 1, True, 1, 3, "rms")
    assert out.splitlines() == expected
    assert out.splitlines()[0] == "rms1qq97ze2mzmq97t6l9dst6l924u92rc8r9xg50xkct7hn2xv3a4yms0afsge"


def test_derive_many_addresses_with_workers() -> None:
    code, out, _ = _derive("--coin-type", "4219", "--hrp", "smr", "--count", "5000", "--workers", "2")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(set(lines)) == 5000
    assert lines == derive_addresses(mnemonic_to_seed(MNEMONIC), 4219, 0, False, 0, 5000, "smr")
    assert decode_address(lines[-1], "smr")[1] == 0


def _assert_one_line_error(args: list[str], stdin: str, fragment: str) -> None:
    code, out, err = _derive(*args, stdin=stdin)
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: ")
    assert fragment in err
    assert "Traceback" not in err
    for word in MNEMONIC.split()[:3]:
        assert word not in err


def test_bad_mnemonic_is_one_line_without_the_words() -> None:
    bad = MNEMONIC.replace("trophy", "trophyy")
    _assert_one_line_error(["--coin-type", "4218", "--hrp", "iota"], bad, "word 2")
    _assert_one_line_error(
        ["--coin-type", "4218", "--hrp", "iota"], MNEMONIC.replace("vast", "acoustic"), "checksum"
    )
    _assert_one_line_error(["--coin-type", "4218", "--hrp", "iota"], "", "no mnemonic")


def test_bad_numbers_coin_type_and_hrp_are_one_line_errors() -> None:
    base = ["--coin-type", "4218", "--hrp", "iota"]
    _assert_one_line_error(["--coin-type", "60", "--hrp", "iota"], MNEMONIC, "4218")
    _assert_one_line_error([*base, "--start", "-1"], MNEMONIC, "--start")
    _assert_one_line_error([*base, "--count", "-5"], MNEMONIC, "--count")
    _assert_one_line_error([*base, "--account", "-2"], MNEMONIC, "--account")
    _assert_one_line_error([*base, "--workers", "0"], MNEMONIC, "--workers")
    _assert_one_line_error(["--coin-type", "4218", "--hrp", "IOTA"], MNEMONIC, "lower case")
    _assert_one_line_error(["--coin-type", "4218", "--hrp", "a" * 84], MNEMONIC, "83")


def test_selfcheck_prints_addresses_but_never_a_mnemonic() -> None:
    wrapper = typer.Typer()
    wrapper.command()(selfcheck)
    result = runner.invoke(wrapper, [])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    addresses = [line.split()[-1] for line in lines if line.startswith("  ")]
    assert [a[:4] for a in addresses] == ["iota"] * 4 + ["smr1"] * 4
    assert all(decode_address(a)[1] == 0 for a in addresses)
    assert lines[-1].startswith("ok:")
    assert not any(len(line.split()) >= 12 and line.islower() and "1" not in line for line in lines)


def test_the_tanglehub_command_exits_non_zero_on_a_bad_mnemonic(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tanglehub.cli.main import main

    monkeypatch.setattr("sys.stdin", io.StringIO("abandon abandon"))
    assert main(["keys", "derive", "--coin-type", "4218", "--hrp", "iota"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "error: a mnemonic has 12, 15, 18, 21 or 24 words, this one has 2\n"
