"""Shared helpers for the signer tests: a policy, a service over an in-memory mnemonic signer, and signing
requests built from real protocol objects (outputs owned by the signer's own derived addresses)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tanglehub.keys.bip39 import generate_mnemonic
from tanglehub.keys.slip10 import Bip44
from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.ids import network_id
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.jsonutil import hex_from_bytes
from tanglehub.protocol.output import BasicOutput, Output
from tanglehub.protocol.output.unlock_conditions import AddressUnlockCondition
from tanglehub.protocol.payload.essence import TransactionEssence, inputs_commitment
from tanglehub.signer.policy import Policy, parse_policy
from tanglehub.signer.service import SigningService
from tanglehub.signer.state import SignerState
from tanglehub.vault import MnemonicSigner

NETWORK = "tanglehub-devnet"
HRP = "tst"
COIN = 4219
HOT = 1
DEPOSITS = 0


def policy_doc(**withdrawals: object) -> dict[str, Any]:
    """A policy document with generous defaults; keyword arguments override [withdrawals] entries."""
    w: dict[str, object] = {
        "max_per_withdrawal": 10_000_000,
        "window_seconds": 3600,
        "max_per_window": 50_000_000,
        "max_per_address_per_window": 20_000_000,
    }
    w.update(withdrawals)
    return {
        "network_name": NETWORK,
        "bech32_hrp": HRP,
        "coin_type": COIN,
        "accounts": [DEPOSITS, HOT],
        "cold_address": foreign_address(b"cold").to_bech32(HRP),
        "withdrawals": w,
    }


def foreign_address(tag: bytes) -> Ed25519Address:
    """An Ed25519 address no test key owns."""
    return Ed25519Address((tag * 32)[:32])


def plain(amount: int, address: Ed25519Address, **kw: Any) -> BasicOutput:
    """A Basic output with only an address unlock condition."""
    return BasicOutput(amount, (AddressUnlockCondition(address),), **kw)


@dataclass
class Harness:
    """A signing service over a fresh mnemonic, with helpers to build requests."""

    service: SigningService
    signer: MnemonicSigner
    policy: Policy
    counter: int = 0
    own: dict[tuple[int, int, int], Ed25519Address] = field(default_factory=dict)

    async def address(self, account: int, change: int, index: int) -> Ed25519Address:
        """A signer-derived address (recorded as the signer's own, as the hub's pool would do)."""
        key = (account, change, index)
        if key not in self.own:
            (h,) = await self.service.derive(account, change, index, 1)
            self.own[key] = Ed25519Address(h)
        return self.own[key]

    def input(self, output: Output, chain: Bip44) -> dict[str, Any]:
        self.counter += 1
        oid = os.urandom(32) + (self.counter % 128).to_bytes(2, "little")
        return {"outputId": hex_from_bytes(oid), "output": output.to_json(), "chain": chain_json(chain)}

    def request(
        self,
        inputs: list[dict[str, Any]],
        outputs: list[Output],
        justification: dict[str, Any],
        *,
        request_id: str | None = None,
        remainder_index: int | None = None,
        network: str = NETWORK,
        commitment: bytes | None = None,
    ) -> dict[str, Any]:
        """A signing request over real essence JSON."""
        consumed = [BasicOutput.from_json(i["output"]) for i in inputs]
        utxos = tuple(UtxoInput.from_output_id(bytes.fromhex(i["outputId"][2:])) for i in inputs)
        essence = TransactionEssence(
            network_id(network), utxos, commitment or inputs_commitment(consumed), tuple(outputs)
        )
        self.counter += 1
        body: dict[str, Any] = {
            "requestId": request_id or f"req-{self.counter}",
            "essence": essence.to_json(),
            "inputs": inputs,
            "justification": justification,
        }
        if remainder_index is not None:
            body["remainderIndex"] = remainder_index
        return body


def chain_json(chain: Bip44) -> dict[str, int]:
    return {
        "coinType": chain.coin_type,
        "account": chain.account,
        "change": chain.change,
        "addressIndex": chain.address_index,
    }


def withdrawal(
    user: str, address: str, amount: int, key: str, authorization: bytes | None = None
) -> dict[str, Any]:
    w: dict[str, Any] = {"userId": user, "address": address, "amount": str(amount), "idempotencyKey": key}
    if authorization is not None:
        w["authorization"] = hex_from_bytes(authorization)
    return w


def make_harness(tmp: Path, doc: dict[str, Any] | None = None, dead_check: Any = None) -> Harness:
    signer = MnemonicSigner(generate_mnemonic())
    policy = parse_policy(doc or policy_doc())
    service = SigningService(policy, SignerState(tmp / "signer.db"), signer, dead_check)
    return Harness(service, signer, policy)
