"""The signing server's cost: a 128-input transaction signed through the signer over mutual TLS, beside the
same policy check and signing in-process, and beside bare signing with no policy at all; plus addresses per
second through the address API.

Run: .venv/bin/python bench/signer.py
Each figure is the median of 7 timed runs after one warm-up, on a loopback signer in this process's thread.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.signer_fixtures import COIN, HOT, Harness, foreign_address, make_harness, plain, withdrawal

from tanglehub.devnet.server import free_port
from tanglehub.keys.slip10 import Bip44
from tanglehub.signer.certs import make_certificates
from tanglehub.signer.client import RemoteSigner
from tanglehub.signer.server import BackgroundSigner, tls_files

RUNS = 7
INPUTS = 128


async def _median(label: str, fn: Callable[[], Awaitable[object]], unit: float = 1.0, what: str = "") -> float:
    await fn()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    rate = f"  {unit / median:>10,.0f} {what}/s" if what else ""
    print(f"{label:<58} {median * 1000:8.1f} ms{rate}")
    return median


async def _request(h: Harness, n: int) -> dict[str, object]:
    inputs = []
    total = 0
    for i in range(INPUTS):
        address = await h.address(HOT, 0, i)
        inputs.append(h.input(plain(1_000_000, address), Bip44(COIN, HOT, 0, i)))
        total += 1_000_000
    pay = 50_000
    claims = [
        withdrawal(f"user-{k}", foreign_address(bytes([k + 1])).to_bech32("tst"), pay, f"{n}-{k}")
        for k in range(100)
    ]
    outputs = [plain(pay, foreign_address(bytes([k + 1]))) for k in range(100)]
    outputs.append(plain(total - 100 * pay, await h.address(HOT, 1, 0)))
    return h.request(inputs, outputs, {"kind": "withdrawals", "withdrawals": claims}, remainder_index=100)


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        doc_limits = {"max_per_window": 10**15, "max_per_address_per_window": 10**15}
        from tests.signer_fixtures import policy_doc

        h = make_harness(root, policy_doc(**doc_limits))
        certs = make_certificates(root / "certs")
        tls = tls_files(certs.server_cert, certs.server_key, certs.ca_cert)
        counter = iter(range(10**6))
        print(f"{INPUTS}-input transaction with 100 withdrawal outputs and a remainder")

        async def bare() -> object:
            body = await _request(h, next(counter))
            from tanglehub.signer.request import SignRequest
            from tanglehub.vault.unlocks import unique_chains

            req = SignRequest.from_json(body)
            return await h.signer.sign_ed25519_many(
                req.essence.hash(), unique_chains([i.chain for i in req.inputs])
            )

        async def in_process() -> object:
            return await h.service.sign(await _request(h, next(counter)))

        with BackgroundSigner(h.service, tls, free_port()) as srv:
            client = RemoteSigner(srv.url, certs.ca_cert, certs.client_cert, certs.client_key)

            async def remote() -> object:
                return await client.sign(await _request(h, next(counter)))

            async def build_only() -> object:
                return await _request(h, next(counter))

            base = await _median("building the request (not signing; subtracted below)", build_only)
            t_bare = await _median("bare signing in-process (no policy, no audit)", bare) - base
            t_in = await _median("signer service in-process (policy + audit + sign)", in_process) - base
            t_remote = await _median("signer over mutual TLS (HTTP + policy + audit + sign)", remote) - base
            print(
                f"net: bare {t_bare * 1000:.1f} ms, in-process service {t_in * 1000:.1f} ms, "
                f"over mTLS {t_remote * 1000:.1f} ms ({t_remote / t_in:.2f}x the in-process service)"
            )
            start = iter(range(0, 10**7, 1000))

            async def derive_remote() -> object:
                return await client.derive_addresses(0, 0, next(start), 1000)

            async def derive_local() -> object:
                return await h.signer.ed25519_address_hashes(COIN, 0, False, next(start), 1000)

            await _median("1,000 addresses through the address API (mTLS)", derive_remote, 1000, "addresses")
            await _median("1,000 addresses in-process (no API)", derive_local, 1000, "addresses")
            await client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
