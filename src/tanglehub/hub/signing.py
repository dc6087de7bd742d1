"""The hub's keys boundary for transactions: :class:`HubSigner`, in-process or remote, with one policy.

The hub never holds a key. It asks a :class:`HubSigner` for address hashes (deposit pool, hot addresses) and
for signatures of prepared transactions with their justification (:mod:`tanglehub.signer.request` is the wire
format). Two implementations run the SAME policy checks (:mod:`tanglehub.signer.check` and the durable window
limits of :class:`~tanglehub.signer.service.SigningService`):

- :class:`InProcessSigner`: a :class:`~tanglehub.signer.service.SigningService` over the hub's unlocked vault,
  its durable state at ``<data_dir>/signer-state.db`` and a :class:`~tanglehub.signer.policy.Policy` built from
  :class:`~tanglehub.hub.settings.HubSettings` (:func:`policy_from_settings`).
- :class:`tanglehub.signer.client.RemoteSigner`: the signing server over mutual TLS (``settings.signer_url``);
  the hub then has no vault at all (:func:`open_signer`).

Both raise :class:`~tanglehub.signer.errors.SigningRefused` (with a
:class:`~tanglehub.signer.errors.RefusalReason`) for a policy refusal and
:class:`~tanglehub.signer.errors.SignerUnavailable` when the signer cannot be reached. A request id is the
identity of one decision: re-sending the same id with the same body returns the same answer (never a second
signature, never a second count against the limits), so callers store the request body before sending it and
re-send it unchanged after a crash.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from tanglehub.errors import TanglehubError
from tanglehub.hub.settings import HubSettings
from tanglehub.node import NodePool
from tanglehub.protocol.address import Address, address_from_bech32
from tanglehub.signer.client import RemoteSigner
from tanglehub.signer.errors import SignerConfigError
from tanglehub.signer.policy import Policy, WithdrawalLimits
from tanglehub.signer.service import DeadCheck, SigningService
from tanglehub.signer.state import SignerState
from tanglehub.vault import Signer

__all__ = [
    "SIGNER_STATE_FILE",
    "HubSigner",
    "InProcessSigner",
    "PoolDeadCheck",
    "open_signer",
    "policy_from_settings",
]

SIGNER_STATE_FILE = "signer-state.db"
"""The in-process signer's durable state (decisions, counters, audit log) inside the hub's data directory."""


@runtime_checkable
class HubSigner(Protocol):
    """What the hub needs from the keys: address hashes and justified signatures (see the module docstring).

    It is also an :class:`~tanglehub.hub.addresses.source.AddressSource` (same ``derive_addresses``)."""

    async def sign(self, request: dict[str, Any]) -> dict[str, Any]:
        """Sign a :mod:`tanglehub.signer.request` body; returns ``{"transactionId": "0x..", "payload":
        <TransactionPayload JSON>, "auditSeq": int}``. Raises ``SigningRefused`` (reason code),
        ``SignerRequestError`` (malformed body) or ``SignerUnavailable``."""
        ...

    async def derive_addresses(self, account: int, change: int, start: int, count: int) -> list[bytes]:
        """32-byte Ed25519 address hashes of indexes ``start .. start+count-1`` of ``account``/``change``."""
        ...

    async def aclose(self) -> None:
        """Release connections and files."""
        ...


def _cold_address(settings: HubSettings) -> Address | None:
    if settings.cold_address is None:
        return None
    try:
        return address_from_bech32(settings.cold_address, expected_hrp=settings.bech32_hrp)
    except TanglehubError as exc:
        raise SignerConfigError(f"cold_address is not a {settings.bech32_hrp} address: {exc.message}") from exc


def policy_from_settings(settings: HubSettings) -> Policy:
    """The in-process signer's policy: the hub's network, coin type, deposit and hot accounts, cold address
    and withdrawal limits (``withdrawal_max_amount``, ``withdrawal_window_seconds``,
    ``withdrawal_max_per_window``, ``withdrawal_max_per_address_per_window``). Raises
    :class:`SignerConfigError` for a cold address of another network."""
    accounts = tuple(dict.fromkeys((settings.deposit_account, settings.hot_account)))
    limits = WithdrawalLimits(
        settings.withdrawal_max_amount,
        settings.withdrawal_window_seconds,
        settings.withdrawal_max_per_window,
        settings.withdrawal_max_per_address_per_window,
    )
    return Policy(
        settings.network_name,
        settings.bech32_hrp,
        settings.coin_type,
        accounts,
        limits,
        cold_address=_cold_address(settings),
    )


class PoolDeadCheck:
    """A :data:`~tanglehub.signer.service.DeadCheck` through the hub's node pool: an earlier transaction is
    dead when one of its inputs was spent by a different transaction id (output metadata
    ``transactionIdSpent``). A node error is not proof (False)."""

    def __init__(self, pool: NodePool) -> None:
        self._pool = pool

    async def __call__(self, tx_id: bytes, inputs: Sequence[bytes]) -> bool:
        for output_id in inputs:
            try:
                meta = await self._pool.get_output_metadata(output_id)
            except TanglehubError:
                return False
            if meta.is_spent and meta.transaction_id_spent is not None and meta.transaction_id_spent != tx_id:
                return True
        return False


class InProcessSigner:
    """A :class:`HubSigner` in the hub's own process: the signing service over the unlocked vault.

    ``vault_signer`` is the hub's :class:`~tanglehub.vault.Signer` (a ``VaultSigner`` over its unlocked
    vault); ``dead_check`` lets a withdrawal be re-signed once its earlier transaction is provably dead."""

    def __init__(
        self,
        settings: HubSettings,
        vault_signer: Signer,
        *,
        dead_check: DeadCheck | None = None,
        state_path: Path | None = None,
    ) -> None:
        self.policy = policy_from_settings(settings)
        path = state_path if state_path is not None else Path(settings.data_dir) / SIGNER_STATE_FILE
        self.state = SignerState(path)
        self.service = SigningService(self.policy, self.state, vault_signer, dead_check)

    def __repr__(self) -> str:
        return f"InProcessSigner(network={self.policy.network_name!r}, accounts={self.policy.accounts})"

    async def sign(self, request: dict[str, Any]) -> dict[str, Any]:
        """See :meth:`HubSigner.sign`."""
        return dict(await self.service.sign(request))

    async def derive_addresses(self, account: int, change: int, start: int, count: int) -> list[bytes]:
        """See :meth:`HubSigner.derive_addresses` (recorded in the state, so outputs to them count as own)."""
        return await self.service.derive(account, change, start, count)

    async def health(self) -> dict[str, Any]:
        """The same shape as the signing server's ``GET /health``."""
        p = self.policy
        return {
            "status": "ok",
            "networkName": p.network_name,
            "coinType": p.coin_type,
            "accounts": list(p.accounts),
        }

    async def aclose(self) -> None:
        """Close the state database."""
        self.state.close()


def open_signer(settings: HubSettings) -> RemoteSigner:
    """The remote signer of ``settings`` (``signer_url`` with ``signer_ca``, ``signer_client_cert`` and
    ``signer_client_key``). Raises :class:`SignerConfigError` naming a missing setting or file, or a URL that
    is not ``https://``."""
    if settings.signer_url is None:
        raise SignerConfigError("signer_url is not set; the hub would use its local vault")
    ca, cert, key = settings.signer_ca, settings.signer_client_cert, settings.signer_client_key
    if ca is None or cert is None or key is None:
        missing = [
            n
            for n, v in (("signer_ca", ca), ("signer_client_cert", cert), ("signer_client_key", key))
            if v is None
        ]
        raise SignerConfigError(
            f"a remote signer needs {', '.join(missing)} (the CA and the hub's client certificate and key made by "
            "'tanglehub signer certs')"
        )
    return RemoteSigner(settings.signer_url, Path(ca), Path(cert), Path(key), timeout=settings.signer_timeout)
