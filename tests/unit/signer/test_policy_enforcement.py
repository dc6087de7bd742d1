"""The "compromised hub" suite: a caller that can reach the signer tries to get unjustified transactions
signed. Every attempt is refused with its reason and lands in the audit log; honest flows are signed and the
signed payload passes the protocol's own checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.signer_fixtures import (
    COIN,
    DEPOSITS,
    HOT,
    HRP,
    Harness,
    foreign_address,
    make_harness,
    plain,
    policy_doc,
    withdrawal,
)

from tanglehub.keys import ed25519
from tanglehub.keys.slip10 import Bip44
from tanglehub.protocol.payload import TransactionPayload
from tanglehub.protocol.semantic import ConflictReason, verify_transaction
from tanglehub.signer.audit import verify_records
from tanglehub.signer.authorization import sign_authorization
from tanglehub.signer.errors import RefusalReason, SignerRequestError, SigningRefused


@pytest.fixture
def h(tmp_path: Path) -> Harness:
    return make_harness(tmp_path)


async def _hot_input(h: Harness, amount: int, index: int = 0) -> dict[str, object]:
    address = await h.address(HOT, 0, index)
    return h.input(plain(amount, address), Bip44(COIN, HOT, 0, index))


async def _refused(h: Harness, body: dict[str, object], reason: RefusalReason) -> None:
    with pytest.raises(SigningRefused) as info:
        await h.service.sign(body)
    assert info.value.reason is reason, info.value
    last = list(h.service.state.audit_records())[-1]
    assert (last.decision, last.reason, last.request_id) == ("refused", reason.value, body["requestId"])


def _user_address(tag: bytes) -> str:
    return foreign_address(tag).to_bech32(HRP)


# -- honest flows --------------------------------------------------------------------------------------------


async def test_a_withdrawal_batch_with_a_remainder_to_its_own_address_is_signed(h: Harness) -> None:
    inp = await _hot_input(h, 10_000_000)
    remainder = await h.address(HOT, 1, 0)
    a, b = _user_address(b"a"), _user_address(b"b")
    outputs = [
        plain(1_000_000, foreign_address(b"a")),
        plain(2_000_000, foreign_address(b"b")),
        plain(7_000_000, remainder),
    ]
    body = h.request(
        [inp],
        outputs,
        {
            "kind": "withdrawals",
            "withdrawals": [withdrawal("u1", a, 1_000_000, "k1"), withdrawal("u2", b, 2_000_000, "k2")],
        },
        remainder_index=2,
    )
    answer = await h.service.sign(body)
    payload = TransactionPayload.from_json(answer["payload"])
    assert answer["transactionId"] == "0x" + payload.transaction_id().hex()
    consumed = [BasicOutputFrom(inp)]
    assert verify_transaction(payload, consumed, 0) is ConflictReason.NONE
    records = list(h.service.state.audit_records())
    assert records[-1].decision == "signed"
    assert verify_records(records) == len(records)


def BasicOutputFrom(inp: dict[str, object]):
    from tanglehub.protocol.output import BasicOutput

    return BasicOutput.from_json(inp["output"])


async def test_sweep_from_deposit_addresses_to_hot_and_treasury_to_cold_are_signed(h: Harness) -> None:
    deposit0 = await h.address(DEPOSITS, 0, 0)
    deposit1 = await h.address(DEPOSITS, 0, 1)
    inputs = [
        h.input(plain(1_000_000, deposit0), Bip44(COIN, DEPOSITS, 0, 0)),
        h.input(plain(2_000_000, deposit1), Bip44(COIN, DEPOSITS, 0, 1)),
    ]
    hot = await h.address(HOT, 0, 0)
    await h.service.sign(h.request(inputs, [plain(3_000_000, hot)], {"kind": "sweep"}))
    treasury_in = await _hot_input(h, 9_000_000)
    cold = h.policy.cold_address
    assert cold is not None
    await h.service.sign(
        h.request([treasury_in], [plain(8_000_000, cold), plain(1_000_000, hot)], {"kind": "treasury"})
    )


async def test_a_recovery_returns_tokens_to_the_claimed_address(h: Harness) -> None:
    inp = await _hot_input(h, 500_000)
    sender = _user_address(b"s")
    body = h.request(
        [inp],
        [plain(500_000, foreign_address(b"s"))],
        {"kind": "recovery", "recoveries": [{"address": sender, "amount": "500000", "depositOutputId": "0x01"}]},
    )
    await h.service.sign(body)


# -- attacks -------------------------------------------------------------------------------------------------


async def test_an_output_to_a_foreign_address_without_a_withdrawal_is_refused(h: Harness) -> None:
    inp = await _hot_input(h, 5_000_000)
    body = h.request([inp], [plain(5_000_000, foreign_address(b"x"))], {"kind": "sweep"})
    await _refused(h, body, RefusalReason.FOREIGN_OUTPUT)


async def test_a_withdrawal_above_the_per_withdrawal_limit_is_refused(h: Harness) -> None:
    inp = await _hot_input(h, 20_000_000)
    big = 10_000_001
    w = withdrawal("u", _user_address(b"u"), big, "k")
    body = h.request(
        [inp],
        [plain(big, foreign_address(b"u")), plain(20_000_000 - big, await h.address(HOT, 1, 0))],
        {"kind": "withdrawals", "withdrawals": [w]},
    )
    await _refused(h, body, RefusalReason.WITHDRAWAL_LIMIT)


async def test_withdrawals_beyond_the_rolling_window_are_refused(tmp_path: Path) -> None:
    h = make_harness(tmp_path, policy_doc(max_per_window=15_000_000, max_per_address_per_window=100_000_000))
    for n in range(3):
        inp = await _hot_input(h, 6_000_000, n)
        addr = _user_address(bytes([n + 1]))
        w = withdrawal(f"u{n}", addr, 6_000_000, f"k{n}")
        body = h.request(
            [inp], [plain(6_000_000, foreign_address(bytes([n + 1])))], {"kind": "withdrawals", "withdrawals": [w]}
        )
        if n < 2:
            await h.service.sign(body)
        else:
            await _refused(h, body, RefusalReason.WINDOW_LIMIT)


async def test_withdrawals_to_one_address_beyond_its_window_limit_are_refused(tmp_path: Path) -> None:
    h = make_harness(tmp_path, policy_doc(max_per_address_per_window=10_000_000))
    addr = _user_address(b"d")
    for n in range(2):
        inp = await _hot_input(h, 6_000_000, n)
        body = h.request(
            [inp],
            [plain(6_000_000, foreign_address(b"d"))],
            {"kind": "withdrawals", "withdrawals": [withdrawal("u", addr, 6_000_000, f"k{n}")]},
        )
        if n == 0:
            await h.service.sign(body)
        else:
            await _refused(h, body, RefusalReason.ADDRESS_WINDOW_LIMIT)


async def test_a_remainder_to_a_foreign_address_is_refused(h: Harness) -> None:
    inp = await _hot_input(h, 5_000_000)
    w = withdrawal("u", _user_address(b"u"), 1_000_000, "k")
    outputs = [plain(1_000_000, foreign_address(b"u")), plain(4_000_000, foreign_address(b"r"))]
    body = h.request([inp], outputs, {"kind": "withdrawals", "withdrawals": [w]}, remainder_index=1)
    await _refused(h, body, RefusalReason.FOREIGN_REMAINDER)


async def test_an_essence_changed_after_approval_is_refused(h: Harness) -> None:
    inp = await _hot_input(h, 5_000_000)
    hot = await h.address(HOT, 0, 1)
    first = h.request([inp], [plain(5_000_000, hot)], {"kind": "sweep"}, request_id="sweep-1")
    answer = await h.service.sign(first)
    assert await h.service.sign(first) == answer  # a retry gets the same answer
    changed = h.request([inp], [plain(5_000_000, foreign_address(b"z"))], {"kind": "sweep"}, request_id="sweep-1")
    await _refused(h, changed, RefusalReason.REQUEST_CHANGED)


async def test_an_input_the_signer_does_not_own_is_refused(h: Harness) -> None:
    stranger = foreign_address(b"q")
    inp = h.input(plain(5_000_000, stranger), Bip44(COIN, HOT, 0, 0))
    body = h.request([inp], [plain(5_000_000, await h.address(HOT, 0, 0))], {"kind": "sweep"})
    await _refused(h, body, RefusalReason.INPUT_NOT_OWNED)


async def test_an_input_on_an_account_outside_the_policy_is_refused(h: Harness) -> None:
    inp = h.input(plain(5_000_000, foreign_address(b"q")), Bip44(COIN, 7, 0, 0))
    body = h.request([inp], [plain(5_000_000, await h.address(HOT, 0, 0))], {"kind": "sweep"})
    await _refused(h, body, RefusalReason.INPUT_NOT_OWNED)


async def test_another_networks_id_is_refused(h: Harness) -> None:
    inp = await _hot_input(h, 5_000_000)
    body = h.request([inp], [plain(5_000_000, await h.address(HOT, 0, 1))], {"kind": "sweep"}, network="shimmer")
    await _refused(h, body, RefusalReason.WRONG_NETWORK)


async def test_a_wrong_inputs_commitment_is_refused(h: Harness) -> None:
    inp = await _hot_input(h, 5_000_000)
    body = h.request(
        [inp], [plain(5_000_000, await h.address(HOT, 0, 1))], {"kind": "sweep"}, commitment=bytes(32)
    )
    await _refused(h, body, RefusalReason.INPUT_COMMITMENT_MISMATCH)


async def test_a_withdrawal_signed_once_cannot_be_signed_into_a_second_transaction(h: Harness) -> None:
    addr = _user_address(b"w")
    w = withdrawal("u", addr, 1_000_000, "once")
    first = h.request(
        [await _hot_input(h, 1_000_000, 0)],
        [plain(1_000_000, foreign_address(b"w"))],
        {"kind": "withdrawals", "withdrawals": [w]},
    )
    await h.service.sign(first)
    replay = h.request(
        [await _hot_input(h, 1_000_000, 1)],
        [plain(1_000_000, foreign_address(b"w"))],
        {"kind": "withdrawals", "withdrawals": [w]},
    )
    await _refused(h, replay, RefusalReason.ALREADY_SIGNED)


async def test_a_withdrawal_moves_to_a_new_transaction_once_the_old_one_is_provably_dead(tmp_path: Path) -> None:
    seen: list[bytes] = []

    async def dead(tx_id: bytes, inputs: object) -> bool:
        seen.append(tx_id)
        return True

    h = make_harness(tmp_path, dead_check=dead)
    w = withdrawal("u", _user_address(b"w"), 1_000_000, "once")
    first = await h.service.sign(
        h.request(
            [await _hot_input(h, 1_000_000, 0)],
            [plain(1_000_000, foreign_address(b"w"))],
            {"kind": "withdrawals", "withdrawals": [w]},
        )
    )
    second = h.request(
        [await _hot_input(h, 1_000_000, 1)],
        [plain(1_000_000, foreign_address(b"w"))],
        {"kind": "withdrawals", "withdrawals": [w]},
    )
    await h.service.sign(second)
    assert seen == [bytes.fromhex(first["transactionId"][2:])]
    # counted once: the window total holds one withdrawal of 1,000,000
    assert h.service.state.window_usage(0) == (1_000_000, {_user_address(b"w"): 1_000_000})


async def test_authorizations_missing_forged_or_for_another_amount_are_refused(tmp_path: Path) -> None:
    exchange_key = bytes(range(32))
    doc = policy_doc(
        require_authorization=True, authorization_keys=["0x" + ed25519.public_key(exchange_key).hex()]
    )
    h = make_harness(tmp_path, doc)
    addr = _user_address(b"a")

    async def attempt(auth: bytes | None, n: int) -> dict[str, object]:
        w = withdrawal("u", addr, 1_000_000, f"k{n}", auth)
        return h.request(
            [await _hot_input(h, 1_000_000, n)],
            [plain(1_000_000, foreign_address(b"a"))],
            {"kind": "withdrawals", "withdrawals": [w]},
        )

    await _refused(h, await attempt(None, 0), RefusalReason.AUTHORIZATION_MISSING)
    forged = sign_authorization(bytes(32), "u", addr, 1_000_000, "k1")
    await _refused(h, await attempt(forged, 1), RefusalReason.AUTHORIZATION_INVALID)
    other_amount = sign_authorization(exchange_key, "u", addr, 2_000_000, "k2")
    await _refused(h, await attempt(other_amount, 2), RefusalReason.AUTHORIZATION_INVALID)
    good = sign_authorization(exchange_key, "u", addr, 1_000_000, "k3")
    await h.service.sign(await attempt(good, 3))
    # the same authorization replayed into another transaction
    await _refused(h, await attempt(good, 3), RefusalReason.ALREADY_SIGNED)


async def test_a_refusal_is_durable_and_a_retry_gets_the_same_refusal(h: Harness) -> None:
    inp = await _hot_input(h, 5_000_000)
    body = h.request([inp], [plain(5_000_000, foreign_address(b"x"))], {"kind": "sweep"})
    await _refused(h, body, RefusalReason.FOREIGN_OUTPUT)
    with pytest.raises(SigningRefused) as info:
        await h.service.sign(body)
    assert info.value.reason is RefusalReason.FOREIGN_OUTPUT


async def test_a_malformed_request_is_a_request_error_naming_the_field(h: Harness) -> None:
    with pytest.raises(SignerRequestError, match="requestId"):
        await h.service.sign({"essence": {}})
    inp = await _hot_input(h, 5)
    body = h.request([inp], [plain(5, await h.address(HOT, 0, 0))], {"kind": "gift"})
    with pytest.raises(SignerRequestError, match=r"justification\.kind"):
        await h.service.sign(body)
