"""The devnet faucet (in the style of the node faucet plugin): pays a configured amount to a bech32 address.

Each request is one real transaction signed by the faucet key: it spends the faucet's latest remainder output
(even while still unconfirmed: the new block names the previous faucet block as a parent, so white-flag
order applies them in sequence) and creates the payment plus a new remainder. If a faucet transaction ever
conflicts, the faucet falls back to its confirmed unspent outputs.

The faucet gets the node's parts it reads (keys, parameters, ledger, indexer, tangle) and two callables (tip
selection, block submission) instead of the node itself, so this module does not depend on
:mod:`tanglehub.devnet.node` (which builds the faucet).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tanglehub.devnet.errors import DevnetBadRequest, DevnetFaucetError
from tanglehub.devnet.genesis import DevnetKeys
from tanglehub.devnet.indexer import Indexer
from tanglehub.devnet.ledger import Ledger
from tanglehub.devnet.tangle import CONFLICTING, Tangle
from tanglehub.errors import CodecError, KeysError
from tanglehub.keys.ed25519 import sign
from tanglehub.protocol.address import Address, address_from_bech32
from tanglehub.protocol.block import PROTOCOL_VERSION, Block
from tanglehub.protocol.ids import output_id
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.output import AddressUnlockCondition, BasicOutput, Output
from tanglehub.protocol.params import ProtocolParameters
from tanglehub.protocol.payload import TransactionEssence, TransactionPayload, inputs_commitment
from tanglehub.protocol.rent import min_deposit_basic
from tanglehub.protocol.unlock import Ed25519Signature, SignatureUnlock

__all__ = ["Faucet", "FaucetHead"]


@dataclass(frozen=True, slots=True)
class FaucetHead:
    """The output the next faucet transaction spends, and the block that created it."""

    oid: bytes
    output: Output
    block_id: bytes | None


class Faucet:
    """Pays faucet requests from the genesis funds."""

    def __init__(
        self,
        *,
        keys: DevnetKeys,
        params: ProtocolParameters,
        amount: int,
        ledger: Ledger,
        indexer: Indexer,
        tangle: Tangle,
        tips: Callable[[], list[bytes]],
        submit: Callable[[Block], bytes],
    ) -> None:
        """``amount``: base units per request; ``tips()`` gives parents for a new block, ``submit(block)``
        attaches a block the devnet built itself and returns its id."""
        self.keys = keys
        self.params = params
        self.amount = amount
        self.ledger = ledger
        self.indexer = indexer
        self.tangle = tangle
        self._tips = tips
        self._submit = submit
        self.head: FaucetHead | None = None
        self.requests = 0

    @property
    def address(self) -> Address:
        """The faucet's address."""
        return self.keys.faucet_address

    def _confirmed_head(self) -> FaucetHead:
        key = bytes(self.address.to_bytes())
        best: FaucetHead | None = None
        for entry_oid in self.indexer.oids_for_address(key):
            rec = self.ledger.get(entry_oid)
            if rec is None or not isinstance(rec.output, BasicOutput) or not rec.output.is_simple:
                continue
            if bytes(rec.output.address.to_bytes()) != key:
                continue
            if best is None or rec.output.amount > best.output.amount:
                best = FaucetHead(rec.oid, rec.output, None)
        if best is None:
            raise DevnetFaucetError("the faucet has no funds left")
        return best

    def on_milestone(self) -> None:
        """Forget an unconfirmed head whose transaction conflicted."""
        head = self.head
        if head is None or head.block_id is None:
            return
        rec = self.tangle.get(head.block_id)
        if rec is None or rec.inclusion_state == CONFLICTING:
            self.head = None
        elif rec.referenced_by is not None:
            self.head = FaucetHead(head.oid, head.output, None)

    def parse_address(self, text: object) -> Address:
        """The request's bech32 address, checked against this network's HRP (400 with a reason otherwise)."""
        if not isinstance(text, str) or not text:
            raise DevnetBadRequest("the faucet request needs an 'address' (bech32 string)")
        try:
            return address_from_bech32(text, expected_hrp=self.params.bech32_hrp)
        except (KeysError, CodecError) as exc:
            raise DevnetBadRequest(f"invalid faucet address {text!r}: {exc}") from exc

    def pay(self, address: Address, amount: int | None = None) -> bytes:
        """Send ``amount`` (default: the configured faucet amount) to ``address``; returns the block id."""
        amount = self.amount if amount is None else amount
        minimum = min_deposit_basic(self.params.rent_structure)
        if amount < minimum:
            raise DevnetFaucetError(f"the faucet amount {amount} is below the minimum storage deposit {minimum}")
        head = self.head or self._confirmed_head()
        remainder = head.output.amount - amount
        if remainder != 0 and remainder < minimum:
            raise DevnetFaucetError("the faucet does not have enough funds left for this request")
        outputs: list[Output] = [BasicOutput(amount=amount, unlock_conditions=(AddressUnlockCondition(address),))]
        if remainder:
            outputs.append(
                BasicOutput(amount=remainder, unlock_conditions=(AddressUnlockCondition(self.address),))
            )
        essence = TransactionEssence(
            network_id=self.params.network_id,
            inputs=(UtxoInput.from_output_id(head.oid),),
            inputs_commitment=inputs_commitment([head.output]),
            outputs=tuple(outputs),
        )
        signature = sign(self.keys.faucet_private, essence.hash())
        unlock = SignatureUnlock(Ed25519Signature(self.keys.faucet_public, signature))
        payload = TransactionPayload(essence, (unlock,))
        parents = set(self._tips())
        if head.block_id is not None and head.block_id not in parents:
            parents = set(sorted(parents)[:7])
            parents.add(head.block_id)
        block = Block(PROTOCOL_VERSION, tuple(sorted(parents)), payload, 0)
        block_id = self._submit(block)
        tx_id = payload.transaction_id()
        if remainder:
            self.head = FaucetHead(output_id(tx_id, 1), outputs[1], block_id)
        else:
            self.head = None
        self.requests += 1
        return block_id
