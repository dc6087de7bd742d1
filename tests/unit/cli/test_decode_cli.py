"""``tanglehub decode``: block, transaction and output hex to JSON; clear one-line errors."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from tests.reference import VECTORS

from tanglehub.cli.main import main
from tanglehub.protocol.block import Block
from tanglehub.protocol.payload import TransactionPayload

BLOCKS = json.loads((VECTORS / "iota-sdk/python_test_block_dicts.json").read_text())


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["decode", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_decode_block_prints_id_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    block = Block.from_json(BLOCKS[1])
    code, out, err = _run(capsys, "block", "0x" + block.to_bytes().hex())
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    assert result == {"blockId": "0x" + block.block_id().hex(), "block": BLOCKS[1]}


def test_decode_block_without_prefix_and_compact(capsys: pytest.CaptureFixture[str]) -> None:
    block = Block.from_json(BLOCKS[3])
    code, out, _ = _run(capsys, "block", "--compact", block.to_bytes().hex().upper())
    assert code == 0
    assert out.count("\n") == 1
    assert json.loads(out)["blockId"] == "0xe32e2c9a96bbbc74608b55da864d538b9195ff41d6f31f7da3f07fdf268ad3d4"


def test_decode_transaction_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tx = TransactionPayload.from_json(BLOCKS[0]["payload"])
    monkeypatch.setattr("sys.stdin", io.StringIO("0x" + tx.to_bytes().hex() + "\n"))
    code, out, err = _run(capsys, "transaction", "-")
    assert code == 0, err
    result = json.loads(out)
    assert result["transactionId"] == "0xda045da56ce8d72331fe7ce11d1c7aa4e6b5793bb2270c9e273d1f2ba4dd8529"
    assert result["transaction"] == BLOCKS[0]["payload"]


def test_decode_output(capsys: pytest.CaptureFixture[str]) -> None:
    output = TransactionPayload.from_json(BLOCKS[1]["payload"]).essence.outputs[0]
    code, out, _ = _run(capsys, "output", output.to_bytes().hex())
    assert code == 0
    assert json.loads(out) == {"output": BLOCKS[1]["payload"]["essence"]["outputs"][0]}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("block", "0xzz"), "not hex"),
        (("block", "abc"), "odd number"),
        (("block", "0x"), "no input"),
        (("block", "0202"), "unexpected end of data"),
        (("transaction", "05000000"), "expected payload type 6"),
        (("output", "09"), "output"),
    ],
)
def test_bad_input_is_one_line_on_stderr(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], fragment: str
) -> None:
    code, out, err = _run(capsys, *args)
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1
    assert fragment in err
    assert "Traceback" not in err


def test_trailing_bytes_are_reported(capsys: pytest.CaptureFixture[str]) -> None:
    data = Block.from_json(BLOCKS[3]).to_bytes() + b"\x00"
    code, _, err = _run(capsys, "block", data.hex())
    assert code != 0
    assert "trailing" in err
