"""Property tests over random valid outputs of all kinds (no SDK): exact round trips, parameter checks,
and decoding of damaged bytes failing only with tanglehub errors."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.strategies.outputs import outputs

from tanglehub.errors import TanglehubError
from tanglehub.protocol.errors import DecodeError
from tanglehub.protocol.output import Output, output_from_bytes, output_from_json
from tanglehub.protocol.params import DEVNET, IOTA_MAINNET
from tanglehub.protocol.rent import storage_deposit
from tanglehub.protocol.validation_errors import InsufficientStorageDepositError

PROPERTY = settings(max_examples=300, deadline=None)


@PROPERTY
@given(outputs())
def test_binary_and_json_round_trips_are_exact(out: Output) -> None:
    raw = out.to_bytes()
    assert output_from_bytes(raw) == out
    assert output_from_json(out.to_json()) == out
    assert output_from_json(out.to_json()).to_bytes() == raw


@PROPERTY
@given(outputs(params=IOTA_MAINNET))
def test_drawn_outputs_pass_the_parameter_checks(out: Output) -> None:
    out.validate(IOTA_MAINNET)
    required = storage_deposit(out, IOTA_MAINNET.rent_structure)
    assert out.amount >= required
    # The strategy funds every output from storage_deposit itself, so the assert above holds by
    # construction; the boundary below checks that validate() demands exactly that deposit.
    with pytest.raises(InsufficientStorageDepositError) as short:
        dataclasses.replace(out, amount=required - 1).validate(IOTA_MAINNET)
    assert short.value.required == required


@PROPERTY
@given(outputs(), st.data())
def test_any_truncation_is_a_decode_error(out: Output, data: st.DataObject) -> None:
    raw = out.to_bytes()
    cut = data.draw(st.integers(0, len(raw) - 1))
    with pytest.raises(DecodeError) as info:
        output_from_bytes(raw[:cut])
    assert info.value.offset is not None
    assert info.value.offset <= cut


@PROPERTY
@given(outputs(params=DEVNET), st.data())
def test_corrupted_bytes_fail_only_with_tanglehub_errors(out: Output, data: st.DataObject) -> None:
    raw = bytearray(out.to_bytes())
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] = data.draw(st.integers(0, 255))
    try:
        decoded = output_from_bytes(bytes(raw))
    except TanglehubError:
        return
    assert decoded.to_bytes() == bytes(raw)
