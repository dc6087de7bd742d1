"""Step 1 of the exchange guide: set up the wallet and its vault with a new 24-word mnemonic.

Creates ``TANGLEHUB_WALLET_DIR`` (vault + state database), bound to the node's network and the Shimmer coin
type. The vault generates the mnemonic and keeps it encrypted under ``TANGLEHUB_WALLET_PASSWORD``; it is
shown here ONCE. Write it down and keep it offline: the vault never exports it again, and it is the only way
to recover the funds if the vault file or its password is lost.

Extra variables: ``TANGLEHUB_COIN_TYPE`` (default 4219, Shimmer; 4218 for IOTA) and ``TANGLEHUB_WALLET_KDF``
(Argon2id cost of the vault password: ``moderate`` (default), ``sensitive``, ``interactive``; ``minimum``
only for throw-away test wallets).
"""

from __future__ import annotations

import os

from _common import NODE_URL, WALLET_DIR, env_int, fail, password, run

from tanglehub.keys.slip10 import SHIMMER_COIN_TYPE
from tanglehub.vault import KdfParams
from tanglehub.wallet import Wallet
from tanglehub.wallet.layout import remove_leftovers
from tanglehub.wallet.lock import LOCK_FILE_NAME

KDF_CHOICES = {
    "minimum": KdfParams.MINIMUM,
    "interactive": KdfParams.INTERACTIVE,
    "moderate": KdfParams.MODERATE,
    "sensitive": KdfParams.SENSITIVE,
}


async def main() -> None:
    kdf_name = os.environ.get("TANGLEHUB_WALLET_KDF", "moderate").lower()
    if kdf_name not in KDF_CHOICES:
        fail(f"TANGLEHUB_WALLET_KDF must be one of {', '.join(KDF_CHOICES)}, got {kdf_name!r}")
    coin_type = env_int("TANGLEHUB_COIN_TYPE", SHIMMER_COIN_TYPE)
    print(f"Creating a wallet in {WALLET_DIR} for the node at {NODE_URL} (coin type {coin_type})...")
    wallet = await Wallet.create(
        WALLET_DIR, password=password(), coin_type=coin_type, node_urls=[NODE_URL], kdf=KDF_CHOICES[kdf_name]
    )
    shown = False
    async with wallet:
        try:
            hrp = wallet.bech32_hrp
            print(f"Wallet created for network {wallet.network_name!r} (addresses start with {hrp}1).")
            print()
            print("!! Your new mnemonic is shown ONCE. Write it down on paper and keep it offline.")
            print("!! Anyone who has it owns the funds; without it a lost vault cannot be recovered.")
            print()
            print(f"Mnemonic: {wallet.take_new_mnemonic()}", flush=True)
            shown = True
            print()
            print("The mnemonic is stored encrypted in the vault; clear this terminal's scrollback now.")
        except OSError:  # a full disk, a closed pipe
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    if not shown:  # a wallet whose mnemonic nobody saw must not stay: its funds could never be recovered
        remove_leftovers(wallet.path, own_vault=True)
        (wallet.path / LOCK_FILE_NAME).unlink(missing_ok=True)
        fail("could not write the new mnemonic to standard output; the new wallet was removed, run this again")


if __name__ == "__main__":
    run(main)
