"""``tanglehub selfcheck`` (what ``make run`` runs for now): a quick offline check of the key layer.

It makes a fresh mnemonic in memory (never printed), derives the first addresses for IOTA and Shimmer,
checks that each one decodes back to the same bytes, signs and verifies a message, and prints a summary.
"""

from __future__ import annotations

import time

import typer

from tanglehub.errors import KeysError
from tanglehub.keys.address import derive_address_hashes, derive_keypairs, ed25519_address_hash
from tanglehub.keys.bech32 import ED25519, decode_address, encode_address
from tanglehub.keys.bip39 import generate_mnemonic, mnemonic_to_seed
from tanglehub.keys.ed25519 import sign, verify
from tanglehub.keys.slip10 import IOTA_COIN_TYPE, SHIMMER_COIN_TYPE

__all__ = ["selfcheck"]

_NETWORKS = (("IOTA", "iota", IOTA_COIN_TYPE), ("Shimmer", "smr", SHIMMER_COIN_TYPE))
_MESSAGE = b"tanglehub selfcheck"


class SelfcheckFailedError(KeysError):
    """The self-check found a key-layer result that does not hold together."""

    code = "KEYS_SELFCHECK_FAILED"


def _round_trip(hrp: str, body: bytes) -> str:
    address = encode_address(hrp, ED25519, body)
    if decode_address(address, expected_hrp=hrp) != (hrp, ED25519, body):
        raise SelfcheckFailedError(f"address {address} does not decode back to its own bytes")
    return address


def selfcheck() -> None:
    """Derive and print sample IOTA and Shimmer addresses from a throwaway mnemonic and check them."""
    started = time.perf_counter()
    seed = mnemonic_to_seed(generate_mnemonic())
    checked = 0
    typer.echo("tanglehub selfcheck: fresh 24-word mnemonic generated in memory (not shown)")
    for name, hrp, coin_type in _NETWORKS:
        typer.echo(f"{name} (coin type {coin_type}, hrp '{hrp}'):")
        for index, body in enumerate(derive_address_hashes(seed, coin_type, 0, False, 0, 3)):
            typer.echo(f"  public   #{index}  {_round_trip(hrp, body)}")
            checked += 1
        internal = derive_address_hashes(seed, coin_type, 0, True, 0, 1)[0]
        typer.echo(f"  internal #0  {_round_trip(hrp, internal)}")
        checked += 1
    private_key, public_key = derive_keypairs(seed, SHIMMER_COIN_TYPE, 0, False, 0, 1)[0]
    if ed25519_address_hash(public_key) != derive_address_hashes(seed, SHIMMER_COIN_TYPE, 0, False, 0, 1)[0]:
        raise SelfcheckFailedError("the key pair does not match its address")
    signature = sign(private_key, _MESSAGE)
    if not verify(public_key, _MESSAGE, signature) or verify(public_key, _MESSAGE + b"!", signature):
        raise SelfcheckFailedError("Ed25519 sign/verify did not behave as expected")
    elapsed = (time.perf_counter() - started) * 1000
    typer.echo(
        f"ok: {checked} addresses round-tripped through bech32, Ed25519 sign+verify passed ({elapsed:.0f} ms)"
    )
