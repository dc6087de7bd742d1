"""Builders and Hypothesis strategies for semantic-validation cases: real keys, signed transactions.

``build_case`` turns consumed outputs (with their output ids) and created outputs into a signed
transaction the way a wallet would: it works out who must unlock each input at the milestone time (Address
UC owner, expiration return address, alias state controller or governor, the foundry's alias, chain
addresses) and emits signature / reference / alias / NFT unlocks. ``semantic_cases`` draws random valid
transactions over Basic, NFT, alias and foundry outputs and then breaks some of them on purpose.
``sdk_verdict`` asks iota-sdk's ``verifyTransactionSemantic`` for its conflict reason.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from tanglehub.errors import TanglehubError
from tanglehub.keys.ed25519 import public_key, sign
from tanglehub.protocol.address import Address, AliasAddress, Ed25519Address, NftAddress
from tanglehub.protocol.ids import alias_id_from_output_id, foundry_id, nft_id_from_output_id
from tanglehub.protocol.input import UtxoInput
from tanglehub.protocol.native_token import NativeToken
from tanglehub.protocol.output import (
    AddressUnlockCondition,
    AliasOutput,
    BasicOutput,
    ExpirationUnlockCondition,
    FoundryOutput,
    GovernorAddressUnlockCondition,
    ImmutableAliasAddressUnlockCondition,
    IssuerFeature,
    MetadataFeature,
    NftOutput,
    Output,
    SenderFeature,
    StateControllerAddressUnlockCondition,
    StorageDepositReturnUnlockCondition,
    TagFeature,
    TimelockUnlockCondition,
)
from tanglehub.protocol.params import DEVNET
from tanglehub.protocol.payload import TransactionEssence, TransactionPayload, inputs_commitment
from tanglehub.protocol.semantic import ConflictReason
from tanglehub.protocol.token_scheme import SimpleTokenScheme
from tanglehub.protocol.unlock import (
    AliasUnlock,
    Ed25519Signature,
    NftUnlock,
    ReferenceUnlock,
    SignatureUnlock,
    Unlock,
)

T0 = 1_700_000_000
"""The default milestone timestamp of generated cases."""

PRIVATE_KEYS = [hashlib.blake2b(b"semantic-test-key-%d" % i, digest_size=32).digest() for i in range(4)]
PUBLIC_KEYS = [public_key(k) for k in PRIVATE_KEYS]
ADDRESSES = [Ed25519Address.from_public_key(pk) for pk in PUBLIC_KEYS]


def ed(i: int) -> Ed25519Address:
    """The Ed25519 address of test key ``i``."""
    return ADDRESSES[i]


def basic(
    amount: int, owner: Address, *extra: Any, tokens: Sequence[NativeToken] = (), features: Any = ()
) -> BasicOutput:
    """A Basic output owned by ``owner`` with extra unlock conditions (sorted here)."""
    ucs = sorted((AddressUnlockCondition(owner), *extra), key=lambda uc: uc.KIND)
    toks = tuple(sorted(tokens, key=lambda t: t.token_id))
    feats = tuple(sorted(features, key=lambda f: f.KIND))
    return BasicOutput(amount, tuple(ucs), native_tokens=toks, features=feats)


def alias_ucs(controller: Address, governor: Address) -> tuple[Any, ...]:
    """The two unlock conditions of an alias output."""
    return (StateControllerAddressUnlockCondition(controller), GovernorAddressUnlockCondition(governor))


def foundry_ucs(alias_id: bytes) -> tuple[Any, ...]:
    """The one unlock condition of a foundry output."""
    return (ImmutableAliasAddressUnlockCondition(AliasAddress(alias_id)),)


@dataclass(frozen=True)
class Case:
    """A signed transaction, the outputs it consumes and the milestone time to check it at."""

    payload: TransactionPayload
    inputs: tuple[Output, ...]
    timestamp: int
    label: str = ""


def _chain_id_of(output: Output, oid: bytes) -> bytes | None:
    if isinstance(output, AliasOutput):
        return output.alias_id if any(output.alias_id) else alias_id_from_output_id(oid)
    if isinstance(output, NftOutput):
        return output.nft_id if any(output.nft_id) else nft_id_from_output_id(oid)
    return None


def required_address(
    index: int, consumed: Sequence[tuple[bytes, Output]], outputs: Sequence[Output], timestamp: int
) -> Address:
    """Who must unlock input ``index`` (the wallet's view of the unlock rules)."""
    oid, output = consumed[index]
    if isinstance(output, AliasOutput):
        alias_id = _chain_id_of(output, oid)
        for o in outputs:
            if isinstance(o, AliasOutput) and o.alias_id == alias_id and o.state_index != output.state_index:
                return output.state_controller
        return output.governor
    if isinstance(output, FoundryOutput):
        return output.alias_address
    owner: Address = output.unlock_conditions[0].address  # type: ignore[union-attr]
    for uc in output.unlock_conditions:
        if isinstance(uc, ExpirationUnlockCondition) and timestamp >= uc.unix_time:
            owner = uc.return_address
    return owner


def make_unlocks(
    consumed: Sequence[tuple[bytes, Output]],
    essence: TransactionEssence,
    timestamp: int,
    signer_override: dict[int, int] | None = None,
) -> tuple[Unlock, ...]:
    """Sign ``essence`` for every input; ``signer_override`` maps an input index to a key index to sign with."""
    message = essence.hash()
    unlocks: list[Unlock] = []
    first: dict[bytes, int] = {}
    overrides = signer_override or {}
    for i in range(len(consumed)):
        address = required_address(i, consumed, essence.outputs, timestamp)
        if i in overrides:
            address = ed(overrides[i])
        if isinstance(address, Ed25519Address):
            key = address.pub_key_hash
            if key in first:
                unlocks.append(ReferenceUnlock(first[key]))
                continue
            # An address without a test key is signed by key 0 (and so fails, as it should).
            k = ADDRESSES.index(address) if address in ADDRESSES else 0
            sig = Ed25519Signature(PUBLIC_KEYS[k], sign(PRIVATE_KEYS[k], message))
            first[key] = i
            unlocks.append(SignatureUnlock(sig))
            continue
        target = address.alias_id if isinstance(address, AliasAddress) else address.nft_id  # type: ignore[union-attr]
        holder = next((j for j in range(i) if _chain_id_of(consumed[j][1], consumed[j][0]) == target), None)
        if holder is None:
            # Nothing earlier can unlock it; a fresh signature keeps the payload syntactically valid.
            k = len(first) % len(PRIVATE_KEYS)
            sig = Ed25519Signature(PUBLIC_KEYS[k], sign(PRIVATE_KEYS[k], message + bytes([i])))
            unlocks.append(SignatureUnlock(sig))
        elif isinstance(address, AliasAddress):
            unlocks.append(AliasUnlock(holder))
        else:
            unlocks.append(NftUnlock(holder))
    return tuple(unlocks)


def build_case(
    consumed: Sequence[tuple[bytes, Output]],
    outputs: Sequence[Output],
    timestamp: int = T0,
    *,
    label: str = "",
    commitment: bytes | None = None,
    signer_override: dict[int, int] | None = None,
) -> Case:
    """Build and sign a transaction consuming ``consumed`` (output id, output) and creating ``outputs``."""
    inputs = tuple(o for _, o in consumed)
    essence = TransactionEssence(
        DEVNET.network_id,
        tuple(UtxoInput.from_output_id(oid) for oid, _ in consumed),
        commitment if commitment is not None else inputs_commitment(inputs),
        tuple(outputs),
    )
    unlocks = make_unlocks(consumed, essence, timestamp, signer_override)
    return Case(TransactionPayload(essence, unlocks), inputs, timestamp, label)


def tamper_signature(case: Case, index: int) -> Case:
    """Flip a bit of the signature in the ``index``-th signature unlock (counted among signature unlocks)."""
    unlocks = list(case.payload.unlocks)
    positions = [i for i, u in enumerate(unlocks) if isinstance(u, SignatureUnlock)]
    pos = positions[index % len(positions)]
    u = unlocks[pos]
    assert isinstance(u, SignatureUnlock)
    sig = bytearray(u.signature.signature)
    sig[5] ^= 0x01
    unlocks[pos] = SignatureUnlock(Ed25519Signature(u.signature.public_key, bytes(sig)))
    return dataclasses.replace(case, payload=TransactionPayload(case.payload.essence, tuple(unlocks)))


# -- the SDK oracle -------------------------------------------------------------------------------------

_SDK_NAMES = {reason: "".join(part.capitalize() for part in reason.name.split("_")) for reason in ConflictReason}
_SDK_NAMES[ConflictReason.INPUTS_COMMITMENT_INVALID] = "InputsCommitmentsMismatch"
SDK_TO_REASON = {name: reason for reason, name in _SDK_NAMES.items()}


def sdk_verdict(case: Case) -> ConflictReason:
    """iota-sdk 1.1.4's verdict on ``case`` (``Utils.verify_transaction_semantic``)."""
    from iota_sdk.utils import _call_method

    inputs = []
    for utxo, output in zip(case.payload.essence.inputs, case.inputs, strict=True):
        metadata = {
            "blockId": "0x" + "00" * 32,
            "transactionId": "0x" + utxo.transaction_id.hex(),
            "outputIndex": utxo.output_index,
            "isSpent": False,
            "milestoneIndexBooked": 1,
            "milestoneTimestampBooked": 1,
            "ledgerIndex": 1,
        }
        inputs.append({"output": output.to_json(), "outputMetadata": metadata})
    name = _call_method(
        "verifyTransactionSemantic",
        {"inputs": inputs, "transaction": case.payload.to_json(), "time": case.timestamp},
    )
    return SDK_TO_REASON[name]


# -- random cases -----------------------------------------------------------------------------------------

ids32 = st.binary(min_size=32, max_size=32).filter(any)
keys = st.integers(0, len(PRIVATE_KEYS) - 1)
amounts = st.integers(100_000, 3_000_000)
MUTATIONS = (
    "none",
    "none",
    "amount",
    "commitment",
    "signature",
    "wrong_key",
    "sender",
    "token",
    "drop_output",
    "time",
    "chain",
    "unlock",
)


def _times(draw: st.DrawFn, timestamp: int) -> int:
    """A unix time before (usually) or after ``timestamp``, sometimes exactly at it."""
    return draw(
        st.one_of(
            st.integers(timestamp - 10_000, timestamp - 1),
            st.integers(timestamp + 1, timestamp + 10_000),
            st.just(timestamp),
        )
    )


def _add_tokens(bag: dict[bytes, int], tokens: Sequence[NativeToken], sign_: int = 1) -> None:
    for t in tokens:
        bag[t.token_id] = bag.get(t.token_id, 0) + sign_ * t.amount


@st.composite
def semantic_cases(draw: st.DrawFn) -> Case:
    """A signed transaction over random Basic/alias/foundry/NFT inputs, valid or deliberately broken."""
    ts = T0
    consumed: list[tuple[bytes, Output]] = []
    outputs: list[Output] = []

    def oid() -> bytes:
        return draw(ids32) + draw(st.integers(0, 127)).to_bytes(2, "little")

    alias_in: AliasOutput | None = None
    alias_id = b""
    if draw(st.integers(0, 2)) == 0:
        alias_id = draw(ids32)
        imm = draw(st.sampled_from([(), (IssuerFeature(ed(1)),), (MetadataFeature(b"imm"),)]))
        meta = draw(st.sampled_from([(), (MetadataFeature(b"m"),), (SenderFeature(ed(2)), MetadataFeature(b"m"))]))
        alias_in = AliasOutput(
            draw(amounts),
            alias_ucs(ed(draw(keys)), ed(draw(keys))),
            alias_id,
            draw(st.integers(0, 5)),
            b"state",
            draw(st.integers(0, 3)),
            features=meta,
            immutable_features=imm,
        )
        consumed.append((oid(), alias_in))
    foundry_in: FoundryOutput | None = None
    token_id = foundry_id(draw(ids32), 1)  # a token whose foundry is never in the transaction
    if alias_in is not None and alias_in.foundry_counter and draw(st.booleans()):
        minted = draw(st.integers(1, 1000))
        melted = draw(st.integers(0, minted))
        serial = draw(st.integers(1, alias_in.foundry_counter))
        foundry_in = FoundryOutput(
            draw(amounts), foundry_ucs(alias_id), serial, SimpleTokenScheme(minted, melted, minted + 1000)
        )
        token_id = foundry_id(alias_id, serial)
        consumed.append((oid(), foundry_in))
    nft_in: NftOutput | None = None
    nft_oid = oid()
    if draw(st.integers(0, 2)) == 0:
        nft_id = draw(st.one_of(ids32, st.just(bytes(32))))
        extra = []
        if draw(st.integers(0, 3)) == 0:
            extra.append(ExpirationUnlockCondition(ed(draw(keys)), _times(draw, ts)))
        imm = draw(st.sampled_from([(), (IssuerFeature(ed(3)),), (IssuerFeature(ed(0)), MetadataFeature(b"x"))]))
        nft_in = NftOutput(
            draw(amounts), (AddressUnlockCondition(ed(draw(keys))), *extra), nft_id, immutable_features=imm
        )
        consumed.append((nft_oid, nft_in))
    owners: list[Address] = [ed(i) for i in range(len(PRIVATE_KEYS))]
    if alias_in is not None:
        owners.append(AliasAddress(alias_id))
    if nft_in is not None:
        owners.append(NftAddress(_chain_id_of(nft_in, nft_oid) or bytes(32)))
    for _ in range(draw(st.integers(1, 4))):
        amount = draw(amounts)
        owner = draw(st.sampled_from(owners))
        extra = []
        if draw(st.integers(0, 3)) == 0:
            extra.append(StorageDepositReturnUnlockCondition(ed(draw(keys)), draw(st.integers(42_600, amount))))
        if draw(st.integers(0, 4)) == 0:
            extra.append(TimelockUnlockCondition(_times(draw, ts)))
        if draw(st.integers(0, 3)) == 0:
            extra.append(ExpirationUnlockCondition(ed(draw(keys)), _times(draw, ts)))
        tokens = []
        if draw(st.integers(0, 2)) == 0:
            tokens.append(NativeToken(token_id, draw(st.integers(1, 500))))
        features = [TagFeature(b"t")] if draw(st.integers(0, 4)) == 0 else []
        consumed.append((oid(), basic(amount, owner, *extra, tokens=tokens, features=features)))
    if draw(st.integers(0, 5)) == 0:
        consumed = draw(st.permutations(consumed))

    total = sum(o.amount for _, o in consumed)
    tokens_out: dict[bytes, int] = {}
    for _, o in consumed:
        _add_tokens(tokens_out, o.native_tokens)

    # Next states of the chains.
    new_foundries = 0
    if alias_in is not None:
        action = draw(st.sampled_from(["state", "state", "governance", "destroy"]))
        if action == "state":
            new_foundries = draw(st.integers(0, 1))
            outputs.append(
                dataclasses.replace(
                    alias_in,
                    state_index=alias_in.state_index + 1,
                    state_metadata=draw(st.binary(max_size=4)),
                    foundry_counter=alias_in.foundry_counter + new_foundries,
                )
            )
        elif action == "governance":
            outputs.append(
                dataclasses.replace(alias_in, unlock_conditions=alias_ucs(ed(draw(keys)), ed(draw(keys))))
            )
    if foundry_in is not None:
        scheme = foundry_in.token_scheme
        action = draw(st.sampled_from(["keep", "mint", "melt", "destroy"]))
        if action == "mint":
            d = draw(st.integers(1, 100))
            tokens_out[token_id] = tokens_out.get(token_id, 0) + d
            scheme = dataclasses.replace(scheme, minted_tokens=scheme.minted_tokens + d)
        elif action == "melt" and min(tokens_out.get(token_id, 0), scheme.circulating_supply) > 0:
            d = draw(st.integers(1, min(tokens_out[token_id], scheme.circulating_supply)))
            tokens_out[token_id] -= d
            scheme = dataclasses.replace(scheme, melted_tokens=scheme.melted_tokens + d)
        if action != "destroy":
            outputs.append(dataclasses.replace(foundry_in, token_scheme=scheme))
    if new_foundries and alias_in is not None:
        minted = draw(st.integers(0, 300))
        serial = alias_in.foundry_counter + 1
        outputs.append(
            FoundryOutput(100_000, foundry_ucs(alias_id), serial, SimpleTokenScheme(minted, 0, minted + 10))
        )
        if minted:
            new_id = foundry_id(alias_id, serial)
            tokens_out[new_id] = tokens_out.get(new_id, 0) + minted
    if nft_in is not None and draw(st.integers(0, 3)) > 0:
        nft_id = _chain_id_of(nft_in, nft_oid) or bytes(32)
        outputs.append(
            dataclasses.replace(nft_in, nft_id=nft_id, unlock_conditions=(AddressUnlockCondition(ed(draw(keys))),))
        )
    if draw(st.integers(0, 4)) == 0:
        issuer = draw(st.sampled_from([(), (IssuerFeature(ed(draw(keys))),)]))
        outputs.append(NftOutput(100_000, (AddressUnlockCondition(ed(draw(keys))),), immutable_features=issuer))

    # Storage deposit returns, then the remainder with every native token left.
    for _, o in consumed:
        expired = any(
            isinstance(uc, ExpirationUnlockCondition) and ts >= uc.unix_time for uc in o.unlock_conditions
        )
        for uc in o.unlock_conditions:
            if isinstance(uc, StorageDepositReturnUnlockCondition) and not expired:
                outputs.append(basic(uc.amount, uc.return_address))
    remainder = total - sum(o.amount for o in outputs)
    tokens = [NativeToken(t, a) for t, a in tokens_out.items() if a > 0]
    if remainder > 0:
        outputs.append(basic(remainder, ed(draw(keys)), tokens=tokens[:64]))
    if not outputs:
        outputs.append(basic(1, ed(0)))

    # Break it (or not).
    mutation = draw(st.sampled_from(MUTATIONS))
    commitment: bytes | None = None
    override: dict[int, int] = {}
    timestamp = ts
    k = draw(st.integers(0, 127))
    try:
        if mutation == "amount":
            i = k % len(outputs)
            o = outputs[i]
            outputs[i] = dataclasses.replace(o, amount=max(1, o.amount + draw(st.integers(-50_000, 50_000))))
        elif mutation == "commitment":
            commitment = draw(st.binary(min_size=32, max_size=32))
        elif mutation == "wrong_key":
            override[k % len(consumed)] = draw(keys)
        elif mutation == "sender":
            i = k % len(outputs)
            o = outputs[i]
            if not isinstance(o, FoundryOutput):
                sender = SenderFeature(draw(st.sampled_from(owners)))
                rest = tuple(f for f in o.features if not isinstance(f, SenderFeature))
                outputs[i] = dataclasses.replace(o, features=(sender, *rest))
        elif mutation == "token":
            extra_id = draw(st.sampled_from([token_id, foundry_id(draw(ids32), 2)]))
            i = k % len(outputs)
            o = outputs[i]
            bag = {t.token_id: t.amount for t in o.native_tokens}
            bag[extra_id] = bag.get(extra_id, 0) + draw(st.integers(1, 50))
            outputs[i] = dataclasses.replace(
                o,
                native_tokens=tuple(sorted((NativeToken(t, a) for t, a in bag.items()), key=lambda t: t.token_id)),
            )
        elif mutation == "drop_output" and len(outputs) > 1:
            del outputs[k % len(outputs)]
        elif mutation == "time":
            timestamp = _times(draw, ts)
        elif mutation == "chain":
            chains = [i for i, o in enumerate(outputs) if isinstance(o, AliasOutput | NftOutput | FoundryOutput)]
            if chains:
                i = chains[k % len(chains)]
                o = outputs[i]
                change = draw(st.integers(0, 4))
                if isinstance(o, AliasOutput):
                    outputs[i] = [
                        lambda: dataclasses.replace(o, state_index=o.state_index + 2),
                        lambda: dataclasses.replace(o, foundry_counter=o.foundry_counter + 1),
                        lambda: dataclasses.replace(o, immutable_features=(MetadataFeature(b"new"),)),
                        lambda: dataclasses.replace(o, features=(MetadataFeature(b"other"),)),
                        lambda: dataclasses.replace(o, amount=o.amount + 1, state_metadata=b"changed"),
                    ][change]()
                elif isinstance(o, NftOutput):
                    outputs[i] = [
                        lambda: dataclasses.replace(o, immutable_features=(MetadataFeature(b"new"),)),
                        lambda: dataclasses.replace(o, nft_id=draw(ids32)),
                        lambda: dataclasses.replace(o, immutable_features=(IssuerFeature(ed(draw(keys))),)),
                        lambda: o,
                        lambda: dataclasses.replace(o, features=(SenderFeature(ed(draw(keys))),)),
                    ][change]()
                else:
                    s = o.token_scheme
                    outputs[i] = [
                        lambda: dataclasses.replace(
                            o, token_scheme=dataclasses.replace(s, minted_tokens=s.minted_tokens + 1)
                        ),
                        lambda: dataclasses.replace(
                            o,
                            token_scheme=dataclasses.replace(
                                s, melted_tokens=min(s.minted_tokens, s.melted_tokens + 1)
                            ),
                        ),
                        lambda: dataclasses.replace(
                            o, token_scheme=dataclasses.replace(s, maximum_supply=s.maximum_supply + 1)
                        ),
                        lambda: dataclasses.replace(o, serial_number=o.serial_number + 1),
                        lambda: dataclasses.replace(o, immutable_features=(MetadataFeature(b"f"),)),
                    ][change]()
    except TanglehubError:
        assume(False)
    try:
        case = build_case(
            consumed, outputs, timestamp, label=mutation, commitment=commitment, signer_override=override
        )
        if mutation == "signature":
            case = tamper_signature(case, k)
        elif mutation == "unlock" and len(consumed) > 1:
            case = _swap_unlock(case, draw(st.integers(1, len(consumed) - 1)), k)
    except TanglehubError:
        assume(False)
        raise
    return case


def _swap_unlock(case: Case, index: int, k: int) -> Case:
    """Replace unlock ``index`` by another syntactically valid kind pointing at an earlier unlock."""
    unlocks = list(case.payload.unlocks)
    signatures = [j for j in range(index) if isinstance(unlocks[j], SignatureUnlock)]
    options: list[Unlock] = [AliasUnlock(k % index), NftUnlock(k % index)]
    if signatures:
        options.append(ReferenceUnlock(signatures[k % len(signatures)]))
    unlocks[index] = options[k % len(options)]
    try:
        payload = TransactionPayload(case.payload.essence, tuple(unlocks))
    except TanglehubError:
        return case
    return dataclasses.replace(case, payload=payload, label="unlock")
