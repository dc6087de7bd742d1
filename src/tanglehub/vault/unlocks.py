"""Unlocks from signatures per BIP44 chain: the one rule every signer (wallet, hub, signing server) follows.

TIP-20: the first input of each address gets a signature unlock; every later input of the same address gets a
reference unlock pointing at that signature unlock. Inputs are identified here by the chain of the key that
owns them, in the essence's input order.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

from tanglehub.protocol.unlock import Ed25519Signature, ReferenceUnlock, SignatureUnlock, Unlock

__all__ = ["build_unlocks", "unique_chains"]

K = TypeVar("K", bound=Hashable)
"""A key reference: a BIP44 chain, or (signing server, legacy scheme) a seed UUID."""


def unique_chains(chains: Sequence[K]) -> list[K]:
    """The distinct chains of ``chains`` (one per input, in input order) in first-use order: one signature each."""
    return list(dict.fromkeys(chains))


def build_unlocks(chains: Sequence[K], signatures: Mapping[K, tuple[bytes, bytes]]) -> tuple[Unlock, ...]:
    """A signature unlock (public key, signature) for the first input of each chain, reference unlocks for the
    rest; ``chains`` gives each input's chain in input order. A chain missing from ``signatures`` raises
    KeyError (a signer bug, never user input)."""
    first: dict[K, int] = {}
    unlocks: list[Unlock] = []
    for index, chain in enumerate(chains):
        ref = first.get(chain)
        if ref is None:
            first[chain] = index
            pk, sig = signatures[chain]
            unlocks.append(SignatureUnlock(Ed25519Signature(pk, sig)))
        else:
            unlocks.append(ReferenceUnlock(ref))
    return tuple(unlocks)
