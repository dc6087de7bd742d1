"""Constants the offline transaction-preparation tests share: the test mnemonic, a fixed node view of the
devnet's parameters at a fixed milestone time, the smallest basic output deposit and a cold address."""

from __future__ import annotations

from tests.wallet_fixtures import MNEMONIC

from tanglehub.protocol.address import Ed25519Address
from tanglehub.protocol.params import DEVNET
from tanglehub.protocol.rent import min_deposit_basic
from tanglehub.wallet.operations.transaction import NodeView

__all__ = ["COLD", "MIN", "MNEMONIC", "NOW", "VIEW"]

MIN = min_deposit_basic(DEVNET.rent_structure)
"""The smallest deposit of a basic output with one address unlock condition (devnet rent structure)."""
NOW = 1_700_000_000
"""The milestone time (unix s) of :data:`VIEW`."""
VIEW = NodeView(DEVNET, NOW, 0, False, DEVNET.version)
"""A node view of the devnet's protocol parameters at :data:`NOW`, no PoW."""
COLD = Ed25519Address(b"\x42" * 32)
"""An address outside the wallet."""
